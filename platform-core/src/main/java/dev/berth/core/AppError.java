package dev.berth.core;

import akka.pattern.StatusReply;
import java.util.Optional;

/**
 * Why an app could not do what was asked, carried in a {@link StatusReply} error as
 * {@code "code: message"} (or {@code "code/seconds: message"} when retrying later can help) so
 * that it crosses the cluster as a plain string and the edge maps it to HTTP in one place.
 *
 * @param retryAfterSeconds when the client may usefully try again; 0 when not known
 */
public record AppError(Code code, String message, long retryAfterSeconds) {

  public enum Code {
    /** The container exited, or the engine refused it. */
    START_FAILED("start_failed"),
    /** The container did not answer its readiness probe in time. */
    START_TIMEOUT("start_timeout"),
    /** Recent starts failed; the next one is allowed after a pause. */
    START_BACKOFF("start_backoff"),
    /** Too many requests are already waiting for this app's start. */
    OVERLOADED("overloaded"),
    /** Every instance the cluster may run is in use, and none is idle enough to make room. */
    NO_CAPACITY("capacity_exhausted"),
    /** No Docker engine answered. */
    ENGINE_UNAVAILABLE("engine_unavailable"),
    /** The request's content was not acceptable. */
    INVALID_REQUEST("invalid_request");

    private final String wire;

    Code(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }
  }

  public AppError(Code code, String message) {
    this(code, message, 0);
  }

  public <T> StatusReply<T> toReply() {
    String prefix = retryAfterSeconds > 0 ? code.wire + "/" + retryAfterSeconds : code.wire;
    return StatusReply.error(prefix + ": " + message);
  }

  /** The error as a failure, for a future that fails with it; read back as a reply's. */
  public Throwable toException() {
    return this.<Object>toReply().getError();
  }

  /** Reads back an error made by {@link #toReply()}; empty for any other failure. */
  public static Optional<AppError> fromReplyError(Throwable error) {
    if (!(error instanceof StatusReply.ErrorMessage)) {
      return Optional.empty();
    }
    String text = error.getMessage();
    int colon = text.indexOf(": ");
    if (colon < 0) {
      return Optional.empty();
    }
    String[] prefix = text.substring(0, colon).split("/", 2);
    long retryAfter = 0;
    if (prefix.length == 2) {
      try {
        retryAfter = Long.parseLong(prefix[1]);
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }
    for (Code code : Code.values()) {
      if (code.wire.equals(prefix[0])) {
        return Optional.of(new AppError(code, text.substring(colon + 2), retryAfter));
      }
    }
    return Optional.empty();
  }
}
