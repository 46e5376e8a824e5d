package dev.berth.edge;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.model.AttributeKeys;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.Host;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import com.typesafe.config.Config;
import dev.berth.core.AppId;
import dev.berth.core.EventLog;
import dev.berth.core.Platform;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Every route of the edge. An app is named by the path ({@code /app/{appId}/...}), by the query
 * ({@code ?appId=...}) or, with a base domain, by the host ({@code {appId}.{base-domain}}).
 */
final class EdgeRoutes extends AllDirectives {
  private final Platform platform;
  private final AppProxy proxy;
  private final ManagementRoutes management;
  private final AuditRoutes audit;
  private final AppListingRoutes listing;
  private final PlatformInfo info;
  /** Lower case, starting with a dot; empty when host routing is off. */
  private final Optional<String> hostSuffix;

  EdgeRoutes(ActorSystem<?> system, Platform platform) {
    Config config = system.settings().config();
    this.platform = platform;
    AdminAccess admin = AdminAccess.parse(config.getString("berth.admin-tokens"));
    this.proxy = new AppProxy(system, platform, admin);
    this.audit = new AuditRoutes(new EventLog(system), system.executionContext(), admin);
    Duration askTimeout = config.getDuration("berth.edge.ask-timeout");
    this.management = new ManagementRoutes(platform, askTimeout, system.executionContext(), audit, admin);
    this.listing = new AppListingRoutes(platform, askTimeout, system.executionContext(), admin);
    String baseDomain = config.getString("berth.edge.base-domain").strip().toLowerCase(Locale.ROOT);
    this.hostSuffix = baseDomain.isEmpty() ? Optional.empty() : Optional.of("." + baseDomain);
    this.info = new PlatformInfo(platform, baseDomain, system.executionContext(), admin);
  }

  Route routes() {
    return withRequestTimeoutResponse(request -> ErrorResponses.gatewayTimeout(null), () ->
        handleRejections(ErrorResponses.rejections(), () ->
            concat(
                byHost(),
                pathPrefix("app", () -> concat(
                    pathPrefix(PathMatchers.segment(), this::appRoutes),
                    complete(ErrorResponses.invalidAppId("", AppId.RULE)))),
                audit.audit(),
                listing.apps(),
                parameterOptional("appId", appId -> appId
                    .map(id -> proxyWholePath(id))
                    .orElseGet(() -> concat(
                        pathEndOrSingleSlash(() -> get(() -> completeWithFuture(info.response()))),
                        notFound()))))));
  }

  private Route byHost() {
    if (hostSuffix.isEmpty()) {
      return reject();
    }
    String suffix = hostSuffix.get();
    return headerValueByType(Host.class, host -> {
      String name = host.host().address().toLowerCase(Locale.ROOT);
      if (!name.endsWith(suffix)) {
        return reject();
      }
      return proxyWholePath(name.substring(0, name.length() - suffix.length()));
    });
  }

  private Route appRoutes(String appId) {
    if (!AppId.isValid(appId)) {
      return complete(ErrorResponses.invalidAppId(appId, AppId.RULE));
    }
    return concat(
        management.routes(appId),
        management.deleteApp(appId),
        extractUnmatchedPath(rest -> proxyTo(appId, rest.isEmpty() ? "/" : rest)));
  }

  private Route proxyWholePath(String appId) {
    if (!AppId.isValid(appId)) {
      return complete(ErrorResponses.invalidAppId(appId, AppId.RULE));
    }
    return extractRequest(request -> proxyTo(appId, request.getUri().path()));
  }

  private Route proxyTo(String appId, String path) {
    return extractRequest(request -> completeWithFuture(
        request.getAttribute(AttributeKeys.webSocketUpgrade)
            .map(upgrade -> proxy.forwardWebSocket(appId, path, request, upgrade, Caller.address(request)))
            .orElseGet(() -> proxy.forward(appId, path, request, Caller.address(request)))));
  }

  private Route notFound() {
    return extractUri(uri -> complete(ErrorResponses.of(StatusCodes.NOT_FOUND, "not_found",
        "no route for " + uri.path() + "; apps are under /app/{appId}/", null)));
  }
}
