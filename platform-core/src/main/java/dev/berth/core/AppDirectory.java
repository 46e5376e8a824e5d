package dev.berth.core;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.stream.KillSwitches;
import akka.stream.RestartSettings;
import akka.stream.UniqueKillSwitch;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.RestartSource;
import akka.stream.javadsl.Sink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Every app the journal knows, in appId order, kept on each node by following the journal's
 * feed of all apps' events and folding them through {@link AppEntity#apply}. A page asks no
 * entity and reads no table: it is a walk from a point in a sorted map.
 *
 * <p>Eventually consistent: the journal is polled (jdbc-read-journal.refresh-interval, 1 s), so
 * an event shows here about a second after it is written, later if the journal has a gap to
 * wait out. {@link Page#journalOffset} says how far the directory has read.
 */
public final class AppDirectory {
  /** After the journal query fails, it is tried again after this, doubling up to the maximum. */
  private static final RestartSettings RETRY = RestartSettings.create(
      Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2);

  /** Each app's state as its events leave it, without its metadata, which can be large. */
  private final ConcurrentSkipListMap<String, AppEntity.State> apps = new ConcurrentSkipListMap<>();
  private final BerthSettings settings;
  /** The offset of the last event folded in; the feed resumes after it when it restarts. */
  private volatile long offset;

  private AppDirectory(BerthSettings settings) {
    this.settings = settings;
  }

  /** Starts following the journal from its beginning; stops when the node shuts down. */
  static AppDirectory start(ActorSystem<?> system, EventLog events, BerthSettings settings) {
    AppDirectory directory = new AppDirectory(settings);
    UniqueKillSwitch feed = RestartSource
        .withBackoff(RETRY, () -> events.follow(directory.offset).map(directory::record))
        .viaMat(KillSwitches.single(), Keep.right())
        .to(Sink.ignore())
        .run(system);
    CoordinatedShutdown.get(system).addTask(
        CoordinatedShutdown.PhaseServiceStop(), "stop-app-directory", () -> {
          feed.shutdown();
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    return directory;
  }

  /** One app as the journal, read as far as the directory has, describes it. Times are epoch ms. */
  public record AppSummary(
      String appId,
      String status,
      int startCount,
      long lastStarted,
      long lastStopped,
      long lastActivity,
      String instanceType) {

    /** This app as its entity reports it now, which is newer than the journal's account. */
    public AppSummary updatedBy(AppStatus live) {
      return new AppSummary(appId, live.status(), live.startCount(), live.lastStarted(),
          live.lastStopped(), live.lastActivity(), instanceType);
    }
  }

  /**
   * @param nextAfter the appId to pass as {@code after} for the next page; empty at the end
   * @param journalOffset every event up to this journal offset is reflected, maybe later ones
   */
  public record Page(List<AppSummary> apps, Optional<String> nextAfter, long journalOffset) {}

  /**
   * Up to {@code limit} apps whose appId sorts after {@code after}, in appId order, only those
   * with the lifecycle {@code status} if one is given (see {@link AppEntity#LIFECYCLE_NAMES}).
   */
  public Page page(Optional<String> status, Optional<String> after, int limit) {
    long readUpTo = offset;
    NavigableMap<String, AppEntity.State> rest =
        after.isPresent() ? apps.tailMap(after.get(), false) : apps;
    List<AppSummary> found = new ArrayList<>();
    for (Map.Entry<String, AppEntity.State> app : rest.entrySet()) {
      String lifecycle = AppEntity.lifecycleName(app.getValue());
      if (status.isPresent() && !status.get().equals(lifecycle)) {
        continue;
      }
      if (found.size() == limit) {
        return new Page(found, Optional.of(found.get(limit - 1).appId()), readUpTo);
      }
      found.add(summary(app.getKey(), app.getValue(), lifecycle));
    }
    return new Page(found, Optional.empty(), readUpTo);
  }

  /** The instance type the app's next container gets. */
  private String instanceTypeOf(AppEntity.State state) {
    return state.data().config().effectiveInstanceType(settings).name();
  }

  private AppSummary summary(String appId, AppEntity.State state, String lifecycle) {
    AppEntity.AppData data = state.data();
    return new AppSummary(appId, lifecycle, data.startCount(), data.lastStarted(),
        data.lastStopped(), AppEntity.lastLifecycleChange(state), instanceTypeOf(state));
  }

  /** Runs on the feed's stream only, one event at a time: the map has a single writer. */
  private Done record(EventLog.RecordedEvent recorded) {
    AppEntity.State before = apps.getOrDefault(recorded.appId(), AppEntity.initialState());
    apps.put(recorded.appId(), listed(AppEntity.apply(before, recorded.event())));
    offset = recorded.offset();
    return Done.getInstance();
  }

  /** Only what a listing shows: no metadata, and of the configuration only the app's size. */
  private static AppEntity.State listed(AppEntity.State state) {
    AppEntity.AppData data = state.data();
    AppConfig config = data.config();
    AppConfig size = config.sizeOnly();
    if (data.metadata().isEmpty() && config.equals(size)) {
      return state;
    }
    return state.withData(new AppEntity.AppData(data.startCount(), data.lastStarted(),
        data.lastStopped(), Map.of(), data.lastStopReason(), data.lastExitCode(),
        data.lastOomKilled(), size));
  }
}
