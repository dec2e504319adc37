package dev.punctual.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

/** The service's jar as {@code mvn package} leaves it, for tests that start it as users do. */
public final class ServiceJar {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private ServiceJar() {}

  /** {@code target/punctual-<version>.jar}, absolute. */
  public static Path path() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      return files
          .filter(p -> p.getFileName().toString().matches("punctual-[0-9.]+(-SNAPSHOT)?\\.jar"))
          .findFirst()
          .orElseThrow(
              () -> new IllegalStateException("no target/punctual-*.jar: run mvn verify/package"))
          .toAbsolutePath();
    }
  }

  /** Whether the node at {@code base} answers its readiness probe with 200. */
  public static boolean ready(String base) {
    try {
      HttpResponse<Void> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(base + "/actuator/health/readiness"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      return response.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
