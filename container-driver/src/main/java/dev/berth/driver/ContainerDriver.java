package dev.berth.driver;

import java.io.Closeable;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What Berth needs from a container engine: one hardened container per app, found again by its
 * labels. Every operation is idempotent where the engine allows it: starting a started container,
 * stopping a stopped one and removing a removed one all succeed.
 *
 * <p>All methods block; callers run them on a thread pool meant for blocking work.
 *
 * @throws EngineUnavailableException from any method when the engine does not answer
 */
public interface ContainerDriver extends Closeable {

  /**
   * Creates and starts the container for {@code spec.appId()}, or returns the one already running
   * under its name. A stopped or dead container of that name is replaced, as is a running one on
   * another network or with another root file system than the spec asks for. Does not wait for
   * the app inside to answer: see {@link #awaitReady}.
   */
  StartedContainer start(ContainerSpec spec);

  /**
   * Polls {@code http://host:port{probePath}} until it answers with a status below 500.
   *
   * @throws ContainerNotReadyException if the container exits or the deadline passes first; the
   *     exception carries the exit code, whether it was OOM-killed and the last log lines
   */
  void awaitReady(StartedContainer container, String probePath, Duration deadline);

  /** Asks the container's process to stop, and kills it after {@code timeout}. */
  void stop(String containerId, Duration timeout);

  /** Removes the container, killing it if it still runs. */
  void remove(String containerId);

  Optional<ContainerInfo> inspect(String containerIdOrName);

  /**
   * Whether the engine holds {@code image} locally; nothing is pulled. False also for a name
   * that is no image reference at all.
   */
  boolean hasImage(String image);

  /** Every Berth-managed container, running or not, that carries all the given labels. */
  List<ContainerInfo> list(java.util.Map<String, String> labels);

  /** The last {@code lines} lines the container wrote to stdout and stderr, oldest first. */
  List<String> logTail(String containerId, int lines);

  /**
   * Streams the container's output, line by line, from now on, until the container stops or the
   * returned handle is closed.
   */
  Closeable followLogs(String containerId, Consumer<String> onLine);

  /**
   * Reports every Berth container that stops from now on, until the returned handle is closed.
   * {@code onEnd} runs once if the engine ends the stream (it restarted, or the connection broke);
   * exits during the gap are not reported, so a caller that resubscribes should also reconcile.
   */
  Closeable watchExits(Consumer<ContainerExit> onExit, Runnable onEnd);

  /** Fails with {@link EngineUnavailableException} unless the engine answers. */
  void ping();
}
