package dev.punctual.delivery;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * What the broker deliverers share: the message's headers (the delivery headers of docs/api.md,
 * Standard Webhooks signature included), the egress guard's check of a broker's host, one
 * connection per broker URL, and how an exception reads as an attempt's result.
 */
final class BrokerSupport {
  private BrokerSupport() {}

  /** The headers every broker message carries, as an HTTP delivery's request does. */
  static Map<String, String> headers(Attempt attempt) {
    String runId = String.valueOf(attempt.runId());
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Idempotency-Key", runId);
    headers.put("X-Punctual-Job-Id", String.valueOf(attempt.jobId()));
    headers.put("X-Punctual-Job-Name", attempt.jobName());
    headers.put("X-Punctual-Run-Id", runId);
    headers.put("X-Punctual-Scheduled-For", attempt.scheduledFor().toString());
    headers.put("X-Punctual-Attempt", String.valueOf(attempt.number()));
    headers.putAll(attempt.traceHeaders()); // traceparent, when tracing is on
    if (!attempt.signingSecrets().isEmpty()) {
      long timestamp = attempt.startedAt().getEpochSecond();
      headers.put("webhook-id", runId);
      headers.put("webhook-timestamp", String.valueOf(timestamp));
      headers.put(
          "webhook-signature",
          WebhookSigner.signature(
              attempt.signingSecrets(), runId, timestamp, attempt.target().body()));
    }
    return headers;
  }

  static byte[] body(Attempt attempt) {
    String body = attempt.target().body();
    return body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
  }

  /** The address to connect to: the host resolved, every address checked by the guard. */
  static InetAddress resolve(EgressGuard guard, String host) throws UnknownHostException {
    return guard.checkResolved(host, InetAddress.getAllByName(host))[0];
  }

  static AttemptResult delivered(long startedNanos, String detail) {
    return new AttemptResult(
        AttemptResult.Outcome.SUCCESS, null, null, detail, millisSince(startedNanos), null);
  }

  /** An exception (of a connect or a publication) as the attempt's result. */
  static AttemptResult failed(Throwable error, long startedNanos, String what) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    long millis = millisSince(startedNanos);
    if (e instanceof EgressDeniedException) {
      return new AttemptResult(
          AttemptResult.Outcome.BLOCKED,
          null,
          "egress denied: " + e.getMessage(),
          null,
          millis,
          null);
    }
    if (e instanceof TimeoutException) {
      return new AttemptResult(
          AttemptResult.Outcome.TIMEOUT, null, what + " timed out", null, millis, null);
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new AttemptResult(
        AttemptResult.Outcome.FAILURE, null, what + ": " + message, null, millis, null);
  }

  static long millisSince(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1_000_000;
  }

  /**
   * One connection (or publisher) per broker URL, shared by every job that names it; made on {@code
   * executor} (connecting blocks), once even when many attempts ask at the same time. A broken one
   * is forgotten ({@link #forget}) and the next attempt connects again.
   */
  static final class Connections<C> {
    private final Map<String, CompletableFuture<C>> byUrl = new ConcurrentHashMap<>();
    private final ExecutorService executor;
    private final Function<String, C> connect;

    Connections(ExecutorService executor, Function<String, C> connect) {
      this.executor = executor;
      this.connect = connect;
    }

    CompletableFuture<C> get(String url) {
      CompletableFuture<C> existing = byUrl.get(url);
      if (existing != null && !existing.isCompletedExceptionally()) {
        return existing;
      }
      CompletableFuture<C> made =
          byUrl.compute(
              url,
              (u, current) ->
                  current != null && !current.isCompletedExceptionally()
                      ? current
                      : CompletableFuture.supplyAsync(() -> connect.apply(u), executor));
      return made;
    }

    /** Forgets {@code connection} of {@code url} if it is still the current one. */
    void forget(String url, C connection) {
      byUrl.computeIfPresent(
          url,
          (u, f) ->
              f.isDone() && !f.isCompletedExceptionally() && f.join() == connection ? null : f);
    }

    Collection<CompletableFuture<C>> all() {
      return byUrl.values();
    }
  }
}
