package dev.punctual.delivery;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signatures: {@code v1,} and the base64 HMAC-SHA256 of {@code
 * <id>.<timestamp>.<body>} under the secret's bytes (the base64 after {@code whsec_}). During a
 * rotation a tenant has two secrets and the header carries both signatures, space-separated.
 */
final class WebhookSigner {
  private static final String PREFIX = "whsec_";

  private WebhookSigner() {}

  static String signature(List<String> secrets, String id, long timestamp, String body) {
    byte[] content =
        (id + "." + timestamp + "." + (body == null ? "" : body)).getBytes(StandardCharsets.UTF_8);
    return secrets.stream()
        .map(secret -> "v1," + Base64.getEncoder().encodeToString(hmac(key(secret), content)))
        .collect(Collectors.joining(" "));
  }

  private static byte[] key(String secret) {
    String encoded = secret.startsWith(PREFIX) ? secret.substring(PREFIX.length()) : secret;
    return Base64.getDecoder().decode(encoded);
  }

  // A MAC made per signature, not kept per thread like SecretBox's cipher: a kept MAC would hold
  // the last signing secret's key pads (the secret, recoverable) until the thread signs again,
  // and the signing secrets are in clear only for the time of a request.
  private static byte[] hmac(byte[] key, byte[] content) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(content);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JVM", e);
    }
  }
}
