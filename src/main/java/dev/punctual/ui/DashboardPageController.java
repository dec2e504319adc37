package dev.punctual.ui;

import java.io.IOException;
import java.io.InputStream;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The dashboard's one page, at {@code /ui} and {@code /ui/}; its views are routed in the browser
 * ({@code /ui/#/jobs}), so every view is this page and a reload stays where it was. The scripts and
 * styles beside it are served as static resources from {@code static/ui/}.
 */
@RestController
class DashboardPageController {
  private final byte[] page;

  DashboardPageController() throws IOException {
    try (InputStream in =
        DashboardPageController.class.getResourceAsStream("/static/ui/index.html")) {
      if (in == null) {
        throw new IllegalStateException("static/ui/index.html is missing from the class path");
      }
      this.page = in.readAllBytes();
    }
  }

  @GetMapping({"/ui", "/ui/"})
  ResponseEntity<byte[]> page() {
    return ResponseEntity.ok().contentType(MediaType.TEXT_HTML).body(page);
  }
}
