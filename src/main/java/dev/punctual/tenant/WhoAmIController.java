package dev.punctual.tenant;

import dev.punctual.identity.Caller;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/whoami}: which key is calling. Lets a client check its key; costs no query
 * (the key is cached), which also makes it the baseline of the API benchmark.
 */
@RestController
class WhoAmIController {
  @GetMapping("/api/v1/whoami")
  Map<String, Object> whoami(@RequestAttribute(Caller.ATTRIBUTE) Caller caller) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("kind", caller.kind().name());
    body.put("tenant", caller.tenantName());
    body.put("keyId", caller.keyId());
    body.put("scope", caller.scope().json());
    return body;
  }
}
