package dev.punctual.web;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The OpenAPI 3.1 document of the API, at {@code /v3/api-docs} (JSON) and {@code
 * /v3/api-docs.yaml}. It is written by hand ({@code openapi/punctual-api.yaml}) rather than
 * generated from the controllers: they read bodies as JSON trees to validate every field at once,
 * so a generator could only describe them as untyped; the hand-written document is the contract
 * that client generators read, and {@code ApiContractIT} holds the service to it.
 */
@RestController
class ApiDocsController {
  static final String DOCUMENT = "/openapi/punctual-api.yaml";

  private final String yaml;
  private final String json;

  ApiDocsController(JsonMapper jsonMapper) throws IOException {
    try (InputStream in = ApiDocsController.class.getResourceAsStream(DOCUMENT)) {
      if (in == null) {
        throw new IllegalStateException(DOCUMENT + " is missing from the class path");
      }
      this.yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    JsonNode document = YAMLMapper.builder().build().readTree(yaml);
    this.json = jsonMapper.writeValueAsString(document);
  }

  @GetMapping(value = "/v3/api-docs", produces = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<String> json() {
    return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(json);
  }

  @GetMapping(value = "/v3/api-docs.yaml", produces = "application/yaml")
  ResponseEntity<String> yaml() {
    return ResponseEntity.ok().contentType(MediaType.parseMediaType("application/yaml")).body(yaml);
  }
}
