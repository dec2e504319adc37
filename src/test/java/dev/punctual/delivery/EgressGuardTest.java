package dev.punctual.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EgressGuardTest {
  private final EgressGuard defaults = EgressGuard.of("", "");

  @ParameterizedTest
  @ValueSource(
      strings = {
        "127.0.0.1", "127.255.0.9", "::1", "169.254.169.254", "169.254.0.1", "fe80::1",
        "fd00:ec2::254", "0.0.0.0", "::", "224.0.0.1", "239.255.255.250", "ff02::1",
        "::ffff:127.0.0.1", "::ffff:169.254.169.254"
      })
  void deniedByDefault(String address) throws Exception {
    assertThat(defaults.denial(InetAddress.getByName(address))).isPresent();
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.1.2.3", "172.16.0.1", "192.168.1.1", "8.8.8.8", "2001:db8::1"})
  void privateAndPublicRangesAreAllowed(String address) throws Exception {
    assertThat(defaults.denial(InetAddress.getByName(address))).isEmpty();
  }

  @Test
  void allowOpensADefaultDenyAndDenyWinsOverEverything() throws Exception {
    EgressGuard guard = EgressGuard.of("127.0.0.0/8, 10.0.0.0/8", "10.9.0.0/16,192.168.0.0/16");
    assertThat(guard.denial(InetAddress.getByName("127.0.0.1"))).isEmpty();
    assertThat(guard.denial(InetAddress.getByName("::1"))).isPresent(); // not allowed: IPv6
    assertThat(guard.denial(InetAddress.getByName("10.1.0.1"))).isEmpty();
    assertThat(guard.denial(InetAddress.getByName("10.9.0.1")))
        .hasValueSatisfying(r -> assertThat(r).contains("PUNCTUAL_EGRESS_DENY"));
    assertThat(guard.denial(InetAddress.getByName("192.168.3.4"))).isPresent();
    assertThat(guard.denial(InetAddress.getByName("169.254.169.254")))
        .hasValueSatisfying(r -> assertThat(r).contains("metadata"));
  }

  @Test
  void literalsAreCheckedNamesAreLeftToResolution() {
    assertThat(defaults.denialOfLiteral("127.0.0.1")).isPresent();
    assertThat(defaults.denialOfLiteral("[::1]")).isPresent();
    assertThat(defaults.denialOfLiteral("169.254.169.254")).isPresent();
    assertThat(defaults.denialOfLiteral("10.0.0.1")).isEmpty();
    assertThat(defaults.denialOfLiteral("localhost")).isEmpty(); // checked when resolved
  }

  @Test
  void aNameResolvingToADeniedAddressIsRefused() throws Exception {
    InetAddress[] resolved = {
      InetAddress.getByName("10.0.0.1"), InetAddress.getByName("127.0.0.1")
    };
    assertThatThrownBy(() -> defaults.checkResolved("rebound.example", resolved))
        .isInstanceOf(EgressDeniedException.class)
        .hasMessageContaining("rebound.example resolves to 127.0.0.1 is a loopback address");
  }

  @Test
  void badRangesAreRefusedAtStart() {
    assertThatThrownBy(() -> EgressGuard.of("10.0.0.0/33", "")).hasMessageContaining("10.0.0.0/33");
    assertThatThrownBy(() -> EgressGuard.of("", "intranet")).hasMessageContaining("'intranet'");
  }
}
