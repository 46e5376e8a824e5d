package dev.berth.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.driver.ContainerInfo;
import dev.berth.driver.Labels;
import dev.berth.driver.testing.ContainerCleanup;
import dev.berth.driver.testing.TestEngine;
import dev.berth.edge.testing.Http;
import dev.berth.edge.testing.SharedNode;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Requests through a real node's edge to real containers. */
class ProxyTest {
  @RegisterExtension static final ContainerCleanup cleanup = new ContainerCleanup();
  private static final String BASE_DOMAIN = "apps.berth.test";
  @RegisterExtension
  static final SharedNode node = new SharedNode(cleanup, Map.of("berth.edge.base-domain", BASE_DOMAIN));

  private static List<ContainerInfo> containersOf(String appId) {
    return TestEngine.driver().list(Map.of(Labels.APP_ID, appId));
  }

  @Test
  void platformInfoDescribesTheNode() {
    JsonNode info = Http.getJson(node.baseUrl() + "/");
    assertEquals("Berth", info.get("name").asText());
    assertTrue(info.get("node").asText().startsWith("akka://berth@127.0.0.1:"), info.toString());
    assertEquals(600_000, info.get("sleepAfterMs").asLong());
    assertEquals(50, info.get("maxInstances").asInt());
    assertEquals(TestEngine.exampleImage(), info.get("image").asText());
    assertTrue(info.get("routing").toString().contains("/app/{appId}/{path}"), info.toString());
    assertTrue(info.get("routing").toString().contains("{appId}." + BASE_DOMAIN), info.toString());
  }

  @Test
  void theSameAppReachesTheSameContainerAndAnotherAppItsOwn() {
    String first = cleanup.freshAppId("same");
    String second = cleanup.freshAppId("other");

    JsonNode a1 = Http.getJson(node.app(first, "/"));
    JsonNode a2 = Http.getJson(node.app(first, "/"));
    JsonNode b = Http.getJson(node.app(second, "/"));

    assertEquals(first, a1.get("appId").asText());
    assertEquals(a1.get("hostname").asText(), a2.get("hostname").asText());
    assertEquals(a1.get("requestCount").asInt() + 1, a2.get("requestCount").asInt(),
        "both requests reached one process");
    assertEquals(second, b.get("appId").asText());
    assertNotEquals(a1.get("hostname").asText(), b.get("hostname").asText());
    assertEquals(1, containersOf(first).size());
    assertEquals(1, containersOf(second).size());
  }

  @Test
  void echoReceivesMethodPathQueryAndHeadersAsSentWithoutHopByHopHeaders() {
    String appId = cleanup.freshAppId("echo");
    HttpResponse<String> response = Http.send(HttpRequest.newBuilder(
            URI.create(node.app(appId, "/api/echo?name=a%20b&list=1&list=2")))
        .timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json")
        .header("X-Custom", "kept")
        .header("Connection", "X-Hop-Secret")
        .header("X-Hop-Secret", "must not pass")
        .header("X-Forwarded-For", "6.6.6.6")
        .PUT(HttpRequest.BodyPublishers.ofString("{\"hello\":\"berth\"}"))
        .build());

    assertEquals(200, response.statusCode(), response.body());
    JsonNode echo = Http.json(response);
    assertEquals("PUT", echo.get("method").asText());
    assertEquals("/api/echo", echo.get("path").asText());
    assertEquals("name=a%20b&list=1&list=2", echo.get("query").asText());
    assertEquals("berth", echo.get("body").get("hello").asText());
    JsonNode headers = echo.get("headers");
    assertEquals("kept", headers.get("x-custom").asText());
    assertFalse(headers.has("x-hop-secret"), headers.toString());
    assertEquals("127.0.0.1", headers.get("x-forwarded-for").asText(), "the client's value is replaced");
    assertEquals("http", headers.get("x-forwarded-proto").asText());
    assertEquals(URI.create(node.baseUrl()).getAuthority(), headers.get("x-forwarded-host").asText());
    assertEquals(appId, headers.get("x-berth-app-id").asText());
  }

  @Test
  void aTwentyMegabyteBodyGoesThroughWhole() throws Exception {
    byte[] body = new byte[20 * 1024 * 1024];
    new Random(42).nextBytes(body);
    String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));

    HttpResponse<String> response = Http.send(HttpRequest.newBuilder(
            URI.create(node.app(cleanup.freshAppId("big"), "/api/echo")))
        .timeout(Duration.ofSeconds(90))
        .header("Content-Type", "application/octet-stream")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build());

    assertEquals(200, response.statusCode(), response.body());
    JsonNode echo = Http.json(response);
    assertEquals(body.length, echo.get("bodyBytes").asLong());
    assertEquals(expected, echo.get("bodySha256").asText());
  }

  @Test
  void serverSentEventsArriveBeforeTheStreamEnds() throws Exception {
    String appId = cleanup.freshAppId("sse");
    Http.getJson(node.app(appId, "/health"));
    HttpResponse<InputStream> response = Http.CLIENT.send(HttpRequest.newBuilder(
            URI.create(node.app(appId, "/api/stream?n=3&intervalMs=1000")))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, response.statusCode());
    assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));

    List<Long> eventTimes = new ArrayList<>();
    List<Long> arrivals = new ArrayList<>();
    Http.eachEventData(response.body(), data -> {
      arrivals.add(System.currentTimeMillis());
      eventTimes.add(Http.parse(data).get("time").asLong());
    });
    long firstArrival = arrivals.get(0);
    assertEquals(3, eventTimes.size());
    assertTrue(firstArrival < eventTimes.get(2),
        "the first event arrived at " + firstArrival + ", not before the last was sent at "
            + eventTimes.get(2));
  }

  @Test
  void theQueryParameterRoutesTheWholePath() {
    String appId = cleanup.freshAppId("query");
    JsonNode echo = Http.json(Http.post(node.baseUrl() + "/api/echo?appId=" + appId + "&x=1", "{}"));
    assertEquals("/api/echo", echo.get("path").asText());
    assertEquals("appId=" + appId + "&x=1", echo.get("query").asText());
    assertEquals(appId, Http.getJson(node.baseUrl() + "/?appId=" + appId).get("appId").asText());
  }

  @Test
  void theHostNameRoutesTheWholePathWhenABaseDomainIsSet() {
    String appId = cleanup.freshAppId("host");
    HttpResponse<String> response = Http.send(HttpRequest.newBuilder(
            URI.create(node.baseUrl() + "/api/echo?x=1"))
        .header("Host", appId + "." + BASE_DOMAIN + ":8080")
        .POST(HttpRequest.BodyPublishers.ofString("{}"))
        .build());

    assertEquals(200, response.statusCode(), response.body());
    JsonNode echo = Http.json(response);
    assertEquals(appId, echo.get("appId").asText());
    assertEquals("/api/echo", echo.get("path").asText());
    assertEquals("x=1", echo.get("query").asText());
    assertEquals(appId + "." + BASE_DOMAIN + ":8080", echo.get("headers").get("x-forwarded-host").asText());

    HttpResponse<String> invalid = Http.send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/"))
        .header("Host", "Not_Valid." + BASE_DOMAIN).build());
    assertEquals(400, invalid.statusCode(), invalid.body());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/app/Upper/", "/?appId=..", "/app/a..b/", "/app/-lead/", "/app/trail-/",
      "/app/%C3%A9t%C3%A9/", "/?appId=Bad_Id",
      "/app/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"})
  void badAppIdsAreRejectedWithJsonAndCreateNothing(String path) {
    int before = TestEngine.driver().list(Map.of(Labels.NODE, cleanup.nodeId())).size();

    HttpResponse<String> response = Http.get(node.baseUrl() + path);

    assertEquals(400, response.statusCode(), path + " -> " + response.body());
    assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("application/json"));
    assertTrue(Http.json(response).get("error").asText().contains("app_id"), response.body());
    assertEquals(before, TestEngine.driver().list(Map.of(Labels.NODE, cleanup.nodeId())).size());
  }

  @Test
  void twentySimultaneousFirstRequestsMakeOneContainer() throws Exception {
    String appId = cleanup.freshAppId("herd");
    ExecutorService clients = Executors.newFixedThreadPool(20);
    try {
      List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        responses.add(CompletableFuture.supplyAsync(() -> Http.get(node.app(appId, "/")), clients));
      }
      List<String> hostnames = new ArrayList<>();
      for (CompletableFuture<HttpResponse<String>> response : responses) {
        HttpResponse<String> answer = response.get();
        assertEquals(200, answer.statusCode(), answer.body());
        hostnames.add(Http.json(answer).get("hostname").asText());
      }
      assertEquals(1, hostnames.stream().distinct().count(), hostnames.toString());
      assertEquals(1, containersOf(appId).size());
      assertEquals(1, Http.getJson(node.app(appId, "/_status")).get("stats").get("startCount").asInt());
    } finally {
      clients.shutdownNow();
    }
  }

  @Test
  void unknownRoutesAndMethodsAreJsonErrors() {
    HttpResponse<String> nowhere = Http.get(node.baseUrl() + "/nowhere");
    assertEquals(404, nowhere.statusCode());
    assertEquals("not_found", Http.json(nowhere).get("error").asText());

    String appId = cleanup.freshAppId("methods");
    HttpResponse<String> wrongMethod = Http.send(HttpRequest.newBuilder(
        URI.create(node.app(appId, "/_status"))).DELETE().build());
    assertEquals(405, wrongMethod.statusCode(), wrongMethod.body());
    assertTrue(Http.json(wrongMethod).has("error"));

    HttpResponse<String> unknown = Http.get(node.app(appId, "/_nothing"));
    assertEquals(404, unknown.statusCode());
    assertTrue(containersOf(appId).isEmpty(), "management paths never start a container");
  }
}
