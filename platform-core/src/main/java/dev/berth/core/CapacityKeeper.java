package dev.berth.core;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.typed.ClusterSingleton;
import akka.cluster.typed.SingletonActor;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.Effect;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.RetentionCriteria;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps the number of containers running at once, cluster-wide, at or below
 * {@code berth.app.max-instances}. An app holds a slot from before its container is created until
 * after it is removed, so the engines never hold more Berth containers than there are slots.
 *
 * <p>One instance runs in the cluster (a cluster singleton), event-sourced, so that the slots it
 * granted survive its node's failure: the next instance recovers them before it grants any. A
 * slot whose release was lost with a node is found by asking its holder (see {@link
 * AppEntity.ConfirmSlot}), never guessed.
 *
 * <p>At the bound, a new start takes the slot of the app idle longest, once it has been idle for
 * {@code berth.app.min-idle-before-evict}: that app is put to sleep (its entity records why), and
 * its slot goes to the app that asked. With no such app the start is refused with a time to retry.
 */
public final class CapacityKeeper
    extends EventSourcedBehavior<CapacityKeeper.Command, CapacityKeeper.Event, CapacityKeeper.Slots> {

  /** How often slots are checked against their holders, in case a release was lost. */
  static final Duration RECONCILE_EVERY = Duration.ofSeconds(30);
  /** How long a holder may take to report how idle it is. */
  private static final Duration REPORT_TIMEOUT = Duration.ofSeconds(3);

  // ---- protocol -------------------------------------------------------------------------------

  public sealed interface Command extends BerthSerializable {}

  /** An app needs a slot to start its container. Asking again while holding one is granted. */
  public record Acquire(String appId, ActorRef<SlotReply> replyTo) implements Command {}

  /** An app's container is gone; its slot is free. Releasing a slot not held does nothing. */
  public record Release(String appId) implements Command {}

  /**
   * An app found its container running where the journal says, after a restart of its entity:
   * it holds a slot whether or not one was recorded (a journal from before slots were kept, or a
   * keeper's journal lost), so that the count stays true, even if it then exceeds the bound.
   */
  public record Adopt(String appId) implements Command {}

  public record GetUsage(ActorRef<Usage> replyTo) implements Command {}

  /**
   * @param running slots held: containers running, starting or stopping
   * @param keeperNode the cluster address of the node the keeper runs on now
   */
  public record Usage(int running, int max, String keeperNode) implements BerthSerializable {}

  public sealed interface SlotReply extends BerthSerializable {}

  public record Granted() implements SlotReply {}

  public record Refused(String reason, long retryAfterSeconds) implements SlotReply {}

  private record IdlenessReported(long searchId, String appId, AppEntity.Idleness idleness)
      implements Command {}

  private record EvictionAnswered(String evictedAppId, boolean accepted) implements Command {}

  private record EvictionTimedOut(String evictedAppId) implements Command {}

  private record HolderAnswered(String appId, long grant, boolean holds) implements Command {}

  private enum Reconcile implements Command { INSTANCE }

  // ---- events and state -----------------------------------------------------------------------

  public sealed interface Event extends BerthSerializable {}

  public record SlotGranted(String appId, long at) implements Event {}

  public record SlotReleased(String appId, long at) implements Event {}

  /**
   * @param holders each holder's grant: the number of grants made when it got its slot, so that
   *     an answer about an earlier grant cannot release a later one
   */
  public record Slots(Map<String, Long> holders, long grantsMade) implements BerthSerializable {
    public Slots {
      holders = Map.copyOf(holders);
    }

    Slots granted(String appId) {
      Map<String, Long> next = new HashMap<>(holders);
      next.put(appId, grantsMade + 1);
      return new Slots(next, grantsMade + 1);
    }

    Slots released(String appId) {
      Map<String, Long> next = new HashMap<>(holders);
      next.remove(appId);
      return new Slots(next, grantsMade);
    }
  }

  // ---- wiring ---------------------------------------------------------------------------------

  /** Starts the singleton where the cluster puts it, and answers a proxy to it. */
  public static ActorRef<Command> init(ActorSystem<?> system, BerthSettings settings) {
    return ClusterSingleton.get(system).init(SingletonActor.of(
        Behaviors.<Command>supervise(create(settings))
            .onFailure(SupervisorStrategy.restartWithBackoff(
                Duration.ofMillis(200), Duration.ofSeconds(5), 0.2)),
        "capacity"));
  }

  static Behavior<Command> create(BerthSettings settings) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new CapacityKeeper(settings, context, timers)));
  }

  /** Acquirers waiting for a slot that an evicted app is giving up. */
  private record Waiter(String appId, List<ActorRef<SlotReply>> replyTo) {}

  private final BerthSettings settings;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;

  /** Acquirers at the bound, waiting for the current search for an app to evict. */
  private final Map<String, List<ActorRef<SlotReply>>> waitingForSearch = new LinkedHashMap<>();
  /** Apps being put to sleep, and who gets each one's slot. */
  private final Map<String, Waiter> evicting = new HashMap<>();
  private long searchId;
  private int reportsAwaited;
  private final List<AppEntity.Idleness> reports = new ArrayList<>();

  private CapacityKeeper(BerthSettings settings, ActorContext<Command> context, TimerScheduler<Command> timers) {
    super(PersistenceId.ofUniqueId("Capacity"));
    this.settings = settings;
    this.context = context;
    this.timers = timers;
    timers.startTimerWithFixedDelay(Reconcile.INSTANCE, RECONCILE_EVERY);
  }

  @Override
  public Slots emptyState() {
    return new Slots(Map.of(), 0);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // Two events per container start; only the slots held now matter, so old events go.
    return RetentionCriteria.snapshotEvery(200, 2).withDeleteEventsOnSnapshot();
  }

  @Override
  public EventHandler<Slots, Event> eventHandler() {
    var builder = newEventHandlerBuilder();
    builder.forAnyState()
        .onEvent(SlotGranted.class, (slots, granted) -> slots.granted(granted.appId()))
        .onEvent(SlotReleased.class, (slots, released) -> slots.released(released.appId()));
    return builder.build();
  }

  @Override
  public CommandHandler<Command, Event, Slots> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Acquire.class, this::acquire)
        .onCommand(Release.class, this::release)
        .onCommand(Adopt.class, (slots, cmd) -> slots.holders().containsKey(cmd.appId())
            ? Effect().none()
            : Effect().persist(new SlotGranted(cmd.appId(), now())))
        .onCommand(GetUsage.class, (slots, cmd) -> {
          cmd.replyTo().tell(new Usage(slots.holders().size(), settings.maxInstances(),
              context.getSystem().address().toString()));
          return Effect().none();
        })
        .onCommand(IdlenessReported.class, this::idlenessReported)
        .onCommand(EvictionAnswered.class, this::evictionAnswered)
        .onCommand(EvictionTimedOut.class, (slots, cmd) -> {
          Waiter waiter = evicting.remove(cmd.evictedAppId());
          if (waiter != null) {
            refuse(waiter.replyTo(), "the app chosen to make room did not stop in time", 1);
          }
          return Effect().none();
        })
        .onCommand(Reconcile.class, this::reconcile)
        .onCommand(HolderAnswered.class, (slots, cmd) ->
            !cmd.holds() && Long.valueOf(cmd.grant()).equals(slots.holders().get(cmd.appId()))
                ? release(slots, new Release(cmd.appId()))
                : Effect().none())
        .build();
  }

  private Effect<Event, Slots> acquire(Slots slots, Acquire cmd) {
    String appId = cmd.appId();
    if (slots.holders().containsKey(appId)) {
      // Its entity lost track of the grant (a lost reply, a restart): grant it afresh, so that a
      // check still under way about the old grant cannot take this one away.
      return grant(appId, List.of(cmd.replyTo()));
    }
    Waiter waiter = evicting.values().stream()
        .filter(w -> w.appId().equals(appId)).findFirst().orElse(null);
    if (waiter != null) {
      waiter.replyTo().add(cmd.replyTo());
      return Effect().none();
    }
    if (slots.holders().size() < settings.maxInstances()) {
      return grant(appId, List.of(cmd.replyTo()));
    }
    waitingForSearch.computeIfAbsent(appId, id -> new ArrayList<>()).add(cmd.replyTo());
    if (reportsAwaited == 0) {
      searchForIdleApps(slots);
    }
    return Effect().none();
  }

  private Effect<Event, Slots> grant(String appId, List<ActorRef<SlotReply>> replyTo) {
    return Effect().persist(new SlotGranted(appId, now()))
        .thenRun(slots -> replyTo.forEach(ref -> ref.tell(new Granted())));
  }

  private Effect<Event, Slots> release(Slots slots, Release cmd) {
    String appId = cmd.appId();
    if (!slots.holders().containsKey(appId)) {
      return Effect().none();
    }
    Waiter waiter = evicting.remove(appId);
    if (waiter != null) {
      timers.cancel(new EvictionTimedOut(appId));
      return Effect().persist(List.of(new SlotReleased(appId, now()), new SlotGranted(waiter.appId(), now())))
          .thenRun(after -> waiter.replyTo().forEach(ref -> ref.tell(new Granted())));
    }
    if (!waitingForSearch.isEmpty()) {
      // An app waits at the bound: the freed slot is its, no eviction needed.
      String next = waitingForSearch.keySet().iterator().next();
      List<ActorRef<SlotReply>> replyTo = waitingForSearch.remove(next);
      return Effect().persist(List.of(new SlotReleased(appId, now()), new SlotGranted(next, now())))
          .thenRun(after -> replyTo.forEach(ref -> ref.tell(new Granted())));
    }
    return Effect().persist(new SlotReleased(appId, now()));
  }

  /** Asks every holder not already leaving how long it has been idle. */
  private void searchForIdleApps(Slots slots) {
    searchId++;
    reports.clear();
    List<String> holders = slots.holders().keySet().stream().filter(id -> !evicting.containsKey(id)).toList();
    reportsAwaited = holders.size();
    if (holders.isEmpty()) {
      // Every slot is on its way to a waiter already.
      refuseSearchers(1);
      return;
    }
    long search = searchId;
    ClusterSharding sharding = ClusterSharding.get(context.getSystem());
    for (String appId : holders) {
      context.ask(AppEntity.Idleness.class, sharding.entityRefFor(AppEntity.ENTITY_KEY, appId),
          REPORT_TIMEOUT, AppEntity.ReportIdleness::new,
          (idleness, failure) -> new IdlenessReported(search, appId, failure == null ? idleness : null));
    }
  }

  private Effect<Event, Slots> idlenessReported(Slots slots, IdlenessReported report) {
    if (report.searchId() != searchId || reportsAwaited == 0) {
      return Effect().none();
    }
    if (report.idleness() != null) {
      reports.add(report.idleness());
    }
    if (--reportsAwaited > 0) {
      return Effect().none();
    }
    long minIdle = settings.minIdleBeforeEvict().toMillis();
    List<AppEntity.Idleness> evictable = reports.stream()
        .filter(idleness -> idleness.evictable() && idleness.idleMillis() >= minIdle)
        .filter(idleness -> !evicting.containsKey(idleness.appId()))
        .sorted(Comparator.comparingLong(AppEntity.Idleness::idleMillis).reversed())
        .toList();
    int next = 0;
    for (var waiting : new ArrayList<>(waitingForSearch.entrySet())) {
      if (next == evictable.size()) {
        break;
      }
      String evicted = evictable.get(next++).appId();
      String forApp = waiting.getKey();
      evicting.put(evicted, new Waiter(forApp, waiting.getValue()));
      waitingForSearch.remove(forApp);
      context.ask(AppEntity.EvictAnswer.class,
          ClusterSharding.get(context.getSystem()).entityRefFor(AppEntity.ENTITY_KEY, evicted),
          REPORT_TIMEOUT, replyTo -> new AppEntity.Evict(forApp, replyTo),
          (answer, failure) -> new EvictionAnswered(evicted, failure == null && answer.accepted()));
      timers.startSingleTimer(new EvictionTimedOut(evicted), new EvictionTimedOut(evicted),
          settings.stopTimeout().plusSeconds(15));
    }
    refuseSearchers(retryAfterSeconds(minIdle));
    return Effect().none();
  }

  private Effect<Event, Slots> evictionAnswered(Slots slots, EvictionAnswered answer) {
    if (!answer.accepted()) {
      Waiter waiter = evicting.remove(answer.evictedAppId());
      if (waiter != null) {
        timers.cancel(new EvictionTimedOut(answer.evictedAppId()));
        // It became busy since it reported: no longer idle enough to evict.
        refuse(waiter.replyTo(), "the app chosen to make room became busy", 1);
      }
    }
    return Effect().none();
  }

  /**
   * When an app now idle may have been idle long enough to give way: the soonest of those, or
   * the whole minimum when every holder is busy.
   */
  private long retryAfterSeconds(long minIdleMillis) {
    long soonest = reports.stream()
        .filter(AppEntity.Idleness::evictable)
        .mapToLong(idleness -> minIdleMillis - idleness.idleMillis())
        .filter(wait -> wait > 0)
        .min()
        .orElse(minIdleMillis);
    return Math.max(1, Math.min(60, (soonest + 999) / 1000));
  }

  private void refuseSearchers(long retryAfterSeconds) {
    reportsAwaited = 0;
    String reason = "all " + settings.maxInstances() + " instances are in use and none has been idle for "
        + settings.minIdleBeforeEvict().toSeconds() + " s";
    waitingForSearch.values().forEach(replyTo -> refuse(replyTo, reason, retryAfterSeconds));
    waitingForSearch.clear();
  }

  private static void refuse(List<ActorRef<SlotReply>> replyTo, String reason, long retryAfterSeconds) {
    replyTo.forEach(ref -> ref.tell(new Refused(reason, retryAfterSeconds)));
  }

  /** Asks each holder whether it still holds its slot; one that says no gives it back. */
  private Effect<Event, Slots> reconcile(Slots slots, Reconcile tick) {
    ClusterSharding sharding = ClusterSharding.get(context.getSystem());
    slots.holders().forEach((appId, grant) -> {
      if (!evicting.containsKey(appId)) {
        context.ask(AppEntity.SlotHeld.class, sharding.entityRefFor(AppEntity.ENTITY_KEY, appId),
            REPORT_TIMEOUT, AppEntity.ConfirmSlot::new,
            // No answer proves nothing: the slot stays held until its holder says otherwise.
            (held, failure) -> new HolderAnswered(appId, grant, failure != null || held.holds()));
      }
    });
    return Effect().none();
  }

  private static long now() {
    return System.currentTimeMillis();
  }
}
