package dev.berth.edge;

import akka.event.LoggingAdapter;
import akka.http.ParsingErrorHandler;
import akka.http.javadsl.model.HttpResponse;
import akka.http.scaladsl.model.ErrorInfo;
import akka.http.scaladsl.model.StatusCode;
import akka.http.scaladsl.settings.ServerSettings;

/**
 * Answers requests too malformed to reach a route (conflicting Content-Length and
 * Transfer-Encoding, oversized headers, a request line too long, an unknown method, ...) with
 * the same JSON error as every other, under the status Akka HTTP chose. Named by
 * {@code akka.http.server.parsing.error-handler}; Akka creates it by reflection.
 */
public final class JsonParsingErrorHandler extends ParsingErrorHandler {
  @Override
  public HttpResponse handle(
      StatusCode status, ErrorInfo error, LoggingAdapter log, ServerSettings settings) {
    // Debug, not warning: any client can send these as fast as it likes, and the log is not
    // a place it should be able to fill.
    log.debug("Refused a malformed request with {}: {}", status, error.formatPretty());
    return ErrorResponses.of(status, ErrorResponses.code(status), error.summary(), null);
  }
}
