package dev.berth.edge;

import akka.actor.typed.ActorRef;
import akka.http.javadsl.model.HttpResponse;
import akka.pattern.StatusReply;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.PathMatcher1;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.core.AppEntity;
import dev.berth.core.AppError;
import dev.berth.core.AppStatus;
import dev.berth.core.ConfigUpdate;
import dev.berth.core.Metadata;
import dev.berth.core.Platform;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import scala.concurrent.duration.FiniteDuration;
import java.util.regex.Pattern;

/**
 * The management endpoints under {@code /app/{appId}/}: {@code _status}, {@code _restart},
 * {@code _stop}, {@code _metadata}, {@code _config} and {@code _events}, and
 * {@code DELETE /app/{appId}}; all but the reads of status and metadata behind
 * {@link AdminAccess}. A first path segment starting with {@code _} belongs to Berth, never to
 * the app, so an unknown one is a 404 rather than a request to the container.
 */
final class ManagementRoutes extends AllDirectives {
  /** A metadata body larger than this is refused before it is parsed. */
  private static final long MAX_METADATA_BODY = 256 * 1024;
  /** Room for the most variables a configuration may hold. */
  private static final long MAX_CONFIG_BODY = 8L * 1024 * 1024;

  private static final PathMatcher1<String> RESERVED_SEGMENT =
      PathMatchers.segment(Pattern.compile("_.*"));

  private static final FiniteDuration STRICT_BODY_WAIT = FiniteDuration.create(10, TimeUnit.SECONDS);

  private final Platform platform;
  private final AuditRoutes audit;
  private final AdminAccess admin;
  /** Runs continuations; see AppProxy for why not the common pool. */
  private final Executor dispatcher;
  private final Duration askTimeout;
  private final Duration restartTimeout;

  ManagementRoutes(
      Platform platform, Duration askTimeout, Executor dispatcher, AuditRoutes audit, AdminAccess admin) {
    this.platform = platform;
    this.audit = audit;
    this.admin = admin;
    this.dispatcher = dispatcher;
    this.askTimeout = askTimeout;
    this.restartTimeout = platform.settings().startTimeout()
        .plus(platform.settings().stopTimeout()).plus(askTimeout);
  }

  /** Matches only paths whose first segment starts with {@code _}; the rest is the app's. */
  Route routes(String appId) {
    // Once a reserved segment matched, a rejection is answered here and never falls through to
    // the proxy: a wrong method on _status is a 405, not a request to the app.
    return pathPrefix(RESERVED_SEGMENT, name -> handleRejections(ErrorResponses.rejections(), () ->
        pathEnd(() -> switch (name) {
      case "_status" -> get(() -> completeWithFuture(status(appId, StatusView::of)));
      case "_restart" -> post(() -> admin.authorize(caller -> completeWithFuture(lifecycle(appId,
          replyTo -> new AppEntity.Restart(caller, replyTo), restartTimeout))));
      case "_stop" -> post(() -> admin.authorize(caller -> completeWithFuture(lifecycle(appId,
          replyTo -> new AppEntity.Stop(AppEntity.StopReason.REQUESTED, caller, replyTo),
          restartTimeout))));
      case "_events" -> audit.appEvents(appId);
      case "_config" -> admin.authorize(caller -> concat(
          get(() -> completeWithFuture(platform.app(appId)
              .ask(AppEntity.GetConfig::new, askTimeout)
              .thenApplyAsync(config -> JsonResponses.ok(ConfigView.of(appId, config, platform.settings())),
                  dispatcher)
              .exceptionallyAsync(failure -> ErrorResponses.forFailure(failure, appId), dispatcher))),
          put(() -> parameterOptional("restart", restart -> withSizeLimit(MAX_CONFIG_BODY, () ->
              extractStrictEntity(STRICT_BODY_WAIT, body -> completeWithFuture(configure(appId,
                  body.getData().toArray(), restart.filter("true"::equals).isPresent(), caller))))))));
      case "_metadata" -> concat(
          get(() -> completeWithFuture(status(appId, AppStatus::metadata))),
          post(() -> admin.authorize(caller -> withSizeLimit(MAX_METADATA_BODY, () ->
              extractStrictEntity(STRICT_BODY_WAIT, body ->
                  completeWithFuture(setMetadata(appId, body.getData().toArray(), caller)))))));
      default -> complete(ErrorResponses.of(
          StatusCodes.NOT_FOUND, "not_found", "no management endpoint " + name, appId));
    })));
  }

  private CompletionStage<HttpResponse> status(String appId, Function<AppStatus, Object> view) {
    return platform.app(appId)
        .ask(AppEntity.GetStatus::new, askTimeout)
        .thenApplyAsync(status -> JsonResponses.ok(view.apply(status)), dispatcher)
        .exceptionallyAsync(failure -> ErrorResponses.forFailure(failure, appId), dispatcher);
  }

  /** {@code DELETE /app/{appId}}: the app's own path, not under a reserved segment. */
  Route deleteApp(String appId) {
    return pathEndOrSingleSlash(() -> delete(() -> admin.authorize(caller -> completeWithFuture(
        lifecycle(appId, replyTo -> new AppEntity.Delete(caller, replyTo), restartTimeout)))));
  }

  /** Sends a command that changes the container's life, and answers the resulting status. */
  private CompletionStage<HttpResponse> lifecycle(
      String appId,
      Function<ActorRef<StatusReply<AppStatus>>, AppEntity.Command> command,
      Duration timeout) {
    return platform.app(appId)
        .askWithStatus(command::apply, timeout)
        .thenApplyAsync(status -> JsonResponses.ok(StatusView.of(status)), dispatcher)
        .exceptionallyAsync(failure -> ErrorResponses.forFailure(failure, appId), dispatcher);
  }

  private CompletionStage<HttpResponse> setMetadata(String appId, byte[] body, String requestedBy) {
    Optional<Map<String, String>> values = stringObject(body);
    if (values.isEmpty()) {
      return CompletableFuture.completedFuture(ErrorResponses.badRequest(
          "metadata must be a JSON object whose values are all strings", appId));
    }
    return platform.app(appId)
        .<Metadata>askWithStatus(replyTo -> new AppEntity.SetMetadata(values.get(), requestedBy, replyTo),
            askTimeout)
        .thenApplyAsync(metadata -> JsonResponses.ok(metadata.values()), dispatcher)
        .exceptionallyAsync(failure -> ErrorResponses.forFailure(failure, appId), dispatcher);
  }

  /**
   * Checks and stores the configuration; with {@code restart}, a running app is then restarted
   * so that it takes effect at once.
   */
  private CompletionStage<HttpResponse> configure(
      String appId, byte[] body, boolean restart, String requestedBy) {
    JsonNode tree;
    try {
      tree = JsonResponses.MAPPER.readTree(body);
    } catch (IOException notJson) {
      return CompletableFuture.completedFuture(ErrorResponses.badRequest(
          "the configuration must be a JSON object", appId));
    }
    ConfigUpdate.Parsed parsed = ConfigUpdate.parse(ConfigView.writable(tree), platform.settings());
    if (!parsed.ok()) {
      return CompletableFuture.completedFuture(
          ErrorResponses.badRequest(String.join("; ", parsed.problems()), appId));
    }
    return platform.configure(appId, parsed.update(), requestedBy, askTimeout)
        .thenComposeAsync(config -> (restart
                ? restartIfRunning(appId, requestedBy)
                : CompletableFuture.completedFuture(false))
            // The configuration is stored whatever becomes of the restart: the answer says both.
            .handleAsync((restarted, failure) -> {
              Map<String, Object> view = ConfigView.of(appId, config, platform.settings());
              view.put("restarted", failure == null && restarted);
              if (failure != null) {
                Throwable cause = ErrorResponses.cause(failure);
                view.put("restartError", AppError.fromReplyError(cause).map(AppError::message)
                    .orElseGet(() -> cause.getClass().getSimpleName()));
              }
              return JsonResponses.ok(view);
            }, dispatcher), dispatcher)
        .exceptionallyAsync(failure -> ErrorResponses.forFailure(failure, appId), dispatcher);
  }

  /** Answers whether the app was running, and so restarted. */
  private CompletionStage<Boolean> restartIfRunning(String appId, String requestedBy) {
    return platform.app(appId)
        .ask(AppEntity.GetStatus::new, askTimeout)
        .thenComposeAsync(status -> !"running".equals(status.status())
            ? CompletableFuture.completedFuture(false)
            : platform.app(appId)
                .<AppStatus>askWithStatus(replyTo -> new AppEntity.Restart(requestedBy, replyTo), restartTimeout)
                .thenApplyAsync(restarted -> true, dispatcher), dispatcher);
  }

  private static Optional<Map<String, String>> stringObject(byte[] body) {
    JsonNode tree;
    try {
      tree = JsonResponses.MAPPER.readTree(body);
    } catch (IOException notJson) {
      return Optional.empty();
    }
    if (tree == null || !tree.isObject()) {
      return Optional.empty();
    }
    Map<String, String> values = new LinkedHashMap<>();
    var fields = tree.fields();
    while (fields.hasNext()) {
      var field = fields.next();
      if (!field.getValue().isTextual()) {
        return Optional.empty();
      }
      values.put(field.getKey(), field.getValue().textValue());
    }
    return Optional.of(values);
  }
}
