package dev.punctual.definition;

import java.time.Duration;

/**
 * A message published to NATS JetStream on {@code subject} at the server of {@code url}, with the
 * run id as {@code Nats-Msg-Id} (the stream's duplicate window drops a re-publication), counted
 * delivered when the stream acknowledges it. {@code body} is the message body.
 */
public record NatsTarget(String url, String subject, String body, Duration timeout)
    implements Target {
  @Override
  public TargetKind kind() {
    return TargetKind.NATS;
  }
}
