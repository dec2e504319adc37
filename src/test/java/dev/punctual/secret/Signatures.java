package dev.punctual.secret;

import dev.punctual.support.TargetServer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The Standard Webhooks signature a delivery should carry for a signing secret. */
final class Signatures {
  private Signatures() {}

  static String expected(TargetServer.Delivery d, String signingSecret) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(
        new SecretKeySpec(
            Base64.getDecoder().decode(signingSecret.substring("whsec_".length())), "HmacSHA256"));
    String signed = d.header("webhook-id") + "." + d.header("webhook-timestamp") + "." + d.body();
    return "v1,"
        + Base64.getEncoder().encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
  }
}
