package dev.punctual.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * A request's {@code Content-Type} must name one media type: {@code *}{@code /*} or {@code
 * application/*} describe no body, and Spring refuses them with an assertion (a 500) deep in its
 * message conversion. They answer 415 here, before anything reads the body.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 15)
class ContentTypeFilter extends OncePerRequestFilter {
  private final ProblemWriter problems;

  ContentTypeFilter(ProblemWriter problems) {
    this.problems = problems;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String header = request.getContentType();
    if (header != null && isWildcard(header)) {
      problems.write(
          response,
          new ApiProblem(
              HttpStatus.UNSUPPORTED_MEDIA_TYPE,
              "Unsupported media type",
              "Content-Type must name one media type (application/json), not a wildcard"));
      return;
    }
    chain.doFilter(request, response);
  }

  private static boolean isWildcard(String header) {
    try {
      MediaType type = MediaType.parseMediaType(header);
      return type.isWildcardType() || type.isWildcardSubtype();
    } catch (InvalidMediaTypeException e) {
      return false; // Spring answers 415 for those itself
    }
  }
}
