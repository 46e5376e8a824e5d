package dev.berth.driver;

/**
 * A container the engine has started, and where its app port is published on the host.
 *
 * @param id the engine's container id
 * @param name the deterministic name derived from the app id
 * @param host the host address the port is published on
 * @param port the host port the engine picked
 */
public record StartedContainer(String id, String name, String host, int port) {

  /** {@code host:port}, ready to put in a URL. */
  public String authority() {
    return host + ":" + port;
  }
}
