package dev.punctual.secret;

/** A stored secret that this node cannot open: sealed under a key it does not hold, or altered. */
public class SecretUnavailableException extends RuntimeException {
  public SecretUnavailableException(String message) {
    super(message);
  }
}
