package dev.punctual.delivery;

import java.io.IOException;
import org.apache.hc.client5.http.HttpRequestRetryStrategy;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.RequestNotExecutedException;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.util.TimeValue;

/**
 * The client's own retry, within one attempt: only when the request provably never left (a pooled
 * connection the target had closed), which is safe for any method. Every other failure is the
 * run's, retried with backoff and recorded.
 */
final class UnsentRequestRetry implements HttpRequestRetryStrategy {
  private static final int MAX_RESENDS = 2;

  @Override
  public boolean retryRequest(
      HttpRequest request, IOException exception, int execCount, HttpContext context) {
    return exception instanceof RequestNotExecutedException && execCount <= MAX_RESENDS;
  }

  @Override
  public boolean retryRequest(HttpResponse response, int execCount, HttpContext context) {
    return false; // answers, 503 and Retry-After included, are the run's business
  }

  @Override
  public TimeValue getRetryInterval(HttpResponse response, int execCount, HttpContext context) {
    return TimeValue.ZERO_MILLISECONDS;
  }

  @Override
  public TimeValue getRetryInterval(
      HttpRequest request, IOException exception, int execCount, HttpContext context) {
    return TimeValue.ZERO_MILLISECONDS;
  }
}
