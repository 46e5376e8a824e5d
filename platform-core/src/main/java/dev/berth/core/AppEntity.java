package dev.berth.core;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.pattern.StatusReply;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import dev.berth.driver.ContainerInfo;
import dev.berth.driver.ContainerNotReadyException;
import dev.berth.driver.ContainerSpec;
import dev.berth.driver.EngineUnavailableException;
import dev.berth.driver.StartedContainer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One app, cluster-wide: owns its container's life. Event-sourced, so that what happened to the
 * app survives restarts and can be audited; the container itself is driven through Docker calls
 * that run on the node's blocking pool and report back as messages.
 *
 * <p>Runtime-only facts — a start or stop under way, requests waiting for it, requests in flight,
 * the idle timer — live in this behavior, not in events.
 */
public final class AppEntity
    extends EventSourcedBehaviorWithEnforcedReplies<AppEntity.Command, AppEntity.Event, AppEntity.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "App");

  /** Every event carries this tag, so the whole journal can be read back in one order. */
  public static final String EVENT_TAG = "berth-app";

  // ---- commands -------------------------------------------------------------------------------

  public sealed interface Command extends BerthSerializable {}

  /**
   * Makes the app's container ready and answers where it listens. Counts as the start of a
   * request: the caller must send {@link RequestFinished} once for every success.
   */
  public record EnsureRunning(ActorRef<StatusReply<Endpoint>> replyTo) implements Command {}

  /** A request that {@link EnsureRunning} admitted has completed, its response body included. */
  public enum RequestFinished implements Command { INSTANCE }

  /** Reports the app's state; never starts a container. */
  public record GetStatus(ActorRef<AppStatus> replyTo) implements Command {}

  /** Replaces the running container by a new one (or starts one), then reports the status. */
  public record Restart(ActorRef<StatusReply<AppStatus>> replyTo) implements Command {}

  /** Merges the given values into the app's metadata and answers the result. */
  public record SetMetadata(Map<String, String> values, ActorRef<StatusReply<Metadata>> replyTo)
      implements Command {}

  private record ContainerReady(String containerId, String host, int port) implements Command {}

  private record StartAttemptFailed(AppError.Code code, String error) implements Command {}

  private record StopCompleted(String containerId, StopReason reason) implements Command {}

  private record StopAttemptFailed(String error) implements Command {}

  private record ContainerChecked(String containerId, boolean running) implements Command {}

  private enum IdleCheck implements Command { INSTANCE }

  // ---- events ---------------------------------------------------------------------------------

  public sealed interface Event extends BerthSerializable {
    /** When it happened, epoch milliseconds. */
    long at();
  }

  public record ContainerStarted(String containerId, String host, int port, String node, String image, long at)
      implements Event {}

  public record ContainerStopped(String containerId, StopReason reason, long at) implements Event {}

  public record StartFailed(String error, long at) implements Event {}

  public record MetadataSet(Map<String, String> values, long at) implements Event {}

  public enum StopReason {
    /** Nothing came in for sleep-after: the app was put to sleep. */
    IDLE,
    /** A restart was asked for. */
    RESTART,
    /** The container was gone, or no longer running, when the platform looked. */
    VANISHED
  }

  // ---- state ----------------------------------------------------------------------------------

  /** What every app has, whatever its container's state. Times are epoch ms, 0 for never. */
  public record AppData(int startCount, long lastStarted, long lastStopped, Map<String, String> metadata)
      implements BerthSerializable {
    static final AppData EMPTY = new AppData(0, 0, 0, Map.of());

    AppData started(long at) {
      return new AppData(startCount + 1, at, lastStopped, metadata);
    }

    AppData stopped(long at) {
      return new AppData(startCount, lastStarted, at, metadata);
    }

    AppData withMetadata(Map<String, String> values) {
      Map<String, String> merged = new HashMap<>(metadata);
      merged.putAll(values);
      return new AppData(startCount, lastStarted, lastStopped, Map.copyOf(merged));
    }
  }

  public sealed interface State extends BerthSerializable {
    AppData data();

    State withData(AppData data);
  }

  /** The app has never had a container. */
  public record NotStarted(AppData data) implements State {
    @Override
    public State withData(AppData data) {
      return new NotStarted(data);
    }
  }

  public record Running(AppData data, String containerId, String host, int port, String node)
      implements State {
    @Override
    public State withData(AppData data) {
      return new Running(data, containerId, host, port, node);
    }

    Endpoint endpoint() {
      return new Endpoint(host, port);
    }
  }

  /** Its container was stopped and removed; the next request starts a new one. */
  public record Stopped(AppData data, StopReason reason) implements State {
    @Override
    public State withData(AppData data) {
      return new Stopped(data, reason);
    }
  }

  /** The last start failed; the next request tries again. */
  public record Failed(AppData data, String error, long failedAt) implements State {
    @Override
    public State withData(AppData data) {
      return new Failed(data, error, failedAt);
    }
  }

  // ---- wiring ---------------------------------------------------------------------------------

  public static void init(ActorSystem<?> system, NodeServices services) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY,
        entity -> create(entity.getEntityId(), entity.getShard(), services)));
  }

  static Behavior<Command> create(
      String appId, ActorRef<ClusterSharding.ShardCommand> shard, NodeServices services) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new AppEntity(appId, shard, services, context, timers)));
  }

  /** A Docker start, stop or check is under way; its outcome arrives as a message. */
  private enum Operation { NONE, STARTING, STOPPING, CHECKING }

  private final String appId;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final NodeServices services;
  private final BerthSettings settings;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;

  private Operation operation = Operation.NONE;
  private final List<ActorRef<StatusReply<Endpoint>>> waitingForEndpoint = new ArrayList<>();
  private final List<ActorRef<StatusReply<AppStatus>>> waitingForRestart = new ArrayList<>();
  private int requestsInFlight;
  /**
   * Asked the shard to stop this entity. A command already in the mailbox may still arrive; one
   * that would start a container goes back through sharding, which holds it for the next
   * incarnation, rather than begin work that the stop would cut short.
   */
  private boolean passivating;
  private long lastActivityNanos = System.nanoTime();

  private AppEntity(
      String appId,
      ActorRef<ClusterSharding.ShardCommand> shard,
      NodeServices services,
      ActorContext<Command> context,
      TimerScheduler<Command> timers) {
    super(PersistenceId.of(ENTITY_KEY.name(), appId));
    this.appId = appId;
    this.shard = shard;
    this.services = services;
    this.settings = services.settings();
    this.context = context;
    this.timers = timers;
  }

  @Override
  public State emptyState() {
    return new NotStarted(AppData.EMPTY);
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return Set.of(EVENT_TAG);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2);
  }

  // ---- command handlers -----------------------------------------------------------------------

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    CommandHandlerWithReplyBuilder<Command, Event, State> builder = newCommandHandlerWithReplyBuilder();
    builder.forState(state -> passivating)
        .onCommand(EnsureRunning.class, this::handToNextIncarnation)
        .onCommand(Restart.class, this::handToNextIncarnation);
    builder.forStateType(Running.class)
        .onCommand(EnsureRunning.class, this::ensureRunningWhileRunning)
        .onCommand(Restart.class, (state, cmd) -> restartRunning(state, cmd))
        .onCommand(IdleCheck.class, this::checkIdle);
    builder.forAnyState()
        .onCommand(EnsureRunning.class, (state, cmd) -> waitForStart(state, cmd.replyTo()))
        .onCommand(Restart.class, (state, cmd) -> restartStopped(state, cmd))
        .onCommand(IdleCheck.class, (state, cmd) -> Effect().noReply())
        .onCommand(RequestFinished.class, this::requestFinished)
        .onCommand(GetStatus.class, (state, cmd) -> Effect().reply(cmd.replyTo(), status(state)))
        .onCommand(SetMetadata.class, this::setMetadata)
        .onCommand(ContainerReady.class, this::containerReady)
        .onCommand(StartAttemptFailed.class, this::startFailed)
        .onCommand(StopCompleted.class, this::stopCompleted)
        .onCommand(StopAttemptFailed.class, this::stopFailed)
        .onCommand(ContainerChecked.class, this::containerChecked);
    return builder.build();
  }

  private ReplyEffect<Event, State> handToNextIncarnation(State state, Command cmd) {
    ClusterSharding.get(context.getSystem()).entityRefFor(ENTITY_KEY, appId).tell(cmd);
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> ensureRunningWhileRunning(Running state, EnsureRunning cmd) {
    if (operation != Operation.NONE) {
      return waitForStart(state, cmd.replyTo());
    }
    admitRequest();
    return Effect().reply(cmd.replyTo(), StatusReply.success(state.endpoint()));
  }

  private ReplyEffect<Event, State> waitForStart(State state, ActorRef<StatusReply<Endpoint>> replyTo) {
    if (waitingForEndpoint.size() >= settings.maxWaitingRequests()) {
      return Effect().reply(replyTo, new AppError(AppError.Code.OVERLOADED,
          waitingForEndpoint.size() + " requests already wait for " + appId + " to start").toReply());
    }
    waitingForEndpoint.add(replyTo);
    if (operation == Operation.NONE) {
      beginStart();
    }
    // Answered when the start completes: containerReady or startFailed.
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> restartRunning(Running state, Restart cmd) {
    if (operation != Operation.NONE) {
      return Effect().stash();
    }
    waitingForRestart.add(cmd.replyTo());
    beginStop(state.containerId(), StopReason.RESTART);
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> restartStopped(State state, Restart cmd) {
    if (operation != Operation.NONE) {
      return Effect().stash();
    }
    waitingForRestart.add(cmd.replyTo());
    beginStart();
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> requestFinished(State state, RequestFinished cmd) {
    requestsInFlight = Math.max(0, requestsInFlight - 1);
    lastActivityNanos = System.nanoTime();
    if (requestsInFlight == 0) {
      scheduleIdleCheck(settings.sleepAfter());
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> checkIdle(Running state, IdleCheck cmd) {
    if (operation != Operation.NONE || requestsInFlight > 0) {
      // A finishing request or operation schedules the next check.
      return Effect().noReply();
    }
    Duration idle = Duration.ofNanos(System.nanoTime() - lastActivityNanos);
    if (idle.compareTo(settings.sleepAfter()) < 0) {
      scheduleIdleCheck(settings.sleepAfter().minus(idle));
    } else {
      context.getLog().info("{} idle for {} s: putting it to sleep", appId, idle.toSeconds());
      beginStop(state.containerId(), StopReason.IDLE);
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> setMetadata(State state, SetMetadata cmd) {
    Optional<String> problem = Metadata.problemWith(state.data().metadata(), cmd.values());
    if (problem.isPresent()) {
      return Effect().reply(cmd.replyTo(),
          new AppError(AppError.Code.INVALID_REQUEST, problem.get()).toReply());
    }
    return Effect()
        .persist(new MetadataSet(Map.copyOf(cmd.values()), now()))
        .thenReply(cmd.replyTo(), updated -> StatusReply.success(new Metadata(updated.data().metadata())));
  }

  private ReplyEffect<Event, State> containerReady(State state, ContainerReady ready) {
    return Effect()
        .persist(new ContainerStarted(ready.containerId(), ready.host(), ready.port(),
            settings.nodeId(), settings.image(), now()))
        .thenRun(started -> {
          operation = Operation.NONE;
          admitWaitingRequests((Running) started);
          waitingForRestart.forEach(replyTo -> replyTo.tell(StatusReply.success(status(started))));
          waitingForRestart.clear();
          scheduleIdleCheck(settings.sleepAfter());
        })
        .thenNoReply()
        .thenUnstashAll();
  }

  private ReplyEffect<Event, State> startFailed(State state, StartAttemptFailed failure) {
    context.getLog().warn("{} did not start: {}", appId, failure.error());
    return Effect()
        .persist(new StartFailed(failure.error(), now()))
        .thenRun(failed -> {
          operation = Operation.NONE;
          AppError error = new AppError(failure.code(), failure.error());
          waitingForEndpoint.forEach(replyTo -> replyTo.tell(error.toReply()));
          waitingForEndpoint.clear();
          waitingForRestart.forEach(replyTo -> replyTo.tell(error.toReply()));
          waitingForRestart.clear();
        })
        .thenNoReply()
        .thenUnstashAll();
  }

  private ReplyEffect<Event, State> stopCompleted(State state, StopCompleted stop) {
    return Effect()
        .persist(new ContainerStopped(stop.containerId(), stop.reason(), now()))
        .thenRun(stopped -> {
          operation = Operation.NONE;
          if (!waitingForEndpoint.isEmpty() || !waitingForRestart.isEmpty()) {
            beginStart();
          } else if (stop.reason() == StopReason.IDLE) {
            passivating = true;
            shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
          }
        })
        .thenNoReply()
        .thenUnstashAll();
  }

  private ReplyEffect<Event, State> stopFailed(State state, StopAttemptFailed failure) {
    context.getLog().warn("{}: stopping its container failed, will try again: {}", appId, failure.error());
    operation = Operation.NONE;
    AppError error = new AppError(AppError.Code.ENGINE_UNAVAILABLE, failure.error());
    waitingForRestart.forEach(replyTo -> replyTo.tell(error.toReply()));
    waitingForRestart.clear();
    if (state instanceof Running running) {
      admitWaitingRequests(running);
    }
    scheduleIdleCheck(settings.sleepAfter());
    return Effect().noReply().thenUnstashAll();
  }

  private ReplyEffect<Event, State> containerChecked(State state, ContainerChecked check) {
    if (check.running() || !(state instanceof Running running)
        || !running.containerId().equals(check.containerId())) {
      operation = Operation.NONE;
      if (state instanceof Running running) {
        admitWaitingRequests(running);
      }
      scheduleIdleCheck(settings.sleepAfter());
      return Effect().noReply().thenUnstashAll();
    }
    context.getLog().info("{}: its container {} is gone", appId, check.containerId());
    return stopCompleted(state, new StopCompleted(check.containerId(), StopReason.VANISHED));
  }

  // ---- Docker operations, run on the blocking pool --------------------------------------------

  private void beginStart() {
    operation = Operation.STARTING;
    ContainerSpec spec = ContainerSpec.of(appId, settings.nodeId(), settings.image(),
            settings.appPort(), settings.instanceType())
        .withEnvironment(Map.of("APP_ID", appId, "PORT", String.valueOf(settings.appPort())));
    CompletableFuture<StartedContainer> start = CompletableFuture.supplyAsync(() -> {
      StartedContainer container = services.driver().start(spec);
      try {
        services.driver().awaitReady(container, settings.probePath(), settings.startTimeout());
      } catch (RuntimeException notReady) {
        services.driver().remove(container.id());
        throw notReady;
      }
      return container;
    }, services.blocking());
    context.pipeToSelf(start, (container, error) -> error == null
        ? new ContainerReady(container.id(), container.host(), container.port())
        : startFailure(error));
  }

  private static Command startFailure(Throwable error) {
    Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
    AppError.Code code = AppError.Code.START_FAILED;
    if (cause instanceof ContainerNotReadyException notReady && notReady.exitCode().isEmpty()) {
      code = AppError.Code.START_TIMEOUT;
    } else if (cause instanceof EngineUnavailableException) {
      code = AppError.Code.ENGINE_UNAVAILABLE;
    }
    return new StartAttemptFailed(code, String.valueOf(cause.getMessage()));
  }

  private void beginStop(String containerId, StopReason reason) {
    operation = Operation.STOPPING;
    CompletableFuture<Void> stop = CompletableFuture.runAsync(() -> {
      services.driver().stop(containerId, settings.stopTimeout());
      services.driver().remove(containerId);
    }, services.blocking());
    context.pipeToSelf(stop, (ok, error) -> error == null
        ? new StopCompleted(containerId, reason)
        : new StopAttemptFailed(String.valueOf(error.getMessage())));
  }

  /** After recovery a journal that says running is checked against the engine. */
  private void beginCheck(Running state) {
    operation = Operation.CHECKING;
    CompletableFuture<Optional<ContainerInfo>> inspect = CompletableFuture.supplyAsync(
        () -> services.driver().inspect(state.containerId()), services.blocking());
    context.pipeToSelf(inspect, (info, error) -> new ContainerChecked(state.containerId(),
        error == null && info.filter(ContainerInfo::running)
            .flatMap(ContainerInfo::published)
            .filter(published -> published.port() == state.port())
            .isPresent()));
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** Answers every request that waited for the container with where it listens. */
  private void admitWaitingRequests(Running running) {
    waitingForEndpoint.forEach(replyTo -> {
      admitRequest();
      replyTo.tell(StatusReply.success(running.endpoint()));
    });
    waitingForEndpoint.clear();
  }

  private void admitRequest() {
    requestsInFlight++;
    lastActivityNanos = System.nanoTime();
  }

  private void scheduleIdleCheck(Duration after) {
    timers.startSingleTimer(IdleCheck.INSTANCE, IdleCheck.INSTANCE, after);
  }

  private AppStatus status(State state) {
    AppData data = state.data();
    String status;
    String containerId = "";
    String host = "";
    int port = 0;
    String lastError = "";
    long lastErrorAt = 0;
    if (state instanceof Running running) {
      status = "running";
      containerId = running.containerId();
      host = running.host();
      port = running.port();
    } else if (state instanceof Stopped stopped) {
      status = stopped.reason() == StopReason.IDLE ? "sleeping" : "stopped";
    } else if (state instanceof Failed failed) {
      status = "failed";
      lastError = failed.error();
      lastErrorAt = failed.failedAt();
    } else {
      status = "not_started";
    }
    if (operation == Operation.STARTING) {
      status = "starting";
    } else if (operation == Operation.STOPPING) {
      status = "stopping";
    }
    return new AppStatus(appId, status, containerId, host, port, data.startCount(),
        data.lastStarted(), data.lastStopped(), data.metadata(), lastError, lastErrorAt,
        requestsInFlight);
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  // ---- event handler: pure ---------------------------------------------------------------------

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(ContainerStarted.class, (state, e) ->
            new Running(state.data().started(e.at()), e.containerId(), e.host(), e.port(), e.node()))
        .onEvent(ContainerStopped.class, (state, e) ->
            new Stopped(state.data().stopped(e.at()), e.reason()))
        .onEvent(StartFailed.class, (state, e) -> new Failed(state.data(), e.error(), e.at()))
        .onEvent(MetadataSet.class, (state, e) -> state.withData(state.data().withMetadata(e.values())))
        .build();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          if (state instanceof Running running) {
            beginCheck(running);
          }
        })
        .build();
  }
}
