package dev.berth.core;

import akka.actor.Address;
import akka.actor.AddressFromURIString;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.DispatcherSelector;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.JoinSeedNodes;
import akka.Done;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.berth.driver.ContainerInfo;
import dev.berth.driver.DockerContainerDriver;
import dev.berth.driver.EngineUnavailableException;
import dev.berth.driver.Labels;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The platform side of one node: the journal schema, the container driver, cluster membership,
 * the sharded app entities and the directory of apps. The edge talks to apps only through
 * {@link #app(String)}.
 */
public final class Platform {
  private final ActorSystem<?> system;
  private final BerthSettings settings;
  private final DockerContainerDriver driver;
  private final Executor blocking;
  private final ActorRef<CapacityKeeper.Command> capacity;
  private final AppDirectory directory;

  private Platform(
      ActorSystem<?> system,
      BerthSettings settings,
      DockerContainerDriver driver,
      Executor blocking,
      ActorRef<CapacityKeeper.Command> capacity,
      AppDirectory directory) {
    this.system = system;
    this.settings = settings;
    this.driver = driver;
    this.blocking = blocking;
    this.capacity = capacity;
    this.directory = directory;
  }

  /**
   * The node's configuration, highest first: {@code overrides}, system properties,
   * application.conf, Berth's settings for Akka (every module's berth-akka.conf), every
   * reference.conf; then the journal database filled in from {@code berth.persistence}.
   */
  public static Config loadConfig(Config overrides) {
    ConfigFactory.invalidateCaches();
    Config config = overrides
        .withFallback(ConfigFactory.defaultOverrides())
        .withFallback(ConfigFactory.defaultApplication())
        .withFallback(ConfigFactory.parseResourcesAnySyntax("berth-akka"))
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
    return PersistenceConfig.apply(config);
  }

  /** Starts the platform on a system made from {@link #loadConfig}. Blocks while it sets up. */
  public static Platform start(ActorSystem<?> system) {
    Config config = system.settings().config();
    Cluster cluster = Cluster.get(system);
    Address self = cluster.selfMember().address();
    BerthSettings settings = BerthSettings.from(config, self.getPort().orElse(0));

    JournalSchema.ensure(config);
    DockerContainerDriver driver = new DockerContainerDriver(settings.docker());
    driver.ping();
    CoordinatedShutdown.get(system).addTask(
        CoordinatedShutdown.PhaseActorSystemTerminate(), "close-docker-client", () -> {
          try {
            driver.close();
          } catch (IOException ignored) {
            // The process is ending; nothing is left to release.
          }
          return CompletableFuture.completedFuture(Done.getInstance());
        });

    Executor blocking =
        system.dispatchers().lookup(DispatcherSelector.fromConfig("berth.docker-dispatcher"));
    ActorRef<CapacityKeeper.Command> capacity = CapacityKeeper.init(system, settings);
    AppEntity.init(system, new NodeServices(settings, driver, blocking, capacity));

    List<Address> seeds = seedNodes(config.getString("berth.cluster.seed-nodes"));
    cluster.manager().tell(new JoinSeedNodes(seeds.isEmpty() ? List.of(self) : seeds));

    ContainerExitWatcher exits = new ContainerExitWatcher(system, driver);
    exits.start();
    LeftoverContainers.reconcile(system, driver, settings.nodeId(), blocking);
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    if (settings.stopContainersOnShutdown()) {
      shutdown.addTask(CoordinatedShutdown.PhaseBeforeClusterShutdown(), "stop-containers",
          () -> stopContainers(system, driver, settings, blocking));
    }
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeClusterShutdown(), "stop-watching-exits", () -> {
      exits.stop();
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    AppDirectory directory = AppDirectory.start(system,
        new EventLog(system, EventLog.BULK_READ_JOURNAL), settings);
    return new Platform(system, settings, driver, blocking, capacity, directory);
  }

  /** Stops every container this node runs, through its entity, so the journal records it. */
  private static CompletionStage<Done> stopContainers(
      ActorSystem<?> system, DockerContainerDriver driver, BerthSettings settings, Executor blocking) {
    Duration timeout = settings.stopTimeout().plusSeconds(10);
    return CompletableFuture
        .supplyAsync(() -> driver.list(Map.of(Labels.NODE, settings.nodeId())).stream()
            .filter(ContainerInfo::running)
            .toList(), blocking)
        .thenCompose(running -> CompletableFuture.allOf(running.stream()
            .filter(container -> AppId.isValid(container.appId()))
            .map(container -> ClusterSharding.get(system)
                .entityRefFor(AppEntity.ENTITY_KEY, container.appId())
                .<AppStatus>askWithStatus(replyTo ->
                    new AppEntity.Stop(AppEntity.StopReason.SHUTDOWN, null, replyTo), timeout)
                .toCompletableFuture())
            .toArray(CompletableFuture[]::new)))
        .handle((done, failure) -> Done.getInstance());
  }

  private static List<Address> seedNodes(String commaSeparated) {
    return Arrays.stream(commaSeparated.split(","))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .map(AddressFromURIString::parse)
        .toList();
  }

  public EntityRef<AppEntity.Command> app(String appId) {
    if (!AppId.isValid(appId)) {
      throw new IllegalArgumentException(AppId.RULE + ": " + appId);
    }
    return ClusterSharding.get(system).entityRefFor(AppEntity.ENTITY_KEY, appId);
  }

  /**
   * Stores an app's new configuration, once the engine is found to hold its image; answers it
   * with secrets hidden. Fails with an {@link AppError} (invalid_request) when it is refused.
   */
  public CompletionStage<AppConfig> configure(
      String appId, ConfigUpdate update, String requestedBy, Duration timeout) {
    String image = update.fields().image();
    CompletableFuture<Void> imageChecked = image == null
        ? CompletableFuture.completedFuture(null)
        : CompletableFuture.runAsync(() -> {
          boolean present;
          try {
            present = driver.hasImage(image);
          } catch (EngineUnavailableException noEngine) {
            throw new CompletionException(
                new AppError(AppError.Code.ENGINE_UNAVAILABLE, noEngine.getMessage()).toException());
          }
          if (!present) {
            throw new CompletionException(new AppError(AppError.Code.INVALID_REQUEST,
                "image " + image + " is not on the engine at " + driver.engineAddress()
                    + "; Berth pulls nothing, so build or load it first").toException());
          }
        }, blocking);
    return imageChecked.thenComposeAsync(checked -> app(appId).<AppConfig>askWithStatus(
        replyTo -> new AppEntity.SetConfig(update, requestedBy, replyTo), timeout),
        system.executionContext());
  }

  /** How many instances run cluster-wide, as the capacity keeper counts them, and the bound. */
  public CompletionStage<CapacityKeeper.Usage> usage(Duration timeout) {
    return AskPattern.ask(capacity, CapacityKeeper.GetUsage::new, timeout, system.scheduler());
  }

  /** Every app the journal knows, as this node has read it so far. */
  public AppDirectory directory() {
    return directory;
  }

  public BerthSettings settings() {
    return settings;
  }

  /** The cluster's members as this node sees them: address, status, reachable. */
  public List<ClusterMember> members() {
    var state = Cluster.get(system).state();
    List<ClusterMember> members = new java.util.ArrayList<>();
    state.getMembers().forEach(member -> members.add(new ClusterMember(
        member.address().toString(),
        member.status().toString(),
        !state.getUnreachable().contains(member))));
    return members;
  }

  public record ClusterMember(String address, String status, boolean reachable) {}

  /** This node's cluster address, as other nodes name it. */
  public String nodeAddress() {
    return Cluster.get(system).selfMember().address().toString();
  }
}
