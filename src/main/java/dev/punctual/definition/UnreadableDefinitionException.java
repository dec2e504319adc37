package dev.punctual.definition;

/**
 * A stored definition the codec cannot read: a row edited by hand, a time zone the JVM's tzdata no
 * longer has, a value a newer version wrote. The engine quarantines the row (the job becomes {@code
 * BROKEN}, the run {@code FAILED}) with this message as the reason.
 */
public final class UnreadableDefinitionException extends RuntimeException {
  public UnreadableDefinitionException(String part, Throwable cause) {
    super(part + ": " + describe(cause), cause);
  }

  public UnreadableDefinitionException(String part, String reason) {
    super(part + ": " + reason);
  }

  private static String describe(Throwable cause) {
    String message = cause.getMessage();
    String type = cause.getClass().getSimpleName();
    return message == null || message.isBlank() ? type : type + ": " + message;
  }
}
