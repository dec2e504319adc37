package dev.punctual.web;

import dev.punctual.config.NodeRole;
import dev.punctual.config.PunctualProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * A node without the {@code api} role ({@code PUNCTUAL_ROLES}) answers {@code /api/**} with 404;
 * probes and metrics stay served, so a load balancer sees the node and sends it nothing.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class ApiRoleFilter extends OncePerRequestFilter {
  private final boolean servesApi;
  private final ProblemWriter problems;

  ApiRoleFilter(PunctualProperties properties, ProblemWriter problems) {
    this.servesApi = properties.roleSet().contains(NodeRole.API);
    this.problems = problems;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return servesApi || !request.getRequestURI().startsWith("/api/");
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    problems.write(
        response,
        new ApiProblem(
            HttpStatus.NOT_FOUND,
            "Not found",
            "This node does not serve the API (PUNCTUAL_ROLES has no 'api')"));
  }
}
