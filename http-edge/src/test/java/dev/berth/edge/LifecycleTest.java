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
import dev.berth.edge.testing.TestNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Sleep and wake, and a node started again on the same data directory. */
class LifecycleTest {
  @RegisterExtension final ContainerCleanup cleanup = new ContainerCleanup();
  @TempDir Path dataDir;

  private List<ContainerInfo> containersOf(String appId) {
    return TestEngine.driver().list(Map.of(Labels.APP_ID, appId));
  }

  @Test
  void anIdleAppSleepsAndTheNextRequestWakesIt() throws Exception {
    try (TestNode node = TestNode.start(dataDir, cleanup.nodeId(),
        Map.of("berth.app.sleep-after", "2s"))) {
      String appId = cleanup.freshAppId("sleepy");
      String firstHost = Http.getJson(node.app(appId, "/")).get("hostname").asText();
      assertEquals(1, containersOf(appId).size());

      Deadline.within(Duration.ofSeconds(30)).await("the idle app's container is removed",
          () -> containersOf(appId).isEmpty());
      JsonNode asleep = Deadline.within(Duration.ofSeconds(10)).awaitValue("status says sleeping",
          () -> {
            JsonNode status = Http.getJson(node.app(appId, "/_status"));
            return "sleeping".equals(status.get("status").asText()) ? status : null;
          });
      assertTrue(asleep.get("stats").get("lastStopped").asLong() > 0);

      JsonNode woken = Http.getJson(node.app(appId, "/"));
      assertTrue(!firstHost.equals(woken.get("hostname").asText()), "a new container answers");
      assertEquals(1, containersOf(appId).size());
      assertEquals(2, Http.getJson(node.app(appId, "/_status")).get("stats").get("startCount").asInt());
    }
  }

  @Test
  void aNewNodeOnTheSameDataDirectoryKnowsEveryApp() throws Exception {
    String appId = cleanup.freshAppId("durable");
    JsonNode before;
    String hostname;
    try (TestNode first = TestNode.start(dataDir, cleanup.nodeId())) {
      Http.getJson(first.app(appId, "/"));
      Http.post(first.app(appId, "/_restart"), "");
      Http.post(first.app(appId, "/_metadata"), "{\"owner\":\"team-a\"}");
      hostname = Http.getJson(first.app(appId, "/")).get("hostname").asText();
      before = Http.getJson(first.app(appId, "/_status"));
    }

    try (TestNode second = TestNode.start(dataDir, cleanup.nodeId())) {
      JsonNode after = Http.getJson(second.app(appId, "/_status"));

      assertEquals(2, after.get("stats").get("startCount").asInt());
      assertEquals(before.get("stats").get("lastStarted"), after.get("stats").get("lastStarted"));
      assertEquals(before.get("stats").get("lastStopped"), after.get("stats").get("lastStopped"));
      assertEquals("team-a", after.get("metadata").get("owner").asText());
      assertEquals(before.get("container").get("id"), after.get("container").get("id"));
      // The container outlived the node, and the new node serves it as it is.
      assertEquals(hostname, Http.getJson(second.app(appId, "/")).get("hostname").asText());
      assertEquals(2, Http.getJson(second.app(appId, "/_status")).get("stats").get("startCount").asInt());
    }
  }
}
