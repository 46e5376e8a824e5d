package dev.berth.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.driver.ContainerInfo;
import dev.berth.driver.Labels;
import dev.berth.driver.testing.ContainerCleanup;
import dev.berth.driver.testing.Deadline;
import dev.berth.driver.testing.TestEngine;
import dev.berth.edge.testing.Http;
import dev.berth.edge.testing.SharedNode;
import dev.berth.edge.testing.TestNode;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Streams and WebSockets pass through and keep an app awake for as long as they are open. */
class LongLivedConnectionTest {
  private static final Duration SLEEP_AFTER = Duration.ofSeconds(2);

  @RegisterExtension static final ContainerCleanup cleanup = new ContainerCleanup();
  @RegisterExtension
  static final SharedNode node =
      new SharedNode(cleanup, Map.of("berth.app.sleep-after", SLEEP_AFTER.toMillis() + "ms"));

  private static List<ContainerInfo> containersOf(String appId) {
    return TestEngine.driver().list(Map.of(Labels.APP_ID, appId));
  }

  private static void awaitSleep(String appId) {
    Deadline.within(Duration.ofSeconds(30)).await("the app goes to sleep", () ->
        containersOf(appId).isEmpty()
            && "sleeping".equals(Http.getJson(node.app(appId, "/_status")).get("status").asText()));
  }

  @Test
  void aStreamLongerThanSleepAfterIsNotInterruptedAndTheAppSleepsAfterIt() throws Exception {
    String appId = cleanup.freshAppId("stream");
    // Five events a second apart: the stream stays open for over twice sleep-after.
    HttpResponse<InputStream> response = Http.CLIENT.send(HttpRequest.newBuilder(
            URI.create(node.app(appId, "/api/stream?n=5&intervalMs=1000")))
        .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofInputStream());
    String containerId = containersOf(appId).get(0).id();

    List<String> events = new ArrayList<>();
    Http.eachEventData(response.body(), events::add);

    assertEquals(5, events.size(), "the stream was cut");
    assertEquals(List.of(containerId), containersOf(appId).stream().map(ContainerInfo::id).toList(),
        "the same container served the whole stream");
    awaitSleep(appId);
  }

  @Test
  void aWebSocketTheAppRefusesGetsTheAppsOwnAnswerAndNever101() {
    String appId = cleanup.freshAppId("ws-refused");

    CompletionException refused = assertThrows(CompletionException.class, () ->
        Http.CLIENT.newWebSocketBuilder()
            .buildAsync(URI.create(node.app(appId, "/ws/nowhere").replace("http:", "ws:")),
                new WebSocket.Listener() {})
            .join());

    WebSocketHandshakeException handshake =
        assertInstanceOf(WebSocketHandshakeException.class, refused.getCause());
    assertEquals(404, handshake.getResponse().statusCode(), "the app's answer to the upgrade");
    Deadline.within(Duration.ofSeconds(10)).await("the refused upgrade is no longer in flight", () ->
        Http.getJson(node.app(appId, "/_status")).get("stats").get("requestsInFlight").asInt() == 0);
  }

  @Test
  void aWebSocketIsProxiedBothWaysAndKeepsTheAppAwake() throws Exception {
    String appId = cleanup.freshAppId("ws");
    LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    WebSocket socket = Http.CLIENT.newWebSocketBuilder()
        .buildAsync(URI.create(node.app(appId, "/ws/echo").replace("http:", "ws:")),
            new WebSocket.Listener() {
              private final StringBuilder text = new StringBuilder();
              private int binaryBytes;

              @Override
              public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                  received.add(text.toString());
                  text.setLength(0);
                }
                webSocket.request(1);
                return null;
              }

              @Override
              public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
                binaryBytes += data.remaining();
                if (last) {
                  received.add("binary:" + binaryBytes);
                  binaryBytes = 0;
                }
                webSocket.request(1);
                return null;
              }
            })
        .get(60, TimeUnit.SECONDS);
    String containerId = containersOf(appId).get(0).id();

    socket.sendText("hello", true).get(10, TimeUnit.SECONDS);
    assertEquals("hello", received.poll(10, TimeUnit.SECONDS));
    socket.sendBinary(ByteBuffer.wrap(new byte[70_000]), true).get(10, TimeUnit.SECONDS);
    assertEquals("binary:70000", received.poll(10, TimeUnit.SECONDS));

    // A second app, used once, shows when sleep-after has passed; the socket stays open and quiet.
    String control = cleanup.freshAppId("ws-control");
    Http.getJson(node.app(control, "/"));
    awaitSleep(control);
    assertEquals("running", Http.getJson(node.app(appId, "/_status")).get("status").asText());
    socket.sendText("still there?", true).get(10, TimeUnit.SECONDS);
    assertEquals("still there?", received.poll(10, TimeUnit.SECONDS));
    assertEquals(List.of(containerId), containersOf(appId).stream().map(ContainerInfo::id).toList());

    socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
    awaitSleep(appId);
  }

  @Test
  void requestsDuringAColdStartWaitUpToTheQueueBoundAndTheRestGet503(@TempDir Path dataDir)
      throws Exception {
    try (TestNode slowBoots = TestNode.start(dataDir, cleanup.nodeId(), Map.of(
        "berth.app.environment.EXAMPLE_START_DELAY_MS", "3000",
        "berth.app.max-waiting-requests", "4"))) {
      String appId = cleanup.freshAppId("queue");
      var clients = java.util.concurrent.Executors.newFixedThreadPool(10);
      try {
        List<java.util.concurrent.Future<HttpResponse<String>>> responses = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
          responses.add(clients.submit(() -> Http.get(slowBoots.app(appId, "/"))));
        }
        int served = 0;
        int refused = 0;
        for (var response : responses) {
          HttpResponse<String> answer = response.get(60, TimeUnit.SECONDS);
          if (answer.statusCode() == 200) {
            served++;
          } else {
            assertEquals(503, answer.statusCode(), answer.body());
            assertEquals("overloaded", Http.json(answer).get("error").asText());
            assertTrue(answer.headers().firstValue("Retry-After").isPresent());
            refused++;
          }
        }
        assertEquals(4, served);
        assertEquals(6, refused);
      } finally {
        clients.shutdownNow();
      }
    }
  }
}
