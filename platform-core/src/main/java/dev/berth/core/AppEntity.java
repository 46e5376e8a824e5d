package dev.berth.core;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.typed.Cluster;
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
import dev.berth.driver.InstanceType;
import dev.berth.driver.StartedContainer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One app, cluster-wide: owns its container's life. Event-sourced, so that what happened to the
 * app survives restarts and can be audited; the container itself is driven through Docker calls
 * that run on the node's blocking pool and report back as messages.
 *
 * <p>Runtime-only facts — a start, stop or check under way, requests waiting for it, requests in
 * flight, the idle timer — live in this behavior, not in events.
 */
public final class AppEntity
    extends EventSourcedBehaviorWithEnforcedReplies<AppEntity.Command, AppEntity.Event, AppEntity.State> {

  private static final Logger log = LoggerFactory.getLogger(AppEntity.class);

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "App");

  /**
   * How long one ask for a capacity slot may go unanswered before it is sent again: the keeper
   * answers at once, or after putting an idle app to sleep, unless its node is failing over.
   */
  private static final Duration SLOT_ASK_TIMEOUT = Duration.ofSeconds(10);

  /** Every event carries this tag, so the whole journal can be read back in one order. */
  public static final String EVENT_TAG = "berth-app";

  // ---- commands -------------------------------------------------------------------------------

  public sealed interface Command extends BerthSerializable {}

  /**
   * Makes the app's container ready and answers where it listens. Admits the request as in
   * flight, keeping the app awake, until {@link RequestFinished} with the same id. Sending it
   * again with the same id (a retry after a lost reply) admits nothing twice.
   *
   * @param requestId unique, and starting with the address of the edge's node: an id whose node
   *     has left the cluster no longer keeps the app awake
   */
  public record EnsureRunning(String requestId, ActorRef<StatusReply<Endpoint>> replyTo) implements Command {}

  /** The request {@link EnsureRunning} admitted has completed, its response body included. */
  public record RequestFinished(String requestId) implements Command {}

  /** Reports the app's state; never starts a container. */
  public record GetStatus(ActorRef<AppStatus> replyTo) implements Command {}

  /** Replaces the running container by a new one (or starts one), then reports the status. */
  public record Restart(String requestedBy, ActorRef<StatusReply<AppStatus>> replyTo) implements Command {}

  /** Stops and removes the running container now, if there is one, then reports the status. */
  public record Stop(StopReason reason, String requestedBy, ActorRef<StatusReply<AppStatus>> replyTo)
      implements Command {}

  /**
   * Stops and removes the container and marks the app deleted: its history stays in the journal,
   * and a later request starts it anew, with nothing carried over.
   */
  public record Delete(String requestedBy, ActorRef<StatusReply<AppStatus>> replyTo) implements Command {}

  /** Merges the given values into the app's metadata and answers the result. */
  public record SetMetadata(
      Map<String, String> values, String requestedBy, ActorRef<StatusReply<Metadata>> replyTo)
      implements Command {}

  /**
   * The container may have stopped behind Berth's back: the engine reported its exit, or it
   * refused a connection. An empty id means whichever container the app has now.
   */
  public record CheckContainer(String containerId) implements Command {}

  /**
   * Asks whether a container found on the engine is this app's current one. If it is, the
   * entity keeps it (and, being awake now, will put it to sleep when idle); if not, the caller
   * removes it.
   */
  public record ClaimContainer(String containerId, ActorRef<ContainerClaim> replyTo) implements Command {}

  public record ContainerClaim(boolean kept) implements BerthSerializable {}

  /**
   * Replaces the app's configuration (see {@link ConfigUpdate}) and answers it with secrets
   * hidden. Takes effect at the next start.
   */
  public record SetConfig(ConfigUpdate update, String requestedBy, ActorRef<StatusReply<AppConfig>> replyTo)
      implements Command {}

  /** Answers the app's configuration with secrets hidden. */
  public record GetConfig(ActorRef<AppConfig> replyTo) implements Command {}

  /** The capacity keeper asks how long this app has been idle, to choose one to put to sleep. */
  public record ReportIdleness(ActorRef<Idleness> replyTo) implements Command {}

  /**
   * @param evictable it runs a container, with no start, stop or request under way
   */
  public record Idleness(String appId, boolean evictable, long idleMillis) implements BerthSerializable {}

  /**
   * The capacity keeper needs this app's slot for {@code forAppId}: the app goes to sleep if it
   * is still idle enough, and its slot is released once its container is gone.
   */
  public record Evict(String forAppId, ActorRef<EvictAnswer> replyTo) implements Command {}

  public record EvictAnswer(boolean accepted) implements BerthSerializable {}

  /** The capacity keeper asks whether this app still holds the slot it was granted. */
  public record ConfirmSlot(ActorRef<SlotHeld> replyTo) implements Command {}

  public record SlotHeld(boolean holds) implements BerthSerializable {}

  private record SlotAnswered(CapacityKeeper.SlotReply reply, AppConfig config) implements Command {}

  private record SlotUnanswered(AppConfig config, long deadlineNanos) implements Command {}

  private record ContainerReady(String containerId, String host, int port, String image, String instanceType)
      implements Command {}

  private record StartAttemptFailed(AppError.Code code, String error) implements Command {}

  private record StopCompleted(
      String containerId, StopReason reason, Integer exitCode, boolean oomKilled, String requestedBy,
      String evictedFor)
      implements Command {}

  private record StopAttemptFailed(String error) implements Command {}

  private record ContainerHealthy(String containerId) implements Command {}

  private enum IdleCheck implements Command { INSTANCE }

  // ---- events ---------------------------------------------------------------------------------

  public sealed interface Event extends BerthSerializable {
    /** When it happened, epoch milliseconds. */
    long at();

    /** The event as audit output shows it: secrets' values hidden. */
    default Event redacted() {
      return this;
    }
  }

  /** @param instanceType the size it was given; null in events written before sizes were recorded */
  public record ContainerStarted(
      String containerId, String host, int port, String node, String image, String instanceType, long at)
      implements Event {}

  /**
   * @param exitCode for a container that exited by itself, its exit code; else null
   * @param oomKilled whether the kernel killed it for passing its memory limit
   * @param evictedFor for an app put to sleep to make room, the app that got its slot; else null
   */
  public record ContainerStopped(
      String containerId, StopReason reason, Integer exitCode, boolean oomKilled, String requestedBy,
      String evictedFor, long at)
      implements Event {}

  public record StartFailed(String error, long at) implements Event {}

  /** @param requestedBy who made the management call: its caller identity or client address */
  public record MetadataSet(Map<String, String> values, String requestedBy, long at) implements Event {}

  public record AppDeleted(String requestedBy, long at) implements Event {}

  /** @param config the whole configuration from now on, secrets' values included */
  public record ConfigChanged(AppConfig config, String requestedBy, long at) implements Event {
    @Override
    public Event redacted() {
      return new ConfigChanged(config.redacted(), requestedBy, at);
    }
  }

  public enum StopReason {
    /** Nothing came in for sleep-after: the app was put to sleep. */
    IDLE,
    /** An operator asked for the app to sleep now. */
    REQUESTED,
    /** A restart was asked for. */
    RESTART,
    /** The node shut down and was configured to stop its containers. */
    SHUTDOWN,
    /** The app was deleted. */
    DELETED,
    /** The container's process ended by itself, was killed, or was stopped outside Berth. */
    EXITED,
    /** After a platform restart the container was gone, or did not answer. */
    VANISHED,
    /** Every instance was in use: the app, idle longest, made room for another. */
    EVICTED
  }

  // ---- state ----------------------------------------------------------------------------------

  /**
   * What every app has, whatever its container's state. Times are epoch ms, 0 for never.
   *
   * @param lastStopReason why the last container stopped, or null
   * @param lastExitCode the exit code of the last container that exited by itself, or null
   */
  public record AppData(
      int startCount,
      long lastStarted,
      long lastStopped,
      Map<String, String> metadata,
      StopReason lastStopReason,
      Integer lastExitCode,
      boolean lastOomKilled,
      AppConfig config)
      implements BerthSerializable {
    static final AppData EMPTY = new AppData(0, 0, 0, Map.of(), null, null, false, AppConfig.DEFAULTS);

    public AppData {
      // States written before apps had a configuration of their own have none.
      config = config == null ? AppConfig.DEFAULTS : config;
    }

    AppData started(long at) {
      return new AppData(startCount + 1, at, lastStopped, metadata, lastStopReason, lastExitCode,
          lastOomKilled, config);
    }

    AppData stopped(ContainerStopped stop) {
      return new AppData(startCount, lastStarted, stop.at(), metadata, stop.reason(), stop.exitCode(),
          stop.oomKilled(), config);
    }

    AppData withMetadata(Map<String, String> values) {
      Map<String, String> merged = new HashMap<>(metadata);
      merged.putAll(values);
      return new AppData(startCount, lastStarted, lastStopped, Map.copyOf(merged), lastStopReason,
          lastExitCode, lastOomKilled, config);
    }

    AppData withConfig(AppConfig config) {
      return new AppData(startCount, lastStarted, lastStopped, metadata, lastStopReason, lastExitCode,
          lastOomKilled, config);
    }
  }

  public sealed interface State extends BerthSerializable {
    AppData data();

    State withData(AppData data);

    /** The state as audit output shows it: secrets' values hidden. */
    default State redacted() {
      return withData(data().withConfig(data().config().redacted()));
    }
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

  /**
   * The last start failed. The next request tries again once the back-off after
   * {@code failedStarts} consecutive failures has passed.
   */
  public record Failed(AppData data, String error, long failedAt, int failedStarts) implements State {
    @Override
    public State withData(AppData data) {
      return new Failed(data, error, failedAt, failedStarts);
    }
  }

  /** Deleted by an operator; its history stays in the journal. A request starts it anew. */
  public record Deleted(AppData data, long deletedAt) implements State {
    @Override
    public State withData(AppData data) {
      return new Deleted(data, deletedAt);
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
  /** Requests waiting for a container to serve them. */
  private final Map<String, ActorRef<StatusReply<Endpoint>>> waitingForEndpoint = new LinkedHashMap<>();
  /** Restarts, answered once the new container runs. */
  private final List<ActorRef<StatusReply<AppStatus>>> waitingForStart = new ArrayList<>();
  /** Stops and deletes, answered once the container is gone. */
  private final List<ActorRef<StatusReply<AppStatus>>> waitingForStop = new ArrayList<>();
  private final Set<String> requestsInFlight = new HashSet<>();
  private long lastActivityNanos = System.nanoTime();
  /**
   * Asked the shard to stop this entity. A command already in the mailbox may still arrive; one
   * that would start a container goes back through sharding, which holds it for the next
   * incarnation, rather than begin work that the stop would cut short.
   */
  private boolean passivating;

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
    return initialState();
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
    // While Docker works for this app, lifecycle commands wait; EnsureRunning queues (bounded).
    builder.forState(state -> operation != Operation.NONE)
        .onCommand(EnsureRunning.class, this::waitForContainer)
        .onCommand(Restart.class, (state, cmd) -> Effect().stash())
        .onCommand(Stop.class, (state, cmd) -> Effect().stash())
        .onCommand(Delete.class, (state, cmd) -> Effect().stash())
        .onCommand(IdleCheck.class, (state, cmd) -> Effect().noReply())
        .onCommand(CheckContainer.class, (state, cmd) -> Effect().noReply())
        // Until the engine has confirmed the container, "running" would be the journal's word only.
        .onCommand(GetStatus.class, (state, cmd) -> operation == Operation.CHECKING
            ? Effect().stash()
            : Effect().reply(cmd.replyTo(), status(state)));
    builder.forStateType(Running.class)
        .onCommand(EnsureRunning.class, this::admit)
        .onCommand(Restart.class, (state, cmd) -> stopRunning(state, StopReason.RESTART,
            cmd.requestedBy(), () -> waitingForStart.add(cmd.replyTo())))
        .onCommand(Stop.class, (state, cmd) -> stopRunning(state, cmd.reason(),
            cmd.requestedBy(), () -> waitingForStop.add(cmd.replyTo())))
        .onCommand(Delete.class, (state, cmd) -> stopRunning(state, StopReason.DELETED,
            cmd.requestedBy(), () -> waitingForStop.add(cmd.replyTo())))
        .onCommand(IdleCheck.class, this::checkIdle)
        .onCommand(CheckContainer.class, this::checkContainer);
    builder.forStateType(Failed.class)
        .onCommand(EnsureRunning.class, this::startUnlessBackingOff);
    builder.forAnyState()
        .onCommand(EnsureRunning.class, this::waitForContainer)
        .onCommand(Restart.class, (state, cmd) -> {
          waitingForStart.add(cmd.replyTo());
          beginStart(state);
          return Effect().noReply();
        })
        .onCommand(Stop.class, (state, cmd) -> Effect().reply(cmd.replyTo(), StatusReply.success(status(state))))
        .onCommand(Delete.class, this::deleteStopped)
        .onCommand(IdleCheck.class, (state, cmd) -> Effect().noReply())
        .onCommand(CheckContainer.class, (state, cmd) -> Effect().noReply())
        .onCommand(ClaimContainer.class, this::claim)
        .onCommand(RequestFinished.class, this::requestFinished)
        .onCommand(GetStatus.class, (state, cmd) -> Effect().reply(cmd.replyTo(), status(state)))
        .onCommand(SetMetadata.class, this::setMetadata)
        .onCommand(SetConfig.class, this::setConfig)
        .onCommand(GetConfig.class, (state, cmd) ->
            Effect().reply(cmd.replyTo(), state.data().config().redacted()))
        .onCommand(ReportIdleness.class, (state, cmd) ->
            Effect().reply(cmd.replyTo(), new Idleness(appId, evictable(state), idleMillis())))
        .onCommand(Evict.class, this::evict)
        .onCommand(ConfirmSlot.class, (state, cmd) -> Effect().reply(cmd.replyTo(), new SlotHeld(
            state instanceof Running || operation == Operation.STARTING || operation == Operation.STOPPING)))
        .onCommand(SlotAnswered.class, this::slotAnswered)
        .onCommand(SlotUnanswered.class, (state, cmd) -> {
          if (System.nanoTime() - cmd.deadlineNanos() < 0) {
            acquireSlot(cmd.config(), cmd.deadlineNanos());
            return Effect().noReply();
          }
          return refuseStart(new AppError(AppError.Code.NO_CAPACITY,
              "the cluster's capacity keeper did not answer; try again shortly", 5));
        })
        .onCommand(ContainerReady.class, this::containerReady)
        .onCommand(StartAttemptFailed.class, this::startFailed)
        .onCommand(StopCompleted.class, this::stopCompleted)
        .onCommand(StopAttemptFailed.class, this::stopFailed)
        .onCommand(ContainerHealthy.class, this::containerHealthy);
    return builder.build();
  }

  private ReplyEffect<Event, State> handToNextIncarnation(State state, Command cmd) {
    ClusterSharding.get(context.getSystem()).entityRefFor(ENTITY_KEY, appId).tell(cmd);
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> admit(Running state, EnsureRunning cmd) {
    admitRequest(cmd.requestId());
    return Effect().reply(cmd.replyTo(), StatusReply.success(state.endpoint()));
  }

  private ReplyEffect<Event, State> waitForContainer(State state, EnsureRunning cmd) {
    if (waitingForEndpoint.size() >= settings.maxWaitingRequests()
        && !waitingForEndpoint.containsKey(cmd.requestId())) {
      return Effect().reply(cmd.replyTo(), new AppError(AppError.Code.OVERLOADED,
          waitingForEndpoint.size() + " requests already wait for " + appId + " to start").toReply());
    }
    // A retry replaces the earlier ask, whose asker has given up on it.
    waitingForEndpoint.put(cmd.requestId(), cmd.replyTo());
    if (operation == Operation.NONE) {
      beginStart(state);
    }
    // Answered when the start completes: containerReady or startFailed.
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> startUnlessBackingOff(Failed state, EnsureRunning cmd) {
    long wait = nextStartAllowedAt(state) - now();
    if (wait > 0) {
      long seconds = Math.max(1, (wait + 999) / 1000);
      return Effect().reply(cmd.replyTo(), new AppError(AppError.Code.START_BACKOFF,
          state.failedStarts() + " start(s) failed in a row, the next is allowed in " + seconds
              + " s; last error: " + ContainerNotReadyException.withoutOutput(state.error()), seconds)
          .toReply());
    }
    return waitForContainer(state, cmd);
  }

  private ReplyEffect<Event, State> stopRunning(
      Running state, StopReason reason, String requestedBy, Runnable answerLater) {
    answerLater.run();
    beginStop(state.containerId(), reason, requestedBy, null);
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> deleteStopped(State state, Delete cmd) {
    if (state instanceof Deleted) {
      return Effect().reply(cmd.replyTo(), StatusReply.success(status(state)));
    }
    return Effect()
        .persist(new AppDeleted(cmd.requestedBy(), now()))
        .thenRun(deleted -> passivate())
        .thenReply(cmd.replyTo(), deleted -> StatusReply.success(status(deleted)));
  }

  private ReplyEffect<Event, State> claim(State state, ClaimContainer cmd) {
    boolean kept = state instanceof Running running && running.containerId().equals(cmd.containerId())
        && operation != Operation.STOPPING;
    return Effect().reply(cmd.replyTo(), new ContainerClaim(kept));
  }

  private ReplyEffect<Event, State> requestFinished(State state, RequestFinished cmd) {
    requestsInFlight.remove(cmd.requestId());
    lastActivityNanos = System.nanoTime();
    if (requestsInFlight.isEmpty()) {
      scheduleIdleCheck(sleepAfter(state));
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> checkIdle(Running state, IdleCheck cmd) {
    forgetRequestsOfDepartedNodes();
    if (!requestsInFlight.isEmpty()) {
      // The last request to finish schedules the next check; until then, look again later in
      // case the edge that admitted them leaves the cluster without finishing them.
      scheduleIdleCheck(sleepAfter(state));
      return Effect().noReply();
    }
    Duration idle = Duration.ofNanos(System.nanoTime() - lastActivityNanos);
    if (idle.compareTo(sleepAfter(state)) < 0) {
      scheduleIdleCheck(sleepAfter(state).minus(idle));
    } else {
      context.getLog().info("{} idle for {} s: putting it to sleep", appId, idle.toSeconds());
      beginStop(state.containerId(), StopReason.IDLE, null, null);
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> checkContainer(Running state, CheckContainer cmd) {
    if (cmd.containerId().isEmpty() || cmd.containerId().equals(state.containerId())) {
      beginCheck(state, StopReason.EXITED, Duration.ZERO);
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
        .persist(new MetadataSet(Map.copyOf(cmd.values()), cmd.requestedBy(), now()))
        .thenReply(cmd.replyTo(), updated -> StatusReply.success(new Metadata(updated.data().metadata())));
  }

  private ReplyEffect<Event, State> setConfig(State state, SetConfig cmd) {
    AppConfig config = cmd.update().applyTo(state.data().config());
    List<String> problems = config.problems(settings);
    if (!problems.isEmpty()) {
      return Effect().reply(cmd.replyTo(),
          new AppError(AppError.Code.INVALID_REQUEST, String.join("; ", problems)).toReply());
    }
    if (config.equals(state.data().config())) {
      return Effect().reply(cmd.replyTo(), StatusReply.success(config.redacted()));
    }
    return Effect()
        .persist(new ConfigChanged(config, cmd.requestedBy(), now()))
        .thenReply(cmd.replyTo(), changed -> StatusReply.success(changed.data().config().redacted()));
  }

  private boolean evictable(State state) {
    forgetRequestsOfDepartedNodes();
    return state instanceof Running && operation == Operation.NONE && requestsInFlight.isEmpty()
        && !passivating;
  }

  private long idleMillis() {
    return Duration.ofNanos(System.nanoTime() - lastActivityNanos).toMillis();
  }

  private ReplyEffect<Event, State> evict(State state, Evict cmd) {
    if (!evictable(state) || idleMillis() < settings.minIdleBeforeEvict().toMillis()) {
      return Effect().reply(cmd.replyTo(), new EvictAnswer(false));
    }
    context.getLog().info("{} idle for {} s: putting it to sleep to make room for {}", appId,
        idleMillis() / 1000, cmd.forAppId());
    beginStop(((Running) state).containerId(), StopReason.EVICTED, null, cmd.forAppId());
    return Effect().reply(cmd.replyTo(), new EvictAnswer(true));
  }

  private ReplyEffect<Event, State> slotAnswered(State state, SlotAnswered answer) {
    if (answer.reply() instanceof CapacityKeeper.Refused refused) {
      return refuseStart(new AppError(AppError.Code.NO_CAPACITY, refused.reason(),
          refused.retryAfterSeconds()));
    }
    startContainer(answer.config());
    return Effect().noReply();
  }

  /** No slot for a start: everyone waiting is told, and nothing is recorded against the app. */
  private ReplyEffect<Event, State> refuseStart(AppError error) {
    operation = Operation.NONE;
    waitingForEndpoint.values().forEach(replyTo -> replyTo.tell(error.toReply()));
    waitingForEndpoint.clear();
    answer(waitingForStart, error.toReply());
    return Effect().noReply().thenUnstashAll();
  }

  private ReplyEffect<Event, State> containerReady(State state, ContainerReady ready) {
    return Effect()
        .persist(new ContainerStarted(ready.containerId(), ready.host(), ready.port(),
            settings.nodeId(), ready.image(), ready.instanceType(), now()))
        .thenRun(started -> {
          operation = Operation.NONE;
          admitWaitingRequests((Running) started);
          answer(waitingForStart, StatusReply.success(status(started)));
          scheduleIdleCheck(sleepAfter(started));
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
          releaseSlot();
          // Whoever asked gets the cause; the container's output, which may show its secrets, is
          // for those who may read the app's events.
          AppError error = new AppError(failure.code(), ContainerNotReadyException.withoutOutput(failure.error()));
          waitingForEndpoint.values().forEach(replyTo -> replyTo.tell(error.toReply()));
          waitingForEndpoint.clear();
          answer(waitingForStart, error.toReply());
        })
        .thenNoReply()
        .thenUnstashAll();
  }

  private ReplyEffect<Event, State> stopCompleted(State state, StopCompleted stop) {
    List<Event> events = new ArrayList<>();
    events.add(new ContainerStopped(stop.containerId(), stop.reason(), stop.exitCode(), stop.oomKilled(),
        stop.requestedBy(), stop.evictedFor(), now()));
    if (stop.reason() == StopReason.DELETED) {
      events.add(new AppDeleted(stop.requestedBy(), now()));
    }
    return Effect()
        .persist(events)
        .thenRun(stopped -> {
          operation = Operation.NONE;
          if (stop.reason() != StopReason.RESTART) {
            // A restart keeps its slot for the container that replaces this one.
            releaseSlot();
          }
          answer(waitingForStop, StatusReply.success(status(stopped)));
          if (!waitingForEndpoint.isEmpty() || !waitingForStart.isEmpty()) {
            beginStart(stopped);
          } else if (stop.reason() != StopReason.SHUTDOWN) {
            passivate();
          }
        })
        .thenNoReply()
        .thenUnstashAll();
  }

  private ReplyEffect<Event, State> stopFailed(State state, StopAttemptFailed failure) {
    context.getLog().warn("{}: stopping its container failed, will try again: {}", appId, failure.error());
    operation = Operation.NONE;
    AppError error = new AppError(AppError.Code.ENGINE_UNAVAILABLE, failure.error());
    answer(waitingForStart, error.toReply());
    answer(waitingForStop, error.toReply());
    if (state instanceof Running running) {
      admitWaitingRequests(running);
    }
    scheduleIdleCheck(sleepAfter(state));
    return Effect().noReply().thenUnstashAll();
  }

  private ReplyEffect<Event, State> containerHealthy(State state, ContainerHealthy healthy) {
    operation = Operation.NONE;
    if (state instanceof Running running) {
      admitWaitingRequests(running);
      services.capacity().tell(new CapacityKeeper.Adopt(appId));
    }
    scheduleIdleCheck(sleepAfter(state));
    return Effect().noReply().thenUnstashAll();
  }

  // ---- Docker operations, run on the blocking pool --------------------------------------------

  /** Starts a container with the app's configuration as it is now, once it has a slot. */
  private void beginStart(State state) {
    operation = Operation.STARTING;
    acquireSlot(state.data().config(), System.nanoTime() + settings.startTimeout().toNanos());
  }

  /**
   * Asks the capacity keeper for a slot, again after each unanswered ask (its node may be failing
   * over) until the start deadline.
   */
  private void acquireSlot(AppConfig config, long deadlineNanos) {
    context.ask(CapacityKeeper.SlotReply.class, services.capacity(), SLOT_ASK_TIMEOUT,
        replyTo -> new CapacityKeeper.Acquire(appId, replyTo),
        (reply, failure) -> failure == null
            ? new SlotAnswered(reply, config)
            : new SlotUnanswered(config, deadlineNanos));
  }

  private void startContainer(AppConfig config) {
    InstanceType instanceType = config.effectiveInstanceType(settings);
    String image = config.effectiveImage(settings);
    String probePath = config.effectiveHealthPath(settings);
    ContainerSpec spec = ContainerSpec.of(appId, settings.nodeId(), image,
            config.effectivePort(settings), instanceType)
        .withEnvironment(config.environment(settings, appId))
        .withInternet(config.effectiveInternet(settings))
        .withReadOnlyRootfs(settings.readOnlyRootfs());
    CompletableFuture<StartedContainer> start = CompletableFuture.supplyAsync(() -> {
      StartedContainer container = services.driver().start(spec);
      try {
        services.driver().awaitReady(container, probePath, settings.startTimeout());
      } catch (RuntimeException notReady) {
        services.driver().remove(container.id());
        throw notReady;
      }
      return container;
    }, services.blocking());
    context.pipeToSelf(start, (container, error) -> error == null
        ? new ContainerReady(container.id(), container.host(), container.port(), image, instanceType.name())
        : startFailure(error));
  }

  private static Command startFailure(Throwable error) {
    Throwable cause = unwrap(error);
    AppError.Code code = AppError.Code.START_FAILED;
    if (cause instanceof ContainerNotReadyException notReady && notReady.exitCode().isEmpty()) {
      code = AppError.Code.START_TIMEOUT;
    } else if (cause instanceof EngineUnavailableException) {
      code = AppError.Code.ENGINE_UNAVAILABLE;
    }
    return new StartAttemptFailed(code, String.valueOf(cause.getMessage()));
  }

  /**
   * @param requestedBy who asked, for a management call; null when Berth decided
   * @param evictedFor the app that gets this one's slot, when it is evicted; else null
   */
  private void beginStop(String containerId, StopReason reason, String requestedBy, String evictedFor) {
    operation = Operation.STOPPING;
    CompletableFuture<Void> stop = CompletableFuture.runAsync(() -> {
      services.driver().stop(containerId, settings.stopTimeout());
      services.driver().remove(containerId);
    }, services.blocking());
    context.pipeToSelf(stop, (ok, error) -> error == null
        ? new StopCompleted(containerId, reason, null, false, requestedBy, evictedFor)
        : new StopAttemptFailed(String.valueOf(unwrap(error).getMessage())));
  }

  /**
   * Asks the engine whether the container still runs where the journal says and answers HTTP.
   * If not, it is removed and recorded as stopped for {@code reasonIfGone}.
   */
  private void beginCheck(Running state, StopReason reasonIfGone, Duration probeDeadline) {
    operation = Operation.CHECKING;
    CompletableFuture<Command> check = CompletableFuture.supplyAsync(() -> {
      Optional<ContainerInfo> info = services.driver().inspect(state.containerId());
      boolean runsWhereExpected = info.filter(ContainerInfo::running)
          .flatMap(ContainerInfo::published)
          .filter(published -> published.port() == state.port())
          .isPresent();
      if (runsWhereExpected) {
        if (probeDeadline.isZero()) {
          return new ContainerHealthy(state.containerId());
        }
        try {
          services.driver().awaitReady(info.get().published().get(),
              state.data().config().effectiveHealthPath(settings), probeDeadline);
          return new ContainerHealthy(state.containerId());
        } catch (ContainerNotReadyException broken) {
          // Runs on the blocking pool, where the actor's own logger must not be used.
          log.info("{}: its container {} does not answer: {}", appId, state.containerId(),
              broken.getMessage());
        }
      }
      services.driver().remove(state.containerId());
      boolean exitedByItself = info.isPresent() && !info.get().running();
      return new StopCompleted(state.containerId(), reasonIfGone,
          exitedByItself ? info.get().exitCode() : null,
          info.map(ContainerInfo::oomKilled).orElse(false), null, null);
    }, services.blocking());
    context.pipeToSelf(check, (outcome, error) -> error == null
        ? outcome
        // The engine did not answer: keep what the journal says and look again on the next hint.
        : new ContainerHealthy(state.containerId()));
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** Answers every request that waited for the container with where it listens. */
  private void admitWaitingRequests(Running running) {
    waitingForEndpoint.forEach((requestId, replyTo) -> {
      admitRequest(requestId);
      replyTo.tell(StatusReply.success(running.endpoint()));
    });
    waitingForEndpoint.clear();
  }

  private static <T> void answer(List<ActorRef<T>> waiting, T reply) {
    waiting.forEach(replyTo -> replyTo.tell(reply));
    waiting.clear();
  }

  private void admitRequest(String requestId) {
    requestsInFlight.add(requestId);
    lastActivityNanos = System.nanoTime();
  }

  /** A node that died with requests in flight will never finish them. */
  private void forgetRequestsOfDepartedNodes() {
    Set<String> members = new HashSet<>();
    Cluster.get(context.getSystem()).state().getMembers()
        .forEach(member -> members.add(member.address().toString()));
    requestsInFlight.removeIf(requestId ->
        members.stream().noneMatch(address -> requestId.startsWith(address + "/")));
  }

  private void releaseSlot() {
    services.capacity().tell(new CapacityKeeper.Release(appId));
  }

  private Duration sleepAfter(State state) {
    return state.data().config().effectiveSleepAfter(settings);
  }

  private void scheduleIdleCheck(Duration after) {
    timers.startSingleTimer(IdleCheck.INSTANCE, IdleCheck.INSTANCE, after);
  }

  private void passivate() {
    passivating = true;
    shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
  }

  private long nextStartAllowedAt(Failed failed) {
    long pause = settings.startBackoffMin().toMillis() << Math.min(20, failed.failedStarts() - 1);
    return failed.failedAt() + Math.min(pause, settings.startBackoffMax().toMillis());
  }

  /** Every word {@link #lifecycleName} gives. */
  public static final List<String> LIFECYCLE_NAMES =
      List.of("not_started", "running", "sleeping", "stopped", "failed", "deleted");

  /**
   * The status word a state stands for, as {@code _status} reports it when no start or stop is
   * under way: not_started, running, sleeping, stopped, failed or deleted.
   */
  public static String lifecycleName(State state) {
    if (state instanceof Running) {
      return "running";
    } else if (state instanceof Stopped stopped) {
      return stopped.reason() == StopReason.IDLE || stopped.reason() == StopReason.REQUESTED
          || stopped.reason() == StopReason.EVICTED
          ? "sleeping"
          : "stopped";
    } else if (state instanceof Failed) {
      return "failed";
    } else if (state instanceof Deleted) {
      return "deleted";
    }
    return "not_started";
  }

  /**
   * When the app's lifecycle last changed, epoch ms: its container started or stopped, a start
   * failed, or it was deleted; 0 if none of these happened.
   */
  public static long lastLifecycleChange(State state) {
    long at = Math.max(state.data().lastStarted(), state.data().lastStopped());
    if (state instanceof Failed failed) {
      return Math.max(at, failed.failedAt());
    } else if (state instanceof Deleted deleted) {
      return Math.max(at, deleted.deletedAt());
    }
    return at;
  }

  private AppStatus status(State state) {
    AppData data = state.data();
    String containerId = "";
    String host = "";
    int port = 0;
    String lastError = "";
    long lastErrorAt = 0;
    int failedStarts = 0;
    long nextStartAllowedAt = 0;
    String status = lifecycleName(state);
    if (state instanceof Running running) {
      containerId = running.containerId();
      host = running.host();
      port = running.port();
    } else if (state instanceof Failed failed) {
      lastError = ContainerNotReadyException.withoutOutput(failed.error());
      lastErrorAt = failed.failedAt();
      failedStarts = failed.failedStarts();
      nextStartAllowedAt = nextStartAllowedAt(failed);
    }
    if (operation == Operation.STARTING) {
      status = "starting";
    } else if (operation == Operation.STOPPING) {
      status = "stopping";
    }
    String lastStopReason = data.lastStopReason() == null
        ? ""
        : data.lastStopReason().name().toLowerCase(java.util.Locale.ROOT);
    // A running app's requests count too; a stopped one's entity may be a new incarnation, whose
    // lastActivityNanos only says when it was woken.
    long lastActivity = state instanceof Running
        ? Math.max(lastLifecycleChange(state),
            now() - Duration.ofNanos(System.nanoTime() - lastActivityNanos).toMillis())
        : lastLifecycleChange(state);
    return new AppStatus(appId, status, containerId, host, port, data.startCount(),
        data.lastStarted(), data.lastStopped(), data.metadata(), lastError, lastErrorAt,
        failedStarts, nextStartAllowedAt, lastStopReason, data.lastExitCode(), data.lastOomKilled(),
        requestsInFlight.size(), lastActivity);
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  // ---- event handler: pure ---------------------------------------------------------------------

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(AppEntity::apply);
  }

  /** The state after {@code event}: what recovery, and anyone replaying the journal, computes. */
  public static State apply(State state, Event event) {
    if (event instanceof ContainerStarted e) {
      return new Running(state.data().started(e.at()), e.containerId(), e.host(), e.port(), e.node());
    } else if (event instanceof ContainerStopped e) {
      return new Stopped(state.data().stopped(e), e.reason());
    } else if (event instanceof StartFailed e) {
      return new Failed(state.data(), e.error(), e.at(),
          state instanceof Failed failed ? failed.failedStarts() + 1 : 1);
    } else if (event instanceof MetadataSet e) {
      return state.withData(state.data().withMetadata(e.values()));
    } else if (event instanceof AppDeleted e) {
      return new Deleted(AppData.EMPTY, e.at());
    } else if (event instanceof ConfigChanged e) {
      return state.withData(state.data().withConfig(e.config()));
    }
    throw new IllegalArgumentException("unknown event " + event.getClass());
  }

  /** The state of an app that has no events yet. */
  public static State initialState() {
    return new NotStarted(AppData.EMPTY);
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          if (state instanceof Running running) {
            beginCheck(running, StopReason.VANISHED, settings.adoptProbeTimeout());
          }
        })
        .build();
  }
}
