package dev.berth.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.driver.Labels;
import dev.berth.driver.testing.ContainerCleanup;
import dev.berth.driver.testing.TestEngine;
import dev.berth.edge.testing.Http;
import dev.berth.edge.testing.SharedNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Admin tokens through a real node: who may manage, who is recorded, what apps never see. */
class AdminAccessTest {
  private static final String ALICE = "alice-token-0123456789abcdef";
  private static final String BOB = "bob-token-fedcba9876543210";

  @RegisterExtension static final ContainerCleanup cleanup = new ContainerCleanup();
  @RegisterExtension static final SharedNode node = new SharedNode(cleanup,
      Map.of("berth.admin-tokens", "alice=" + ALICE + ", bob=" + BOB));

  /** Every management and admin call, as method and path under the node. */
  private static List<String[]> protectedCalls(String appId) {
    return List.of(
        new String[] {"POST", "/app/" + appId + "/_restart"},
        new String[] {"POST", "/app/" + appId + "/_stop"},
        new String[] {"DELETE", "/app/" + appId},
        new String[] {"POST", "/app/" + appId + "/_metadata"},
        new String[] {"GET", "/app/" + appId + "/_config"},
        new String[] {"PUT", "/app/" + appId + "/_config"},
        new String[] {"GET", "/app/" + appId + "/_events"},
        new String[] {"GET", "/_audit"},
        new String[] {"GET", "/_apps"},
        new String[] {"GET", "/_audit?follow=true"});
  }

  private static HttpResponse<String> call(String method, String path, String authorization) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.baseUrl() + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, HttpRequest.BodyPublishers.ofString(
            method.equals("GET") ? "" : path.endsWith("/_config") ? "{\"env\":{\"K\":\"v\"}}" : "{\"k\":\"v\"}"));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return Http.send(request.build());
  }

  @Test
  void everyManagementCallWithoutAValidTokenIsA401AndChangesNothing() {
    String appId = cleanup.freshAppId("guarded");
    for (String authorization : new String[] {null, "Bearer wrong-token-0123456789", "Bearer " + ALICE + "x",
        "Basic " + ALICE, "Bearer", ALICE}) {
      for (String[] call : protectedCalls(appId)) {
        HttpResponse<String> response = call(call[0], call[1], authorization);
        String what = call[0] + " " + call[1] + " with " + authorization;
        assertEquals(401, response.statusCode(), what + ": " + response.body());
        assertEquals("unauthorized", Http.json(response).get("error").asText(), what);
        assertTrue(response.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), what);
      }
    }
    assertTrue(TestEngine.driver().list(Map.of(Labels.APP_ID, appId)).isEmpty());
    JsonNode events = Http.json(call("GET", "/app/" + appId + "/_events", "Bearer " + ALICE));
    assertEquals(0, events.get("events").size(), "nothing was recorded");
  }

  @Test
  void aValidTokenIsAcceptedAndItsNameIsWhoAsked() {
    String appId = cleanup.freshAppId("managed");

    assertEquals(200, call("POST", "/app/" + appId + "/_metadata", "Bearer " + ALICE).statusCode());
    assertEquals(200, call("PUT", "/app/" + appId + "/_config", "bearer " + BOB).statusCode());
    assertEquals(200, call("GET", "/_audit", "Bearer " + BOB).statusCode());

    JsonNode events = Http.json(call("GET", "/app/" + appId + "/_events", "Bearer " + ALICE)).get("events");
    assertEquals("MetadataSet", events.get(0).get("type").asText());
    assertEquals("alice", events.get(0).get("event").get("requestedBy").asText());
    assertEquals("ConfigChanged", events.get(1).get("type").asText());
    assertEquals("bob", events.get(1).get("event").get("requestedBy").asText());
  }

  @Test
  void tenantTrafficNeedsNoTokenAndAnAdminTokenNeverReachesTheApp() {
    String appId = cleanup.freshAppId("tenant");

    JsonNode withAdminToken = Http.json(call("GET", "/app/" + appId + "/api/echo", "Bearer " + ALICE));
    JsonNode withItsOwn = Http.json(call("GET", "/app/" + appId + "/api/echo", "Bearer the-app-s-own"));
    JsonNode without = Http.json(call("GET", "/app/" + appId + "/api/echo", null));

    assertEquals(appId, without.get("appId").asText());
    assertFalse(withAdminToken.get("headers").has("authorization"), withAdminToken.toString());
    assertFalse(withAdminToken.toString().contains(ALICE), withAdminToken.toString());
    assertEquals("Bearer the-app-s-own", withItsOwn.get("headers").get("authorization").asText());
  }

  @Test
  void statusAndPlatformInfoStayOpenAndSayHowToManage() {
    String appId = cleanup.freshAppId("open");

    assertEquals(200, call("GET", "/app/" + appId + "/_status", null).statusCode());
    assertEquals(200, call("GET", "/app/" + appId + "/_metadata", null).statusCode());
    JsonNode info = Http.getJson(node.baseUrl() + "/");
    assertEquals("admin-token", info.get("management").get("access").asText());
    assertFalse(info.toString().contains(ALICE), "GET / never shows a token");
  }
}
