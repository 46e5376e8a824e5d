package dev.berth.core;

import akka.pattern.StatusReply;
import java.util.Optional;

/**
 * Why an app could not do what was asked, carried in a {@link StatusReply} error as
 * {@code "code: message"} so that it crosses the cluster as a plain string and the edge can map
 * the code to an HTTP status in one place.
 */
public record AppError(Code code, String message) {

  public enum Code {
    /** The container exited, or the engine refused it. */
    START_FAILED("start_failed"),
    /** The container did not answer its readiness probe in time. */
    START_TIMEOUT("start_timeout"),
    /** Too many requests are already waiting for this app's start. */
    OVERLOADED("overloaded"),
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

  public <T> StatusReply<T> toReply() {
    return StatusReply.error(code.wire + ": " + message);
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
    String wire = text.substring(0, colon);
    for (Code code : Code.values()) {
      if (code.wire.equals(wire)) {
        return Optional.of(new AppError(code, text.substring(colon + 2)));
      }
    }
    return Optional.empty();
  }
}
