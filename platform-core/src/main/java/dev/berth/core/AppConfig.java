package dev.berth.core;

import dev.berth.driver.InstanceType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What an operator set for one app through {@code PUT /app/{appId}/_config}. A null field follows
 * the node's default, so changing a default later changes every app that did not pin it.
 *
 * @param image a local image reference
 * @param port the port the app listens on inside its container
 * @param healthPath the readiness probe's path
 * @param env environment variables, shown as they are
 * @param secrets environment variables whose values are never shown: not in {@code _config},
 *     {@code _status} nor the audit log
 * @param instanceType the name of one of {@code berth.instance-types}
 * @param customSize a size of its own instead of a named type
 * @param sleepAfterMs idle time before the app is put to sleep
 * @param internet whether the app may open connections beyond its own network; false puts it on
 *     a network with no route out
 */
public record AppConfig(
    String image,
    Integer port,
    String healthPath,
    Map<String, String> env,
    Map<String, String> secrets,
    String instanceType,
    CustomSize customSize,
    Long sleepAfterMs,
    Boolean internet)
    implements BerthSerializable {

  /** Nothing set: every field follows the node's default. */
  public static final AppConfig DEFAULTS =
      new AppConfig(null, null, null, Map.of(), Map.of(), null, null, null, null);

  /** What audit output and {@code _config} show in place of a secret's value. */
  public static final String SECRET_SHOWN_AS = "(set)";

  public static final int MAX_VARIABLES = 200;
  public static final int MAX_VALUE_LENGTH = 32 * 1024;
  private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  /** Set by Berth for every container; an app cannot override them. */
  private static final List<String> RESERVED_VARIABLES = List.of("APP_ID", "PORT");

  /**
   * A container size not in {@code berth.instance-types}.
   *
   * @param cpus a fraction of one CPU, or several
   */
  public record CustomSize(long memoryBytes, double cpus, long pids) implements BerthSerializable {}

  public AppConfig {
    // Sorted, so that equal configurations compare and print alike whatever order they came in.
    env = env == null ? Map.of() : Map.copyOf(new TreeMap<>(env));
    secrets = secrets == null ? Map.of() : Map.copyOf(new TreeMap<>(secrets));
  }

  /** Never the secrets' values: a record's own toString would print them into any log line. */
  @Override
  public String toString() {
    return "AppConfig[image=" + image + ", port=" + port + ", healthPath=" + healthPath + ", env=" + env
        + ", secrets=" + redacted().secrets() + ", instanceType=" + instanceType + ", customSize=" + customSize
        + ", sleepAfterMs=" + sleepAfterMs + ", internet=" + internet + "]";
  }

  public AppConfig withSecrets(Map<String, String> secrets) {
    return new AppConfig(image, port, healthPath, env, secrets, instanceType, customSize, sleepAfterMs,
        internet);
  }

  /** Only what sizes the app: its instance type or custom size. */
  public AppConfig sizeOnly() {
    return new AppConfig(null, null, null, Map.of(), Map.of(), instanceType, customSize, null, null);
  }

  /** The same configuration with every secret's value replaced by {@link #SECRET_SHOWN_AS}. */
  public AppConfig redacted() {
    Map<String, String> shown = new TreeMap<>();
    secrets.keySet().forEach(name -> shown.put(name, SECRET_SHOWN_AS));
    return withSecrets(shown);
  }

  public String effectiveImage(BerthSettings settings) {
    return image != null ? image : settings.image();
  }

  public int effectivePort(BerthSettings settings) {
    return port != null ? port : settings.appPort();
  }

  public String effectiveHealthPath(BerthSettings settings) {
    return healthPath != null ? healthPath : settings.probePath();
  }

  public boolean effectiveInternet(BerthSettings settings) {
    return internet != null ? internet : settings.appInternet();
  }

  public Duration effectiveSleepAfter(BerthSettings settings) {
    return sleepAfterMs != null ? Duration.ofMillis(sleepAfterMs) : settings.sleepAfter();
  }

  /**
   * The app's size. A named type that the node's configuration no longer defines falls back to
   * the node's default rather than keep the app from starting.
   */
  public InstanceType effectiveInstanceType(BerthSettings settings) {
    if (customSize != null) {
      return new InstanceType("custom", customSize.memoryBytes(),
          Math.round(customSize.cpus() * 1_000_000_000L), customSize.pids());
    }
    if (instanceType != null && settings.instanceTypes().containsKey(instanceType)) {
      return settings.instanceTypes().get(instanceType);
    }
    return settings.instanceType();
  }

  /**
   * The container's environment: the node's, then the app's variables and secrets; Berth's own
   * variables last, so that nothing overrides them.
   */
  public Map<String, String> environment(BerthSettings settings, String appId) {
    Map<String, String> environment = new TreeMap<>(settings.appEnvironment());
    environment.putAll(env);
    environment.putAll(secrets);
    environment.put("APP_ID", appId);
    environment.put("PORT", String.valueOf(effectivePort(settings)));
    return environment;
  }

  /** What is wrong with this configuration on a node with {@code settings}; empty when nothing. */
  public List<String> problems(BerthSettings settings) {
    List<String> problems = new ArrayList<>();
    if (image != null && (image.isBlank() || image.length() > 512 || !image.strip().equals(image))) {
      problems.add("image must be a non-empty image reference without spaces");
    }
    if (port != null && (port < 1 || port > 65535)) {
      problems.add("port must be from 1 to 65535, was " + port);
    }
    if (healthPath != null && (!healthPath.startsWith("/") || healthPath.length() > 1024
        || healthPath.chars().anyMatch(c -> c <= ' ' || c == 0x7f))) {
      problems.add("healthPath must start with / and hold no spaces or control characters");
    }
    if (instanceType != null && !settings.instanceTypes().containsKey(instanceType)) {
      problems.add("unknown instance type '" + instanceType + "'; known: "
          + new TreeMap<>(settings.instanceTypes()).keySet());
    }
    if (customSize != null) {
      // InstanceType's own floors, and Docker's bounds for CPUs; more CPUs than the engine's host
      // has fails at the start, naming them.
      if (customSize.memoryBytes() < InstanceType.MIN_MEMORY_BYTES) {
        problems.add("instanceType.memory must be at least 16MiB, was " + customSize.memoryBytes() + " bytes");
      }
      if (customSize.cpus() < 0.01 || customSize.cpus() > 1024) {
        problems.add("instanceType.cpus must be from 0.01 to 1024, was " + customSize.cpus());
      }
      if (customSize.pids() < InstanceType.MIN_PIDS) {
        problems.add("instanceType.pids must be at least " + InstanceType.MIN_PIDS + ", was "
            + customSize.pids());
      }
    }
    if (Boolean.FALSE.equals(internet)) {
      settings.docker().internalNetworkProblem().ifPresent(problems::add);
    }
    if (sleepAfterMs != null && sleepAfterMs < 1000) {
      problems.add("sleepAfter must be at least 1s");
    }
    if (env.size() + secrets.size() > MAX_VARIABLES) {
      problems.add("an app has at most " + MAX_VARIABLES + " variables, env and secrets together");
    }
    checkVariables("env", env, problems);
    checkVariables("secrets", secrets, problems);
    env.keySet().stream().filter(secrets::containsKey).forEach(name ->
        problems.add(name + " is both in env and in secrets; keep it in one"));
    return problems;
  }

  private static void checkVariables(String field, Map<String, String> variables, List<String> problems) {
    variables.forEach((name, value) -> {
      if (!VARIABLE_NAME.matcher(name).matches()) {
        problems.add(field + ": '" + name + "' is not a variable name (letters, digits and _, "
            + "not starting with a digit, at most 128)");
      } else if (RESERVED_VARIABLES.contains(name)) {
        problems.add(field + ": " + name + " is set by Berth and cannot be changed");
      }
      if (value.length() > MAX_VALUE_LENGTH || value.indexOf('\0') >= 0) {
        problems.add(field + ": the value of " + name + " must be at most " + MAX_VALUE_LENGTH
            + " characters, with no NUL");
      }
    });
  }
}
