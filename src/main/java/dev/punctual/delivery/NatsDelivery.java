package dev.punctual.delivery;

import dev.punctual.definition.NatsTarget;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamOptions;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PublishOptions;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Publishes to NATS JetStream with {@code io.nats:jnats}: one connection per server URL (jnats
 * reconnects by itself), the run id as {@code Nats-Msg-Id} so that the stream's duplicate window
 * drops a publication made again, the delivery headers as message headers. An attempt succeeds when
 * the stream acknowledges the message (a duplicate's acknowledgement too); a subject no stream
 * takes fails it.
 */
public final class NatsDelivery implements Deliverer, AutoCloseable {
  private static final Set<String> SCHEMES = Set.of("nats", "tls");

  private final EgressGuard guard;
  private final ExecutorService executor =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "punctual-nats");
            t.setDaemon(true);
            return t;
          });
  private final BrokerSupport.Connections<JetStream> streams;
  private final List<Connection> opened = new CopyOnWriteArrayList<>();

  public NatsDelivery(EgressGuard guard) {
    this.guard = guard;
    this.streams = new BrokerSupport.Connections<>(executor, this::connect);
  }

  @Override
  public CompletableFuture<AttemptResult> send(Attempt attempt) {
    long started = System.nanoTime();
    NatsTarget target = (NatsTarget) attempt.target();
    Headers headers = new Headers();
    BrokerSupport.headers(attempt).forEach(headers::add);
    PublishOptions options =
        PublishOptions.builder()
            .messageId(String.valueOf(attempt.runId()))
            .streamTimeout(target.timeout())
            .build();
    return streams
        .get(target.url())
        .thenCompose(
            js -> js.publishAsync(target.subject(), headers, BrokerSupport.body(attempt), options))
        .orTimeout(target.timeout().toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (PublishAck ack, Throwable error) ->
                error == null
                    ? BrokerSupport.delivered(
                        started,
                        "stream "
                            + ack.getStream()
                            + " seq "
                            + ack.getSeqno()
                            + (ack.isDuplicate() ? " (duplicate)" : ""))
                    : BrokerSupport.failed(error, started, "nats publish"));
  }

  private JetStream connect(String url) {
    try {
      BrokerUrl parsed = BrokerUrl.parse(url, SCHEMES);
      InetAddress address = BrokerSupport.resolve(guard, parsed.host());
      String host = address.getHostAddress();
      String server =
          parsed.scheme()
              + "://"
              + (host.contains(":") ? "[" + host + "]" : host)
              + ":"
              + parsed.portOr(4222);
      Options.Builder options =
          Options.builder()
              .server(server)
              .connectionTimeout(Duration.ofSeconds(5))
              .maxReconnects(-1) // forever: the broker is expected back
              .reconnectWait(Duration.ofSeconds(1))
              // No buffering while reconnecting: a publication is acknowledged by the stream or
              // fails at once and is retried (with the same Nats-Msg-Id), never held unseen.
              .reconnectBufferSize(0)
              .executor(executor)
              .connectionName("punctual");
      if (parsed.user() != null && parsed.password() != null) {
        options.userInfo(parsed.user(), parsed.password());
      } else if (parsed.user() != null) {
        options.token(parsed.user().toCharArray());
      }
      Connection connection = Nats.connect(options.build());
      opened.add(connection);
      return connection.jetStream(JetStreamOptions.DEFAULT_JS_OPTIONS);
    } catch (Exception e) {
      throw new CompletionException(e);
    }
  }

  @Override
  public void close() {
    for (Connection c : opened) {
      try {
        c.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    executor.shutdownNow();
  }
}
