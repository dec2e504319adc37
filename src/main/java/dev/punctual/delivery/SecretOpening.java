package dev.punctual.delivery;

import dev.punctual.definition.AmqpTarget;
import dev.punctual.definition.HttpTarget;
import dev.punctual.definition.NatsTarget;
import dev.punctual.definition.OAuth2Auth;
import dev.punctual.definition.RedisTarget;
import dev.punctual.definition.Target;
import dev.punctual.secret.SecretBox;
import dev.punctual.secret.SecretUnavailableException;
import dev.punctual.secret.UrlSecrets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Opens the sealed secrets of an attempt or a notification (signing secrets, secret header values,
 * an OAuth 2.0 client secret, a broker URL's password or token) right before it is sent: the engine
 * carries them sealed, and they are in clear only for the time of the request. A secret that does
 * not open fails that attempt with the reason (the run is retried like any failure, and may reach a
 * node that holds the key); the rest go on.
 */
public final class SecretOpening implements Deliverer, NotificationPoster {
  private final SecretBox box;
  private final Deliverer deliverer;
  private final NotificationPoster poster;

  public SecretOpening(SecretBox box, Deliverer deliverer, NotificationPoster poster) {
    this.box = box;
    this.deliverer = deliverer;
    this.poster = poster;
  }

  @Override
  public CompletableFuture<AttemptResult> send(Attempt attempt) {
    Attempt opened;
    try {
      opened =
          new Attempt(
              attempt.runId(),
              attempt.jobId(),
              attempt.jobName(),
              attempt.scheduledFor(),
              attempt.number(),
              attempt.startedAt(),
              open(attempt.target()),
              open(attempt.signingSecrets()),
              attempt.traceHeaders());
    } catch (SecretUnavailableException e) {
      return failed(e);
    }
    return deliverer.send(opened);
  }

  @Override
  public CompletableFuture<AttemptResult> post(Notification notification) {
    Notification opened;
    try {
      opened =
          new Notification(
              notification.id(),
              notification.url(),
              notification.body(),
              open(notification.signingSecrets()),
              notification.timeout(),
              notification.at());
    } catch (SecretUnavailableException e) {
      return failed(e);
    }
    return poster.post(opened);
  }

  private Target open(Target target) {
    if (target instanceof HttpTarget http) {
      return open(http);
    }
    if (target instanceof AmqpTarget t && UrlSecrets.isSealed(t.url())) {
      return new AmqpTarget(open(t.url()), t.exchange(), t.routingKey(), t.body(), t.timeout());
    }
    if (target instanceof RedisTarget t && UrlSecrets.isSealed(t.url())) {
      return new RedisTarget(open(t.url()), t.stream(), t.maxLen(), t.body(), t.timeout());
    }
    if (target instanceof NatsTarget t && UrlSecrets.isSealed(t.url())) {
      return new NatsTarget(open(t.url()), t.subject(), t.body(), t.timeout());
    }
    return target;
  }

  private String open(String brokerUrl) {
    return UrlSecrets.map(brokerUrl, box::open);
  }

  private HttpTarget open(HttpTarget target) {
    OAuth2Auth auth = target.auth();
    boolean sealedAuth = auth != null && SecretBox.isSealed(auth.clientSecret());
    if (!sealedAuth && target.headers().values().stream().noneMatch(SecretBox::isSealed)) {
      return target;
    }
    Map<String, String> headers = new LinkedHashMap<>();
    target.headers().forEach((name, value) -> headers.put(name, box.open(value)));
    OAuth2Auth opened =
        sealedAuth
            ? new OAuth2Auth(
                auth.tokenUrl(),
                auth.clientId(),
                box.open(auth.clientSecret()),
                auth.scope(),
                auth.audience())
            : auth;
    return new HttpTarget(
        target.method(), target.url(), headers, target.body(), target.timeout(), opened);
  }

  private List<String> open(List<String> secrets) {
    return secrets.stream().map(box::open).toList();
  }

  private static CompletableFuture<AttemptResult> failed(SecretUnavailableException e) {
    return CompletableFuture.completedFuture(
        new AttemptResult(AttemptResult.Outcome.FAILURE, null, e.getMessage(), null, 0, null));
  }
}
