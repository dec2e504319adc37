package dev.punctual.schedule;

/**
 * A schedule that cannot be built. {@code field} is the path of the bad field relative to the
 * schedule object ({@code cron}, {@code timezone}, {@code interval}...), so the API can name it.
 */
public class InvalidScheduleException extends RuntimeException {
  private final String field;

  public InvalidScheduleException(String field, String message) {
    super(message);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
