package dev.berth.driver;

import java.util.List;
import java.util.Optional;

/**
 * A started container did not answer its readiness probe: it exited, or the deadline passed.
 * The message says which, with the exit code, the OOM flag and the container's last log lines.
 */
public final class ContainerNotReadyException extends ContainerDriverException {
  private static final long serialVersionUID = 1L;

  /** Where the container's output begins in a message. */
  private static final String OUTPUT_MARKER = "; its last output:";

  private final transient Optional<Integer> exitCode;
  private final boolean oomKilled;
  private final List<String> logTail;

  private ContainerNotReadyException(
      String message, Optional<Integer> exitCode, boolean oomKilled, List<String> logTail) {
    super(message + formatTail(logTail));
    this.exitCode = exitCode;
    this.oomKilled = oomKilled;
    this.logTail = List.copyOf(logTail);
  }

  static ContainerNotReadyException exited(
      String containerName, int exitCode, boolean oomKilled, List<String> logTail) {
    return new ContainerNotReadyException(
        "container "
            + containerName
            + " exited with code "
            + exitCode
            + (oomKilled ? " (OOM-killed: it used more memory than its limit)" : "")
            + " before it was ready",
        Optional.of(exitCode),
        oomKilled,
        logTail);
  }

  static ContainerNotReadyException deadlinePassed(
      String containerName, String probeUrl, long waitedMillis, String lastProbeResult,
      List<String> logTail) {
    return new ContainerNotReadyException(
        "container "
            + containerName
            + " did not answer "
            + probeUrl
            + " within the deadline of "
            + waitedMillis
            + " ms (last probe: "
            + lastProbeResult
            + ")",
        Optional.empty(),
        false,
        logTail);
  }

  static ContainerNotReadyException vanished(String containerName) {
    return new ContainerNotReadyException(
        "container " + containerName + " was removed before it was ready",
        Optional.empty(),
        false,
        List.of());
  }

  /** The exit code, when the container exited; empty when the deadline passed. */
  public Optional<Integer> exitCode() {
    return exitCode;
  }

  public boolean oomKilled() {
    return oomKilled;
  }

  public List<String> logTail() {
    return logTail;
  }

  private static String formatTail(List<String> logTail) {
    if (logTail.isEmpty()) {
      return "; it wrote no output";
    }
    return OUTPUT_MARKER + "\n  " + String.join("\n  ", logTail);
  }

  /**
   * A message of this exception without the container's output, which may hold anything the app
   * printed, its secrets included: for whoever is not entitled to read the app's logs.
   */
  public static String withoutOutput(String message) {
    int output = message.indexOf(OUTPUT_MARKER);
    return output < 0 ? message : message.substring(0, output) + "; its output is in the app's events";
  }
}
