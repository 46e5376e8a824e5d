package dev.berth.edge;

import java.util.Optional;
import java.util.OptionalLong;

/** The paging rules every listing of the edge shares. */
final class Paging {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;

  private Paging() {}

  static boolean validLimit(long limit) {
    return limit >= 1 && limit <= MAX_LIMIT;
  }

  /** The parameter as a number, its default when absent; empty when it is not a number. */
  static OptionalLong number(Optional<String> parameter, long absent) {
    if (parameter.isEmpty()) {
      return OptionalLong.of(absent);
    }
    try {
      return OptionalLong.of(Long.parseLong(parameter.get()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
