package dev.punctual.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.punctual.definition.HttpTarget;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.DnsResolver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * DNS rebinding: a name that first resolves to an allowed address and then to a denied one. The
 * guard checks every answer at delivery time, and the connection goes to the address it checked,
 * never to a second lookup. A stub resolver stands in for the attacker's DNS server (Java 17 has no
 * hook for the system resolver); the target is a real server on the wildcard address, where
 * 127.0.0.2 plays an allowed internal service and 127.0.0.1 the node's own secrets.
 */
class DnsRebindingIT {
  private static final Instant NOW = Instant.parse("2026-12-07T09:00:00Z");

  private static final InetAddress ALLOWED = address(127, 0, 0, 2);
  private static final InetAddress DENIED = address(127, 0, 0, 1);
  private final EgressGuard guard = EgressGuard.of("127.0.0.2/32", "");
  private final ConcurrentLinkedQueue<InetAddress> reachedOn = new ConcurrentLinkedQueue<>();
  private HttpServer server;

  /** Answers from a list, one per lookup; the last answer repeats. */
  static final class ScriptedDns implements DnsResolver {
    final List<InetAddress[]> answers;
    final AtomicInteger lookups = new AtomicInteger();

    ScriptedDns(InetAddress[]... answers) {
      this.answers = List.of(answers);
    }

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
      int n = lookups.getAndIncrement();
      return answers.get(Math.min(n, answers.size() - 1));
    }

    @Override
    public String resolveCanonicalHostname(String host) {
      return host;
    }
  }

  @BeforeEach
  void startTarget() throws Exception {
    server = HttpServer.create(new InetSocketAddress(0), 50); // every local address
    server.createContext(
        "/",
        exchange -> {
          reachedOn.add(exchange.getLocalAddress().getAddress());
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stopTarget() {
    server.stop(0);
  }

  private AttemptResult deliver(DnsResolver dns) throws Exception {
    try (HttpDelivery http = new HttpDelivery(4, "test", guard, dns)) {
      HttpTarget target =
          new HttpTarget(
              "POST",
              "http://rebind.test:" + server.getAddress().getPort() + "/hook",
              Map.of(),
              "{}",
              Duration.ofSeconds(5));
      Attempt attempt = new Attempt(1, 1, "rebind", NOW, 1, NOW, target, List.of(), Map.of());
      return http.send(attempt).get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void theConnectionGoesToTheCheckedAddressNotToASecondLookup() throws Exception {
    ScriptedDns dns = new ScriptedDns(new InetAddress[] {ALLOWED}, new InetAddress[] {DENIED});
    AttemptResult result = deliver(dns);
    assertThat(result.outcome()).as(result.toString()).isEqualTo(AttemptResult.Outcome.SUCCESS);
    assertThat(reachedOn).containsExactly(ALLOWED);
    assertThat(dns.lookups.get()).as("one lookup, checked, then connected to").isEqualTo(1);
  }

  @Test
  void aNameThatRebindsToADeniedAddressIsBlockedAtTheNextConnection() throws Exception {
    ScriptedDns dns = new ScriptedDns(new InetAddress[] {ALLOWED}, new InetAddress[] {DENIED});
    assertThat(deliver(dns).outcome()).isEqualTo(AttemptResult.Outcome.SUCCESS);

    AttemptResult rebound = deliver(dns); // a new connection, a new lookup: now the denied answer
    assertThat(rebound.outcome()).isEqualTo(AttemptResult.Outcome.BLOCKED);
    assertThat(rebound.error()).contains("egress denied").contains("rebind.test");
    assertThat(reachedOn).containsExactly(ALLOWED); // the second attempt never reached the target
  }

  @Test
  void oneDeniedAddressAmongTheAnswersBlocksTheName() throws Exception {
    AttemptResult result = deliver(new ScriptedDns(new InetAddress[] {ALLOWED, DENIED}));
    assertThat(result.outcome()).isEqualTo(AttemptResult.Outcome.BLOCKED);
    assertThat(reachedOn).isEmpty();
  }

  private static InetAddress address(int a, int b, int c, int d) {
    try {
      return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
