package dev.berth.driver;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Everything the driver needs to run one app's container.
 *
 * @param appId the tenant; names and labels the container
 * @param nodeId the Berth node that owns it, recorded as the {@code berth.node} label
 * @param image a local image reference
 * @param containerPort the port the app listens on inside the container
 * @param environment variables set in the container
 * @param instanceType memory, CPU and pids limits
 * @param labels extra labels, merged under Berth's own
 * @param entrypoint replaces the image's entrypoint when not empty
 * @param internet whether the app may open connections beyond its own network; without, it runs
 *     on the internal network, from which Docker forwards nothing
 * @param readOnlyRootfs whether the image's file system is mounted read-only, with a small
 *     writable tmpfs at {@code /tmp}
 */
public record ContainerSpec(
    String appId,
    String nodeId,
    String image,
    int containerPort,
    Map<String, String> environment,
    InstanceType instanceType,
    Map<String, String> labels,
    List<String> entrypoint,
    boolean internet,
    boolean readOnlyRootfs) {

  public ContainerSpec {
    Objects.requireNonNull(appId, "appId");
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(instanceType, "instanceType");
    if (containerPort < 1 || containerPort > 65535) {
      throw new IllegalArgumentException("containerPort out of range: " + containerPort);
    }
    environment = Map.copyOf(environment);
    labels = Map.copyOf(labels);
    entrypoint = List.copyOf(entrypoint);
  }

  /** The environment's names only: its values may be an app's secrets, never for a log line. */
  @Override
  public String toString() {
    return "ContainerSpec[appId=" + appId + ", nodeId=" + nodeId + ", image=" + image
        + ", containerPort=" + containerPort + ", environment=" + new TreeSet<>(environment.keySet())
        + ", instanceType=" + instanceType + ", labels=" + labels + ", entrypoint=" + entrypoint
        + ", internet=" + internet + ", readOnlyRootfs=" + readOnlyRootfs + "]";
  }

  /**
   * A spec with no extra environment, labels or entrypoint, with internet and a writable root
   * file system, as Berth's configuration has by default.
   */
  public static ContainerSpec of(
      String appId, String nodeId, String image, int containerPort, InstanceType instanceType) {
    return new ContainerSpec(appId, nodeId, image, containerPort, Map.of(), instanceType,
        Map.of(), List.of(), true, false);
  }

  public ContainerSpec withEnvironment(Map<String, String> environment) {
    return new ContainerSpec(appId, nodeId, image, containerPort, environment, instanceType,
        labels, entrypoint, internet, readOnlyRootfs);
  }

  public ContainerSpec withLabels(Map<String, String> labels) {
    return new ContainerSpec(appId, nodeId, image, containerPort, environment, instanceType,
        labels, entrypoint, internet, readOnlyRootfs);
  }

  public ContainerSpec withEntrypoint(List<String> entrypoint) {
    return new ContainerSpec(appId, nodeId, image, containerPort, environment, instanceType,
        labels, entrypoint, internet, readOnlyRootfs);
  }

  public ContainerSpec withInternet(boolean internet) {
    return new ContainerSpec(appId, nodeId, image, containerPort, environment, instanceType,
        labels, entrypoint, internet, readOnlyRootfs);
  }

  public ContainerSpec withReadOnlyRootfs(boolean readOnlyRootfs) {
    return new ContainerSpec(appId, nodeId, image, containerPort, environment, instanceType,
        labels, entrypoint, internet, readOnlyRootfs);
  }
}
