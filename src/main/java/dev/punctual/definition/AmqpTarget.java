package dev.punctual.definition;

import java.time.Duration;

/**
 * A message published to RabbitMQ (AMQP 0-9-1): the broker at {@code url} (credentials and virtual
 * host in it), {@code exchange} ({@code ""}: the default exchange, routing by queue name) and
 * {@code routingKey}; persistent, with publisher confirms. {@code body} is the message body.
 */
public record AmqpTarget(
    String url, String exchange, String routingKey, String body, Duration timeout)
    implements Target {
  @Override
  public TargetKind kind() {
    return TargetKind.AMQP;
  }
}
