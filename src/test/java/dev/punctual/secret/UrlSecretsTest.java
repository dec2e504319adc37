package dev.punctual.secret;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punctual.delivery.BrokerUrl;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UrlSecretsTest {
  private final SecretBox box = new SecretBox(List.of(new byte[32]));

  private String seal(String url) {
    return UrlSecrets.map(url, v -> SecretBox.isSealed(v) ? v : box.seal(v));
  }

  private String open(String url) {
    return UrlSecrets.map(url, box::open);
  }

  @Test
  void aPasswordIsSealedInPlaceAndOpensToTheUrlAsSent() {
    String url = "amqp://guest:p%40ss:word@127.0.0.1:5672/%2F";
    String sealed = seal(url);
    assertThat(sealed).doesNotContain("p%40ss").startsWith("amqp://guest:enc%3Av1%3A");
    assertThat(UrlSecrets.isSealed(sealed)).isTrue();
    assertThat(UrlSecrets.isSealed(url)).isFalse();
    // Still a URL with the same user, host, port and path.
    BrokerUrl parsed = BrokerUrl.parse(sealed, Set.of("amqp"));
    assertThat(parsed.user()).isEqualTo("guest");
    assertThat(parsed.host()).isEqualTo("127.0.0.1");
    assertThat(parsed.port()).isEqualTo(5672);
    assertThat(parsed.path()).isEqualTo("/%2F");
    assertThat(SecretBox.isSealed(parsed.password())).isTrue();
    assertThat(open(sealed)).isEqualTo(url);
    // Sealed once: a sealed value is kept as it is.
    assertThat(seal(sealed)).isEqualTo(sealed);
  }

  @Test
  void aLoneTokenIsTheSecret() {
    String url = "nats://s3cr3t-token@127.0.0.1:4222";
    String sealed = seal(url);
    assertThat(sealed)
        .doesNotContain("s3cr3t")
        .startsWith("nats://enc%3Av1%3A")
        .endsWith("@127.0.0.1:4222");
    assertThat(open(sealed)).isEqualTo(url);
  }

  @Test
  void urlsWithoutASecretAreLeftAlone() {
    for (String url :
        List.of(
            "redis://127.0.0.1:6379/0",
            "redis://127.0.0.1:6379/0?client=a@b",
            "amqp://guest:@127.0.0.1/",
            "not a url")) {
      assertThat(seal(url)).as(url).isEqualTo(url);
    }
    assertThat(UrlSecrets.map(null, box::seal)).isNull();
  }

  @Test
  void anAtInThePathIsNotTheUserInfos() {
    String url = "redis://user:pw@127.0.0.1:6379/0?name=a@b";
    String sealed = seal(url);
    assertThat(sealed).doesNotContain(":pw@").endsWith("@127.0.0.1:6379/0?name=a@b");
    assertThat(open(sealed)).isEqualTo(url);
  }
}
