package dev.berth.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.driver.testing.ContainerCleanup;
import dev.berth.edge.testing.AppListing;
import dev.berth.edge.testing.Http;
import dev.berth.edge.testing.SharedNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code GET /_apps} through a real node: statuses, the status filter, paging, bad parameters. */
class AppListingTest {
  @RegisterExtension static final ContainerCleanup cleanup = new ContainerCleanup();
  @RegisterExtension static final SharedNode node = new SharedNode(cleanup);

  private static final Duration CATCH_UP = Duration.ofSeconds(15);

  /** The listing's entries for {@code appIds}, once it has read everything written so far. */
  private static Map<String, JsonNode> listed(String query, List<String> appIds) {
    AppListing.awaitCaughtUp(node.baseUrl(), CATCH_UP);
    Map<String, JsonNode> found = new HashMap<>();
    AppListing.all(node.baseUrl(), query, 1000).stream()
        .filter(app -> appIds.contains(app.get("appId").asText()))
        .forEach(app -> found.put(app.get("appId").asText(), app));
    return found;
  }

  @Test
  void appsAreListedWithTheirStatusStartCountActivityAndInstanceType() {
    String running = cleanup.freshAppId("running");
    String sleeping = cleanup.freshAppId("sleeping");
    String restarted = cleanup.freshAppId("restarted");
    String configured = cleanup.freshAppId("configured");
    String deleted = cleanup.freshAppId("deleted");
    String small = cleanup.freshAppId("small");
    String sized = cleanup.freshAppId("sized");
    Http.getJson(node.app(running, "/"));
    Http.getJson(node.app(sleeping, "/"));
    Http.post(node.app(sleeping, "/_stop"), "");
    Http.post(node.app(restarted, "/_restart"), "");
    Http.post(node.app(restarted, "/_restart"), "");
    Http.post(node.app(configured, "/_metadata"), "{\"owner\":\"team-a\"}");
    Http.send(HttpRequest.newBuilder(URI.create(node.app(deleted, ""))).DELETE().build());
    Http.put(node.app(small, "/_config"), "{\"instanceType\": \"small\"}");
    Http.put(node.app(sized, "/_config"),
        "{\"instanceType\": {\"memory\": \"300MiB\", \"cpus\": 0.5, \"pids\": 100}}");

    Map<String, JsonNode> apps = listed("", List.of(running, sleeping, restarted, configured, deleted));
    Map<String, JsonNode> configuredSizes = listed("", List.of(small, sized));

    assertEquals("running", apps.get(running).get("status").asText());
    assertEquals(1, apps.get(running).get("startCount").asInt());
    assertEquals("sleeping", apps.get(sleeping).get("status").asText());
    assertEquals(1, apps.get(sleeping).get("startCount").asInt());
    assertEquals("running", apps.get(restarted).get("status").asText());
    assertEquals(2, apps.get(restarted).get("startCount").asInt());
    assertEquals("not_started", apps.get(configured).get("status").asText(), "metadata starts nothing");
    assertEquals(0, apps.get(configured).get("startCount").asInt());
    assertFalse(apps.get(configured).has("metadata"), "the listing does not carry metadata");
    assertEquals("deleted", apps.get(deleted).get("status").asText());
    String defaultType = Http.getJson(node.baseUrl() + "/").get("instanceType").asText();
    apps.values().forEach(app -> assertEquals(defaultType, app.get("instanceType").asText()));
    assertEquals("small", configuredSizes.get(small).get("instanceType").asText());
    assertEquals("custom", configuredSizes.get(sized).get("instanceType").asText());
    JsonNode asleep = apps.get(sleeping);
    assertTrue(asleep.get("lastStopped").asLong() >= asleep.get("lastStarted").asLong());
    assertEquals(asleep.get("lastStopped").asLong(), asleep.get("lastActivity").asLong());
    assertTrue(apps.get(deleted).get("lastActivity").asLong() > 0, "deleting is activity");
  }

  @Test
  void aRunningAppsLastActivityComesFromItsRequests() {
    String appId = cleanup.freshAppId("busy");
    Http.getJson(node.app(appId, "/"));
    JsonNode before = listed("", List.of(appId)).get(appId);
    assertTrue(before.get("lastActivity").asLong() >= before.get("lastStarted").asLong());

    Http.getJson(node.app(appId, "/"));

    JsonNode after = listed("", List.of(appId)).get(appId);
    assertTrue(after.get("lastActivity").asLong() > before.get("lastActivity").asLong(),
        "the journal holds no requests: the listing asked the app, " + before + " then " + after);
    long statusSays =
        Http.getJson(node.app(appId, "/_status")).get("stats").get("lastActivity").asLong();
    // Each answer converts the entity's monotonic clock to wall-clock milliseconds anew.
    assertTrue(Math.abs(statusSays - after.get("lastActivity").asLong()) <= 1,
        "the listing and _status agree: " + statusSays + " and " + after);
  }

  @Test
  void theStatusFilterListsOnlyAppsInThatState() {
    String running = cleanup.freshAppId("filter-running");
    String sleeping = cleanup.freshAppId("filter-sleeping");
    Http.getJson(node.app(running, "/"));
    Http.getJson(node.app(sleeping, "/"));
    Http.post(node.app(sleeping, "/_stop"), "");

    Map<String, JsonNode> runningOnly = listed("status=running", List.of(running, sleeping));
    Map<String, JsonNode> sleepingOnly = listed("status=sleeping", List.of(running, sleeping));

    assertEquals(List.of(running), List.copyOf(runningOnly.keySet()));
    assertEquals(List.of(sleeping), List.copyOf(sleepingOnly.keySet()));
    AppListing.all(node.baseUrl(), "status=sleeping", 1000).forEach(app ->
        assertEquals("sleeping", app.get("status").asText(), app.toString()));
  }

  @Test
  void pagingWithAfterVisitsEveryAppOnceInOrder() {
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      String appId = cleanup.freshAppId("page");
      Http.post(node.app(appId, "/_metadata"), "{\"n\":\"" + i + "\"}");
      created.add(appId);
    }
    AppListing.awaitCaughtUp(node.baseUrl(), CATCH_UP);

    List<String> visited = AppListing.all(node.baseUrl(), "", 7).stream()
        .map(app -> app.get("appId").asText())
        .toList();
    List<String> inOnePage = AppListing.all(node.baseUrl(), "", 1000).stream()
        .map(app -> app.get("appId").asText())
        .toList();

    assertEquals(new ArrayList<>(new TreeSet<>(visited)), visited, "in appId order, each once");
    assertEquals(inOnePage, visited);
    assertTrue(visited.containsAll(created));
    String first = new TreeSet<>(created).first();
    JsonNode fromBeforeOurs = Http.getJson(node.baseUrl() + "/_apps?limit=3&after="
        + first.substring(0, first.lastIndexOf('-')) + "-0");
    assertEquals(3, fromBeforeOurs.get("apps").size(), "after need not name a known app");
    assertEquals(first, fromBeforeOurs.get("apps").get(0).get("appId").asText());
    assertEquals(fromBeforeOurs.get("apps").get(2).get("appId").asText(),
        fromBeforeOurs.get("nextAfter").asText());
  }

  @ParameterizedTest
  @ValueSource(strings = {"limit=0", "limit=1001", "limit=abc", "limit=", "status=asleep",
      "status=RUNNING", "status=", "after=Not_An_App", "after=", "after=-x"})
  void badParametersAreA400(String query) {
    HttpResponse<String> response = Http.get(node.baseUrl() + "/_apps?" + query);

    assertEquals(400, response.statusCode(), response.body());
    assertEquals("bad_request", Http.json(response).get("error").asText());
  }

  @Test
  void anUnknownStatusIsAnsweredWithTheKnownOnes() {
    JsonNode error = Http.json(Http.get(node.baseUrl() + "/_apps?status=asleep"));
    assertEquals("status must be one of not_started, running, sleeping, stopped, failed, deleted",
        error.get("message").asText());
  }
}
