package dev.punctual.web;

import java.io.IOException;
import org.springframework.http.HttpStatus;

/** A request body over the limit: answered 413 wherever it surfaces. */
class BodyTooLargeException extends IOException {
  private final long limit;

  BodyTooLargeException(long limit) {
    super("request body is larger than " + limit + " bytes");
    this.limit = limit;
  }

  ApiProblem problem() {
    return new ApiProblem(
        HttpStatus.CONTENT_TOO_LARGE,
        "Request body too large",
        "The request body is larger than the limit of " + limit + " bytes");
  }
}
