package dev.berth.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.berth.driver.ContainerInfo;
import dev.berth.driver.Labels;
import dev.berth.driver.testing.ContainerCleanup;
import dev.berth.driver.testing.TestEngine;
import dev.berth.edge.testing.Http;
import dev.berth.edge.testing.SharedNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node configured for the strictest isolation it offers: apps without internet, on the internal
 * network, where Docker publishes no port, and with a read-only root file system.
 */
class HardenedAppsTest {
  @RegisterExtension static final ContainerCleanup cleanup = new ContainerCleanup();
  @RegisterExtension static final SharedNode node = new SharedNode(cleanup,
      Map.of("berth.app.internet", false, "berth.app.read-only-rootfs", true));

  @Test
  void anAppWithoutInternetOrWritableRootAnswersThroughTheEdge() {
    String appId = cleanup.freshAppId("hardened");

    assertEquals(appId, Http.getJson(node.app(appId, "/")).get("appId").asText());

    List<ContainerInfo> containers = TestEngine.driver().list(Map.of(Labels.APP_ID, appId));
    assertEquals(1, containers.size());
    InspectContainerResponse inspected =
        TestEngine.docker().inspectContainerCmd(containers.get(0).id()).exec();
    assertEquals(Set.of("berth-internal"), inspected.getNetworkSettings().getNetworks().keySet());
    assertEquals(Boolean.TRUE, inspected.getHostConfig().getReadonlyRootfs());
    // The node reaches the app at its address on the internal network, and says so.
    JsonNode container = Http.getJson(node.app(appId, "/_status")).get("container");
    assertEquals(containers.get(0).networkAddress().orElseThrow(), container.get("host").asText());
    assertEquals(8080, container.get("port").asInt());

    JsonNode write = Http.json(Http.post(node.app(appId, "/api/write?path=/app/probe"), ""));
    assertFalse(write.get("written").asBoolean(), write.toString());
    assertTrue(write.get("error").asText().contains("Read-only file system"), write.toString());
  }
}
