package dev.berth.edge;

import akka.http.javadsl.model.HttpEntity;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.server.Directives;
import akka.http.javadsl.server.ExceptionHandler;
import akka.http.javadsl.server.RejectionHandler;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RetryAfter;
import akka.http.scaladsl.model.EntityStreamException;
import akka.http.scaladsl.model.EntityStreamSizeException;
import akka.http.scaladsl.model.IllegalRequestException;
import akka.pattern.AskTimeoutException;
import akka.stream.StreamTcpException;
import dev.berth.core.AppError;
import java.net.ConnectException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP: {@code {"error", "message", "appId"}} with the status
 * the design lists, and {@code Retry-After} where trying again later can help.
 */
final class ErrorResponses {
  private static final Logger log = LoggerFactory.getLogger(ErrorResponses.class);

  /** Seconds a client should wait before retrying a 503. */
  private static final long RETRY_AFTER_SECONDS = 5;

  private ErrorResponses() {}

  static HttpResponse of(StatusCode status, String code, String message, String appId) {
    return of(status, code, message, appId, RETRY_AFTER_SECONDS);
  }

  private static HttpResponse of(
      StatusCode status, String code, String message, String appId, long retryAfterSeconds) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", code);
    body.put("message", message);
    body.put("appId", appId);
    HttpResponse response = JsonResponses.of(status, body);
    return status.intValue() == 503
        ? response.addHeader(RetryAfter.create(retryAfterSeconds))
        : response;
  }

  static HttpResponse invalidAppId(String appId, String rule) {
    return of(StatusCodes.BAD_REQUEST, "invalid_app_id", rule, appId);
  }

  static HttpResponse badRequest(String message, String appId) {
    return of(StatusCodes.BAD_REQUEST, "bad_request", message, appId);
  }

  /** A request whose path breaks {@link PathRule}; it reaches no app and no endpoint. */
  static HttpResponse badPath(String problem) {
    return of(StatusCodes.BAD_REQUEST, "bad_path", problem + "; " + PathRule.RULE, null);
  }

  static HttpResponse payloadTooLarge(long limitBytes, String appId) {
    return of(StatusCodes.PAYLOAD_TOO_LARGE, code(StatusCodes.PAYLOAD_TOO_LARGE),
        "the request body is larger than the limit of " + limitBytes + " bytes", appId);
  }

  static HttpResponse gatewayTimeout(String appId) {
    return of(StatusCodes.GATEWAY_TIMEOUT, "upstream_timeout",
        "the app did not answer in time", appId);
  }

  /** Maps what went wrong while serving an app's request or management call. */
  static HttpResponse forFailure(Throwable failure, String appId) {
    Throwable cause = cause(failure);
    var appError = AppError.fromReplyError(cause);
    if (appError.isPresent()) {
      AppError error = appError.get();
      return switch (error.code()) {
        case START_FAILED -> of(StatusCodes.BAD_GATEWAY, "start_failed", error.message(), appId);
        case START_TIMEOUT -> of(StatusCodes.SERVICE_UNAVAILABLE, "start_timeout", error.message(), appId);
        case START_BACKOFF -> of(StatusCodes.SERVICE_UNAVAILABLE, "start_backoff", error.message(), appId,
            error.retryAfterSeconds());
        case OVERLOADED -> of(StatusCodes.SERVICE_UNAVAILABLE, "overloaded", error.message(), appId);
        case NO_CAPACITY -> of(StatusCodes.SERVICE_UNAVAILABLE, error.code().wire(), error.message(), appId,
            error.retryAfterSeconds());
        case ENGINE_UNAVAILABLE ->
            of(StatusCodes.SERVICE_UNAVAILABLE, "engine_unavailable", error.message(), appId);
        case INVALID_REQUEST -> badRequest(error.message(), appId);
      };
    }
    // The client's own body broke off, was malformed or too large: its fault, not the app's.
    if (cause instanceof EntityStreamSizeException tooLarge) {
      return payloadTooLarge(tooLarge.limit(), appId);
    }
    if (cause instanceof EntityStreamException malformed) {
      return badRequest("the request body is malformed: " + malformed.info().summary(), appId);
    }
    if (cause instanceof IllegalRequestException illegal) {
      return of(illegal.status(), code(illegal.status()), illegal.info().summary(), appId);
    }
    if (cause instanceof AskTimeoutException || cause instanceof TimeoutException) {
      return of(StatusCodes.SERVICE_UNAVAILABLE, "unavailable",
          "the app did not become ready in time", appId);
    }
    if (isConnectionClosure(cause)) {
      return of(StatusCodes.BAD_GATEWAY, "upstream_closed",
          "the app's container closed the connection without answering", appId);
    }
    if (cause instanceof StreamTcpException || cause instanceof ConnectException) {
      return of(StatusCodes.BAD_GATEWAY, "upstream_unreachable",
          "the app's container did not accept the connection", appId);
    }
    return of(StatusCodes.BAD_GATEWAY, "upstream_failed",
        "the app's container failed to answer: " + cause.getClass().getSimpleName(), appId);
  }

  /** The app's server closed the connection before it answered. */
  static boolean isConnectionClosure(Throwable failure) {
    // Akka's own class for it is internal to Akka, hence the name.
    return cause(failure).getClass().getSimpleName().equals("UnexpectedConnectionClosureException");
  }

  /** What went wrong, without the CompletionException that futures wrap around it. */
  static Throwable cause(Throwable failure) {
    // Each stage a failure passes through may wrap it again.
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** Akka's own rejections (wrong method, bad body, ...) as the same JSON errors as the rest. */
  static RejectionHandler rejections() {
    return RejectionHandler.defaultHandler().mapRejectionResponse(response -> {
      if (response.entity() instanceof HttpEntity.Strict strict
          && !strict.getContentType().toString().startsWith("application/json")) {
        return of(response.status(), code(response.status()), strict.getData().utf8String(), null);
      }
      return response;
    });
  }

  /**
   * Exceptions that escape a route: a client's broken body as 400 or 413, anything else, which
   * would be a bug in Berth, as a 500 that says so and is logged.
   */
  static ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder()
        .match(EntityStreamSizeException.class, e -> Directives.complete(forFailure(e, null)))
        .match(EntityStreamException.class, e -> Directives.complete(forFailure(e, null)))
        .match(IllegalRequestException.class, e -> Directives.complete(forFailure(e, null)))
        .matchAny(e -> {
          log.error("A route failed", e);
          return Directives.complete(of(StatusCodes.INTERNAL_SERVER_ERROR, "internal_error",
              "Berth failed to handle the request", null));
        })
        .build();
  }

  /** The error code of a status Akka HTTP chose: its reason phrase, as in "uri_too_long". */
  static String code(StatusCode status) {
    return status.reason().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
  }
}
