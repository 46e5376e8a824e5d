package dev.berth.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.driver.ContainerInfo;
import dev.berth.driver.ContainerSpec;
import dev.berth.driver.InstanceType;
import dev.berth.driver.Labels;
import dev.berth.driver.testing.ContainerCleanup;
import dev.berth.driver.testing.Deadline;
import dev.berth.driver.testing.TestEngine;
import dev.berth.edge.testing.Http;
import dev.berth.edge.testing.JournalDatabase;
import dev.berth.edge.testing.NodeProcess;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Nodes in processes of their own, stopped with SIGTERM or killed, and started again. */
class NodeRestartTest {
  @RegisterExtension final ContainerCleanup cleanup = new ContainerCleanup();
  @TempDir Path dataDir;

  private List<ContainerInfo> containersOf(String appId) {
    return TestEngine.driver().list(Map.of(Labels.APP_ID, appId));
  }

  /** Starts three apps and returns each one's hostname. */
  private Map<String, String> serveThreeApps(NodeProcess node) {
    Map<String, String> hostnames = new HashMap<>();
    for (int i = 0; i < 3; i++) {
      String appId = cleanup.freshAppId("tenant");
      hostnames.put(appId, Http.getJson(node.app(appId, "/")).get("hostname").asText());
    }
    return hostnames;
  }

  private void assertServedByTheSameContainers(NodeProcess node, Map<String, String> hostnames) {
    hostnames.forEach((appId, hostname) -> {
      assertEquals(hostname, Http.getJson(node.app(appId, "/")).get("hostname").asText(), appId);
      JsonNode status = Http.getJson(node.app(appId, "/_status"));
      assertEquals("running", status.get("status").asText());
      assertEquals(1, status.get("stats").get("startCount").asInt(), appId + " was not restarted");
    });
  }

  @Test
  void afterSigtermTheAppsKeepRunningAndTheNextNodeAdoptsThem() throws Exception {
    Map<String, String> hostnames;
    String slowApp;
    try (NodeProcess first = NodeProcess.start(dataDir, cleanup.nodeId())) {
      hostnames = serveThreeApps(first);
      slowApp = hostnames.keySet().iterator().next();
      CompletableFuture<HttpResponse<String>> inFlight = CompletableFuture.supplyAsync(
          () -> Http.get(first.app(slowApp, "/api/slow?ms=3000")));
      Deadline.within(Duration.ofSeconds(10)).await("the slow request is in flight", () ->
          Http.getJson(first.app(slowApp, "/_status")).get("stats").get("requestsInFlight").asInt() > 0);

      first.terminate();

      HttpResponse<String> finished = inFlight.get();
      assertEquals(200, finished.statusCode(), "a request in flight finishes: " + finished.body());
      assertFalse(first.isAlive());
    }
    hostnames.keySet().forEach(appId ->
        assertTrue(containersOf(appId).get(0).running(), appId + " kept running"));
    // As if the journal came from a version that kept no count of instances: the apps that find
    // their containers running count them again.
    assertTrue(JournalDatabase.update(dataDir,
        "DELETE FROM \"event_journal\" WHERE \"persistence_id\" = 'Capacity'") > 0);

    try (NodeProcess second = NodeProcess.start(dataDir, cleanup.nodeId())) {
      assertServedByTheSameContainers(second, hostnames);
      Deadline.within(Duration.ofSeconds(30)).await("the adopted containers are counted", () ->
          Http.getJson(second.baseUrl() + "/").get("instances").get("running").asInt() == hostnames.size());
    }
  }

  @Test
  void afterKillNineTheNextNodeAdoptsTheAppsAndCleansUpWhatItLeft() throws Exception {
    Map<String, String> hostnames;
    String vanishing;
    try (NodeProcess first = NodeProcess.start(dataDir, cleanup.nodeId())) {
      hostnames = new HashMap<>(serveThreeApps(first));
      vanishing = cleanup.freshAppId("vanishing");
      Http.getJson(first.app(vanishing, "/"));
      first.kill();
    }
    // While no node runs: one app's container disappears, and a stray one appears.
    TestEngine.driver().remove(containersOf(vanishing).get(0).id());
    String strayApp = cleanup.freshAppId("stray");
    TestEngine.driver().start(ContainerSpec.of(strayApp, cleanup.nodeId(), TestEngine.exampleImage(),
        8080, InstanceType.SMALL));

    try (NodeProcess second = NodeProcess.start(dataDir, cleanup.nodeId())) {
      assertServedByTheSameContainers(second, hostnames);

      JsonNode corrected = Http.getJson(second.app(vanishing, "/_status"));
      assertEquals("stopped", corrected.get("status").asText());
      assertEquals("vanished", corrected.get("stats").get("lastStopReason").asText());

      Deadline.within(Duration.ofSeconds(30)).await("the stray container is removed",
          () -> containersOf(strayApp).isEmpty());
    }
  }

  @Test
  void withStopOnShutdownTheContainersStopAndTheJournalSaysWhy() throws Exception {
    Map<String, String> hostnames;
    Map<String, String> stopOnShutdown = Map.of("BERTH_CONTAINERS_ON_SHUTDOWN", "stop");
    try (NodeProcess first = NodeProcess.start(dataDir, cleanup.nodeId(), stopOnShutdown)) {
      hostnames = serveThreeApps(first);
      first.terminate();
    }
    hostnames.keySet().forEach(appId -> assertTrue(containersOf(appId).isEmpty(), appId));

    try (NodeProcess second = NodeProcess.start(dataDir, cleanup.nodeId(), stopOnShutdown)) {
      for (String appId : hostnames.keySet()) {
        JsonNode status = Http.getJson(second.app(appId, "/_status"));
        assertEquals("stopped", status.get("status").asText());
        assertEquals("shutdown", status.get("stats").get("lastStopReason").asText());
      }
    }
  }
}
