package dev.berth.edge;

import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import dev.berth.core.AppDirectory;
import dev.berth.core.AppEntity;
import dev.berth.core.AppId;
import dev.berth.core.Platform;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * {@code GET /_apps?status=S&limit=N&after=ID}: every app the journal knows, in appId order,
 * paged, from this node's {@link AppDirectory}. The directory lags the journal by about a second;
 * the apps it has as running are asked for their status, so that a start or stop under way, and
 * their latest requests, show.
 */
final class AppListingRoutes extends AllDirectives {
  private final Platform platform;
  private final Duration askTimeout;
  /** Runs continuations; see AppProxy for why not the common pool. */
  private final Executor dispatcher;
  private final AdminAccess admin;

  AppListingRoutes(Platform platform, Duration askTimeout, Executor dispatcher, AdminAccess admin) {
    this.platform = platform;
    this.askTimeout = askTimeout;
    this.dispatcher = dispatcher;
    this.admin = admin;
  }

  Route apps() {
    return path("_apps", () -> get(() -> admin.authorize(caller -> parameterOptional("status", status ->
        parameterOptional("limit", limit -> parameterOptional("after", after -> {
          OptionalLong count = Paging.number(limit, Paging.DEFAULT_LIMIT);
          if (count.isEmpty() || !Paging.validLimit(count.getAsLong())) {
            return complete(ErrorResponses.badRequest(
                "limit must be a number from 1 to " + Paging.MAX_LIMIT, null));
          }
          if (status.isPresent() && !AppEntity.LIFECYCLE_NAMES.contains(status.get())) {
            return complete(ErrorResponses.badRequest(
                "status must be one of " + String.join(", ", AppEntity.LIFECYCLE_NAMES), null));
          }
          if (after.isPresent() && !AppId.isValid(after.get())) {
            return complete(ErrorResponses.badRequest("after must be an appId: " + AppId.RULE, null));
          }
          AppDirectory.Page page = platform.directory().page(status, after, (int) count.getAsLong());
          return completeWithFuture(withLiveStatus(page));
        }))))));
  }

  private CompletionStage<HttpResponse> withLiveStatus(AppDirectory.Page page) {
    List<CompletableFuture<AppDirectory.AppSummary>> apps = page.apps().stream()
        .map(app -> app.status().equals("running") ? live(app) : CompletableFuture.completedFuture(app))
        .toList();
    return CompletableFuture.allOf(apps.toArray(CompletableFuture[]::new))
        .thenApplyAsync(all -> {
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("apps", apps.stream().map(CompletableFuture::join).toList());
          body.put("nextAfter", page.nextAfter().orElse(null));
          body.put("journalOffset", page.journalOffset());
          return JsonResponses.ok(body);
        }, dispatcher);
  }

  /** The app as its entity reports it, or as the directory has it if the entity does not answer. */
  private CompletableFuture<AppDirectory.AppSummary> live(AppDirectory.AppSummary app) {
    return platform.app(app.appId())
        .ask(AppEntity.GetStatus::new, askTimeout)
        .toCompletableFuture()
        .handleAsync((status, failure) -> failure == null ? app.updatedBy(status) : app, dispatcher);
  }
}
