package dev.punctual.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code standardwebhooks} npm package (src/test/node), an implementation of Standard Webhooks
 * that shares no code with Punctual, as the judge of its signatures.
 */
public final class StandardWebhooks {
  private static final File NODE_DIR = new File("src/test/node");
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private StandardWebhooks() {}

  /** Installs the package once (npm ci), if it is not there yet. */
  public static void install() throws IOException, InterruptedException {
    if (!new File(NODE_DIR, "node_modules/standardwebhooks").isDirectory()) {
      Process npm =
          new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
              .directory(NODE_DIR)
              .redirectErrorStream(true)
              .start();
      String out = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(npm.waitFor(120, TimeUnit.SECONDS) && npm.exitValue() == 0)
          .as("npm ci in src/test/node: %s", out)
          .isTrue();
    }
  }

  /** The package's verdict on a request: "verified" or "rejected: ...". */
  public static String verify(String secret, TargetServer.Delivery d, String body)
      throws IOException, InterruptedException {
    return verify(
        secret,
        Map.of(
            "webhook-id", d.header("webhook-id"),
            "webhook-timestamp", d.header("webhook-timestamp"),
            "webhook-signature", d.header("webhook-signature")),
        body);
  }

  /** The verdict on a message whose Standard Webhooks headers are {@code headers}. */
  public static String verify(String secret, Map<String, String> headers, String body)
      throws IOException, InterruptedException {
    Process node = new ProcessBuilder("node", "verify.js").directory(NODE_DIR).start();
    node.getOutputStream()
        .write(
            JSON.writeValueAsBytes(
                Map.of(
                    "secret", secret,
                    "headers", headers,
                    "body", body)));
    node.getOutputStream().close();
    String verdict =
        new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return verdict;
  }
}
