package dev.berth.core;

import java.util.Map;

/**
 * What the platform knows of one app, as management calls report it. Times are epoch
 * milliseconds, 0 when the thing never happened.
 *
 * @param status not_started, starting, running, stopping, sleeping, stopped, failed or deleted
 * @param port the container's published port when running, else 0
 * @param lastStopReason why the last container stopped (idle, restart, exited, ...), or empty
 * @param lastExitCode the exit code of the last container that exited by itself, or null
 * @param nextStartAllowedAt after failed starts, when the next start may be tried; else 0
 * @param lastActivity the latest of: its container started or stopped, a start failed, it was
 *     deleted, and while it runs, a request admitted or finished or its entity taken over by a
 *     node (its idle countdown starts again then)
 */
public record AppStatus(
    String appId,
    String status,
    String containerId,
    String host,
    int port,
    int startCount,
    long lastStarted,
    long lastStopped,
    Map<String, String> metadata,
    String lastError,
    long lastErrorAt,
    int failedStarts,
    long nextStartAllowedAt,
    String lastStopReason,
    Integer lastExitCode,
    boolean lastOomKilled,
    int requestsInFlight,
    long lastActivity)
    implements BerthSerializable {}
