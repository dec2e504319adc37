package dev.punctual.delivery;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.hc.client5.http.async.methods.AbstractBinResponseConsumer;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpResponse;

/**
 * Reads an answer keeping only the first {@code limit} bytes of its body (the run's {@code
 * responseSnippet}) and discarding the rest as it streams, so a huge answer costs no memory.
 */
final class CappedBodyConsumer extends AbstractBinResponseConsumer<CappedBodyConsumer.Answer> {
  /** The status, the {@code Retry-After} header and the start of the body. */
  record Answer(int status, String retryAfter, String snippet) {}

  private final int limit;
  private byte[] kept = new byte[0];
  private int status;
  private String retryAfter;

  CappedBodyConsumer(int limit) {
    this.limit = limit;
  }

  @Override
  protected void start(HttpResponse response, ContentType contentType) {
    status = response.getCode();
    var header = response.getFirstHeader("Retry-After");
    retryAfter = header == null ? null : header.getValue();
  }

  @Override
  protected int capacityIncrement() {
    return 8192;
  }

  @Override
  protected void data(ByteBuffer src, boolean endOfStream) {
    int room = limit - kept.length;
    if (room > 0 && src.hasRemaining()) {
      int n = Math.min(room, src.remaining());
      byte[] more = Arrays.copyOf(kept, kept.length + n);
      src.get(more, kept.length, n);
      kept = more;
    }
    src.position(src.limit()); // the rest is read and dropped
  }

  @Override
  protected Answer buildResult() {
    return new Answer(status, retryAfter, new String(kept, StandardCharsets.UTF_8));
  }

  @Override
  public void releaseResources() {
    // nothing held
  }
}
