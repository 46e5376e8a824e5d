package dev.berth.driver;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How big an app's container may grow.
 *
 * @param name what operators call it
 * @param memoryBytes hard memory limit; swap is not allowed on top of it
 * @param nanoCpus CPU share in billionths of a CPU (1_000_000_000 = one CPU)
 * @param pidsLimit how many processes and threads the container may have at once
 */
public record InstanceType(String name, long memoryBytes, long nanoCpus, long pidsLimit) {

  private static final long MIB = 1024L * 1024L;
  private static final long CPU = 1_000_000_000L;

  /** Below this a JVM app cannot even start, and Docker itself refuses less than 6 MiB. */
  public static final long MIN_MEMORY_BYTES = 16 * MIB;
  public static final long MIN_PIDS = 8;

  public static final InstanceType SMALL = new InstanceType("small", 256 * MIB, CPU / 2, 128);
  public static final InstanceType STANDARD = new InstanceType("standard", 512 * MIB, CPU, 256);
  public static final InstanceType LARGE = new InstanceType("large", 1024 * MIB, 2 * CPU, 512);

  private static final Map<String, InstanceType> BUILT_IN =
      Map.of(SMALL.name, SMALL, STANDARD.name, STANDARD, LARGE.name, LARGE);

  public InstanceType {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("instance type needs a name");
    }
    if (memoryBytes < MIN_MEMORY_BYTES) {
      throw new IllegalArgumentException("memory of " + name + " must be at least 16 MiB");
    }
    if (nanoCpus <= 0) {
      throw new IllegalArgumentException("cpus of " + name + " must be positive");
    }
    if (pidsLimit < MIN_PIDS) {
      throw new IllegalArgumentException("pids of " + name + " must be at least 8");
    }
  }

  /** One of {@code small}, {@code standard}, {@code large}. */
  public static Optional<InstanceType> builtIn(String name) {
    return Optional.ofNullable(BUILT_IN.get(name.toLowerCase(Locale.ROOT)));
  }
}
