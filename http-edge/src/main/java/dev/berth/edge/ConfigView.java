package dev.berth.edge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.AppConfig;
import dev.berth.core.BerthSettings;
import dev.berth.driver.InstanceType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON shape of {@code _config}: what the operator set (null where the node's default
 * applies), and under {@code effective} what the app's next container gets. What GET answers can
 * be PUT back unchanged: the read-only fields are ignored, and a secret shown as set is kept.
 */
final class ConfigView {
  /** Fields GET answers that a PUT cannot set. */
  private static final List<String> READ_ONLY = List.of("appId", "effective", "restarted", "restartError");

  private ConfigView() {}

  static Map<String, Object> of(String appId, AppConfig shown, BerthSettings settings) {
    AppConfig config = shown.redacted();
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("appId", appId);
    view.put("image", config.image());
    view.put("port", config.port());
    view.put("healthPath", config.healthPath());
    view.put("env", config.env());
    view.put("secrets", config.secrets());
    view.put("instanceType", config.customSize() != null
        ? Map.of("memory", config.customSize().memoryBytes(), "cpus", config.customSize().cpus(),
            "pids", config.customSize().pids())
        : config.instanceType());
    view.put("sleepAfter", config.sleepAfterMs() == null ? null : duration(Duration.ofMillis(config.sleepAfterMs())));
    view.put("internet", config.internet());

    InstanceType type = config.effectiveInstanceType(settings);
    Map<String, Object> size = new LinkedHashMap<>();
    size.put("name", type.name());
    size.put("memory", type.memoryBytes());
    size.put("cpus", type.nanoCpus() / 1e9);
    size.put("pids", type.pidsLimit());
    Map<String, Object> effective = new LinkedHashMap<>();
    effective.put("image", config.effectiveImage(settings));
    effective.put("port", config.effectivePort(settings));
    effective.put("healthPath", config.effectiveHealthPath(settings));
    effective.put("instanceType", size);
    effective.put("sleepAfter", duration(config.effectiveSleepAfter(settings)));
    effective.put("internet", config.effectiveInternet(settings));
    view.put("effective", effective);
    return view;
  }

  /** A PUT body without what GET adds for reading, so that a GET's answer can be sent back. */
  static JsonNode writable(JsonNode body) {
    if (!(body instanceof ObjectNode object)) {
      return body;
    }
    ObjectNode writable = object.deepCopy();
    writable.remove(READ_ONLY);
    if (writable.get("secrets") instanceof ObjectNode secrets) {
      List<String> shownAsSet = new ArrayList<>();
      secrets.fields().forEachRemaining(secret -> {
        if (AppConfig.SECRET_SHOWN_AS.equals(secret.getValue().asText(null))) {
          shownAsSet.add(secret.getKey());
        }
      });
      secrets.remove(shownAsSet);
    }
    return writable;
  }

  /** In the form a PUT accepts: 90s, 10m, 2h, 1500ms. */
  private static String duration(Duration duration) {
    long ms = duration.toMillis();
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    } else if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    } else if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
