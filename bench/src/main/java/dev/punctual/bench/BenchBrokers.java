package dev.punctual.bench;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.time.Duration;

/**
 * The brokers on loopback for the broker targets' bench: each run starts from an empty queue,
 * stream or JetStream stream (durable, as a user's would be).
 */
final class BenchBrokers {
  static final String AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F";
  static final String REDIS_URL = "redis://127.0.0.1:6379/0";
  static final String NATS_URL = "nats://127.0.0.1:4222";
  static final String NATS_SUBJECT = "punctual.bench";

  private BenchBrokers() {}

  static void reset(PunctualSystem.Mode mode, String destination) throws Exception {
    switch (mode) {
      case AMQP -> {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(AMQP_URL);
        try (Connection c = factory.newConnection();
            Channel channel = c.createChannel()) {
          channel.queueDelete(destination);
          channel.queueDeclare(destination, true, false, false, null);
        }
      }
      case REDIS -> {
        RedisClient client = RedisClient.create(REDIS_URL);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
          c.sync().del(destination);
        } finally {
          client.shutdown();
        }
      }
      case NATS -> {
        try (io.nats.client.Connection c = Nats.connect(NATS_URL)) {
          JetStreamManagement jsm = c.jetStreamManagement();
          try {
            jsm.deleteStream(destination);
          } catch (JetStreamApiException notThere) {
            // first run
          }
          jsm.addStream(
              StreamConfiguration.builder()
                  .name(destination)
                  .subjects(NATS_SUBJECT)
                  .storageType(StorageType.File)
                  .duplicateWindow(Duration.ofMinutes(2))
                  .build());
        }
      }
      default -> {}
    }
  }
}
