package dev.berth.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.driver.ContainerInfo;
import dev.berth.driver.Labels;
import dev.berth.driver.testing.ContainerCleanup;
import dev.berth.driver.testing.Deadline;
import dev.berth.driver.testing.TestEngine;
import dev.berth.edge.testing.Http;
import dev.berth.edge.testing.SharedNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Containers that end behind Berth's back are noticed from the engine's events, recorded with
 * their exit code and OOM flag, and replaced on the next request.
 */
class ContainerExitTest {
  @RegisterExtension static final ContainerCleanup cleanup = new ContainerCleanup();
  // Small containers, so that the OOM test fills one quickly.
  @RegisterExtension
  static final SharedNode node = new SharedNode(cleanup, Map.of("berth.app.instance-type", "small"));

  private static ContainerInfo runningContainer(String appId) {
    Http.getJson(node.app(appId, "/"));
    List<ContainerInfo> containers = TestEngine.driver().list(Map.of(Labels.APP_ID, appId));
    assertEquals(1, containers.size());
    return containers.get(0);
  }

  /** Waits, without sending the app a request, until its status no longer says running. */
  private static JsonNode statusOnceNoticed(String appId) {
    return Deadline.within(Duration.ofSeconds(15)).awaitValue("the exit is noticed", () -> {
      JsonNode status = Http.getJson(node.app(appId, "/_status"));
      return "running".equals(status.get("status").asText()) ? null : status;
    });
  }

  @Test
  void aContainerStoppedOutsideBerthIsNoticedAndReplacedOnTheNextRequest() {
    String appId = cleanup.freshAppId("stopped-outside");
    ContainerInfo first = runningContainer(appId);

    TestEngine.driver().stop(first.id(), Duration.ofSeconds(10));

    JsonNode status = statusOnceNoticed(appId);
    assertEquals("stopped", status.get("status").asText());
    assertEquals("exited", status.get("stats").get("lastStopReason").asText());
    assertEquals(143, status.get("stats").get("lastExitCode").asInt());
    assertEquals(false, status.get("stats").get("lastOomKilled").asBoolean());
    assertTrue(TestEngine.driver().inspect(first.id()).isEmpty(), "the dead container is removed");

    ContainerInfo second = runningContainer(appId);
    assertNotEquals(first.id(), second.id());
    assertEquals(2, Http.getJson(node.app(appId, "/_status")).get("stats").get("startCount").asInt());
  }

  @Test
  void aRemovedContainerIsNoticed() {
    String appId = cleanup.freshAppId("removed-outside");
    ContainerInfo first = runningContainer(appId);

    TestEngine.driver().remove(first.id());

    JsonNode status = statusOnceNoticed(appId);
    assertEquals("stopped", status.get("status").asText());
    assertEquals("exited", status.get("stats").get("lastStopReason").asText());
  }

  @Test
  void aCrashIsRecordedWithItsExitCode() {
    String appId = cleanup.freshAppId("crash");
    runningContainer(appId);

    assertEquals(202, Http.post(node.app(appId, "/api/crash?code=7"), "").statusCode());

    JsonNode stats = statusOnceNoticed(appId).get("stats");
    assertEquals("exited", stats.get("lastStopReason").asText());
    assertEquals(7, stats.get("lastExitCode").asInt());
  }

  @Test
  void anOutOfMemoryKillIsRecordedAsSuch() {
    String appId = cleanup.freshAppId("oom");
    runningContainer(appId);

    // Twice the small type's 256 MiB: the kernel kills the process before the JVM can object.
    Http.post(node.app(appId, "/api/alloc?mb=512"), "");

    JsonNode stats = statusOnceNoticed(appId).get("stats");
    assertEquals("exited", stats.get("lastStopReason").asText());
    assertTrue(stats.get("lastOomKilled").asBoolean(), stats.toString());
    assertEquals(137, stats.get("lastExitCode").asInt(), "SIGKILL");
  }
}
