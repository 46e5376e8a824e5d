package dev.berth.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.driver.ContainerInfo;
import dev.berth.driver.Labels;
import dev.berth.driver.testing.ContainerCleanup;
import dev.berth.driver.testing.TestEngine;
import dev.berth.edge.testing.Http;
import dev.berth.edge.testing.SharedNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** _status, _restart and _metadata through a real node. */
class ManagementTest {
  @RegisterExtension static final ContainerCleanup cleanup = new ContainerCleanup();
  @RegisterExtension static final SharedNode node = new SharedNode(cleanup);

  @Test
  void statusOfAnUnknownAppStartsNothing() {
    String appId = cleanup.freshAppId("unknown");

    JsonNode status = Http.getJson(node.app(appId, "/_status"));

    assertEquals(appId, status.get("appId").asText());
    assertEquals("not_started", status.get("container").get("status").asText());
    assertEquals(0, status.get("container").get("port").asInt());
    assertEquals(0, status.get("stats").get("startCount").asInt());
    assertEquals(0, status.get("stats").get("lastStarted").asLong());
    assertEquals(0, status.get("stats").get("lastActivity").asLong());
    assertTrue(status.get("metadata").isObject());
    assertTrue(TestEngine.driver().list(Map.of(Labels.APP_ID, appId)).isEmpty());
  }

  @Test
  void statusOfARunningAppNamesItsContainerAndTimes() {
    String appId = cleanup.freshAppId("running");
    long before = System.currentTimeMillis();
    Http.getJson(node.app(appId, "/"));

    JsonNode status = Http.getJson(node.app(appId, "/_status"));

    JsonNode container = status.get("container");
    assertEquals("running", container.get("status").asText());
    List<ContainerInfo> running = TestEngine.driver().list(Map.of(Labels.APP_ID, appId));
    assertEquals(1, running.size());
    assertEquals(running.get(0).id(), container.get("id").asText());
    assertEquals(running.get(0).published().orElseThrow().port(), container.get("port").asInt());
    assertEquals(1, status.get("stats").get("startCount").asInt());
    long started = status.get("stats").get("lastStarted").asLong();
    assertTrue(started >= before && started <= System.currentTimeMillis(), "lastStarted " + started);
    long active = status.get("stats").get("lastActivity").asLong();
    assertTrue(active >= started && active <= System.currentTimeMillis(), "lastActivity " + active);
  }

  @Test
  void restartGivesANewContainerAndCountsTheStart() {
    String appId = cleanup.freshAppId("restart");
    String firstHost = Http.getJson(node.app(appId, "/")).get("hostname").asText();

    HttpResponse<String> restart = Http.post(node.app(appId, "/_restart"), "");

    assertEquals(200, restart.statusCode(), restart.body());
    JsonNode status = Http.json(restart);
    assertEquals("running", status.get("container").get("status").asText());
    assertEquals(2, status.get("stats").get("startCount").asInt());
    assertTrue(status.get("stats").get("lastStopped").asLong() > 0);
    String secondHost = Http.getJson(node.app(appId, "/")).get("hostname").asText();
    assertNotEquals(firstHost, secondHost);
    List<ContainerInfo> containers = TestEngine.driver().list(Map.of(Labels.APP_ID, appId));
    assertEquals(1, containers.size(), "the old container is gone");
    assertEquals(status.get("container").get("id").asText(), containers.get(0).id());
  }

  @Test
  void restartOfANeverStartedAppStartsIt() {
    String appId = cleanup.freshAppId("cold-restart");
    JsonNode status = Http.json(Http.post(node.app(appId, "/_restart"), ""));
    assertEquals("running", status.get("status").asText());
    assertEquals(1, status.get("stats").get("startCount").asInt());
  }

  @Test
  void metadataMergesAndReadsBack() {
    String appId = cleanup.freshAppId("meta");

    JsonNode first = Http.json(Http.post(node.app(appId, "/_metadata"), "{\"owner\":\"team-a\",\"plan\":\"free\"}"));
    JsonNode merged = Http.json(Http.post(node.app(appId, "/_metadata"), "{\"plan\":\"pro\",\"region\":\"eu\"}"));

    assertEquals(Map.of("owner", "team-a", "plan", "free"), Map.of(
        "owner", first.get("owner").asText(), "plan", first.get("plan").asText()));
    assertEquals(3, merged.size());
    assertEquals("team-a", merged.get("owner").asText());
    assertEquals("pro", merged.get("plan").asText());
    assertEquals("eu", merged.get("region").asText());
    assertEquals(merged, Http.getJson(node.app(appId, "/_metadata")));
    assertEquals(merged, Http.getJson(node.app(appId, "/_status")).get("metadata"));
    assertTrue(TestEngine.driver().list(Map.of(Labels.APP_ID, appId)).isEmpty(),
        "metadata never starts a container");
  }

  @Test
  void stopPutsTheAppToSleepAndTheNextRequestWakesIt() {
    String appId = cleanup.freshAppId("stop");
    Http.getJson(node.app(appId, "/"));

    HttpResponse<String> stop = Http.post(node.app(appId, "/_stop"), "");

    assertEquals(200, stop.statusCode(), stop.body());
    JsonNode status = Http.json(stop);
    assertEquals("sleeping", status.get("status").asText());
    assertEquals("requested", status.get("stats").get("lastStopReason").asText());
    assertTrue(TestEngine.driver().list(Map.of(Labels.APP_ID, appId)).isEmpty());
    assertEquals("sleeping", Http.json(Http.post(node.app(appId, "/_stop"), "")).get("status").asText(),
        "stopping a sleeping app changes nothing");

    Http.getJson(node.app(appId, "/"));
    assertEquals(2, Http.getJson(node.app(appId, "/_status")).get("stats").get("startCount").asInt());
  }

  @Test
  void deleteRemovesTheContainerAndALaterRequestStartsTheAppAnew() {
    String appId = cleanup.freshAppId("delete");
    Http.getJson(node.app(appId, "/"));
    Http.post(node.app(appId, "/_metadata"), "{\"owner\":\"team-a\"}");

    HttpResponse<String> deleted = Http.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create(node.app(appId, ""))).DELETE().build());

    assertEquals(200, deleted.statusCode(), deleted.body());
    assertEquals("deleted", Http.json(deleted).get("status").asText());
    assertTrue(TestEngine.driver().list(Map.of(Labels.APP_ID, appId)).isEmpty());
    JsonNode status = Http.getJson(node.app(appId, "/_status"));
    assertEquals("deleted", status.get("status").asText());
    assertEquals(0, status.get("metadata").size());

    Http.getJson(node.app(appId, "/"));
    JsonNode anew = Http.getJson(node.app(appId, "/_status"));
    assertEquals("running", anew.get("status").asText());
    assertEquals(1, anew.get("stats").get("startCount").asInt());
    assertEquals(0, anew.get("metadata").size());
  }

  @Test
  void deleteOfAnAppNeverStartedMarksItDeleted() {
    String appId = cleanup.freshAppId("delete-cold");
    HttpResponse<String> deleted = Http.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create(node.app(appId, "/"))).DELETE().build());
    assertEquals("deleted", Http.json(deleted).get("status").asText());
  }

  @ParameterizedTest
  @ValueSource(strings = {"[\"a\"]", "{\"n\":1}", "{\"nested\":{\"a\":\"b\"}}", "not json", "",
      "\"text\"", "{}", "{\"a\":null}"})
  void metadataThatIsNotAnObjectOfStringsIsA400AndStoresNothing(String body) {
    String appId = cleanup.freshAppId("bad-meta");

    HttpResponse<String> response = Http.post(node.app(appId, "/_metadata"), body);

    assertEquals(400, response.statusCode(), response.body());
    JsonNode error = Http.json(response);
    assertEquals("bad_request", error.get("error").asText());
    assertEquals(appId, error.get("appId").asText());
    assertEquals(0, Http.getJson(node.app(appId, "/_metadata")).size());
  }
}
