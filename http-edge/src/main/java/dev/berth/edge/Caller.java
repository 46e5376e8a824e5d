package dev.berth.edge;

import akka.http.javadsl.model.AttributeKeys;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.RemoteAddress;
import akka.http.javadsl.model.headers.Host;
import akka.http.javadsl.model.headers.RawHeader;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.StreamSupport;

/**
 * Who sent a request. The peer of the connection, unless that peer is a trusted proxy: then the
 * client is the one the proxies' X-Forwarded-For names. Headers from anyone else that claim to
 * say who the client is are dropped, never believed nor passed on.
 */
final class Caller {
  /**
   * The edge listens on plain HTTP only; the scheme of an absolute-form request target
   * ({@code GET https://...}) is the client's claim, not a fact.
   */
  private static final String EDGE_SCHEME = "http";

  private final TrustedProxies trustedProxies;

  Caller(TrustedProxies trustedProxies) {
    this.trustedProxies = trustedProxies;
  }

  /**
   * The client's address. Behind trusted proxies, the nearest address in X-Forwarded-For that is
   * not one of them: entries further left were written by whoever the proxies trusted less.
   */
  String address(HttpRequest request) {
    return client(request).map(InetAddress::getHostAddress).orElse("unknown");
  }

  /**
   * The client, as {@link #address}; empty when it cannot be told: the connection's peer is not
   * known, or a trusted proxy names no client that is not itself a trusted proxy (no
   * X-Forwarded-For, or an entry that is no address). Empty is never taken for a local client.
   */
  Optional<InetAddress> client(HttpRequest request) {
    Optional<InetAddress> peer = peer(request);
    if (peer.isEmpty() || !trustedProxies.contains(peer.get())) {
      return peer;
    }
    List<String> hops = forwardedFor(request);
    for (int i = hops.size() - 1; i >= 0; i--) {
      Optional<InetAddress> hop = TrustedProxies.literal(hops.get(i));
      if (hop.isEmpty() || !trustedProxies.contains(hop.get())) {
        return hop;
      }
    }
    return Optional.empty();
  }

  /**
   * X-Forwarded-For, -Proto and -Host (and Forwarded, from trusted proxies only) as the app should
   * see them. From a trusted proxy its values are kept and its own address is appended to the
   * chain; from anyone else they describe this connection alone.
   */
  List<HttpHeader> forwardedHeaders(HttpRequest request) {
    Optional<InetAddress> peer = peer(request);
    String peerAddress = peer.map(InetAddress::getHostAddress).orElse("unknown");
    boolean fromTrustedProxy = peer.filter(trustedProxies::contains).isPresent();
    List<HttpHeader> headers = new ArrayList<>();

    List<String> chain = fromTrustedProxy ? forwardedFor(request) : new ArrayList<>();
    chain.add(peerAddress);
    headers.add(RawHeader.create("X-Forwarded-For", String.join(", ", chain)));

    Optional<String> proto = fromTrustedProxy ? first(request, "x-forwarded-proto") : Optional.empty();
    headers.add(RawHeader.create("X-Forwarded-Proto", proto.orElse(EDGE_SCHEME)));

    Optional<String> host = fromTrustedProxy ? first(request, "x-forwarded-host") : Optional.empty();
    host.or(() -> request.getHeader(Host.class).map(Host::value).filter(value -> !value.isEmpty()))
        .ifPresent(value -> headers.add(RawHeader.create("X-Forwarded-Host", value)));

    if (fromTrustedProxy) {
      List<String> forwarded = values(request, "forwarded");
      if (!forwarded.isEmpty()) {
        forwarded.add("for=" + forwardedNode(peer.get()));
        headers.add(RawHeader.create("Forwarded", String.join(", ", forwarded)));
      }
    }
    return headers;
  }

  /**
   * The peer of the client's connection. Not Akka's extractClientIP, which believes a
   * client-sent X-Forwarded-For.
   */
  private static Optional<InetAddress> peer(HttpRequest request) {
    return request.getAttribute(AttributeKeys.remoteAddress).flatMap(RemoteAddress::getAddress);
  }

  /** Every X-Forwarded-For entry, in order, however many headers carry them. */
  private static List<String> forwardedFor(HttpRequest request) {
    List<String> entries = new ArrayList<>();
    for (String value : values(request, "x-forwarded-for")) {
      for (String entry : value.split(",")) {
        if (!entry.isBlank()) {
          entries.add(entry.strip());
        }
      }
    }
    return entries;
  }

  private static List<String> values(HttpRequest request, String lowercaseName) {
    return new ArrayList<>(StreamSupport.stream(request.getHeaders().spliterator(), false)
        .filter(header -> header.is(lowercaseName))
        .map(HttpHeader::value)
        .toList());
  }

  private static Optional<String> first(HttpRequest request, String lowercaseName) {
    return values(request, lowercaseName).stream().findFirst();
  }

  /** RFC 7239 section 6: an IPv6 node is quoted and bracketed. */
  private static String forwardedNode(InetAddress address) {
    return address instanceof Inet6Address
        ? "\"[" + address.getHostAddress().toLowerCase(Locale.ROOT) + "]\""
        : address.getHostAddress();
  }
}
