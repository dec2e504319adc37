package dev.punctual.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the kernel knows of a port's connections, read from {@code /proc/net/tcp}. */
final class Sockets {
  private Sockets() {}

  /**
   * Bytes received and not yet read by the process, over every established connection to the local
   * {@code port}: a request waiting in the socket of a process that does not read. Both tables are
   * read: a Java server listens on the IPv6 wildcard, where connections from 127.0.0.1 show as
   * IPv4-mapped addresses in {@code tcp6}.
   */
  static long unreadBytes(int port) {
    return unreadBytes(Path.of("/proc/net/tcp"), port)
        + unreadBytes(Path.of("/proc/net/tcp6"), port);
  }

  private static long unreadBytes(Path table, int port) {
    try {
      long total = 0;
      for (String line : Files.readAllLines(table)) {
        String[] f = line.trim().split("\\s+");
        // sl local_address rem_address st tx_queue:rx_queue ...
        if (f.length < 5 || !f[1].contains(":") || f[0].equals("sl")) {
          continue;
        }
        int localPort = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
        boolean established = f[3].equals("01");
        if (localPort == port && established) {
          total += Long.parseLong(f[4].substring(f[4].indexOf(':') + 1), 16);
        }
      }
      return total;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
