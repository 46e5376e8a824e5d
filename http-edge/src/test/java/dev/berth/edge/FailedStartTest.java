package dev.berth.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.driver.Labels;
import dev.berth.driver.testing.ContainerCleanup;
import dev.berth.driver.testing.Deadline;
import dev.berth.driver.testing.TestEngine;
import dev.berth.edge.testing.Http;
import dev.berth.edge.testing.TestNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Starts that fail: prompt JSON errors, the cause recorded, back-off between tries. */
class FailedStartTest {
  @RegisterExtension final ContainerCleanup cleanup = new ContainerCleanup();
  @TempDir Path dataDir;

  @Test
  void aMissingImageFailsPromptlyAndRepeatedFailuresBackOff() throws Exception {
    try (TestNode node = TestNode.start(dataDir, cleanup.nodeId(), Map.of(
        "berth.app.image", "berth/no-such-image:never", "berth.app.start-backoff.min", "2s"))) {
      String appId = cleanup.freshAppId("missing");

      HttpResponse<String> first = Http.get(node.app(appId, "/"));
      assertEquals(502, first.statusCode(), first.body());
      assertEquals("start_failed", Http.json(first).get("error").asText());

      HttpResponse<String> second = Http.get(node.app(appId, "/"));
      assertEquals(503, second.statusCode(), second.body());
      assertEquals("start_backoff", Http.json(second).get("error").asText());
      long retryAfter = Long.parseLong(second.headers().firstValue("Retry-After").orElseThrow());
      assertTrue(retryAfter >= 1 && retryAfter <= 2, "Retry-After " + retryAfter);

      JsonNode failed = Http.getJson(node.app(appId, "/_status"));
      assertEquals("failed", failed.get("status").asText());
      JsonNode lastError = failed.get("lastError");
      assertEquals(1, lastError.get("failedStarts").asInt(), "the refused request did not try");
      assertTrue(lastError.get("message").asText().contains("no-such-image"));
      long allowedAt = lastError.get("nextStartAllowedAt").asLong();
      assertEquals(lastError.get("at").asLong() + 2000, allowedAt);

      HttpResponse<String> third = Deadline.within(Duration.ofSeconds(10)).awaitValue(
          "a start is tried again after the back-off", () -> {
            HttpResponse<String> response = Http.get(node.app(appId, "/"));
            return response.statusCode() == 502 ? response : null;
          });
      assertTrue(System.currentTimeMillis() >= allowedAt);
      assertEquals("start_failed", Http.json(third).get("error").asText());
      JsonNode again = Http.getJson(node.app(appId, "/_status")).get("lastError");
      assertEquals(2, again.get("failedStarts").asInt());
      assertEquals(again.get("at").asLong() + 4000, again.get("nextStartAllowedAt").asLong(),
          "the pause doubles");
    }
  }

  @Test
  void aProcessThatExitsAtStartIsRecordedWithItsExitCodeAndOutput() throws Exception {
    try (TestNode node = TestNode.start(dataDir, cleanup.nodeId(),
        Map.of("berth.app.environment.EXAMPLE_EXIT_ON_START", "3"))) {
      String appId = cleanup.freshAppId("exits");

      HttpResponse<String> response = Http.get(node.app(appId, "/"));

      assertEquals(502, response.statusCode(), response.body());
      String message = Http.json(response).get("message").asText();
      assertTrue(message.contains("exited with code 3"), message);
      // The container's output may show its secrets: only the app's events, behind admin access,
      // carry it; the app's clients and its public _status get the cause alone.
      assertFalse(message.contains("EXAMPLE_EXIT_ON_START"), "a client sees the output: " + message);
      String status = Http.getJson(node.app(appId, "/_status")).get("lastError").get("message").asText();
      assertTrue(status.contains("exited with code 3"), status);
      assertFalse(status.contains("EXAMPLE_EXIT_ON_START"), "_status shows the output: " + status);
      assertTrue(Http.get(node.app(appId, "/_events")).body().contains("EXAMPLE_EXIT_ON_START"),
          "the log tail is missing from the events");
      assertTrue(TestEngine.driver().list(Map.of(Labels.APP_ID, appId)).isEmpty(),
          "the failed container is removed");
    }
  }

  @Test
  void anAppNotReadyWithinTheStartTimeoutIsA503() throws Exception {
    try (TestNode node = TestNode.start(dataDir, cleanup.nodeId(), Map.of(
        "berth.app.environment.EXAMPLE_START_DELAY_MS", "30000", "berth.app.start-timeout", "2s"))) {
      String appId = cleanup.freshAppId("slowboot");

      HttpResponse<String> response = Http.get(node.app(appId, "/"));

      assertEquals(503, response.statusCode(), response.body());
      assertEquals("start_timeout", Http.json(response).get("error").asText());
      assertTrue(response.headers().firstValue("Retry-After").isPresent());
      assertTrue(Http.json(response).get("message").asText().contains("2000 ms"));
      assertEquals("failed", Http.getJson(node.app(appId, "/_status")).get("status").asText());
      assertTrue(TestEngine.driver().list(Map.of(Labels.APP_ID, appId)).isEmpty());
    }
  }
}
