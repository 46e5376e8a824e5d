package dev.berth.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.driver.testing.ContainerCleanup;
import dev.berth.edge.testing.Http;
import dev.berth.edge.testing.RawHttp;
import dev.berth.edge.testing.SharedNode;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Clients that hold a connection and send nothing more are disconnected after idle-timeout. */
class IdleClientsTest {
  private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(2);

  @RegisterExtension static final ContainerCleanup cleanup = new ContainerCleanup();
  @RegisterExtension
  static final SharedNode node = new SharedNode(cleanup,
      Map.of("berth.edge.idle-timeout", IDLE_TIMEOUT.toMillis() + "ms"));

  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "GET /app/{app}/api/ec",
      "GET /app/{app}/api/echo HTTP/1.1\r\nHost: h\r\nX-Half: ",
      "POST /app/{app}/_metadata HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n{\"owner\":"})
  void aClientThatStopsSendingIsDisconnected(String partialRequest) throws IOException {
    String appId = cleanup.freshAppId("idle");
    try (Socket socket = RawHttp.connect(node.baseUrl(), null)) {
      socket.getOutputStream().write(
          partialRequest.replace("{app}", appId).getBytes(StandardCharsets.ISO_8859_1));

      Duration open = RawHttp.awaitClosed(socket, IDLE_TIMEOUT.plusSeconds(10));

      assertTrue(open.compareTo(IDLE_TIMEOUT.minusMillis(500)) > 0,
          "closed after " + open.toMillis() + " ms, before the idle timeout");
    }
    assertEquals(0, Http.getJson(node.app(appId, "/_metadata")).size(),
        "the half-sent metadata was not stored");
  }
}
