package dev.berth.edge;

import akka.http.javadsl.model.HttpResponse;
import dev.berth.core.BerthSettings;
import dev.berth.core.Platform;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code GET /}: what this node is and how to reach apps through it. */
final class PlatformInfo {
  private final Platform platform;
  private final String baseDomain;

  PlatformInfo(Platform platform, String baseDomain) {
    this.platform = platform;
    this.baseDomain = baseDomain;
  }

  HttpResponse response() {
    BerthSettings settings = platform.settings();
    List<String> routing = new ArrayList<>(List.of("/app/{appId}/{path}", "/{path}?appId={appId}"));
    if (!baseDomain.isEmpty()) {
      routing.add("{appId}." + baseDomain);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", "Berth");
    body.put("version", version());
    body.put("node", platform.nodeAddress());
    body.put("nodeId", settings.nodeId());
    body.put("members", platform.members());
    body.put("routing", routing);
    body.put("sleepAfter", settings.sleepAfter().toString());
    body.put("sleepAfterMs", settings.sleepAfter().toMillis());
    body.put("maxInstances", settings.maxInstances());
    body.put("image", settings.image());
    body.put("instanceType", settings.instanceType().name());
    return JsonResponses.ok(body);
  }

  private static String version() {
    String version = PlatformInfo.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }
}
