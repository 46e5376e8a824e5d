package dev.berth.edge;

import dev.berth.core.AppStatus;
import java.util.Map;

/** The JSON shape of {@code _status}. Times are epoch milliseconds, 0 for never. */
record StatusView(
    String appId,
    String status,
    Container container,
    Stats stats,
    Map<String, String> metadata,
    LastError lastError) {

  record Container(String status, String id, String host, int port) {}

  /**
   * @param lastStopReason idle, requested, restart, shutdown, deleted, exited, vanished or evicted
   * @param lastExitCode set when the last container exited by itself
   * @param lastActivity the last request admitted or finished while running, or lifecycle change
   */
  record Stats(
      int startCount,
      long lastStarted,
      long lastStopped,
      String lastStopReason,
      Integer lastExitCode,
      boolean lastOomKilled,
      int requestsInFlight,
      long lastActivity) {}

  /** The last failed start, and when the next start is allowed after consecutive failures. */
  record LastError(String message, long at, int failedStarts, long nextStartAllowedAt) {}

  static StatusView of(AppStatus status) {
    return new StatusView(
        status.appId(),
        status.status(),
        new Container(status.status(), emptyToNull(status.containerId()),
            emptyToNull(status.host()), status.port()),
        new Stats(status.startCount(), status.lastStarted(), status.lastStopped(),
            emptyToNull(status.lastStopReason()), status.lastExitCode(), status.lastOomKilled(),
            status.requestsInFlight(), status.lastActivity()),
        status.metadata(),
        status.lastError().isEmpty() ? null : new LastError(status.lastError(), status.lastErrorAt(),
            status.failedStarts(), status.nextStartAllowedAt()));
  }

  private static String emptyToNull(String value) {
    return value.isEmpty() ? null : value;
  }
}
