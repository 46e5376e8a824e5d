package dev.berth.driver;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;

/**
 * How the driver reaches the engine and where it puts containers.
 *
 * @param dockerHost the engine's address ({@code unix:///var/run/docker.sock},
 *     {@code tcp://host:2375}); empty means {@code DOCKER_HOST} or the default socket
 * @param advertisedHost the host address app ports are published on, and that clients of the
 *     containers connect to
 * @param network the user-defined bridge network the containers join; created on first use with
 *     inter-container traffic disabled
 * @param internalNetwork the bridge network of the containers without internet; created on first
 *     use as an internal network (Docker forwards nothing out of it), also without
 *     inter-container traffic. Docker publishes no ports there, so these containers are reached
 *     at their address on it, which only the engine's own host can route to.
 * @param engineTimeout how long one engine API call may take
 */
public record DockerDriverSettings(
    Optional<String> dockerHost,
    String advertisedHost,
    String network,
    String internalNetwork,
    Duration engineTimeout) {

  public static DockerDriverSettings defaults() {
    return new DockerDriverSettings(
        Optional.empty(), "127.0.0.1", "berth", "berth-internal", Duration.ofSeconds(30));
  }

  public DockerDriverSettings withDockerHost(String dockerHost) {
    return new DockerDriverSettings(
        Optional.of(dockerHost), advertisedHost, network, internalNetwork, engineTimeout);
  }

  /**
   * Why containers without internet cannot run with these settings, if they cannot. The node
   * reaches them at their address on the internal network, which only this host routes to, and
   * hands that address to every node's edge. A loopback advertised host says that all nodes share
   * this host; any other may mean an edge on another host, which would connect to whatever has
   * that address there: perhaps another tenant's container.
   */
  public Optional<String> internalNetworkProblem() {
    try {
      if (InetAddress.getByName(advertisedHost).isLoopbackAddress()) {
        return Optional.empty();
      }
    } catch (UnknownHostException unresolved) {
      // Not loopback as far as anyone can tell; refused below.
    }
    return Optional.of("apps without internet need berth.advertised-host to be a loopback "
        + "address (all nodes on one host), not " + advertisedHost + ": they are reached at their "
        + "address on the internal network " + internalNetwork + ", which only this host routes to");
  }

  /** These settings with {@code network}, and {@code network-internal} as the internal network. */
  public DockerDriverSettings withNetwork(String network) {
    return new DockerDriverSettings(
        dockerHost, advertisedHost, network, network + "-internal", engineTimeout);
  }
}
