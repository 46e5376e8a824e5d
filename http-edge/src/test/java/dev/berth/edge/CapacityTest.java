package dev.berth.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.driver.ContainerInfo;
import dev.berth.driver.Labels;
import dev.berth.driver.testing.ContainerCleanup;
import dev.berth.driver.testing.Deadline;
import dev.berth.driver.testing.TestEngine;
import dev.berth.edge.testing.DockerCounter;
import dev.berth.edge.testing.Http;
import dev.berth.edge.testing.SharedNode;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * max-instances through a real node: never exceeded, the app idle longest makes room, and a
 * request that finds no room gets 503 with Retry-After. Docker's own count is the judge.
 */
class CapacityTest {
  private static final int MAX_INSTANCES = 3;

  @RegisterExtension static final ContainerCleanup cleanup = new ContainerCleanup();
  @RegisterExtension static final SharedNode node = new SharedNode(cleanup, Map.of(
      "berth.app.max-instances", MAX_INSTANCES,
      "berth.app.min-idle-before-evict", "2s"));

  private static DockerCounter countingThisNodesContainers() {
    return new DockerCounter(() -> TestEngine.driver().list(Map.of(Labels.NODE, cleanup.nodeId())).size());
  }

  @BeforeEach
  void noInstanceRunsYet() {
    // The previous test's containers were removed; their slots come back once their apps notice.
    Deadline.within(Duration.ofSeconds(30)).await("every slot is free", () ->
        Http.getJson(node.baseUrl() + "/").get("instances").get("running").asInt() == 0);
  }

  @Test
  void aHundredSimultaneousFirstRequestsNeverRunMoreThanTheBound() throws Exception {
    List<String> appIds = IntStream.range(0, 100).mapToObj(i -> cleanup.freshAppId("burst")).toList();
    List<HttpResponse<String>> responses;
    int most;
    try (DockerCounter counter = countingThisNodesContainers()) {
      List<CompletableFuture<HttpResponse<String>>> sent = appIds.stream()
          .map(appId -> Http.CLIENT.sendAsync(HttpRequest.newBuilder(URI.create(node.app(appId, "/api/data")))
              .timeout(Duration.ofSeconds(90)).build(), HttpResponse.BodyHandlers.ofString()))
          .toList();
      responses = sent.stream().map(CompletableFuture::join).toList();
      most = counter.most();
    }

    assertTrue(most <= MAX_INSTANCES, "Docker held " + most + " containers at once");
    long served = responses.stream().filter(r -> r.statusCode() == 200).count();
    List<HttpResponse<String>> refused = responses.stream().filter(r -> r.statusCode() != 200).toList();
    System.out.printf("100 first requests: %d served, %d refused%n", served, refused.size());
    assertTrue(served >= MAX_INSTANCES, served + " served");
    for (HttpResponse<String> response : refused) {
      assertEquals(503, response.statusCode(), response.body());
      assertEquals("capacity_exhausted", Http.json(response).get("error").asText());
      assertTrue(response.headers().firstValue("Retry-After").isPresent());
    }
    JsonNode instances = Http.getJson(node.baseUrl() + "/").get("instances");
    assertEquals(MAX_INSTANCES, instances.get("max").asInt());
    assertEquals(running().size(), instances.get("running").asInt());
  }

  @Test
  void theAppIdleLongestIsPutToSleepToMakeRoomAndTheJournalSaysWhy() throws Exception {
    String oldest = cleanup.freshAppId("oldest");
    String newer = cleanup.freshAppId("newer");
    String newest = cleanup.freshAppId("newest");
    String arriving = cleanup.freshAppId("arriving");
    for (String appId : List.of(oldest, newer, newest)) {
      assertEquals(200, Http.get(node.app(appId, "/")).statusCode());
    }

    HttpResponse<String> served;
    try (DockerCounter counter = countingThisNodesContainers()) {
      // Refused, with Retry-After, until the oldest has been idle for min-idle-before-evict.
      served = Deadline.within(Duration.ofSeconds(30)).awaitValue("a slot is made free", () -> {
        HttpResponse<String> response = Http.get(node.app(arriving, "/"));
        return response.statusCode() == 200 ? response : null;
      });
      assertTrue(counter.most() <= MAX_INSTANCES, "Docker held " + counter.most());
    }

    assertEquals(arriving, Http.json(served).get("appId").asText());
    assertTrue(TestEngine.driver().list(Map.of(Labels.APP_ID, oldest)).isEmpty(), "the oldest is asleep");
    assertEquals(3, running().size());
    JsonNode status = Http.getJson(node.app(oldest, "/_status"));
    assertEquals("sleeping", status.get("status").asText());
    assertEquals("evicted", status.get("stats").get("lastStopReason").asText());
    JsonNode events = Http.getJson(node.app(oldest, "/_events")).get("events");
    JsonNode stopped = events.get(events.size() - 1);
    assertEquals("ContainerStopped", stopped.get("type").asText());
    assertEquals("EVICTED", stopped.get("event").get("reason").asText());
    assertEquals(arriving, stopped.get("event").get("evictedFor").asText());
    assertEquals("running", Http.getJson(node.app(newer, "/_status")).get("status").asText());

    // The evicted app wakes on its next request, in turn making room.
    assertEquals(200, Deadline.within(Duration.ofSeconds(30)).awaitValue("the oldest wakes", () -> {
      HttpResponse<String> response = Http.get(node.app(oldest, "/"));
      return response.statusCode() == 200 ? response : null;
    }).statusCode());
  }

  @Test
  void withNoAppIdleEnoughTheRequestIsRefusedWithRetryAfter() throws Exception {
    List<InputStream> streams = new ArrayList<>();
    try {
      for (int i = 0; i < MAX_INSTANCES; i++) {
        // An open stream is a request in flight: its app is busy, however long it has been.
        streams.add(Http.CLIENT.send(HttpRequest.newBuilder(URI.create(
                node.app(cleanup.freshAppId("busy"), "/api/stream?n=60&intervalMs=1000")))
            .timeout(Duration.ofSeconds(90)).build(), HttpResponse.BodyHandlers.ofInputStream()).body());
      }
      String refusedApp = cleanup.freshAppId("refused");

      HttpResponse<String> response = Http.get(node.app(refusedApp, "/"));

      assertEquals(503, response.statusCode(), response.body());
      JsonNode error = Http.json(response);
      assertEquals("capacity_exhausted", error.get("error").asText());
      assertEquals(refusedApp, error.get("appId").asText());
      assertTrue(error.get("message").asText().contains("all " + MAX_INSTANCES + " instances are in use"));
      long retryAfter = Long.parseLong(response.headers().firstValue("Retry-After").orElseThrow());
      assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
      assertTrue(TestEngine.driver().list(Map.of(Labels.APP_ID, refusedApp)).isEmpty());
      assertFalse(Http.get(node.app(refusedApp, "/_events")).body().contains("StartFailed"),
          "a refusal is not a failed start: no back-off follows it");
      JsonNode instances = Http.getJson(node.baseUrl() + "/").get("instances");
      assertEquals(MAX_INSTANCES, instances.get("running").asInt());
    } finally {
      for (InputStream stream : streams) {
        stream.close();
      }
    }
  }

  private static List<ContainerInfo> running() {
    return TestEngine.driver().list(Map.of(Labels.NODE, cleanup.nodeId())).stream()
        .filter(ContainerInfo::running).toList();
  }
}
