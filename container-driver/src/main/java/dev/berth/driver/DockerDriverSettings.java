package dev.berth.driver;

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
 * @param engineTimeout how long one engine API call may take
 */
public record DockerDriverSettings(
    Optional<String> dockerHost, String advertisedHost, String network, Duration engineTimeout) {

  public static DockerDriverSettings defaults() {
    return new DockerDriverSettings(Optional.empty(), "127.0.0.1", "berth", Duration.ofSeconds(30));
  }

  public DockerDriverSettings withDockerHost(String dockerHost) {
    return new DockerDriverSettings(
        Optional.of(dockerHost), advertisedHost, network, engineTimeout);
  }

  public DockerDriverSettings withNetwork(String network) {
    return new DockerDriverSettings(dockerHost, advertisedHost, network, engineTimeout);
  }
}
