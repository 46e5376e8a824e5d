package dev.berth.driver.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition to become true, failing the test if it has not by the deadline. */
public final class Deadline {
  private static final Duration POLL = Duration.ofMillis(20);
  private final Duration limit;

  private Deadline(Duration limit) {
    this.limit = limit;
  }

  public static Deadline within(Duration limit) {
    return new Deadline(limit);
  }

  public void await(String what, BooleanSupplier condition) {
    awaitValue(what, () -> condition.getAsBoolean() ? Boolean.TRUE : null);
  }

  /** Polls until {@code probe} gives a non-null value, and returns it. */
  public <T> T awaitValue(String what, Supplier<T> probe) {
    long end = System.nanoTime() + limit.toNanos();
    while (true) {
      T value = probe.get();
      if (value != null) {
        return value;
      }
      if (System.nanoTime() > end) {
        throw new AssertionError("not within " + limit.toMillis() + " ms: " + what);
      }
      LockSupport.parkNanos(POLL.toNanos());
    }
  }
}
