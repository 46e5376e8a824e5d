package dev.berth.edge.testing;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * Counts containers in Docker, as often as it can, from when it is made until it is closed, and
 * keeps the most it saw: the judge of whether a bound on running containers ever gave way.
 */
public final class DockerCounter implements AutoCloseable {
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicInteger most = new AtomicInteger();
  private final AtomicInteger samples = new AtomicInteger();
  private final Thread thread;

  /** @param count how many containers there are now, as Docker lists them */
  public DockerCounter(IntSupplier count) {
    thread = new Thread(() -> {
      while (running.get()) {
        most.accumulateAndGet(count.getAsInt(), Math::max);
        samples.incrementAndGet();
      }
    }, "docker-counter");
    thread.start();
  }

  /** The most containers counted at once so far. */
  public int most() {
    return most.get();
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    thread.join();
    System.out.printf("Docker counted %d times; at most %d containers%n", samples.get(), most.get());
  }
}
