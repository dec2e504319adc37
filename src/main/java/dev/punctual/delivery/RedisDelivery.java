package dev.punctual.delivery;

import dev.punctual.definition.RedisTarget;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Adds entries to Redis streams with Lettuce: one connection per server URL, {@code XADD} of the
 * body, the run id and the delivery headers as fields ({@code MAXLEN ~} when the target sets {@code
 * maxLen}). An attempt succeeds when the server answers the entry's id. Lettuce reconnects by
 * itself; while it is disconnected commands are refused at once (not queued to run later), so an
 * attempt fails and is retried under the job's policy.
 */
public final class RedisDelivery implements Deliverer, AutoCloseable {
  private static final Set<String> SCHEMES = Set.of("redis", "rediss");

  private final EgressGuard guard;
  private final ExecutorService executor =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "punctual-redis");
            t.setDaemon(true);
            return t;
          });
  private final RedisClient client = RedisClient.create();
  private final BrokerSupport.Connections<StatefulRedisConnection<String, String>> connections;

  public RedisDelivery(EgressGuard guard) {
    this.guard = guard;
    this.client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .build());
    this.connections = new BrokerSupport.Connections<>(executor, this::connect);
  }

  @Override
  public CompletableFuture<AttemptResult> send(Attempt attempt) {
    long started = System.nanoTime();
    RedisTarget target = (RedisTarget) attempt.target();
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("run-id", String.valueOf(attempt.runId()));
    fields.put("body", target.body() == null ? "" : target.body());
    BrokerSupport.headers(attempt).forEach((k, v) -> fields.put(k.toLowerCase(), v));
    XAddArgs args = new XAddArgs();
    if (target.maxLen() != null) {
      args.maxlen(target.maxLen()).approximateTrimming();
    }
    return connections
        .get(target.url())
        .thenCompose(
            connection ->
                connection.async().xadd(target.stream(), args, fields).toCompletableFuture())
        .orTimeout(target.timeout().toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (id, error) ->
                error == null
                    ? BrokerSupport.delivered(started, "entry " + id)
                    : BrokerSupport.failed(error, started, "redis XADD"));
  }

  private StatefulRedisConnection<String, String> connect(String url) {
    try {
      BrokerUrl parsed = BrokerUrl.parse(url, SCHEMES);
      RedisURI uri = RedisURI.create(url); // password, database, TLS for rediss
      InetAddress address = BrokerSupport.resolve(guard, parsed.host());
      uri.setHost(address.getHostAddress()); // the checked address, not the name again
      if (uri.isSsl()) {
        uri.setVerifyPeer(SslVerifyMode.CA); // the host is now an address: check the chain
      }
      uri.setTimeout(Duration.ofSeconds(10));
      return client.connect(uri);
    } catch (Exception e) {
      throw new CompletionException(e);
    }
  }

  @Override
  public void close() {
    for (CompletableFuture<StatefulRedisConnection<String, String>> c : connections.all()) {
      c.thenAccept(StatefulRedisConnection::close);
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    executor.shutdownNow();
  }
}
