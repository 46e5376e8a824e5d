package dev.berth.driver;

import java.util.List;
import java.util.Map;
import java.util.Objects;

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
 */
public record ContainerSpec(
    String appId,
    String nodeId,
    String image,
    int containerPort,
    Map<String, String> environment,
    InstanceType instanceType,
    Map<String, String> labels,
    List<String> entrypoint) {

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

  /** A spec with no extra environment, labels or entrypoint. */
  public static ContainerSpec of(
      String appId, String nodeId, String image, int containerPort, InstanceType instanceType) {
    return new ContainerSpec(
        appId, nodeId, image, containerPort, Map.of(), instanceType, Map.of(), List.of());
  }

  public ContainerSpec withEnvironment(Map<String, String> environment) {
    return new ContainerSpec(
        appId, nodeId, image, containerPort, environment, instanceType, labels, entrypoint);
  }

  public ContainerSpec withLabels(Map<String, String> labels) {
    return new ContainerSpec(
        appId, nodeId, image, containerPort, environment, instanceType, labels, entrypoint);
  }

  public ContainerSpec withEntrypoint(List<String> entrypoint) {
    return new ContainerSpec(
        appId, nodeId, image, containerPort, environment, instanceType, labels, entrypoint);
  }
}
