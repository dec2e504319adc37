package dev.punctual.delivery;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which addresses targets may reach (docs/api.md). Denied by default: loopback, link-local (the
 * cloud metadata addresses included), unspecified and multicast. {@code PUNCTUAL_EGRESS_ALLOW}
 * opens ranges of those (a local test target, say); {@code PUNCTUAL_EGRESS_DENY} closes more ranges
 * and wins over everything. Private ranges are allowed: internal services are the usual targets.
 */
public final class EgressGuard {
  // Compiled once, not at every delivery as String.matches would.
  private static final Pattern IPV4_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private static final List<Cidr> DEFAULT_DENY =
      List.of(
          Cidr.parse("127.0.0.0/8", "loopback"),
          Cidr.parse("::1/128", "loopback"),
          Cidr.parse("169.254.0.0/16", "link-local (cloud metadata)"),
          Cidr.parse("fe80::/10", "link-local"),
          Cidr.parse("fd00:ec2::254/128", "cloud metadata"),
          Cidr.parse("0.0.0.0/8", "unspecified"),
          Cidr.parse("::/128", "unspecified"),
          Cidr.parse("224.0.0.0/4", "multicast"),
          Cidr.parse("ff00::/8", "multicast"));

  private final List<Cidr> allow;
  private final List<Cidr> deny;

  private EgressGuard(List<Cidr> allow, List<Cidr> deny) {
    this.allow = allow;
    this.deny = deny;
  }

  /**
   * A guard from the two comma-separated CIDR lists of the configuration.
   *
   * @throws IllegalArgumentException naming a range that is not a CIDR
   */
  public static EgressGuard of(String allowList, String denyList) {
    return new EgressGuard(parseList(allowList, "allowed"), parseList(denyList, "denied"));
  }

  /** Why {@code address} may not be reached, or empty when it may. */
  public Optional<String> denial(InetAddress address) {
    for (Cidr c : deny) {
      if (c.contains(address)) {
        return Optional.of(
            address.getHostAddress() + " is in " + c.text + " (PUNCTUAL_EGRESS_DENY)");
      }
    }
    for (Cidr c : allow) {
      if (c.contains(address)) {
        return Optional.empty();
      }
    }
    InetAddress v4 = mappedV4(address);
    for (Cidr c : DEFAULT_DENY) {
      if (c.contains(address) || (v4 != null && c.contains(v4))) {
        return Optional.of(address.getHostAddress() + " is a " + c.reason + " address");
      }
    }
    return Optional.empty();
  }

  /**
   * What is wrong with {@code url} as a target or notification endpoint, checked at write time: not
   * http(s), no host, credentials in it (the API shows URLs back as they are; credentials belong in
   * a header it keeps secret), or a literal address the guard denies. Empty when it is fine.
   */
  public Optional<String> problemWithUrl(String url) {
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        return Optional.of("must be an http or https URL");
      }
      if (uri.getHost() == null || uri.getHost().isEmpty()) {
        return Optional.of("must have a host");
      }
      if (uri.getRawUserInfo() != null) {
        return Optional.of(
            "must not carry credentials (user:password@); send them in an Authorization header");
      }
      return denialOfLiteral(uri.getHost()).map(reason -> "targets may not reach it: " + reason);
    } catch (URISyntaxException e) {
      return Optional.of("is not a valid URL: " + e.getReason());
    }
  }

  /**
   * For a host written as a literal address (not a name): why it may not be reached, or empty.
   * Names are checked when they are resolved, at each delivery.
   */
  public Optional<String> denialOfLiteral(String host) {
    String h =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (!isLiteral(h)) {
      return Optional.empty();
    }
    try {
      return denial(InetAddress.getByName(h)); // a literal: no lookup happens
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  static boolean isLiteral(String host) {
    return host.contains(":") || IPV4_LITERAL.matcher(host).matches();
  }

  /** The IPv4 address inside an IPv4-mapped IPv6 one ({@code ::ffff:127.0.0.1}), or null. */
  private static InetAddress mappedV4(InetAddress address) {
    byte[] b = address.getAddress();
    if (b.length != 16) {
      return null;
    }
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return null;
      }
    }
    if (b[10] != (byte) 0xff || b[11] != (byte) 0xff) {
      return null;
    }
    try {
      return InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16));
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static List<Cidr> parseList(String text, String what) {
    List<Cidr> list = new ArrayList<>();
    if (text == null) {
      return list;
    }
    for (String part : text.split(",")) {
      if (!part.isBlank()) {
        list.add(Cidr.parse(part.trim(), what));
      }
    }
    return list;
  }

  /** An address range: network bytes and prefix length. */
  private record Cidr(byte[] network, int prefix, String text, String reason) {
    static Cidr parse(String text, String reason) {
      String[] parts = text.split("/", 2);
      if (!isLiteral(parts[0])) {
        throw new IllegalArgumentException("'" + text + "' is not a CIDR range such as 10.0.0.0/8");
      }
      try {
        byte[] network = InetAddress.getByName(parts[0]).getAddress();
        int prefix = parts.length == 2 ? Integer.parseInt(parts[1]) : network.length * 8;
        if (prefix < 0 || prefix > network.length * 8) {
          throw new IllegalArgumentException("'" + text + "': prefix out of range");
        }
        return new Cidr(network, prefix, text, reason);
      } catch (UnknownHostException | NumberFormatException e) {
        throw new IllegalArgumentException("'" + text + "' is not a CIDR range such as 10.0.0.0/8");
      }
    }

    boolean contains(InetAddress address) {
      byte[] a = address.getAddress();
      if (a.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (a[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (a[full] & mask) == (network[full] & mask);
    }
  }

  /** The check applied to what a host name resolves to: every address must be allowed. */
  InetAddress[] checkResolved(String host, InetAddress[] addresses) throws EgressDeniedException {
    for (InetAddress address : addresses) {
      Optional<String> denial = denial(address);
      if (denial.isPresent()) {
        throw new EgressDeniedException(host + " resolves to " + denial.get());
      }
    }
    return addresses;
  }
}
