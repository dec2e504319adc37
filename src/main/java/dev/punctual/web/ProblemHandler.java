package dev.punctual.web;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MissingRequestHeaderException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Renders every error as {@code application/problem+json}. Spring MVC's own exceptions (405, 406,
 * 415, unknown paths) come through {@link ResponseEntityExceptionHandler}; ours are {@link
 * ApiProblem}; anything a client could cause has its own 4xx here, so a 500 means a bug.
 */
@RestControllerAdvice
class ProblemHandler extends ResponseEntityExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);
  static final String RETRY_AFTER_DB_DOWN = "5";

  /** How much of a parser's message an answer repeats. */
  private static final int MAX_ECHO = 200;

  @ExceptionHandler(ApiProblem.class)
  ResponseEntity<ProblemDetail> apiProblem(ApiProblem e) {
    return render(e);
  }

  static ResponseEntity<ProblemDetail> render(ApiProblem e) {
    ProblemDetail body = ProblemDetail.forStatusAndDetail(e.status(), e.getMessage());
    body.setTitle(e.title());
    body.setType(typeOf(e.status()));
    if (!e.errors().isEmpty()) {
      body.setProperty("errors", e.errors());
    }
    HttpHeaders headers = new HttpHeaders();
    e.headers().forEach(headers::set);
    return ResponseEntity.status(e.status())
        .headers(headers)
        .contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .body(body);
  }

  /** The database is down or the pool is exhausted: a client should come back shortly. */
  @ExceptionHandler({
    DataAccessResourceFailureException.class,
    TransientDataAccessResourceException.class,
    QueryTimeoutException.class
  })
  ResponseEntity<ProblemDetail> databaseUnavailable(Exception e) {
    log.warn("Database unavailable: {}", e.getMessage());
    return render(
        new ApiProblem(
            HttpStatus.SERVICE_UNAVAILABLE,
            "Service unavailable",
            "The database is unreachable; retry later",
            List.of(),
            Map.of(HttpHeaders.RETRY_AFTER, RETRY_AFTER_DB_DOWN)));
  }

  @ExceptionHandler(MethodArgumentTypeMismatchException.class)
  ResponseEntity<ProblemDetail> badParameter(MethodArgumentTypeMismatchException e) {
    return render(ApiProblem.invalid(e.getName(), "is not a valid value"));
  }

  /**
   * Tomcat could not read the query string. {@link QueryStringFilter} answers those before they get
   * here; this catches what it does not know of (a future Tomcat rule), as a 400 rather than a 500.
   */
  @ExceptionHandler(InvalidParameterException.class)
  ResponseEntity<ProblemDetail> unreadableQuery(InvalidParameterException e) {
    return render(ApiProblem.invalid("query", "is not readable: " + e.getMessage()));
  }

  @ExceptionHandler(MissingRequestHeaderException.class)
  ResponseEntity<ProblemDetail> missingHeader(MissingRequestHeaderException e) {
    return render(ApiProblem.invalid(e.getHeaderName(), "header is required"));
  }

  @ExceptionHandler(Exception.class)
  ResponseEntity<ProblemDetail> unexpected(Exception e) {
    log.error("Unexpected error", e);
    return render(
        new ApiProblem(
            HttpStatus.INTERNAL_SERVER_ERROR,
            "Internal error",
            "An unexpected error happened; it has been logged"));
  }

  /** Malformed JSON, or a body cut by the size limit. */
  @Override
  protected ResponseEntity<Object> handleHttpMessageNotReadable(
      HttpMessageNotReadableException e, HttpHeaders headers, HttpStatusCode status, WebRequest r) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BodyTooLargeException tooLarge) {
        return cast(render(tooLarge.problem()));
      }
    }
    String reason = e.getMostSpecificCause().getMessage();
    // Jackson's message starts with the useful part; the rest is a source excerpt.
    String firstLine = reason == null ? "unreadable" : reason.lines().findFirst().orElse(reason);
    if (firstLine.length() > MAX_ECHO) {
      // Jackson quotes the offending token, which can be a whole garbage body.
      firstLine = firstLine.substring(0, MAX_ECHO) + "…";
    }
    return cast(render(ApiProblem.invalid("body", "is not valid JSON: " + firstLine)));
  }

  /** Spring's own problems (405, 415...): add our type, keep the rest. */
  @Override
  protected ResponseEntity<Object> createResponseEntity(
      Object body, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    if (body instanceof ProblemDetail problem
        && (problem.getType() == null || "about:blank".equals(problem.getType().toString()))) {
      problem.setType(typeOf(status));
    }
    HttpHeaders withType = new HttpHeaders();
    withType.putAll(headers);
    withType.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
    return new ResponseEntity<>(body, withType, status);
  }

  static URI typeOf(HttpStatusCode status) {
    HttpStatus known = HttpStatus.resolve(status.value());
    String slug =
        known == null
            ? String.valueOf(status.value())
            : known.name().toLowerCase(Locale.ROOT).replace('_', '-');
    return URI.create("https://punctual.dev/problems/" + slug);
  }

  @SuppressWarnings("unchecked")
  private static ResponseEntity<Object> cast(ResponseEntity<?> entity) {
    return (ResponseEntity<Object>) entity;
  }
}
