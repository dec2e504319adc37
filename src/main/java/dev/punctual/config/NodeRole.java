package dev.punctual.config;

import java.util.Locale;
import java.util.Optional;

/**
 * What a node does ({@code PUNCTUAL_ROLES}): serve the API, fire schedules, deliver runs. Written
 * in lower case in settings, the nodes table and {@code GET /api/v1/nodes}.
 */
public enum NodeRole {
  API,
  SCHEDULER,
  WORKER;

  /** The spelling of settings, the nodes table and the API. */
  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The role spelled {@code text} (any case); empty for no role of that name. */
  public static Optional<NodeRole> parse(String text) {
    for (NodeRole role : values()) {
      if (role.text().equalsIgnoreCase(text.trim())) {
        return Optional.of(role);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return text();
  }
}
