package dev.punctual.web;

import dev.punctual.config.PunctualProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UnsupportedEncodingException;
import java.nio.charset.Charset;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Caps request bodies at {@code PUNCTUAL_MAX_REQUEST_BODY}: a declared {@code Content-Length} over
 * the limit answers 413 before anything is read (Tomcat holds a client to the length it declared).
 * A body of unknown length (chunked) is read here, up to one byte past the limit, before anything
 * parses it: past the limit it answers 413 too, whatever it contains. Cutting the stream while the
 * JSON parser reads it would not do: garbage fails the parser long before the limit, and a 20 MB
 * non-JSON body would answer 400 instead of 413. Bodies are small (256 KB by default), so holding
 * one in memory costs less than the parse.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class BodyLimitFilter extends OncePerRequestFilter {
  /** As much as Tomcat itself reads away of an unread body ({@code maxSwallowSize}). */
  private static final long DISCARD_BEFORE_413 = 2 * 1024 * 1024;

  private final long limit;
  private final ProblemWriter problems;

  BodyLimitFilter(PunctualProperties properties, ProblemWriter problems) {
    this.limit = properties.maxRequestBody().toBytes();
    this.problems = problems;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    long declared = request.getContentLengthLong();
    if (declared > limit) {
      problems.write(response, new BodyTooLargeException(limit).problem());
      return;
    }
    if (declared >= 0 || request.getHeader("Transfer-Encoding") == null) {
      chain.doFilter(request, response);
      return;
    }
    byte[] body = readAtMost(request.getInputStream(), limit + 1);
    if (body.length > limit) {
      // Tomcat closes the connection after a 413. Reading away what is left of a body somewhat
      // over the limit first lets the client, still sending, read the answer instead of a reset.
      discardUpTo(request.getInputStream(), DISCARD_BEFORE_413);
      problems.write(response, new BodyTooLargeException(limit).problem());
      return;
    }
    chain.doFilter(new BufferedRequest(request, body), response);
  }

  private static void discardUpTo(InputStream in, long max) throws IOException {
    byte[] buffer = new byte[8192];
    long read = 0;
    int n;
    while (read < max && (n = in.read(buffer)) >= 0) {
      read += n;
    }
  }

  private static byte[] readAtMost(InputStream in, long max) throws IOException {
    return in.readNBytes((int) Math.min(max, Integer.MAX_VALUE - 8));
  }

  /** The request with its body already read: Content-Length is now known. */
  private static final class BufferedRequest extends HttpServletRequestWrapper {
    private final byte[] body;
    private ServletInputStream stream;

    BufferedRequest(HttpServletRequest request, byte[] body) {
      super(request);
      this.body = body;
    }

    @Override
    public ServletInputStream getInputStream() {
      if (stream == null) {
        stream = new BytesStream(body);
      }
      return stream;
    }

    @Override
    public BufferedReader getReader() throws UnsupportedEncodingException {
      String charset = getCharacterEncoding() == null ? "UTF-8" : getCharacterEncoding();
      return new BufferedReader(new InputStreamReader(getInputStream(), Charset.forName(charset)));
    }

    @Override
    public int getContentLength() {
      return body.length;
    }

    @Override
    public long getContentLengthLong() {
      return body.length;
    }
  }

  private static final class BytesStream extends ServletInputStream {
    private final ByteArrayInputStream in;

    BytesStream(byte[] body) {
      this.in = new ByteArrayInputStream(body);
    }

    @Override
    public int read() {
      return in.read();
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
      return in.read(buffer, offset, length);
    }

    @Override
    public boolean isFinished() {
      return in.available() == 0;
    }

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setReadListener(ReadListener listener) {
      throw new UnsupportedOperationException("the body is already read");
    }
  }
}
