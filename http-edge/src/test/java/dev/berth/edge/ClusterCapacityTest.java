package dev.berth.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.driver.testing.ContainerCleanup;
import dev.berth.driver.testing.Deadline;
import dev.berth.driver.testing.TestEngine;
import dev.berth.edge.testing.DockerCounter;
import dev.berth.edge.testing.Http;
import dev.berth.edge.testing.NodeProcess;
import dev.berth.edge.testing.ProcessCluster;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * max-instances across three node processes: a burst of first requests through every node, then
 * the node that keeps the count killed while more arrive. Docker's own count is the judge.
 */
class ClusterCapacityTest {
  private static final int MAX_INSTANCES = 4;

  @RegisterExtension static final ContainerCleanup cleanup = new ContainerCleanup();
  @TempDir static Path dataDir;
  private static ProcessCluster cluster;
  private static List<NodeProcess> nodes;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = ProcessCluster.start(dataDir, cleanup.nodeId(), 3, Map.of(
        "BERTH_MAX_INSTANCES", String.valueOf(MAX_INSTANCES),
        // No app is ever idle long enough to be evicted here: the bound alone is under test.
        "BERTH_MIN_IDLE_BEFORE_EVICT", "1h"));
    nodes = cluster.nodes();
  }

  @AfterAll
  static void stopCluster() throws Exception {
    cluster.close();
  }

  /** This cluster's containers in Docker, whichever node started them. */
  private static int containersInDocker() {
    return (int) TestEngine.driver().list(Map.of()).stream().filter(cluster::started).count();
  }

  @Test
  void theBoundHoldsForABurstThroughEveryNodeAndAcrossTheKeepersFailover() throws Exception {
    int most;
    try (DockerCounter counter = new DockerCounter(ClusterCapacityTest::containersInDocker)) {
      List<HttpResponse<String>> burst = firstRequests(100, nodes);
      long served = burst.stream().filter(r -> r.statusCode() == 200).count();
      System.out.printf("burst through 3 nodes: %d served, %d refused, at most %d containers%n",
          served, burst.size() - served, counter.most());
      assertEquals(MAX_INSTANCES, served);
      assertTrue(burst.stream().allMatch(r -> r.statusCode() == 200
          || (r.statusCode() == 503 && r.body().contains("capacity_exhausted"))));

      String keeper = Http.getJson(nodes.get(0).baseUrl() + "/").get("instances").get("countedBy").asText();
      NodeProcess keeping = nodes.stream()
          .filter(node -> Http.getJson(node.baseUrl() + "/").get("node").asText().equals(keeper))
          .findFirst().orElseThrow();
      List<NodeProcess> survivors = nodes.stream().filter(node -> node != keeping).toList();
      keeping.kill();

      // First requests during the failover: none may start a fifth container.
      List<HttpResponse<String>> duringFailover = firstRequests(20, survivors);
      assertTrue(duringFailover.stream().noneMatch(r -> r.statusCode() == 200),
          "a start got a slot that does not exist");
      String newKeeper = Deadline.within(Duration.ofSeconds(90)).awaitValue("the count has a new keeper",
          () -> {
            var instances = Http.getJson(survivors.get(0).baseUrl() + "/").get("instances");
            return instances.get("countedBy").isNull() ? null : instances;
          }).get("countedBy").asText();
      assertNotEquals(keeper, newKeeper);
      assertEquals(MAX_INSTANCES,
          Http.getJson(survivors.get(0).baseUrl() + "/").get("instances").get("running").asInt(),
          "the new keeper recovered every slot");

      // One app put to sleep frees exactly one slot.
      String sleeper = burst.stream().filter(r -> r.statusCode() == 200)
          .map(r -> Http.json(r).get("appId").asText()).findFirst().orElseThrow();
      assertEquals(200, Http.post(survivors.get(0).app(sleeper, "/_stop"), "").statusCode());
      List<HttpResponse<String>> afterwards = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        afterwards.add(Http.get(survivors.get(1).app(cleanup.freshAppId("after"), "/api/data")));
      }
      assertEquals(200, afterwards.get(0).statusCode(), afterwards.get(0).body());
      assertEquals(503, afterwards.get(1).statusCode(), afterwards.get(1).body());
      most = counter.most();
    }
    assertTrue(most <= MAX_INSTANCES, "Docker held " + most + " containers at once");
  }

  /** {@code count} first requests to new apps at once, spread over {@code through}. */
  private static List<HttpResponse<String>> firstRequests(int count, List<NodeProcess> through) {
    List<CompletableFuture<HttpResponse<String>>> sent = IntStream.range(0, count)
        .mapToObj(i -> Http.CLIENT.sendAsync(HttpRequest.newBuilder(URI.create(
                through.get(i % through.size()).app(cleanup.freshAppId("burst"), "/")))
            .timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString()))
        .toList();
    return sent.stream().map(CompletableFuture::join).toList();
  }
}
