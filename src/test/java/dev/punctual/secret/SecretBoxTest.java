package dev.punctual.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SecretBoxTest {
  private static byte[] key() {
    byte[] raw = new byte[32];
    new SecureRandom().nextBytes(raw);
    return raw;
  }

  private final SecretBox box = new SecretBox(List.of(key()));

  @Test
  void sealsAndOpensWithAFreshNonceEachTime() {
    String sealed = box.seal("whsec_value");
    assertThat(sealed).startsWith(SecretBox.PREFIX + box.currentKeyId() + ":");
    assertThat(box.seal("whsec_value")).isNotEqualTo(sealed);
    assertThat(box.open(sealed)).isEqualTo("whsec_value");
  }

  @Test
  void aValueThatDoesNotOpenLeavesTheThreadAbleToOpenTheNext() {
    String sealed = box.seal("whsec_value");
    char last = sealed.charAt(sealed.length() - 1);
    String altered = sealed.substring(0, sealed.length() - 1) + (last == 'A' ? 'B' : 'A');
    assertThatThrownBy(() -> box.open(altered))
        .isInstanceOf(SecretUnavailableException.class)
        .hasMessageContaining("does not open");
    // The thread's cipher failed mid-operation; it is initialised again for the next value.
    assertThat(box.open(sealed)).isEqualTo("whsec_value");
    assertThat(box.open(box.seal("second"))).isEqualTo("second");
  }

  @Test
  void aValueOfAnotherKeyDoesNotOpen() {
    String foreign = new SecretBox(List.of(key())).seal("theirs");
    assertThatThrownBy(() -> box.open(foreign))
        .isInstanceOf(SecretUnavailableException.class)
        .hasMessageContaining("which this node does not hold");
  }

  @Test
  void threadsSealingAndOpeningAtOnceEachGetTheirOwnValue() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<String>> opened =
          IntStream.range(0, 4_000)
              .mapToObj(i -> pool.submit(() -> box.open(box.seal("value-" + i))))
              .toList();
      for (int i = 0; i < opened.size(); i++) {
        assertThat(opened.get(i).get()).isEqualTo("value-" + i);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
