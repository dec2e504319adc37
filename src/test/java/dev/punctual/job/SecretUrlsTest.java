package dev.punctual.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punctual.support.Api;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Passwords in broker URLs: shown as ***, kept when sent back. */
class SecretUrlsTest {
  private static JsonNode target(String type, String url) {
    return Api.json("{\"type\":\"" + type + "\",\"url\":\"" + url + "\",\"routingKey\":\"q\"}");
  }

  @Test
  void passwordsAndTokensAreRedacted() {
    assertThat(SecretUrls.redact("amqp://guest:s3cret@rabbit:5672/%2F"))
        .isEqualTo("amqp://guest:***@rabbit:5672/%2F");
    assertThat(SecretUrls.redact("nats://t0ken@nats:4222")).isEqualTo("nats://***@nats:4222");
    assertThat(SecretUrls.redact("redis://:pw@redis:6379/0"))
        .isEqualTo("redis://:***@redis:6379/0");
    assertThat(SecretUrls.redact("redis://redis:6379/0")).isEqualTo("redis://redis:6379/0");
    // a password holding an encoded @ is redacted whole
    assertThat(SecretUrls.redact("amqp://u:p%40ss@h/")).isEqualTo("amqp://u:***@h/");
    // an @ in the query is not the user info's
    assertThat(SecretUrls.redact("redis://u:pw@redis:6379/0?client=a@b"))
        .isEqualTo("redis://u:***@redis:6379/0?client=a@b");
    // HTTP targets are left to SecretHeaders (their URLs may not carry credentials at all)
    JsonNode http = target("http", "https://u:p@h/");
    assertThat(SecretUrls.redact(http)).isSameAs(http);
  }

  @Test
  void theStoredPasswordReplacesThePlaceholder() {
    JsonNode stored = target("amqp", "amqp://guest:s3cret@rabbit:5672/%2F");
    JsonNode body =
        Api.json("{\"target\":{\"type\":\"amqp\",\"url\":\"amqp://guest:***@rabbit2:5672/%2F\"}}");
    assertThat(SecretUrls.restore(body, stored).path("target").path("url").asString())
        .isEqualTo("amqp://guest:s3cret@rabbit2:5672/%2F");
    JsonNode token = target("nats", "nats://t0ken@nats:4222");
    JsonNode tokenBody =
        Api.json("{\"target\":{\"type\":\"nats\",\"url\":\"nats://***@nats:4222\"}}");
    assertThat(SecretUrls.restore(tokenBody, token).path("target").path("url").asString())
        .isEqualTo("nats://t0ken@nats:4222");
    // nothing stored to restore: left for the reader to refuse
    JsonNode none = target("amqp", "amqp://rabbit/");
    assertThat(SecretUrls.restore(body, none)).isSameAs(body);
    // a secret of another kind neither: a token is not a password, nor the other way round
    assertThat(SecretUrls.restore(tokenBody, stored)).isSameAs(tokenBody);
    assertThat(SecretUrls.restore(body, token)).isSameAs(body);
  }

  @Test
  void anAtInTheQueryIsNotTheUserInfosEnd() {
    JsonNode stored = target("redis", "redis://u:pw@redis:6379/0?client=a@b");
    JsonNode body =
        Api.json(
            "{\"target\":{\"type\":\"redis\",\"url\":\"redis://u:***@redis:6379/0?client=a@b\"}}");
    assertThat(SecretUrls.restore(body, stored).path("target").path("url").asString())
        .isEqualTo("redis://u:pw@redis:6379/0?client=a@b");
  }
}
