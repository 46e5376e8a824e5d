package dev.berth.driver;

/**
 * The engine reported that a Berth container's process ended, for whatever reason: it exited,
 * crashed, was OOM-killed, or someone stopped or removed it.
 *
 * @param containerId the engine's container id
 * @param appId the app the container belongs to, from its label
 * @param exitCode the exit code the engine reported
 */
public record ContainerExit(String containerId, String appId, int exitCode) {}
