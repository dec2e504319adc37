package dev.punctual.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.MissingNode;

/** A plain HTTP client for the tests: real requests to a real port, no Spring test client. */
public final class Api {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final String baseUrl;
  private final String key;
  private final HttpClient client;

  public Api(String baseUrl, String key) {
    this(baseUrl, key, CLIENT);
  }

  private Api(String baseUrl, String key, HttpClient client) {
    this.baseUrl = baseUrl;
    this.key = key;
    this.client = client;
  }

  public Api as(String otherKey) {
    return new Api(baseUrl, otherKey, client);
  }

  /**
   * The same caller on a client of its own, so that its next request opens a new connection: what a
   * client does to retry a request whose connection closed before any answer.
   */
  public Api onFreshConnection() {
    return new Api(
        baseUrl, key, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
  }

  public String baseUrl() {
    return baseUrl;
  }

  public String key() {
    return key;
  }

  /** One answer: status, headers and the parsed body (MissingNode when there is none). */
  public record Response(int status, HttpResponse<String> raw, JsonNode body) {
    public String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    public String contentType() {
      return header("Content-Type");
    }

    /** The messages of the problem's errors for {@code field}. */
    public List<String> errorsFor(String field) {
      List<String> messages = new ArrayList<>();
      for (JsonNode error : body.path("errors")) {
        if (error.path("field").asString().equals(field)) {
          messages.add(error.path("message").asString());
        }
      }
      return messages;
    }

    @Override
    public String toString() {
      return status + " " + raw.body();
    }
  }

  public Response get(String path) {
    return send("GET", path, null, Map.of());
  }

  public Response post(String path, Object body) {
    return send("POST", path, body, Map.of());
  }

  public Response post(String path, Object body, Map<String, String> headers) {
    return send("POST", path, body, headers);
  }

  public Response put(String path, Object body, Map<String, String> headers) {
    return send("PUT", path, body, headers);
  }

  public Response patch(String path, Object body, Map<String, String> headers) {
    Map<String, String> h = new HashMap<>(headers);
    h.putIfAbsent("Content-Type", "application/merge-patch+json");
    return send("PATCH", path, body, h);
  }

  public Response delete(String path) {
    return send("DELETE", path, null, Map.of());
  }

  /**
   * Sends a request. {@code body} is a String (sent as is) or an object (written as JSON); the
   * content type defaults to application/json.
   */
  public Response send(String method, String path, Object body, Map<String, String> headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30));
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    if (body != null && !headers.containsKey("Content-Type")) {
      request.header("Content-Type", "application/json");
    }
    headers.forEach(request::header);
    String text =
        body == null ? null : body instanceof String s ? s : JSON.writeValueAsString(body);
    request.method(
        method,
        text == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(text));
    try {
      HttpResponse<String> response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode parsed = MissingNode.getInstance();
      String contentType = response.headers().firstValue("Content-Type").orElse("");
      if (contentType.contains("json") && !response.body().isEmpty()) {
        parsed = JSON.readTree(response.body());
      }
      return new Response(response.statusCode(), response, parsed);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static JsonNode json(String text) {
    return JSON.readTree(text);
  }
}
