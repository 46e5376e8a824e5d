package dev.berth.core;

import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The free-form string values an operator attaches to an app, and their limits. A record of its
 * own, not a bare map, so it crosses the cluster through Berth's serializer.
 */
public record Metadata(Map<String, String> values) implements BerthSerializable {
  public static final int MAX_ENTRIES = 100;
  public static final int MAX_KEY_LENGTH = 128;
  public static final int MAX_VALUE_LENGTH = 4096;

  public Metadata {
    values = Map.copyOf(values);
  }

  /** Why merging {@code values} into {@code existing} is refused, if it is. */
  public static Optional<String> problemWith(Map<String, String> existing, Map<String, String> values) {
    if (values.isEmpty()) {
      return Optional.of("metadata must hold at least one key");
    }
    for (Map.Entry<String, String> entry : values.entrySet()) {
      String key = entry.getKey();
      if (key == null || key.isBlank() || key.length() > MAX_KEY_LENGTH) {
        return Optional.of("metadata keys must be 1 to " + MAX_KEY_LENGTH + " characters");
      }
      if (entry.getValue() == null) {
        return Optional.of("metadata value of '" + key + "' must be a string");
      }
      if (entry.getValue().length() > MAX_VALUE_LENGTH) {
        return Optional.of("metadata value of '" + key + "' is longer than " + MAX_VALUE_LENGTH);
      }
    }
    Set<String> keys = new HashSet<>(existing.keySet());
    keys.addAll(values.keySet());
    if (keys.size() > MAX_ENTRIES) {
      return Optional.of("an app holds at most " + MAX_ENTRIES + " metadata keys");
    }
    return Optional.empty();
  }
}
