package dev.punctual.delivery;

import dev.punctual.definition.HttpTarget;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * One HTTP attempt: the job's method, URL, headers and body plus the headers of docs/api.md, within
 * the job's timeout, no redirects (a 3xx is a failure), the first 4 KiB of the answer kept. Also
 * the notification events' POSTs ({@link #post}).
 *
 * <p>Apache HttpClient 5, asynchronous: one I/O thread multiplexes every connection, pooled and
 * reused, many times faster than the JDK's HttpClient here (docs/benchmarks-log.md). Its {@code
 * DnsResolver} hook is where the egress guard can check every resolved address and pin the
 * connection to it.
 */
public class HttpDelivery implements Deliverer, NotificationPoster, AutoCloseable {
  public static final int SNIPPET_BYTES = 4096;
  // Token answers are read whole (a JWT may be a few KB); more than this is not a token answer.
  private static final int TOKEN_BYTES = 64 * 1024;
  private final OAuth2Tokens tokens = new OAuth2Tokens(System::nanoTime);

  private final CloseableHttpAsyncClient client;
  private final ScheduledExecutorService deadlines;
  private final String userAgent;
  private final EgressGuard guard;

  public HttpDelivery(int maxConnections, String version, EgressGuard guard) {
    this(maxConnections, version, guard, SystemDefaultDnsResolver.INSTANCE);
  }

  /** With {@code dns} in place of the system's resolver (tests: a name that changes its answer). */
  HttpDelivery(int maxConnections, String version, EgressGuard guard, DnsResolver dns) {
    this.guard = guard;
    // Every address a host name resolves to is checked, and the connection is made to the
    // checked addresses: a name cannot be re-pointed between the check and the connect.
    DnsResolver checkedResolver =
        new DnsResolver() {
          @Override
          public InetAddress[] resolve(String host) throws UnknownHostException {
            return guard.checkResolved(host, dns.resolve(host));
          }

          @Override
          public String resolveCanonicalHostname(String host) throws UnknownHostException {
            return dns.resolveCanonicalHostname(host);
          }
        };
    this.client =
        HttpAsyncClients.custom()
            .setConnectionManager(
                PoolingAsyncClientConnectionManagerBuilder.create()
                    .setDnsResolver(checkedResolver)
                    .setMaxConnTotal(maxConnections)
                    .setMaxConnPerRoute(maxConnections)
                    .setDefaultConnectionConfig(
                        ConnectionConfig.custom()
                            .setConnectTimeout(Timeout.ofSeconds(5))
                            .setTimeToLive(Timeout.ofMinutes(5))
                            // A target may close idle keep-alive connections; check before reuse.
                            .setValidateAfterInactivity(TimeValue.ofMilliseconds(500))
                            .build())
                    .build())
            .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(1).build())
            .disableRedirectHandling()
            .setRetryStrategy(new UnsentRequestRetry()) // other retries are the run's
            .disableCookieManagement()
            .disableAuthCaching()
            .build();
    this.client.start();
    this.deadlines =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "punctual-http-deadlines");
              t.setDaemon(true);
              return t;
            });
    this.userAgent = "Punctual/" + version;
  }

  @Override
  public CompletableFuture<AttemptResult> send(Attempt attempt) {
    long started = System.nanoTime();
    CompletableFuture<AttemptResult> result = new CompletableFuture<>();
    if (!(attempt.target() instanceof HttpTarget target)) {
      result.complete(
          failure(
              AttemptResult.Outcome.FAILURE, "not an http target: " + attempt.target(), started));
      return result;
    }
    SimpleRequestBuilder request;
    try {
      Optional<String> denied = guard.denialOfLiteral(URI.create(target.url()).getHost());
      if (denied.isPresent()) {
        result.complete(
            failure(AttemptResult.Outcome.BLOCKED, "egress denied: " + denied.get(), started));
        return result;
      }
      request = request(attempt);
    } catch (IllegalArgumentException e) {
      result.complete(
          failure(AttemptResult.Outcome.FAILURE, "invalid request: " + e.getMessage(), started));
      return result;
    }
    if (target.auth() == null) {
      return execute(request, target.timeout(), started, attempt.startedAt(), result);
    }
    // OAuth 2.0 client credentials: a token first (cached, shared by concurrent deliveries).
    SimpleRequestBuilder withoutToken = request;
    tokens
        .token(target.auth(), form -> postForm(form, target.timeout()))
        .whenComplete(
            (token, error) -> {
              if (error != null) {
                Throwable cause = error.getCause() != null ? error.getCause() : error;
                result.complete(
                    failure(
                        AttemptResult.Outcome.FAILURE,
                        "oauth2 token: " + describe(cause),
                        started));
                return;
              }
              withoutToken.setHeader("Authorization", "Bearer " + token.value());
              execute(withoutToken, target.timeout(), started, attempt.startedAt(), result)
                  .thenAccept(
                      r -> {
                        if (r.code() != null && r.code() == 401) {
                          tokens.refused(target.auth(), token.value());
                        }
                      });
            });
    return result;
  }

  /**
   * A token request (RFC 6749, 4.4.2): a form POST with HTTP Basic client credentials, through the
   * egress guard like any delivery, no redirects, answered within {@code timeout}.
   */
  private CompletableFuture<OAuth2Tokens.Answer> postForm(
      OAuth2Tokens.TokenRequest form, Duration timeout) {
    CompletableFuture<OAuth2Tokens.Answer> answer = new CompletableFuture<>();
    Optional<String> denied;
    try {
      denied = guard.denialOfLiteral(URI.create(form.url()).getHost());
    } catch (IllegalArgumentException e) {
      answer.completeExceptionally(new OAuth2Tokens.TokenException("invalid token URL"));
      return answer;
    }
    if (denied.isPresent()) {
      answer.completeExceptionally(
          new OAuth2Tokens.TokenException("egress denied: " + denied.get()));
      return answer;
    }
    Timeout t = Timeout.ofMilliseconds(timeout.toMillis());
    SimpleRequestBuilder request =
        SimpleRequestBuilder.post(form.url())
            .setRequestConfig(
                RequestConfig.custom()
                    .setResponseTimeout(t)
                    .setConnectionRequestTimeout(t)
                    .setRedirectsEnabled(false)
                    .build())
            .addHeader("User-Agent", userAgent)
            .addHeader("Accept", "application/json")
            .addHeader("Authorization", form.authorization())
            .setBody(form.form(), ContentType.APPLICATION_FORM_URLENCODED);
    Future<CappedBodyConsumer.Answer> call =
        client.execute(
            SimpleRequestProducer.create(request.build()),
            new CappedBodyConsumer(TOKEN_BYTES),
            new FutureCallback<>() {
              @Override
              public void completed(CappedBodyConsumer.Answer a) {
                answer.complete(new OAuth2Tokens.Answer(a.status(), a.snippet()));
              }

              @Override
              public void failed(Exception e) {
                answer.completeExceptionally(
                    new OAuth2Tokens.TokenException(
                        outcomeOf(e, System.nanoTime(), timeout).error()));
              }

              @Override
              public void cancelled() {
                answer.completeExceptionally(
                    new OAuth2Tokens.TokenException("timed out after " + timeout));
              }
            });
    var deadline =
        deadlines.schedule(() -> call.cancel(true), timeout.toMillis(), TimeUnit.MILLISECONDS);
    answer.whenComplete((r, e) -> deadline.cancel(false));
    return answer;
  }

  private static String describe(Throwable error) {
    return error instanceof OAuth2Tokens.TokenException ? error.getMessage() : error.toString();
  }

  /**
   * A notification event (docs/api.md, "Notifications"): a JSON POST to {@code url}, signed like a
   * delivery with {@code webhook-id} the event's id, no redirects, through the egress guard.
   */
  @Override
  public CompletableFuture<AttemptResult> post(Notification notification) {
    long started = System.nanoTime();
    CompletableFuture<AttemptResult> result = new CompletableFuture<>();
    SimpleRequestBuilder request;
    try {
      Optional<String> denied = guard.denialOfLiteral(URI.create(notification.url()).getHost());
      if (denied.isPresent()) {
        result.complete(
            failure(AttemptResult.Outcome.BLOCKED, "egress denied: " + denied.get(), started));
        return result;
      }
      Timeout timeout = Timeout.ofMilliseconds(notification.timeout().toMillis());
      request =
          SimpleRequestBuilder.post(notification.url())
              .setRequestConfig(
                  RequestConfig.custom()
                      .setResponseTimeout(timeout)
                      .setConnectionRequestTimeout(timeout)
                      .setRedirectsEnabled(false)
                      .build())
              .addHeader("User-Agent", userAgent)
              .setBody(notification.body(), ContentType.APPLICATION_JSON);
      if (!notification.signingSecrets().isEmpty()) {
        long timestamp = notification.at().getEpochSecond();
        request
            .addHeader("webhook-id", notification.id())
            .addHeader("webhook-timestamp", String.valueOf(timestamp))
            .addHeader(
                "webhook-signature",
                WebhookSigner.signature(
                    notification.signingSecrets(),
                    notification.id(),
                    timestamp,
                    notification.body()));
      }
    } catch (IllegalArgumentException e) {
      result.complete(
          failure(AttemptResult.Outcome.FAILURE, "invalid request: " + e.getMessage(), started));
      return result;
    }
    return execute(request, notification.timeout(), started, notification.at(), result);
  }

  /**
   * Sends {@code request}; the whole exchange is bounded by {@code timeout}. {@code started} is the
   * monotonic clock's reading at {@code startedAt}, the service clock's.
   */
  private CompletableFuture<AttemptResult> execute(
      SimpleRequestBuilder request,
      Duration timeout,
      long started,
      Instant startedAt,
      CompletableFuture<AttemptResult> result) {
    Future<CappedBodyConsumer.Answer> call =
        client.execute(
            SimpleRequestProducer.create(request.build()),
            new CappedBodyConsumer(SNIPPET_BYTES),
            new FutureCallback<>() {
              @Override
              public void completed(CappedBodyConsumer.Answer answer) {
                result.complete(answered(answer, started, startedAt));
              }

              @Override
              public void failed(Exception e) {
                result.complete(outcomeOf(e, started, timeout));
              }

              @Override
              public void cancelled() {
                result.complete(
                    failure(AttemptResult.Outcome.TIMEOUT, "timed out after " + timeout, started));
              }
            });
    // The response timeout of the client is per read; this bounds the whole attempt.
    var deadline =
        deadlines.schedule(() -> call.cancel(true), timeout.toMillis(), TimeUnit.MILLISECONDS);
    result.whenComplete((r, e) -> deadline.cancel(false));
    return result;
  }

  private SimpleRequestBuilder request(Attempt attempt) {
    HttpTarget target = (HttpTarget) attempt.target();
    Timeout timeout = Timeout.ofMilliseconds(target.timeout().toMillis());
    SimpleRequestBuilder builder =
        SimpleRequestBuilder.create(target.method())
            .setUri(target.url())
            .setRequestConfig(
                RequestConfig.custom()
                    .setResponseTimeout(timeout)
                    .setConnectionRequestTimeout(timeout)
                    .setRedirectsEnabled(false)
                    .build());
    String contentType = null;
    for (Map.Entry<String, String> header : target.headers().entrySet()) {
      if (header.getKey().equalsIgnoreCase("Content-Type")) {
        contentType = header.getValue();
      } else if (!traced(attempt, header.getKey())) {
        builder.addHeader(header.getKey(), header.getValue());
      }
    }
    String runId = String.valueOf(attempt.runId());
    builder
        .addHeader("Idempotency-Key", runId)
        .addHeader("X-Punctual-Job-Id", String.valueOf(attempt.jobId()))
        .addHeader("X-Punctual-Job-Name", attempt.jobName())
        .addHeader("X-Punctual-Run-Id", runId)
        .addHeader("X-Punctual-Scheduled-For", attempt.scheduledFor().toString())
        .addHeader("X-Punctual-Attempt", String.valueOf(attempt.number()))
        .addHeader("User-Agent", userAgent);
    attempt.traceHeaders().forEach(builder::addHeader); // traceparent, when tracing is on
    if (!attempt.signingSecrets().isEmpty()) {
      long timestamp = attempt.startedAt().getEpochSecond();
      builder
          .addHeader("webhook-id", runId)
          .addHeader("webhook-timestamp", String.valueOf(timestamp))
          .addHeader(
              "webhook-signature",
              WebhookSigner.signature(attempt.signingSecrets(), runId, timestamp, target.body()));
    }
    if (target.body() != null) {
      builder.setBody(target.body(), bodyType(contentType, target.body()));
    } else if (contentType != null) {
      builder.addHeader("Content-Type", contentType);
    }
    return builder;
  }

  /** A job header the attempt's own trace context replaces (a job may carry a traceparent). */
  private static boolean traced(Attempt attempt, String header) {
    for (String name : attempt.traceHeaders().keySet()) {
      if (name.equalsIgnoreCase(header)) {
        return true;
      }
    }
    return false;
  }

  /** The job's Content-Type if it set one; otherwise JSON when the body looks like JSON. */
  static ContentType bodyType(String declared, String body) {
    if (declared != null) {
      return ContentType.parse(declared);
    }
    String start = body.stripLeading();
    return start.startsWith("{") || start.startsWith("[")
        ? ContentType.APPLICATION_JSON
        : ContentType.create("text/plain", StandardCharsets.UTF_8);
  }

  private static AttemptResult answered(
      CappedBodyConsumer.Answer answer, long started, Instant startedAt) {
    Instant answeredAt = startedAt.plusNanos(System.nanoTime() - started);
    int status = answer.status();
    boolean ok = status >= 200 && status < 300;
    String error =
        ok
            ? null
            : status >= 300 && status < 400
                ? "HTTP " + status + " (redirects are not followed)"
                : status == 410
                    ? "HTTP 410 (Gone: the target asks for no more retries)"
                    : "HTTP " + status;
    AttemptResult.Outcome outcome =
        ok
            ? AttemptResult.Outcome.SUCCESS
            : status == 410 ? AttemptResult.Outcome.GONE : AttemptResult.Outcome.FAILURE;
    return new AttemptResult(
        outcome,
        status,
        error,
        answer.snippet(),
        millisSince(started),
        retryAfter(answer.retryAfter(), answeredAt));
  }

  private static AttemptResult outcomeOf(Exception e, long started, Duration timeout) {
    if (e instanceof ConnectTimeoutException) {
      return failure(AttemptResult.Outcome.TIMEOUT, "connect timed out", started);
    }
    if (e instanceof SocketTimeoutException || e instanceof CancellationException) {
      return failure(AttemptResult.Outcome.TIMEOUT, "timed out after " + timeout, started);
    }
    if (e instanceof EgressDeniedException) {
      return failure(AttemptResult.Outcome.BLOCKED, "egress denied: " + e.getMessage(), started);
    }
    if (e instanceof UnknownHostException) {
      return failure(AttemptResult.Outcome.FAILURE, "unknown host: " + e.getMessage(), started);
    }
    if (e instanceof ConnectException) {
      return failure(
          AttemptResult.Outcome.FAILURE, "connection refused: " + e.getMessage(), started);
    }
    String message = e.getMessage() == null ? "" : ": " + e.getMessage();
    return failure(AttemptResult.Outcome.FAILURE, e.getClass().getSimpleName() + message, started);
  }

  private static AttemptResult failure(AttemptResult.Outcome outcome, String error, long started) {
    return new AttemptResult(outcome, null, error, null, millisSince(started), null);
  }

  private static long millisSince(long started) {
    return (System.nanoTime() - started) / 1_000_000;
  }

  /** {@code Retry-After}: seconds, or an HTTP date; null when absent or unreadable. */
  static Duration retryAfter(String header, Instant now) {
    if (header == null || header.isBlank()) {
      return null;
    }
    String value = header.trim();
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(value)));
    } catch (NumberFormatException e) {
      try {
        ZonedDateTime at =
            ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.US));
        Duration d = Duration.between(now, at.toInstant());
        return d.isNegative() ? Duration.ZERO : d;
      } catch (RuntimeException ignored) {
        return null;
      }
    }
  }

  @Override
  public void close() throws IOException {
    client.close(CloseMode.GRACEFUL);
    deadlines.shutdownNow();
  }
}
