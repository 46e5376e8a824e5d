package dev.berth.driver;

/**
 * A container the engine has started, and where its app answers.
 *
 * @param id the engine's container id
 * @param name the deterministic name derived from the app id
 * @param host the host address the app's port is published on; for a container without
 *     internet, which Docker does not publish, its address on the internal network
 * @param port the host port the engine picked; for a container without internet, the app's own
 *     port
 */
public record StartedContainer(String id, String name, String host, int port) {

  /** {@code host:port}, ready to put in a URL. */
  public String authority() {
    return host + ":" + port;
  }
}
