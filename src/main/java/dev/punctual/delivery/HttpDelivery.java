package dev.punctual.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;

/**
 * One HTTP attempt: the job's method, URL, headers and body plus the headers of API.md, the job's
 * timeout, no redirects (a 3xx is a failure), the first 1 KiB of the answer kept.
 *
 * <p>The JDK's {@link HttpClient}: asynchronous, pools and reuses connections, follows no redirects
 * unless told, and needs no dependency. (The egress guard of the security issue needs to pin
 * connections to checked addresses; if that cannot be done here, this class is the one place to
 * swap the client.)
 */
public class HttpDelivery {
  public static final int SNIPPET_BYTES = 1024;

  private final HttpClient client;
  private final String userAgent;

  public HttpDelivery(Executor executor, String version) {
    this.client =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .executor(executor)
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    this.userAgent = "Punctual/" + version;
  }

  public CompletableFuture<AttemptResult> send(Attempt attempt) {
    long started = System.nanoTime();
    HttpRequest request;
    try {
      request = request(attempt);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(
          new AttemptResult(
              AttemptResult.Outcome.FAILURE,
              null,
              "invalid request: " + e.getMessage(),
              null,
              0,
              null));
    }
    Duration timeout = attempt.target().timeout();
    return client
        .sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
        // The request timeout covers the headers; this one bounds the whole attempt.
        .orTimeout(timeout.toMillis() + 1000, java.util.concurrent.TimeUnit.MILLISECONDS)
        .thenApply(response -> answered(response, started))
        .exceptionally(error -> failed(error, started, timeout));
  }

  private HttpRequest request(Attempt attempt) {
    HttpTarget target = attempt.target();
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(target.url())).timeout(target.timeout());
    target.headers().forEach(builder::header);
    String runId = String.valueOf(attempt.runId());
    builder
        .header("Idempotency-Key", runId)
        .header("X-Punctual-Job-Id", String.valueOf(attempt.jobId()))
        .header("X-Punctual-Job-Name", attempt.jobName())
        .header("X-Punctual-Run-Id", runId)
        .header("X-Punctual-Scheduled-For", attempt.scheduledFor().toString())
        .header("X-Punctual-Attempt", String.valueOf(attempt.number()))
        .header("User-Agent", userAgent);
    HttpRequest.BodyPublisher body =
        target.body() == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(target.body(), StandardCharsets.UTF_8);
    return builder.method(target.method(), body).build();
  }

  private static AttemptResult answered(HttpResponse<InputStream> response, long started) {
    String snippet;
    try (InputStream in = response.body()) {
      snippet = new String(in.readNBytes(SNIPPET_BYTES), StandardCharsets.UTF_8);
    } catch (IOException e) {
      snippet = null;
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    int status = response.statusCode();
    boolean ok = status >= 200 && status < 300;
    String error =
        ok
            ? null
            : status >= 300 && status < 400
                ? "HTTP " + status + " (redirects are not followed)"
                : "HTTP " + status;
    return new AttemptResult(
        ok ? AttemptResult.Outcome.SUCCESS : AttemptResult.Outcome.FAILURE,
        status,
        error,
        snippet,
        millis,
        retryAfter(response.headers().firstValue("Retry-After").orElse(null)));
  }

  private static AttemptResult failed(Throwable error, long started, Duration timeout) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    long millis = (System.nanoTime() - started) / 1_000_000;
    if (cause instanceof HttpConnectTimeoutException) {
      return new AttemptResult(
          AttemptResult.Outcome.TIMEOUT, null, "connect timed out", null, millis, null);
    }
    if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
      return new AttemptResult(
          AttemptResult.Outcome.TIMEOUT, null, "timed out after " + timeout, null, millis, null);
    }
    String message =
        cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return new AttemptResult(
        AttemptResult.Outcome.FAILURE,
        null,
        cause.getClass().getSimpleName() + ": " + message,
        null,
        millis,
        null);
  }

  /** {@code Retry-After}: seconds, or an HTTP date; null when absent or unreadable. */
  static Duration retryAfter(String header) {
    if (header == null || header.isBlank()) {
      return null;
    }
    String value = header.trim();
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(value)));
    } catch (NumberFormatException e) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration d = Duration.between(java.time.Instant.now(), at.toInstant());
        return d.isNegative() ? Duration.ZERO : d;
      } catch (RuntimeException ignored) {
        return null;
      }
    }
  }
}
