package dev.berth.edge;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The proxies whose X-Forwarded-* and Forwarded headers the edge believes
 * ({@code berth.edge.trusted-proxies}): addresses and CIDR ranges, IPv4 or IPv6.
 */
final class TrustedProxies {
  private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
  /** What an IPv6 literal may hold; anything else is refused before InetAddress sees it. */
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
  /** An IPv4 address or bracketed IPv6 address with a port, as some proxies write them. */
  private static final Pattern WITH_PORT = Pattern.compile("(\\d[\\d.]*|\\[[^\\]]*\\]):\\d{1,5}");

  private record Range(byte[] network, int prefixBits) {
    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int fullBytes = prefixBits / 8;
      for (int i = 0; i < fullBytes; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int restBits = prefixBits % 8;
      if (restBits == 0) {
        return true;
      }
      int mask = 0xff << (8 - restBits) & 0xff;
      return (address[fullBytes] & mask) == (network[fullBytes] & mask);
    }
  }

  private final List<Range> ranges;

  private TrustedProxies(List<Range> ranges) {
    this.ranges = ranges;
  }

  /**
   * @param list comma-separated addresses and CIDR ranges, e.g. {@code 10.0.0.0/8, ::1}; empty
   *     trusts nobody
   * @throws IllegalArgumentException naming the entry that is neither, so a node with a
   *     mistyped setting does not start believing the wrong clients
   */
  static TrustedProxies parse(String list) {
    List<Range> ranges = new ArrayList<>();
    for (String entry : list.split(",")) {
      String trimmed = entry.strip();
      if (trimmed.isEmpty()) {
        continue;
      }
      int slash = trimmed.indexOf('/');
      String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
      byte[] network = literal(address)
          .orElseThrow(() -> new IllegalArgumentException(
              "berth.edge.trusted-proxies: '" + trimmed + "' is not an IP address or CIDR range"))
          .getAddress();
      int prefixBits = network.length * 8;
      if (slash >= 0) {
        try {
          prefixBits = Integer.parseInt(trimmed.substring(slash + 1));
        } catch (NumberFormatException e) {
          prefixBits = -1;
        }
        if (prefixBits < 0 || prefixBits > network.length * 8) {
          throw new IllegalArgumentException(
              "berth.edge.trusted-proxies: '" + trimmed + "' has an invalid prefix length");
        }
      }
      ranges.add(new Range(network, prefixBits));
    }
    return new TrustedProxies(List.copyOf(ranges));
  }

  boolean contains(InetAddress address) {
    byte[] bytes = address.getAddress();
    return ranges.stream().anyMatch(range -> range.contains(bytes));
  }

  /**
   * An IP address written as a literal, as in X-Forwarded-For, optionally with a port; empty for
   * anything else. Never asks DNS: {@code InetAddress.getByName} would look up a name.
   */
  static Optional<InetAddress> literal(String text) {
    String candidate = text.strip();
    Matcher withPort = WITH_PORT.matcher(candidate);
    if (withPort.matches()) {
      candidate = withPort.group(1);
    }
    if (candidate.startsWith("[") && candidate.endsWith("]")) {
      candidate = candidate.substring(1, candidate.length() - 1);
    }
    Matcher ipv4 = IPV4.matcher(candidate);
    if (ipv4.matches()) {
      byte[] bytes = new byte[4];
      for (int i = 0; i < 4; i++) {
        int octet = Integer.parseInt(ipv4.group(i + 1));
        if (octet > 255) {
          return Optional.empty();
        }
        bytes[i] = (byte) octet;
      }
      return Optional.of(byAddress(bytes));
    }
    if (IPV6.matcher(candidate).matches()) {
      try {
        // With a colon in it, getByName parses the literal and never resolves a name.
        return Optional.of(InetAddress.getByName(candidate));
      } catch (UnknownHostException notAnAddress) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  private static InetAddress byAddress(byte[] bytes) {
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException impossible) {
      throw new IllegalStateException("four bytes are always an IPv4 address", impossible);
    }
  }
}
