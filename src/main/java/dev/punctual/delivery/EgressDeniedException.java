package dev.punctual.delivery;

import java.net.UnknownHostException;

/**
 * A target host that resolves to an address the egress guard denies. An {@link
 * UnknownHostException} so the HTTP client treats it as a failed resolution and never connects.
 */
final class EgressDeniedException extends UnknownHostException {
  EgressDeniedException(String message) {
    super(message);
  }
}
