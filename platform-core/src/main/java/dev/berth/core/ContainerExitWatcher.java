package dev.berth.core;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import dev.berth.driver.ContainerDriver;
import dev.berth.driver.ContainerExit;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the engine's container exits and tells each app's entity, so a crash, an OOM kill or a
 * {@code docker stop} behind Berth's back is recorded within moments, not at the next request.
 * Every node watches; the entity ignores reports about containers that are not its current one.
 */
final class ContainerExitWatcher {
  private static final Logger log = LoggerFactory.getLogger(ContainerExitWatcher.class);
  private static final Duration RESUBSCRIBE_AFTER = Duration.ofSeconds(2);

  private final ActorSystem<?> system;
  private final ContainerDriver driver;
  private volatile Closeable subscription;
  private volatile boolean stopped;

  ContainerExitWatcher(ActorSystem<?> system, ContainerDriver driver) {
    this.system = system;
    this.driver = driver;
  }

  void start() {
    if (stopped) {
      return;
    }
    try {
      subscription = driver.watchExits(this::report, this::ended);
    } catch (RuntimeException engineDown) {
      log.warn("cannot follow container exits, trying again in {} s: {}",
          RESUBSCRIBE_AFTER.toSeconds(), engineDown.getMessage());
      ended();
    }
  }

  void stop() {
    stopped = true;
    Closeable current = subscription;
    if (current != null) {
      try {
        current.close();
      } catch (IOException ignored) {
        // Shutting down: the stream goes with the client.
      }
    }
  }

  private void report(ContainerExit exit) {
    if (AppId.isValid(exit.appId())) {
      ClusterSharding.get(system)
          .entityRefFor(AppEntity.ENTITY_KEY, exit.appId())
          .tell(new AppEntity.CheckContainer(exit.containerId()));
    }
  }

  private void ended() {
    if (!stopped) {
      system.scheduler().scheduleOnce(RESUBSCRIBE_AFTER, this::start, system.executionContext());
    }
  }
}
