package dev.punctual.web;

import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;

/**
 * An error answer of the API, thrown from anywhere below a controller and rendered as {@code
 * application/problem+json} (RFC 9457) by {@link ProblemHandler}.
 */
public class ApiProblem extends RuntimeException {
  private final HttpStatus status;
  private final String title;
  private final List<FieldError> errors;
  private final Map<String, String> headers;

  public ApiProblem(
      HttpStatus status,
      String title,
      String detail,
      List<FieldError> errors,
      Map<String, String> headers) {
    super(detail);
    this.status = status;
    this.title = title;
    this.errors = List.copyOf(errors);
    this.headers = Map.copyOf(headers);
  }

  public ApiProblem(HttpStatus status, String title, String detail) {
    this(status, title, detail, List.of(), Map.of());
  }

  /** 400 for one or more invalid fields. */
  public static ApiProblem invalid(List<FieldError> errors) {
    String detail =
        errors.size() == 1
            ? errors.get(0).field() + ": " + errors.get(0).message()
            : errors.size() + " fields are invalid";
    return new ApiProblem(HttpStatus.BAD_REQUEST, "Invalid request", detail, errors, Map.of());
  }

  public static ApiProblem invalid(String field, String message) {
    return invalid(List.of(new FieldError(field, message)));
  }

  public static ApiProblem notFound(String detail) {
    return new ApiProblem(HttpStatus.NOT_FOUND, "Not found", detail);
  }

  public static ApiProblem conflict(String detail) {
    return new ApiProblem(HttpStatus.CONFLICT, "Conflict", detail);
  }

  public HttpStatus status() {
    return status;
  }

  public String title() {
    return title;
  }

  public List<FieldError> errors() {
    return errors;
  }

  public Map<String, String> headers() {
    return headers;
  }
}
