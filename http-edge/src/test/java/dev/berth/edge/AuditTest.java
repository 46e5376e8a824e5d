package dev.berth.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.driver.Labels;
import dev.berth.driver.testing.ContainerCleanup;
import dev.berth.driver.testing.Deadline;
import dev.berth.driver.testing.TestEngine;
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
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The journal read back through the edge: per app, across apps, and followed live. */
class AuditTest {
  @RegisterExtension static final ContainerCleanup cleanup = new ContainerCleanup();
  @RegisterExtension static final SharedNode node = new SharedNode(cleanup);

  private static List<String> types(JsonNode events) {
    List<String> types = new ArrayList<>();
    events.forEach(event -> types.add(event.get("type").asText()));
    return types;
  }

  @Test
  void anAppsEventsComeInOrderWithEveryFieldAndInPages() {
    String appId = cleanup.freshAppId("history");
    Http.getJson(node.app(appId, "/"));
    Http.post(node.app(appId, "/_metadata"), "{\"owner\":\"team-a\"}");
    Http.post(node.app(appId, "/_restart"), "");

    JsonNode all = Http.getJson(node.app(appId, "/_events"));
    assertEquals(List.of("ContainerStarted", "MetadataSet", "ContainerStopped", "ContainerStarted"),
        types(all.get("events")));
    JsonNode first = all.get("events").get(0);
    assertEquals(appId, first.get("appId").asText());
    assertEquals(1, first.get("seq").asLong());
    assertTrue(first.get("timestamp").asLong() > 0);
    assertEquals(cleanup.nodeId(), first.get("event").get("node").asText());
    assertTrue(first.get("event").get("containerId").asText().length() > 10);
    JsonNode stopped = all.get("events").get(2).get("event");
    assertEquals("RESTART", stopped.get("reason").asText());
    assertEquals("127.0.0.1", stopped.get("requestedBy").asText(), "who asked for the restart");
    JsonNode metadata = all.get("events").get(1).get("event");
    assertEquals("team-a", metadata.get("values").get("owner").asText());
    assertEquals("127.0.0.1", metadata.get("requestedBy").asText());
    assertEquals(5, all.get("nextFrom").asLong());

    JsonNode page = Http.getJson(node.app(appId, "/_events?from=2&limit=2"));
    assertEquals(List.of("MetadataSet", "ContainerStopped"), types(page.get("events")));
    assertEquals(4, page.get("nextFrom").asLong());
  }

  @Test
  void readingEventsNeverStartsAContainerAndWorksForDeletedApps() {
    String appId = cleanup.freshAppId("deleted");
    Http.getJson(node.app(appId, "/"));
    Http.send(HttpRequest.newBuilder(URI.create(node.app(appId, ""))).DELETE().build());

    JsonNode events = Http.getJson(node.app(appId, "/_events")).get("events");

    assertEquals(List.of("ContainerStarted", "ContainerStopped", "AppDeleted"), types(events));
    assertEquals("127.0.0.1", events.get(2).get("event").get("requestedBy").asText());
    assertTrue(TestEngine.driver().list(Map.of(Labels.APP_ID, appId)).isEmpty());
    String never = cleanup.freshAppId("never");
    assertEquals(0, Http.getJson(node.app(never, "/_events")).get("events").size());
    assertEquals("not_started", Http.getJson(node.app(never, "/_status")).get("status").asText());
  }

  @Test
  void theAuditFeedHasEveryAppsEventsInOneOrderAndContinuesFromItsOffset() {
    String first = cleanup.freshAppId("feed-a");
    String second = cleanup.freshAppId("feed-b");
    long start = Http.getJson(node.baseUrl() + "/_audit?limit=1000").get("nextOffset").asLong();
    Http.post(node.app(first, "/_metadata"), "{\"n\":\"1\"}");
    Http.post(node.app(second, "/_metadata"), "{\"n\":\"2\"}");
    Http.post(node.app(first, "/_metadata"), "{\"n\":\"3\"}");

    JsonNode page = Http.getJson(node.baseUrl() + "/_audit?offset=" + start + "&limit=2");
    JsonNode rest = Http.getJson(node.baseUrl() + "/_audit?offset=" + page.get("nextOffset").asLong());

    List<String> seen = new ArrayList<>();
    for (JsonNode events : List.of(page.get("events"), rest.get("events"))) {
      events.forEach(event -> seen.add(event.get("appId").asText() + ":"
          + event.get("event").get("values").get("n").asText()));
    }
    assertEquals(List.of(first + ":1", second + ":2", first + ":3"), seen);
    assertTrue(page.get("events").get(0).get("offset").asLong() < page.get("events").get(1).get("offset").asLong());
  }

  @Test
  void followingTheFeedStreamsNewEventsAsTheyAreWritten() throws Exception {
    long start = Http.getJson(node.baseUrl() + "/_audit?limit=1000").get("nextOffset").asLong();
    HttpResponse<InputStream> stream = Http.CLIENT.send(HttpRequest.newBuilder(
            URI.create(node.baseUrl() + "/_audit?follow=true&offset=" + start)).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertTrue(stream.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
    List<String> data = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> {
      try {
        Http.eachEventData(stream.body(), data::add);
      } catch (java.io.IOException closed) {
        // The test closes the stream when it has seen enough.
      }
    });

    String appId = cleanup.freshAppId("live");
    Http.post(node.app(appId, "/_metadata"), "{\"live\":\"yes\"}");

    Deadline.within(Duration.ofSeconds(15)).await("the new event is streamed",
        () -> data.stream().anyMatch(json -> json.contains(appId) && json.contains("MetadataSet")));
    stream.body().close();
    reading.cancel(true);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/_audit?offset=-1", "/_audit?limit=0", "/_audit?limit=abc",
      "/_audit?limit=100000", "/app/x/_events?from=0", "/app/x/_events?limit=x"})
  void badPagingIsA400(String path) {
    HttpResponse<String> response = Http.get(node.baseUrl() + path);
    assertEquals(400, response.statusCode(), response.body());
    assertEquals("bad_request", Http.json(response).get("error").asText());
  }
}
