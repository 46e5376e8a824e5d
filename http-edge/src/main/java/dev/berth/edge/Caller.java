package dev.berth.edge;

import akka.http.javadsl.model.AttributeKeys;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.RemoteAddress;
import java.net.InetAddress;

/** Who sent a request, as far as the edge can tell for itself. */
final class Caller {
  private Caller() {}

  /**
   * The peer of the client's connection. Not Akka's extractClientIP, which believes a
   * client-sent X-Forwarded-For.
   */
  static String address(HttpRequest request) {
    return request.getAttribute(AttributeKeys.remoteAddress)
        .flatMap(RemoteAddress::getAddress)
        .map(InetAddress::getHostAddress)
        .orElse("unknown");
  }

  /** The identity recorded in the events a management call causes. */
  static String identity(HttpRequest request) {
    return address(request);
  }
}
