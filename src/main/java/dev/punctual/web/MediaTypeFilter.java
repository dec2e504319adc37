package dev.punctual.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The API speaks JSON and nothing else, decided here once for every {@code /api/**} call rather
 * than left to Spring's message converters: they include YAML (a library on the class path brings
 * it), which read a YAML body into a 500 and wrote a job as YAML of Jackson's internals.
 *
 * <ul>
 *   <li>A request body must be {@code application/json} or a {@code +json} type ({@code
 *       application/merge-patch+json} for PATCH); anything else, a wildcard or an unreadable type
 *       answers 415 saying so, with {@code Accept} (and {@code Accept-Patch}) naming what is taken.
 *   <li>{@code Accept}, when sent, must allow {@code application/json} or {@code
 *       application/problem+json} (generated clients send only the latter on an operation whose
 *       success has no body, such as DELETE); otherwise 406. An unreadable {@code Accept} is a 400.
 *       Past this filter the request accepts {@code application/json} only, so an answer is never
 *       labelled with another JSON type the client listed first ({@code application/problem+json,
 *       application/json;q=0.5} would otherwise get a job labelled as a problem).
 * </ul>
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 15)
class MediaTypeFilter extends OncePerRequestFilter {
  static final String ACCEPTED_BODIES = "application/json, application/merge-patch+json";

  private final ProblemWriter problems;

  MediaTypeFilter(ProblemWriter problems) {
    this.problems = problems;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return !request.getRequestURI().startsWith("/api/");
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    ApiProblem problem = checkAccept(request.getHeader(HttpHeaders.ACCEPT));
    if (problem == null && hasBody(request)) {
      problem = checkContentType(request.getContentType(), request.getMethod());
    }
    if (problem != null) {
      problems.write(response, problem);
      return;
    }
    chain.doFilter(new JsonAcceptingRequest(request), response);
  }

  /** The request as if it had sent {@code Accept: application/json}. */
  private static final class JsonAcceptingRequest extends HttpServletRequestWrapper {
    JsonAcceptingRequest(HttpServletRequest request) {
      super(request);
    }

    @Override
    public String getHeader(String name) {
      return HttpHeaders.ACCEPT.equalsIgnoreCase(name)
          ? MediaType.APPLICATION_JSON_VALUE
          : super.getHeader(name);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
      return HttpHeaders.ACCEPT.equalsIgnoreCase(name)
          ? Collections.enumeration(List.of(MediaType.APPLICATION_JSON_VALUE))
          : super.getHeaders(name);
    }
  }

  private static boolean hasBody(HttpServletRequest request) {
    return request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
  }

  static ApiProblem checkContentType(String header, String method) {
    if (header != null) {
      try {
        MediaType type = MediaType.parseMediaType(header);
        if (!type.isWildcardType() && !type.isWildcardSubtype() && isJson(type) && utf8(type)) {
          return null;
        }
      } catch (InvalidMediaTypeException e) {
        // answered below like any other type we do not read
      }
    }
    return new ApiProblem(
        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
        "Unsupported media type",
        (header == null ? "A request body needs a Content-Type" : "Content-Type " + quote(header))
            + ": the body must be JSON, sent as application/json (or"
            + " application/merge-patch+json for PATCH), in UTF-8",
        List.of(),
        "PATCH".equals(method)
            ? Map.of(HttpHeaders.ACCEPT, ACCEPTED_BODIES, "Accept-Patch", ACCEPTED_BODIES)
            : Map.of(HttpHeaders.ACCEPT, ACCEPTED_BODIES));
  }

  static ApiProblem checkAccept(String header) {
    if (header == null || header.isBlank()) {
      return null;
    }
    List<MediaType> accepted;
    try {
      accepted = MediaType.parseMediaTypes(header);
    } catch (InvalidMediaTypeException e) {
      return ApiProblem.invalid("Accept", "header is not a list of media types");
    }
    for (MediaType type : accepted) {
      if (type.getQualityValue() > 0
          && (type.includes(MediaType.APPLICATION_JSON)
              || type.includes(MediaType.APPLICATION_PROBLEM_JSON))) {
        return null;
      }
    }
    return new ApiProblem(
        HttpStatus.NOT_ACCEPTABLE,
        "Not acceptable",
        "Accept " + quote(header) + ": this API answers application/json only");
  }

  private static boolean isJson(MediaType type) {
    return "application".equals(type.getType())
        && ("json".equals(type.getSubtype()) || type.getSubtype().endsWith("+json"));
  }

  /** JSON is UTF-8 (RFC 8259); a body declared in another charset would be misread. */
  private static boolean utf8(MediaType type) {
    String charset = type.getParameter("charset");
    return charset == null || charset.replace("\"", "").equalsIgnoreCase("utf-8");
  }

  private static String quote(String header) {
    String shown = header.length() > 100 ? header.substring(0, 100) + "…" : header;
    return "'" + shown + "'";
  }
}
