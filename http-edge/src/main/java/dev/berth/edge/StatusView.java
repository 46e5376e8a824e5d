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

  record Stats(int startCount, long lastStarted, long lastStopped, int requestsInFlight) {}

  record LastError(String message, long at) {}

  static StatusView of(AppStatus status) {
    return new StatusView(
        status.appId(),
        status.status(),
        new Container(status.status(), emptyToNull(status.containerId()),
            emptyToNull(status.host()), status.port()),
        new Stats(status.startCount(), status.lastStarted(), status.lastStopped(),
            status.requestsInFlight()),
        status.metadata(),
        status.lastError().isEmpty() ? null : new LastError(status.lastError(), status.lastErrorAt()));
  }

  private static String emptyToNull(String value) {
    return value.isEmpty() ? null : value;
  }
}
