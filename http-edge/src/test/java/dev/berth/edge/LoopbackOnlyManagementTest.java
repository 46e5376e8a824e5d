package dev.berth.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.driver.testing.ContainerCleanup;
import dev.berth.driver.testing.TestEngine;
import dev.berth.edge.testing.Http;
import dev.berth.edge.testing.SharedNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Without admin tokens, management is for loopback clients only. The node listens on this host's
 * address on Docker's default bridge, so this test is a client from a non-loopback address while
 * its traffic never leaves the machine.
 */
class LoopbackOnlyManagementTest {
  private static final String BRIDGE_ADDRESS = TestEngine.docker().inspectNetworkCmd()
      .withNetworkId("bridge").exec().getIpam().getConfig().get(0).getGateway();

  @RegisterExtension static final ContainerCleanup cleanup = new ContainerCleanup();
  @RegisterExtension static final SharedNode node =
      new SharedNode(cleanup, Map.of("berth.http.host", BRIDGE_ADDRESS));

  private static String url(String path) {
    return "http://" + BRIDGE_ADDRESS + ":" + URI.create(node.baseUrl()).getPort() + path;
  }

  @Test
  void aClientFromElsewhereMayUseAppsButNotManageThem() {
    String appId = cleanup.freshAppId("remote");

    for (String path : new String[] {"/app/" + appId + "/_events", "/_audit", "/app/" + appId + "/_config"}) {
      HttpResponse<String> refused = Http.get(url(path));
      assertEquals(403, refused.statusCode(), path + ": " + refused.body());
      assertEquals("forbidden", Http.json(refused).get("error").asText());
    }
    HttpResponse<String> restart = Http.send(HttpRequest.newBuilder(URI.create(url("/app/" + appId + "/_restart")))
        .POST(HttpRequest.BodyPublishers.noBody()).build());
    assertEquals(403, restart.statusCode(), restart.body());

    assertEquals(200, Http.get(url("/app/" + appId + "/api/data")).statusCode());
    assertEquals("loopback-only", Http.getJson(url("/")).get("management").get("access").asText());
  }
}
