package dev.berth.driver;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The engine's view of one container.
 *
 * @param id the engine's container id
 * @param name the container's name, without Docker's leading slash
 * @param status the engine's state word: created, running, paused, restarting, exited, dead
 * @param exitCode the last exit code; meaningful once the container has stopped
 * @param oomKilled whether the kernel killed it for using more memory than its limit
 * @param labels all its labels, Berth's and the image's
 * @param published where this host reaches its app, when it runs: the port published on the
 *     advertised host, or, for a container on the internal network (where Docker publishes
 *     nothing), its address there and the app's port
 * @param networkAddress its address on the Berth network it is on, when it runs
 * @param startedAt when it last started, if it ever did
 */
public record ContainerInfo(
    String id,
    String name,
    String status,
    int exitCode,
    boolean oomKilled,
    Map<String, String> labels,
    Optional<StartedContainer> published,
    Optional<String> networkAddress,
    Optional<Instant> startedAt) {

  public boolean running() {
    return "running".equals(status);
  }

  public String appId() {
    return labels.get(Labels.APP_ID);
  }

  public String nodeId() {
    return labels.get(Labels.NODE);
  }
}
