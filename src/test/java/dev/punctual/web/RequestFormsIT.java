package dev.punctual.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punctual.support.Api;
import dev.punctual.support.ApiTestBase;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How requests are written, apart from their JSON: query strings with broken percent-encoding,
 * media types other than JSON (in {@code Content-Type} and in {@code Accept}), bodies too large to
 * read. Each answers a 4xx problem+json that says what is wrong, never a 500 (each case here was a
 * 500, a YAML answer or a 400 echoing the body before the fix).
 */
class RequestFormsIT extends ApiTestBase {
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  @Test
  void aQueryStringThatIsNotPercentEncodedUtf8Is400NamingTheParameter() throws IOException {
    Api tenant = newTenant();
    String jobId = tenant.post("/api/v1/jobs", cronJob("q")).body().path("id").asString();
    for (String query :
        List.of("cursor=%ff", "cursor=%zz", "cursor=%f", "cursor=%", "cursor=%c0%af")) {
      for (String path : List.of("/api/v1/jobs", "/api/v1/jobs/" + jobId + "/runs")) {
        RawAnswer answer = raw("GET " + path + "?limit=5&" + query, tenant.key());
        assertThat(answer.status()).as(path + "?" + query).isEqualTo(400);
        assertThat(answer.body()).contains("\"field\":\"cursor\"");
      }
    }
    RawAnswer badName = raw("GET /api/v1/jobs?x%ff=1", tenant.key());
    assertThat(badName.status()).isEqualTo(400);
    assertThat(badName.body()).contains("\"field\":\"query\"");
    assertThat(raw("GET /actuator/health?x=%ff", null).status()).isEqualTo(400);
    // Well-formed escapes still read as before.
    assertThat(raw("GET /api/v1/jobs?namePrefix=%71&limit=%35", tenant.key()).body())
        .contains("\"name\":\"q\"");
  }

  @Test
  void aBodyThatIsNotJsonIs415SayingJsonIsExpected() {
    Api tenant = newTenant();
    String jobId = tenant.post("/api/v1/jobs", cronJob("m")).body().path("id").asString();
    String body = "name: x\n";
    List<String> types =
        List.of(
            "application/yaml",
            "application/x-yaml",
            "text/yaml",
            "application/xml",
            "text/xml",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "text/plain",
            "application/octet-stream",
            "application/cbor",
            "application/x-jackson-smile",
            "application/x-protobuf",
            "application/json; charset=ISO-8859-1",
            "application/*",
            "*/*",
            "not a type");
    for (String type : types) {
      for (Map.Entry<String, Api> call :
          Map.of(
                  "/api/v1/jobs",
                  tenant,
                  "/api/v1/schedules/preview",
                  tenant,
                  "/api/v1/tenants",
                  admin)
              .entrySet()) {
        Api.Response answer =
            call.getValue().send("POST", call.getKey(), body, Map.of("Content-Type", type));
        assertThat(answer.status()).as(call.getKey() + " " + type).isEqualTo(415);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.body().path("detail").asString()).contains("application/json");
        assertThat(answer.header("Accept")).contains("application/json");
      }
    }
    Api.Response patch =
        tenant.send(
            "PATCH", "/api/v1/jobs/" + jobId, body, Map.of("Content-Type", "application/yaml"));
    assertThat(patch.status()).isEqualTo(415);
    assertThat(patch.header("Accept-Patch")).contains("application/merge-patch+json");
    // JSON under its other names is read.
    assertThat(
            tenant
                .send(
                    "POST",
                    "/api/v1/schedules/preview",
                    "{\"schedule\": {\"interval\": \"PT1M\"}}",
                    Map.of("Content-Type", "application/json; charset=utf-8"))
                .status())
        .isEqualTo(200);
  }

  @Test
  void anAcceptThatRulesOutJsonIs406AndNeverGetsYaml() {
    Api tenant = newTenant();
    String path =
        "/api/v1/jobs/" + tenant.post("/api/v1/jobs", cronJob("a")).body().path("id").asString();
    for (String accept :
        List.of(
            "application/yaml",
            "application/x-yaml",
            "text/yaml",
            "application/xml",
            "text/html",
            "text/plain",
            "application/cbor",
            "application/x-jackson-smile",
            "application/json;q=0")) {
      Api.Response answer = tenant.send("GET", path, null, Map.of("Accept", accept));
      assertThat(answer.status()).as(accept).isEqualTo(406);
      assertThat(answer.contentType()).startsWith("application/problem+json");
      assertThat(answer.body().path("detail").asString()).contains("application/json");
    }
    for (String accept :
        List.of(
            "application/yaml, application/json",
            "application/*",
            "*/*",
            "application/problem+json, application/json;q=0.5",
            "text/html, */*;q=0.1")) {
      Api.Response answer = tenant.send("GET", path, null, Map.of("Accept", accept));
      assertThat(answer.status()).as(accept).isEqualTo(200);
      assertThat(answer.contentType()).as(accept).startsWith("application/json");
      assertThat(answer.body().path("name").asString()).isEqualTo("a");
    }
    Api.Response unreadable = tenant.send("GET", path, null, Map.of("Accept", ";;;"));
    assertThat(unreadable.status()).isEqualTo(400);
    assertThat(unreadable.errorsFor("Accept")).isNotEmpty();
  }

  @Test
  void aLargeBodyIs413WhateverItHoldsAndHoweverItIsSent() throws Exception {
    Api tenant = newTenant();
    // 20 MB with its length declared: refused from the headers alone, before a byte is read
    // (sent as headers only: a client still sending 20 MB could see the connection close before
    // it reads the answer, as Tomcat closes rather than read that much away).
    RawAnswer declared =
        raw(
            "POST /api/v1/jobs",
            tenant.key(),
            "Content-Type: application/json\r\nContent-Length: " + 20 * 1024 * 1024 + "\r\n");
    assertThat(declared.status()).isEqualTo(413);
    assertThat(declared.body()).contains("larger than the limit");
    // Chunked, the service must read past the limit to know: 1 MB (more than the 256 KB limit,
    // less than what is read away before the connection closes, so the client reads the answer).
    byte[] huge = new byte[20 * 1024 * 1024];
    Arrays.fill(huge, (byte) 'a');
    byte[] large = Arrays.copyOf(huge, 1024 * 1024);
    byte[] largeJson =
        ("{\"name\": \"" + "x".repeat(300_000) + "\"}").getBytes(StandardCharsets.UTF_8);
    List<HttpResponse<String>> answers =
        List.of(
            post(tenant.key(), large, false),
            post(tenant.key(), large, true),
            post(tenant.key(), largeJson, false),
            post(tenant.key(), largeJson, true));
    for (HttpResponse<String> answer : answers) {
      assertThat(answer.statusCode())
          .as(answer.request().headers().map().toString())
          .isEqualTo(413);
      assertThat(answer.body()).contains("larger than the limit");
    }
    // A body under the limit that is not JSON is a 400 that does not repeat the body at length.
    HttpResponse<String> garbage = post(tenant.key(), Arrays.copyOf(huge, 100_000), true);
    assertThat(garbage.statusCode()).isEqualTo(400);
    assertThat(Api.json(garbage.body()).path("detail").asString()).hasSizeLessThan(300);
    // A small chunked job is read as usual.
    byte[] job =
        ("{\"name\": \"chunked\", \"schedule\": {\"interval\": \"PT1H\"},"
                + " \"target\": {\"url\": \"https://example.com/\"}}")
            .getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> created = post(tenant.key(), job, true);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
  }

  private HttpResponse<String> post(String key, byte[] body, boolean chunked) throws Exception {
    HttpRequest.BodyPublisher publisher =
        chunked
            ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))
            : HttpRequest.BodyPublishers.ofByteArray(body);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/jobs"))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .POST(publisher)
            .build();
    return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private record RawAnswer(int status, String body) {}

  /** A request line sent as is: HTTP clients refuse to send a malformed escape. */
  private RawAnswer raw(String requestLine, String key) throws IOException {
    return raw(requestLine, key, "");
  }

  private RawAnswer raw(String requestLine, String key, String headers) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      OutputStream out = socket.getOutputStream();
      String request =
          requestLine
              + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
              + (key == null ? "" : "Authorization: Bearer " + key + "\r\n")
              + headers
              + "\r\n";
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      socket.shutdownOutput(); // nothing more comes: the service need not wait for a body
      InputStream in = socket.getInputStream();
      String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int status = Integer.parseInt(answer.substring(9, 12));
      return new RawAnswer(status, answer.substring(answer.indexOf("\r\n\r\n") + 4));
    }
  }
}
