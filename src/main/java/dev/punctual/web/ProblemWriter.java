package dev.punctual.web;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/** Writes a problem from a servlet filter, where controller advice does not reach. */
@Component
public class ProblemWriter {
  private final JsonMapper json;

  ProblemWriter(JsonMapper json) {
    this.json = json;
  }

  public void write(HttpServletResponse response, ApiProblem problem) throws IOException {
    ResponseEntity<ProblemDetail> entity = ProblemHandler.render(problem);
    response.setStatus(entity.getStatusCode().value());
    entity.getHeaders().forEach((name, values) -> values.forEach(v -> response.addHeader(name, v)));
    response.setContentType("application/problem+json");
    response.setCharacterEncoding("UTF-8");
    json.writeValue(response.getOutputStream(), entity.getBody());
  }
}
