package dev.punctual.notification;

/** Event ids as shown and sent: {@code evt_<n>}, the {@code webhook-id} of the event's POST. */
final class EventIds {
  static final String PREFIX = "evt_";

  private EventIds() {}

  static String format(long id) {
    return PREFIX + id;
  }
}
