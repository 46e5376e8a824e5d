package dev.berth.edge;

import akka.http.javadsl.model.AttributeKeys;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.RemoteAddress;
import java.net.InetAddress;
import java.util.Optional;

/** Who sent a request, as far as the edge can tell for itself. */
final class Caller {
  private Caller() {}

  /**
   * The peer of the client's connection. Not Akka's extractClientIP, which believes a
   * client-sent X-Forwarded-For.
   */
  static String address(HttpRequest request) {
    return peer(request).map(InetAddress::getHostAddress).orElse("unknown");
  }

  static Optional<InetAddress> peer(HttpRequest request) {
    return request.getAttribute(AttributeKeys.remoteAddress).flatMap(RemoteAddress::getAddress);
  }
}
