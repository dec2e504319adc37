package dev.punctual.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * A query string must be readable before anything asks Tomcat for a parameter: Tomcat throws on the
 * first malformed escape ({@code %zz}, a lone {@code %}) or invalid UTF-8 ({@code %ff}), and that
 * surfaces as a 500 wherever a parameter is read. Here it answers 400 naming the parameter. It runs
 * before every other filter that could read a parameter.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class QueryStringFilter extends OncePerRequestFilter {
  /** Tomcat's own limit ({@code maxParameterCount}); past it Tomcat throws as well. */
  static final int MAX_PARAMETERS = 1000;

  private final ProblemWriter problems;

  QueryStringFilter(ProblemWriter problems) {
    this.problems = problems;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    Optional<FieldError> error = firstError(request.getQueryString());
    if (error.isPresent()) {
      problems.write(response, ApiProblem.invalid(List.of(error.get())));
      return;
    }
    chain.doFilter(request, response);
  }

  /** The first problem of a raw query string, named by its parameter, or none. */
  static Optional<FieldError> firstError(String query) {
    if (query == null || query.isEmpty()) {
      return Optional.empty();
    }
    String[] pairs = query.split("&", -1);
    if (pairs.length > MAX_PARAMETERS) {
      return Optional.of(
          new FieldError("query", "must have at most " + MAX_PARAMETERS + " parameters"));
    }
    for (String pair : pairs) {
      int equals = pair.indexOf('=');
      String rawName = equals < 0 ? pair : pair.substring(0, equals);
      String name = decode(rawName);
      if (name == null) {
        return Optional.of(
            new FieldError("query", "has a parameter name that is not percent-encoded UTF-8"));
      }
      if (equals >= 0 && decode(pair.substring(equals + 1)) == null) {
        return Optional.of(new FieldError(name, "is not percent-encoded UTF-8"));
      }
    }
    return Optional.empty();
  }

  /** Strict form decoding: null when an escape is malformed or the bytes are not UTF-8. */
  static String decode(String raw) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()) {
          return null;
        }
        int high = Character.digit(raw.charAt(i + 1), 16);
        int low = Character.digit(raw.charAt(i + 2), 16);
        if (high < 0 || low < 0) {
          return null;
        }
        bytes.write(high << 4 | low);
        i += 2;
      } else if (c == '+') {
        bytes.write(' ');
      } else {
        byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(encoded, 0, encoded.length);
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
