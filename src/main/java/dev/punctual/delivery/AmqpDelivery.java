package dev.punctual.delivery;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Address;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.punctual.definition.AmqpTarget;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * Publishes to RabbitMQ with the official client ({@code com.rabbitmq:amqp-client}): one connection
 * and one confirm-mode channel per broker URL, messages persistent and {@code mandatory}, with the
 * run id as {@code message_id} and the delivery headers as message headers. An attempt succeeds
 * when the broker confirms the message ({@code basic.ack}); a nack, a message no queue takes
 * ({@code basic.return}), a channel the broker closes (an unknown exchange) or a lost connection
 * fails it, and the next attempt connects again.
 */
public final class AmqpDelivery implements Deliverer, AutoCloseable {
  private static final Set<String> SCHEMES = Set.of("amqp", "amqps");

  private final EgressGuard guard;
  private final ExecutorService executor =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "punctual-amqp");
            t.setDaemon(true);
            return t;
          });
  private final BrokerSupport.Connections<Publisher> publishers;

  public AmqpDelivery(EgressGuard guard) {
    this.guard = guard;
    this.publishers = new BrokerSupport.Connections<>(executor, this::connect);
  }

  @Override
  public CompletableFuture<AttemptResult> send(Attempt attempt) {
    long started = System.nanoTime();
    AmqpTarget target = (AmqpTarget) attempt.target();
    return publishers
        .get(target.url())
        .thenComposeAsync(publisher -> publisher.publish(attempt, target), executor)
        .orTimeout(target.timeout().toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (ok, error) ->
                error == null
                    ? BrokerSupport.delivered(started, "confirmed by the broker")
                    : BrokerSupport.failed(error, started, "amqp publish"));
  }

  private Publisher connect(String url) {
    try {
      BrokerUrl parsed = BrokerUrl.parse(url, SCHEMES);
      ConnectionFactory factory = new ConnectionFactory();
      factory.setUri(url); // credentials, virtual host, TLS for amqps
      if (parsed.scheme().equals("amqps")) {
        factory.useSslProtocol(SSLContext.getDefault()); // verified, not trust-all
      }
      factory.setAutomaticRecoveryEnabled(false); // a broken publisher is replaced instead
      factory.setConnectionTimeout(5_000);
      factory.setRequestedHeartbeat(30);
      InetAddress address = BrokerSupport.resolve(guard, parsed.host());
      int port = parsed.portOr(parsed.scheme().equals("amqps") ? 5671 : 5672);
      Connection connection =
          factory.newConnection(
              executor, List.of(new Address(address.getHostAddress(), port)), "punctual");
      return new Publisher(url, connection);
    } catch (Exception e) {
      throw new CompletionException(e);
    }
  }

  @Override
  public void close() {
    for (CompletableFuture<Publisher> p : publishers.all()) {
      p.thenAccept(Publisher::close);
    }
    executor.shutdownNow();
  }

  /** One connection's confirm-mode channel and the publications it has not heard back about. */
  private final class Publisher {
    private final String url;
    private final Connection connection;
    private final Channel channel;
    // Publication sequence number -> its pending confirm; message id -> its sequence number, for
    // a basic.return (which names the message, not its number).
    private final ConcurrentNavigableMap<Long, Pending> pending = new ConcurrentSkipListMap<>();
    private final Map<String, Long> byMessageId = new ConcurrentHashMap<>();

    private record Pending(
        String messageId, CompletableFuture<Void> confirmed, String[] returned) {}

    Publisher(String url, Connection connection) throws IOException {
      this.url = url;
      this.connection = connection;
      this.channel = connection.createChannel();
      channel.confirmSelect();
      channel.addConfirmListener(
          (tag, multiple) -> settle(tag, multiple, null),
          (tag, multiple) -> settle(tag, multiple, "nacked by the broker"));
      channel.addReturnListener(
          returned -> {
            Long seq = byMessageId.get(returned.getProperties().getMessageId());
            Pending p = seq == null ? null : pending.get(seq);
            if (p != null) {
              p.returned()[0] =
                  "unroutable (%d %s): no queue is bound for routing key '%s' on exchange '%s'"
                      .formatted(
                          returned.getReplyCode(),
                          returned.getReplyText(),
                          returned.getRoutingKey(),
                          returned.getExchange());
            }
          });
      channel.addShutdownListener(
          cause -> {
            publishers.forget(url, this);
            String reason = cause.getMessage();
            pending
                .values()
                .forEach(
                    p ->
                        p.confirmed()
                            .completeExceptionally(new IOException("channel closed: " + reason)));
            pending.clear();
            executor.execute(this::close); // not on the connection's own thread
          });
    }

    CompletableFuture<Void> publish(Attempt attempt, AmqpTarget target) {
      String messageId = String.valueOf(attempt.runId());
      Map<String, Object> headers = new HashMap<>(BrokerSupport.headers(attempt));
      AMQP.BasicProperties props =
          new AMQP.BasicProperties.Builder()
              .messageId(messageId)
              .deliveryMode(2) // persistent
              .contentType(contentType(target.body()))
              .timestamp(new Date())
              .headers(headers)
              .build();
      CompletableFuture<Void> confirmed = new CompletableFuture<>();
      try {
        synchronized (this) { // a channel is not safe for concurrent publishers
          long seq = channel.getNextPublishSeqNo();
          pending.put(seq, new Pending(messageId, confirmed, new String[1]));
          byMessageId.put(messageId, seq);
          channel.basicPublish(
              target.exchange(), target.routingKey(), true, props, BrokerSupport.body(attempt));
        }
      } catch (IOException | RuntimeException e) {
        confirmed.completeExceptionally(e);
      }
      return confirmed;
    }

    private void settle(long tag, boolean multiple, String nack) {
      Map<Long, Pending> settled = multiple ? pending.headMap(tag, true) : pendingOne(tag);
      for (Map.Entry<Long, Pending> e : List.copyOf(settled.entrySet())) {
        Pending p = e.getValue();
        pending.remove(e.getKey());
        byMessageId.remove(p.messageId());
        if (nack != null) {
          p.confirmed().completeExceptionally(new IOException(nack));
        } else if (p.returned()[0] != null) {
          p.confirmed().completeExceptionally(new IOException(p.returned()[0]));
        } else {
          p.confirmed().complete(null);
        }
      }
    }

    private Map<Long, Pending> pendingOne(long tag) {
      Pending p = pending.get(tag);
      return p == null ? Map.of() : Map.of(tag, p);
    }

    void close() {
      try {
        if (connection.isOpen()) {
          connection.close(1_000);
        }
      } catch (IOException | RuntimeException e) {
        // closing a broken connection: nothing to do
      }
    }
  }

  private static String contentType(String body) {
    String start = body == null ? "" : body.stripLeading();
    return start.startsWith("{") || start.startsWith("[")
        ? "application/json"
        : "text/plain; charset=utf-8";
  }
}
