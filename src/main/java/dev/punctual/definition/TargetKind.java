package dev.punctual.definition;

import java.util.Locale;
import java.util.Optional;

/** The kinds of {@link Target}, by the {@code type} a job's target carries. */
public enum TargetKind {
  HTTP,
  AMQP,
  REDIS,
  NATS;

  /** The {@code type} of the API and of the stored JSON: the name in lower case. */
  public String type() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<TargetKind> ofType(String type) {
    for (TargetKind kind : values()) {
      if (kind.type().equals(type)) {
        return Optional.of(kind);
      }
    }
    return Optional.empty();
  }
}
