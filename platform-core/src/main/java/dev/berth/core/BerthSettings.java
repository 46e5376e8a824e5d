package dev.berth.core;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.berth.driver.DockerDriverSettings;
import dev.berth.driver.InstanceType;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The {@code berth} section of the configuration, read and checked once at start-up. */
public record BerthSettings(
    Path dataDir,
    String nodeId,
    String advertisedHost,
    DockerDriverSettings docker,
    String image,
    int appPort,
    String probePath,
    Duration sleepAfter,
    int maxInstances,
    Duration minIdleBeforeEvict,
    InstanceType instanceType,
    Map<String, InstanceType> instanceTypes,
    Duration startTimeout,
    Duration stopTimeout,
    int maxWaitingRequests,
    Map<String, String> appEnvironment,
    boolean appInternet,
    boolean readOnlyRootfs,
    Duration startBackoffMin,
    Duration startBackoffMax,
    Duration adoptProbeTimeout,
    boolean stopContainersOnShutdown,
    int snapshotEvery) {

  /**
   * @param clusterPort the port this node's cluster transport is bound to; names the node when
   *     {@code berth.node-id} is empty
   */
  public static BerthSettings from(Config config, int clusterPort) {
    Config berth = config.getConfig("berth");
    Map<String, InstanceType> types = instanceTypes(berth.getConfig("instance-types"));
    String typeName = berth.getString("app.instance-type");
    InstanceType type = types.get(typeName);
    if (type == null) {
      throw new ConfigException.BadValue("berth.app.instance-type",
          "unknown instance type '" + typeName + "'; known: " + types.keySet());
    }
    String advertisedHost = berth.getString("advertised-host");
    String dockerHost = berth.getString("docker.host");
    String network = berth.getString("docker.network");
    String internalNetwork = berth.getString("docker.internal-network");
    if (internalNetwork.isBlank()) {
      internalNetwork = network + "-internal";
    }
    if (internalNetwork.equals(network)) {
      throw new ConfigException.BadValue("berth.docker.internal-network",
          "must differ from berth.docker.network, both are '" + network + "'");
    }
    DockerDriverSettings docker = new DockerDriverSettings(
        dockerHost.isBlank() ? Optional.empty() : Optional.of(dockerHost),
        advertisedHost,
        network,
        internalNetwork,
        berth.getDuration("docker.call-timeout"));
    boolean appInternet = berth.getBoolean("app.internet");
    if (!appInternet) {
      docker.internalNetworkProblem().ifPresent(problem -> {
        throw new ConfigException.BadValue("berth.app.internet", problem);
      });
    }
    int appPort = berth.getInt("app.port");
    if (appPort < 1 || appPort > 65535) {
      throw new ConfigException.BadValue("berth.app.port", "must be 1-65535, was " + appPort);
    }
    return new BerthSettings(
        Path.of(berth.getString("data-dir")).toAbsolutePath().normalize(),
        nodeId(berth.getString("node-id"), clusterPort),
        advertisedHost,
        docker,
        berth.getString("app.image"),
        appPort,
        berth.getString("app.probe-path"),
        positive(berth, "app.sleep-after"),
        atLeastOne(berth, "app.max-instances"),
        berth.getDuration("app.min-idle-before-evict"),
        type,
        Map.copyOf(types),
        positive(berth, "app.start-timeout"),
        berth.getDuration("app.stop-timeout"),
        berth.getInt("app.max-waiting-requests"),
        environment(berth.getConfig("app.environment")),
        appInternet,
        berth.getBoolean("app.read-only-rootfs"),
        positive(berth, "app.start-backoff.min"),
        positive(berth, "app.start-backoff.max"),
        positive(berth, "app.adopt-probe-timeout"),
        containersOnShutdown(berth.getString("node.containers-on-shutdown")),
        berth.getInt("persistence.snapshot-every"));
  }

  private static Map<String, InstanceType> instanceTypes(Config section) {
    Map<String, InstanceType> types = new HashMap<>();
    for (String name : section.root().keySet()) {
      Config type = section.getConfig(name);
      types.put(name, new InstanceType(
          name,
          type.getBytes("memory"),
          Math.round(type.getDouble("cpus") * 1_000_000_000L),
          type.getLong("pids")));
    }
    return types;
  }

  private static Map<String, String> environment(Config section) {
    Map<String, String> environment = new HashMap<>();
    section.entrySet().forEach(entry ->
        environment.put(entry.getKey(), String.valueOf(entry.getValue().unwrapped())));
    return Map.copyOf(environment);
  }

  private static boolean containersOnShutdown(String value) {
    return switch (value) {
      case "keep" -> false;
      case "stop" -> true;
      default -> throw new ConfigException.BadValue("berth.node.containers-on-shutdown",
          "must be keep or stop, was '" + value + "'");
    };
  }

  private static int atLeastOne(Config berth, String path) {
    int value = berth.getInt(path);
    if (value < 1) {
      throw new ConfigException.BadValue("berth." + path, "must be at least 1, was " + value);
    }
    return value;
  }

  private static Duration positive(Config berth, String path) {
    Duration value = berth.getDuration(path);
    if (value.isZero() || value.isNegative()) {
      throw new ConfigException.BadValue("berth." + path, "must be a positive duration");
    }
    return value;
  }

  private static String nodeId(String configured, int clusterPort) {
    if (!configured.isBlank()) {
      return configured;
    }
    try {
      return InetAddress.getLocalHost().getHostName() + "-" + clusterPort;
    } catch (UnknownHostException e) {
      return "localhost-" + clusterPort;
    }
  }
}
