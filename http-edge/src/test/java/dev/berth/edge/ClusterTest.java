package dev.berth.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.driver.ContainerInfo;
import dev.berth.driver.Labels;
import dev.berth.driver.testing.ContainerCleanup;
import dev.berth.driver.testing.Deadline;
import dev.berth.driver.testing.TestEngine;
import dev.berth.edge.testing.Http;
import dev.berth.edge.testing.NodeProcess;
import dev.berth.edge.testing.ProcessCluster;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three node processes on loopback, one cluster, one shared H2 journal and one Docker engine.
 * The tests share the cluster and run in order: all nodes, then one killed, then one leaving.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTest {
  @RegisterExtension static final ContainerCleanup cleanup = new ContainerCleanup();
  @TempDir static Path dataDir;
  private static ProcessCluster cluster;
  private static List<NodeProcess> nodes;
  /** Apps served since the first test, with their container's hostname. */
  private static final Map<String, String> hostnames = new ConcurrentHashMap<>();

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = ProcessCluster.start(dataDir, cleanup.nodeId(), 3, Map.of());
    nodes = cluster.nodes();
  }

  @AfterAll
  static void stopCluster() throws Exception {
    cluster.close();
  }

  private static List<ContainerInfo> containersOf(String appId) {
    return TestEngine.driver().list(Map.of(Labels.APP_ID, appId));
  }

  @Test
  @Order(1)
  void everyNodeServesEveryAppFromItsOneContainer() {
    for (int i = 0; i < 6; i++) {
      String appId = cleanup.freshAppId("spread");
      String hostname = Http.getJson(nodes.get(i % 3).app(appId, "/")).get("hostname").asText();
      for (NodeProcess node : nodes) {
        assertEquals(hostname, Http.getJson(node.app(appId, "/")).get("hostname").asText(),
            appId + " through " + node.baseUrl());
      }
      Http.post(nodes.get((i + 1) % 3).app(appId, "/_metadata"), "{\"owner\":\"" + appId + "\"}");
      assertEquals(1, containersOf(appId).size());
      hostnames.put(appId, hostname);
    }
    JsonNode members = Http.getJson(nodes.get(2).baseUrl() + "/").get("members");
    assertEquals(3, members.size());
  }

  @Test
  @Order(2)
  void whenANodeIsKilledTheOthersTakeOverItsAppsWithoutFailingRequestsOrDoublingContainers()
      throws Exception {
    List<NodeProcess> survivors = List.of(nodes.get(0), nodes.get(1));
    AtomicBoolean running = new AtomicBoolean(true);
    Map<String, Integer> mostContainers = new ConcurrentHashMap<>();
    List<String> failures = new CopyOnWriteArrayList<>();
    AtomicInteger answered = new AtomicInteger();

    Thread sampler = new Thread(() -> {
      while (running.get()) {
        Map<String, Long> counts = TestEngine.driver().list(Map.of()).stream()
            .filter(c -> c.running() && hostnames.containsKey(c.appId()))
            .collect(Collectors.groupingBy(ContainerInfo::appId, Collectors.counting()));
        counts.forEach((appId, count) -> mostContainers.merge(appId, count.intValue(), Math::max));
      }
    });
    List<Thread> clients = new ArrayList<>();
    for (NodeProcess survivor : survivors) {
      clients.add(new Thread(() -> {
        while (running.get()) {
          for (String appId : hostnames.keySet()) {
            HttpResponse<String> response = Http.get(survivor.app(appId, "/"));
            if (response.statusCode() == 200) {
              answered.incrementAndGet();
            } else {
              failures.add(appId + " via " + survivor.baseUrl() + ": " + response.statusCode()
                  + " " + response.body());
            }
          }
        }
      }));
    }
    sampler.start();
    clients.forEach(Thread::start);
    Deadline.within(Duration.ofSeconds(30)).await("traffic flows", () -> answered.get() > 20);

    nodes.get(2).kill();
    int before = answered.get();
    Deadline.within(Duration.ofSeconds(90)).await("the survivors see two members", () ->
        Http.getJson(survivors.get(0).baseUrl() + "/").get("members").size() == 2);
    Deadline.within(Duration.ofSeconds(60)).await("traffic flows after the failover",
        () -> answered.get() > before + 4 * hostnames.size());
    running.set(false);
    for (Thread client : clients) {
      client.join(120_000);
    }
    sampler.join(10_000);

    assertEquals(List.of(), failures, "requests failed during the failover");
    mostContainers.forEach((appId, most) -> assertEquals(1, most, "containers of " + appId));
    assertEquals(hostnames.keySet(), mostContainers.keySet());
    for (String appId : hostnames.keySet()) {
      JsonNode status = Http.getJson(survivors.get(1).app(appId, "/_status"));
      assertEquals(hostnames.get(appId), Http.getJson(survivors.get(0).app(appId, "/")).get("hostname").asText(),
          appId + " kept its container");
      assertEquals(1, status.get("stats").get("startCount").asInt(), appId);
      assertEquals(appId, status.get("metadata").get("owner").asText(), appId);
    }
  }

  @Test
  @Order(3)
  void aNodeLeavingGracefullyHandsItsAppsOver() throws Exception {
    NodeProcess leaving = nodes.get(1);
    NodeProcess staying = nodes.get(0);

    leaving.terminate();

    Deadline.within(Duration.ofSeconds(60)).await("one member left", () ->
        Http.getJson(staying.baseUrl() + "/").get("members").size() == 1);
    for (String appId : hostnames.keySet()) {
      assertEquals(hostnames.get(appId), Http.getJson(staying.app(appId, "/")).get("hostname").asText(),
          appId + " kept its container");
      assertEquals(1, Http.getJson(staying.app(appId, "/_status")).get("stats").get("startCount").asInt());
    }
    assertTrue(hostnames.keySet().stream().allMatch(appId -> containersOf(appId).size() == 1));
  }

  @Test
  @Order(4)
  void aJoiningNodeTakesOverSomeAppsWithoutRestartingThem() throws Exception {
    NodeProcess staying = nodes.get(0);
    int managementPort = NodeProcess.freePort();
    NodeProcess joining = cluster.join(Map.of("BERTH_MANAGEMENT_PORT", String.valueOf(managementPort)));

    // Sharding moves shards to the new node in its rebalance rounds (every 10 s). These calls
    // only keep the apps' entities awake; while its shard moves, an app may answer 503.
    Deadline.within(Duration.ofSeconds(60)).await("shards moved to the new node", () -> {
      for (String appId : hostnames.keySet()) {
        Http.get(staying.app(appId, "/_status"));
      }
      JsonNode shards = Http.getJson("http://127.0.0.1:" + managementPort + "/cluster/shards/App");
      return shards.get("regions").size() > 0;
    });
    for (String appId : hostnames.keySet()) {
      for (NodeProcess node : List.of(staying, joining)) {
        assertEquals(hostnames.get(appId), Http.getJson(node.app(appId, "/")).get("hostname").asText(),
            appId + " through " + node.baseUrl());
      }
      JsonNode status = Deadline.within(Duration.ofSeconds(60)).awaitValue(appId + " answers _status",
          () -> {
            HttpResponse<String> response = Http.get(joining.app(appId, "/_status"));
            return response.statusCode() == 200 ? Http.json(response) : null;
          });
      assertEquals(1, status.get("stats").get("startCount").asInt());
    }
  }
}
