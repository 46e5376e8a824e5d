package dev.berth.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A {@code PUT /app/{appId}/_config} body, read. It replaces every field of the app's
 * configuration, a missing one going back to the node's default, except {@code secrets}: their
 * values cannot be read back to be sent again, so a secret given a string is set, one given
 * {@code null} is removed, and one not mentioned is kept.
 *
 * @param fields the new configuration, secrets aside
 * @param setSecrets secrets to set or replace
 * @param removeSecrets secrets to remove
 */
public record ConfigUpdate(AppConfig fields, Map<String, String> setSecrets, Set<String> removeSecrets)
    implements BerthSerializable {

  private static final Set<String> FIELDS = Set.of(
      "image", "port", "healthPath", "env", "secrets", "instanceType", "sleepAfter", "internet");

  public ConfigUpdate {
    setSecrets = Map.copyOf(setSecrets);
    removeSecrets = Set.copyOf(removeSecrets);
  }

  /** Never the secrets' values: a record's own toString would print them into any log line. */
  @Override
  public String toString() {
    return "ConfigUpdate[fields=" + fields + ", setSecrets=" + setSecrets.keySet()
        + ", removeSecrets=" + removeSecrets + "]";
  }

  /** The app's configuration after this update, from {@code current}. */
  public AppConfig applyTo(AppConfig current) {
    Map<String, String> secrets = new TreeMap<>(current.secrets());
    secrets.keySet().removeAll(removeSecrets);
    secrets.putAll(setSecrets);
    return fields.withSecrets(secrets);
  }

  /** The outcome of reading a body: an update, or everything wrong with it. */
  public record Parsed(ConfigUpdate update, List<String> problems) {
    public boolean ok() {
      return problems.isEmpty();
    }
  }

  /**
   * Reads and checks a body. Every problem found is reported, not just the first; checks that
   * need the engine (does the image exist) are the caller's.
   */
  public static Parsed parse(JsonNode body, BerthSettings settings) {
    List<String> problems = new ArrayList<>();
    if (body == null || !body.isObject()) {
      return new Parsed(null, List.of("the configuration must be a JSON object"));
    }
    body.fieldNames().forEachRemaining(name -> {
      if (!FIELDS.contains(name)) {
        problems.add("unknown field '" + name + "'; known: " + FIELDS.stream().sorted().toList());
      }
    });
    String image = text(body, "image", problems);
    Integer port = null;
    JsonNode portNode = body.get("port");
    if (portNode != null && !portNode.isNull()) {
      if (portNode.canConvertToInt() && portNode.isIntegralNumber()) {
        port = portNode.intValue();
      } else {
        problems.add("port must be a whole number from 1 to 65535");
      }
    }
    String healthPath = text(body, "healthPath", problems);
    Map<String, String> env = strings(body, "env", false, problems);
    Map<String, String> secretValues = strings(body, "secrets", true, problems);
    Map<String, String> setSecrets = new LinkedHashMap<>();
    Set<String> removeSecrets = new HashSet<>();
    secretValues.forEach((name, value) -> {
      if (value == null) {
        removeSecrets.add(name);
      } else {
        setSecrets.put(name, value);
      }
    });

    String instanceType = null;
    AppConfig.CustomSize customSize = null;
    JsonNode type = body.get("instanceType");
    if (type != null && !type.isNull()) {
      if (type.isTextual()) {
        instanceType = type.textValue();
      } else if (type.isObject()) {
        customSize = customSize(type, problems);
      } else {
        problems.add("instanceType must be a type's name or {\"memory\", \"cpus\", \"pids\"}");
      }
    }
    Long sleepAfterMs = null;
    String sleepAfter = text(body, "sleepAfter", problems);
    if (sleepAfter != null) {
      try {
        sleepAfterMs = ConfigFactory.empty()
            .withValue("d", ConfigValueFactory.fromAnyRef(sleepAfter)).getDuration("d").toMillis();
      } catch (ConfigException notADuration) {
        problems.add("sleepAfter must be a duration such as 30s, 10m or 2h, was '" + sleepAfter + "'");
      }
    }
    Boolean internet = null;
    JsonNode internetNode = body.get("internet");
    if (internetNode != null && !internetNode.isNull()) {
      if (internetNode.isBoolean()) {
        internet = internetNode.booleanValue();
      } else {
        problems.add("internet must be true or false");
      }
    }
    AppConfig fields = new AppConfig(image, port, healthPath, env, setSecrets, instanceType,
        customSize, sleepAfterMs, internet);
    problems.addAll(fields.problems(settings));
    if (!problems.isEmpty()) {
      return new Parsed(null, List.copyOf(problems));
    }
    return new Parsed(new ConfigUpdate(fields.withSecrets(Map.of()), setSecrets, removeSecrets), List.of());
  }

  private static AppConfig.CustomSize customSize(JsonNode size, List<String> problems) {
    Iterator<String> names = size.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!Set.of("memory", "cpus", "pids").contains(name)) {
        problems.add("instanceType: unknown field '" + name + "'; known: memory, cpus, pids");
      }
    }
    JsonNode memory = size.get("memory");
    JsonNode cpus = size.get("cpus");
    JsonNode pids = size.get("pids");
    long memoryBytes = 0;
    if (memory != null && memory.isIntegralNumber()) {
      memoryBytes = memory.longValue();
    } else if (memory != null && memory.isTextual()) {
      try {
        memoryBytes = ConfigFactory.empty()
            .withValue("m", ConfigValueFactory.fromAnyRef(memory.textValue())).getBytes("m");
      } catch (ConfigException notASize) {
        problems.add("instanceType.memory must be bytes or a size such as 768MiB, was '"
            + memory.textValue() + "'");
        return null;
      }
    } else {
      problems.add("instanceType.memory is required: bytes or a size such as 768MiB");
      return null;
    }
    if (cpus == null || !cpus.isNumber()) {
      problems.add("instanceType.cpus is required: a number such as 0.5");
      return null;
    }
    if (pids == null || !pids.isIntegralNumber()) {
      problems.add("instanceType.pids is required: a whole number");
      return null;
    }
    return new AppConfig.CustomSize(memoryBytes, cpus.doubleValue(), pids.longValue());
  }

  private static String text(JsonNode body, String field, List<String> problems) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      problems.add(field + " must be a string");
      return null;
    }
    return value.textValue();
  }

  /** An object of string values; with {@code nullable}, null values are kept as null. */
  private static Map<String, String> strings(
      JsonNode body, String field, boolean nullable, List<String> problems) {
    JsonNode value = body.get(field);
    Map<String, String> values = new LinkedHashMap<>();
    if (value == null || value.isNull()) {
      return values;
    }
    if (!value.isObject()) {
      problems.add(field + " must be an object of string values");
      return values;
    }
    value.fields().forEachRemaining(entry -> {
      JsonNode v = entry.getValue();
      if (v.isTextual()) {
        values.put(entry.getKey(), v.textValue());
      } else if (nullable && v.isNull()) {
        values.put(entry.getKey(), null);
      } else {
        problems.add(field + ": the value of " + entry.getKey() + " must be a string"
            + (nullable ? ", or null to remove it" : ""));
      }
    });
    return values;
  }
}
