package dev.berth.core;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import dev.berth.driver.ContainerDriver;
import dev.berth.driver.ContainerInfo;
import dev.berth.driver.Labels;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start-up, offers every container labelled with this node's id to its app's entity. The
 * entity keeps its current one (and, now awake, will put it to sleep when idle); anything else —
 * left by a crash between a start and its event, or by an app since deleted — is removed.
 */
final class LeftoverContainers {
  private static final Logger log = LoggerFactory.getLogger(LeftoverContainers.class);
  private static final Duration CLAIM_TIMEOUT = Duration.ofSeconds(60);

  private LeftoverContainers() {}

  static CompletionStage<Void> reconcile(
      ActorSystem<?> system, ContainerDriver driver, String nodeId, Executor blocking) {
    return CompletableFuture
        .supplyAsync(() -> driver.list(Map.of(Labels.NODE, nodeId)), blocking)
        .thenCompose(containers -> CompletableFuture.allOf(containers.stream()
            .map(container -> offer(system, driver, container, blocking).toCompletableFuture())
            .toArray(CompletableFuture[]::new)))
        .exceptionally(failure -> {
          log.warn("could not reconcile this node's leftover containers: {}", failure.getMessage());
          return null;
        });
  }

  private static CompletionStage<Void> offer(
      ActorSystem<?> system, ContainerDriver driver, ContainerInfo container, Executor blocking) {
    String appId = container.appId();
    CompletionStage<Boolean> kept = AppId.isValid(appId)
        ? ClusterSharding.get(system).entityRefFor(AppEntity.ENTITY_KEY, appId)
            .<AppEntity.ContainerClaim>ask(
                replyTo -> new AppEntity.ClaimContainer(container.id(), replyTo), CLAIM_TIMEOUT)
            .thenApplyAsync(AppEntity.ContainerClaim::kept, blocking)
        : CompletableFuture.completedFuture(false);
    return kept.thenAcceptAsync(isKept -> {
      if (!isKept) {
        log.info("removing leftover container {} of app {}", container.name(), appId);
        driver.remove(container.id());
      }
    }, blocking);
  }
}
