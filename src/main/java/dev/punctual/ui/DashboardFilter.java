package dev.punctual.ui;

import dev.punctual.config.NodeRole;
import dev.punctual.config.PunctualProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Everything under {@code /ui}: 404 when the dashboard is off ({@code PUNCTUAL_UI_ENABLED=false},
 * or a node without the {@code api} role), otherwise the headers that keep its pages to themselves:
 * a Content-Security-Policy that allows scripts, styles and requests from this origin only (no
 * inline script or style, no frame), and no caching of a stale page after an upgrade.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 5)
class DashboardFilter extends OncePerRequestFilter {
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

  private final boolean enabled;

  DashboardFilter(PunctualProperties properties) {
    // A node that does not serve the API (PUNCTUAL_ROLES without api) cannot serve the pages
    // that call it either.
    this.enabled = properties.uiEnabled() && properties.roleSet().contains(NodeRole.API);
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    String uri = request.getRequestURI();
    return !(uri.equals("/ui") || uri.startsWith("/ui/"));
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (!enabled) {
      response.sendError(HttpServletResponse.SC_NOT_FOUND);
      return;
    }
    response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("X-Frame-Options", "DENY");
    response.setHeader("Referrer-Policy", "no-referrer");
    // Revalidated on every load (Last-Modified), so a new version's files are never mixed with
    // an old one's.
    response.setHeader("Cache-Control", "no-cache");
    chain.doFilter(request, response);
  }
}
