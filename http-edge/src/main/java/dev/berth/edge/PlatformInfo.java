package dev.berth.edge;

import akka.http.javadsl.model.HttpResponse;
import dev.berth.core.BerthSettings;
import dev.berth.core.CapacityKeeper;
import dev.berth.core.Platform;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.time.Duration;

/** {@code GET /}: what this node is and how to reach apps through it. */
final class PlatformInfo {
  /** GET / answers without the instance count rather than wait longer for it. */
  private static final Duration USAGE_TIMEOUT = Duration.ofSeconds(2);

  private final Platform platform;
  private final String baseDomain;
  private final Executor dispatcher;
  private final AdminAccess admin;

  PlatformInfo(Platform platform, String baseDomain, Executor dispatcher, AdminAccess admin) {
    this.platform = platform;
    this.baseDomain = baseDomain;
    this.dispatcher = dispatcher;
    this.admin = admin;
  }

  CompletionStage<HttpResponse> response() {
    return platform.usage(USAGE_TIMEOUT)
        .thenApplyAsync(Optional::of, dispatcher)
        .exceptionallyAsync(unanswered -> Optional.empty(), dispatcher)
        .thenApplyAsync(this::response, dispatcher);
  }

  /** @param usage empty when the capacity keeper did not answer, as while it fails over */
  private HttpResponse response(Optional<CapacityKeeper.Usage> usage) {
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
    body.put("management", admin.describe());
    body.put("sleepAfter", settings.sleepAfter().toString());
    body.put("sleepAfterMs", settings.sleepAfter().toMillis());
    body.put("maxInstances", settings.maxInstances());
    Map<String, Object> instances = new LinkedHashMap<>();
    instances.put("running", usage.map(CapacityKeeper.Usage::running).orElse(null));
    instances.put("max", usage.map(CapacityKeeper.Usage::max).orElse(settings.maxInstances()));
    instances.put("countedBy", usage.map(CapacityKeeper.Usage::keeperNode).orElse(null));
    body.put("instances", instances);
    body.put("image", settings.image());
    body.put("instanceType", settings.instanceType().name());
    return JsonResponses.ok(body);
  }

  private static String version() {
    String version = PlatformInfo.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }
}
