package dev.punctual.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class WebhookSignerTest {
  // The example of the Standard Webhooks specification (also what its reference libraries test).
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  private static final long TIMESTAMP = 1614265330;
  private static final String BODY = "{\"test\": 2432232314}";
  private static final String EXPECTED = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

  @Test
  void signsAsTheStandardSays() {
    assertThat(WebhookSigner.signature(List.of(SECRET), ID, TIMESTAMP, BODY)).isEqualTo(EXPECTED);
  }

  @Test
  void duringARotationBothSignaturesAreSentEachUnderItsOwnKey() {
    String other = "whsec_" + Base64.getEncoder().encodeToString(new byte[24]);
    String both = WebhookSigner.signature(List.of(other, SECRET), ID, TIMESTAMP, BODY);
    assertThat(both.split(" ")).hasSize(2).endsWith(EXPECTED).doesNotHaveDuplicates();
    // Signed with the other key last: the next signature is under its own key.
    assertThat(WebhookSigner.signature(List.of(SECRET), ID, TIMESTAMP, BODY)).isEqualTo(EXPECTED);
  }

  @Test
  void threadsSigningAtOnceEachGetTheRightSignature() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<String>> signatures =
          IntStream.range(0, 2_000)
              .mapToObj(
                  i ->
                      pool.submit(
                          () ->
                              i % 2 == 0
                                  ? WebhookSigner.signature(List.of(SECRET), ID, TIMESTAMP, BODY)
                                  : WebhookSigner.signature(
                                      List.of(SECRET), ID + i, TIMESTAMP, BODY)))
              .toList();
      for (int i = 0; i < signatures.size(); i += 2) {
        assertThat(signatures.get(i).get()).isEqualTo(EXPECTED);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
