package dev.punctual.definition;

import java.time.Duration;

/**
 * An entry added to a Redis stream ({@code XADD}): the server at {@code url}, the {@code stream}
 * key, and {@code maxLen} (null: unbounded) to trim it approximately ({@code MAXLEN ~}). {@code
 * body} is the entry's {@code body} field.
 */
public record RedisTarget(String url, String stream, Long maxLen, String body, Duration timeout)
    implements Target {
  @Override
  public TargetKind kind() {
    return TargetKind.REDIS;
  }
}
