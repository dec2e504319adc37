package dev.punctual.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for a process a test starts (a node, PostgreSQL, nginx, Prometheus), picked here and bound
 * there later.
 *
 * <p>They come from below the kernel's ephemeral range ({@code ip_local_port_range}, 32768-60999 by
 * default). A port the kernel chose (a {@code ServerSocket(0)} closed at once) is back in that
 * range, where the next outgoing connection or {@code bind(0)} of any process may take it before
 * the test's process binds it: a starting node's delivery warm-up opens dozens of loopback
 * connections and a sink of its own, and a CI run lost a node's start to "Port 46497 was already in
 * use" that way. Below the range only another explicit bind can take it.
 */
public final class Ports {
  private static final int LOWEST = 20_000;

  private Ports() {}

  /** A port free right now, below the ephemeral range. */
  public static int free() {
    int below = ephemeralStart();
    for (int i = 0; i < 1_000; i++) {
      int port = ThreadLocalRandom.current().nextInt(LOWEST, below);
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(false);
        socket.bind(new InetSocketAddress(port));
        return port;
      } catch (IOException inUse) {
        // taken: try another
      }
    }
    throw new UncheckedIOException(new IOException("no free port in " + LOWEST + "-" + below));
  }

  private static int ephemeralStart() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
      int start = Integer.parseInt(range.split("\\s+")[0]);
      return start > LOWEST + 1_000 ? start : 32_768;
    } catch (IOException | RuntimeException e) {
      return 32_768; // Linux's default
    }
  }
}
