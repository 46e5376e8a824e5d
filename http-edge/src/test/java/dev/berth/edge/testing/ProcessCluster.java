package dev.berth.edge.testing;

import dev.berth.driver.ContainerInfo;
import dev.berth.driver.Labels;
import dev.berth.driver.testing.Deadline;
import dev.berth.driver.testing.TestEngine;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Node processes on loopback forming one cluster, sharing one data directory (so one H2 journal)
 * and this machine's Docker engine. Node {@code i} (from 1) is named {@code {prefix}-{i}}; closing
 * the cluster stops every node and removes every container they started.
 */
public final class ProcessCluster implements AutoCloseable {
  private final Path dataDir;
  private final String nodeIdPrefix;
  private final int firstClusterPort;
  private final List<NodeProcess> nodes = new ArrayList<>();

  private ProcessCluster(Path dataDir, String nodeIdPrefix, int firstClusterPort) {
    this.dataDir = dataDir;
    this.nodeIdPrefix = nodeIdPrefix;
    this.firstClusterPort = firstClusterPort;
  }

  /** Starts {@code size} nodes, each a seed, with {@code environment}; waits until all are up. */
  public static ProcessCluster start(Path dataDir, String nodeIdPrefix, int size, Map<String, String> environment)
      throws IOException {
    int[] clusterPorts = new int[size];
    for (int i = 0; i < size; i++) {
      clusterPorts[i] = NodeProcess.freePort();
    }
    String seeds = Arrays.stream(clusterPorts)
        .mapToObj(port -> "akka://berth@127.0.0.1:" + port)
        .collect(Collectors.joining(","));
    ProcessCluster cluster = new ProcessCluster(dataDir, nodeIdPrefix, clusterPorts[0]);
    for (int port : clusterPorts) {
      Map<String, String> env = new HashMap<>(environment);
      env.put("BERTH_CLUSTER_PORT", String.valueOf(port));
      env.put("BERTH_SEED_NODES", seeds);
      cluster.nodes.add(NodeProcess.start(dataDir, cluster.nextNodeId(), env));
    }
    Deadline.within(Duration.ofSeconds(60)).await(size + " members up", () ->
        Http.getJson(cluster.nodes.get(0).baseUrl() + "/").get("members").size() == size);
    return cluster;
  }

  /** Starts one more node that joins through the first. */
  public NodeProcess join(Map<String, String> environment) throws IOException {
    Map<String, String> env = new HashMap<>(environment);
    env.put("BERTH_SEED_NODES", "akka://berth@127.0.0.1:" + firstClusterPort);
    NodeProcess joining = NodeProcess.start(dataDir, nextNodeId(), env);
    nodes.add(joining);
    return joining;
  }

  public List<NodeProcess> nodes() {
    return nodes;
  }

  /** Whether a container was started by a node of this cluster. */
  public boolean started(ContainerInfo container) {
    return container.nodeId() != null && container.nodeId().startsWith(nodeIdPrefix + "-");
  }

  private String nextNodeId() {
    return nodeIdPrefix + "-" + (nodes.size() + 1);
  }

  @Override
  public void close() throws Exception {
    for (NodeProcess node : nodes) {
      node.close();
    }
    for (int i = 1; i <= nodes.size(); i++) {
      for (ContainerInfo container : TestEngine.driver().list(Map.of(Labels.NODE, nodeIdPrefix + "-" + i))) {
        TestEngine.driver().remove(container.id());
      }
    }
  }
}
