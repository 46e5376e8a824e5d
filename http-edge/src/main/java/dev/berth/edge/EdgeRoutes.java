package dev.berth.edge;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.model.AttributeKeys;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.Host;
import akka.http.javadsl.model.headers.RawRequestURI;
import akka.http.javadsl.settings.ServerSettings;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import com.typesafe.config.Config;
import dev.berth.core.AppId;
import dev.berth.core.EventLog;
import dev.berth.core.Platform;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Every route of the edge. An app is named, in this order of precedence, by the host
 * ({@code {appId}.{base-domain}}, with a base domain), by the path ({@code /app/{appId}/...}) or
 * by the query ({@code ?appId=...}). A path that breaks {@link PathRule} reaches nothing.
 */
final class EdgeRoutes extends AllDirectives {
  /** RFC 9110 section 5.1: a field name is a token. */
  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");

  private final AppProxy proxy;
  private final ManagementRoutes management;
  private final AuditRoutes audit;
  private final AppListingRoutes listing;
  private final PlatformInfo info;
  /** Lower case, starting with a dot; empty when host routing is off. */
  private final Optional<String> hostSuffix;
  /** berth.edge.max-body-size, as Akka HTTP enforces it on every request body. */
  private final long maxBodyBytes;

  EdgeRoutes(ActorSystem<?> system, Platform platform) {
    Config config = system.settings().config();
    Caller caller = new Caller(TrustedProxies.parse(config.getString("berth.edge.trusted-proxies")));
    AdminAccess admin = AdminAccess.parse(config.getString("berth.admin-tokens"), caller);
    this.proxy = new AppProxy(system, platform, caller, admin);
    this.audit = new AuditRoutes(new EventLog(system), system.executionContext(), admin);
    Duration askTimeout = config.getDuration("berth.edge.ask-timeout");
    this.management = new ManagementRoutes(platform, askTimeout, system.executionContext(), audit, admin);
    this.listing = new AppListingRoutes(platform, askTimeout, system.executionContext(), admin);
    this.maxBodyBytes = ServerSettings.create(config).getParserSettings().getMaxContentLength();
    String baseDomain = config.getString("berth.edge.base-domain").strip().toLowerCase(Locale.ROOT);
    this.hostSuffix = baseDomain.isEmpty() ? Optional.empty() : Optional.of("." + baseDomain);
    this.info = new PlatformInfo(platform, baseDomain, system.executionContext(), admin);
  }

  Route routes() {
    return withRequestTimeoutResponse(request -> ErrorResponses.gatewayTimeout(null), () ->
        handleExceptions(ErrorResponses.exceptions(), () ->
            handleRejections(ErrorResponses.rejections(), () ->
                withSafePath(() -> withWellFormedHeaders(() -> concat(
                    byHost(),
                    pathPrefix("app", () -> concat(
                        pathPrefix(PathMatchers.segment(), this::appRoutes),
                        complete(ErrorResponses.invalidAppId("", AppId.RULE)))),
                    audit.audit(),
                    listing.apps(),
                    byQuery()))))));
  }

  /**
   * Checks the target as the client sent it: by the time a route sees the parsed path, Akka has
   * already removed its dot-segments.
   */
  private Route withSafePath(Supplier<Route> inner) {
    return extractRequest(request -> {
      String rawTarget = request.getHeader(RawRequestURI.class)
          .map(RawRequestURI::uri)
          .orElseGet(() -> request.getUri().path());
      return PathRule.violation(rawTarget)
          .map(problem -> complete(ErrorResponses.badPath(problem)))
          .orElseGet(inner);
    });
  }

  /**
   * Refuses headers Akka HTTP 10.2 lets through malformed, which an app's server or a proxy in
   * front would read otherwise: an empty name ({@code ": v"}), and a value holding a line end. The
   * latter happens because Akka takes the bytes after a UTF-8 lead byte into the value whatever
   * they are, so a line end there vanishes, and the next header line with it.
   */
  private Route withWellFormedHeaders(Supplier<Route> inner) {
    return extractRequest(request -> {
      for (HttpHeader header : request.getHeaders()) {
        if (!HEADER_NAME.matcher(header.name()).matches()) {
          return complete(ErrorResponses.badRequest("a header has an empty or malformed name", null));
        }
        if (header.value().indexOf('\r') >= 0 || header.value().indexOf('\n') >= 0) {
          return complete(ErrorResponses.badRequest(
              "the value of header " + header.name() + " holds a line end", null));
        }
      }
      return inner.get();
    });
  }

  /** {@code ?appId=...}: named once, or the request is ambiguous and refused. */
  private Route byQuery() {
    return extractUri(uri -> {
      List<String> named = uri.query().getAll("appId");
      if (named.size() > 1) {
        return complete(ErrorResponses.invalidAppId(null,
            "the query names appId " + named.size() + " times; name the app once"));
      }
      if (named.size() == 1) {
        return proxyWholePath(named.get(0));
      }
      return concat(
          pathEndOrSingleSlash(() -> get(() -> completeWithFuture(info.response()))),
          notFound());
    });
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
    return extractRequest(request -> {
      OptionalLong length = request.entity().getContentLengthOption();
      if (length.isPresent() && length.getAsLong() > maxBodyBytes) {
        // Refused before the app is woken for a body Akka would refuse part way through.
        return complete(ErrorResponses.payloadTooLarge(maxBodyBytes, appId));
      }
      return completeWithFuture(request.getAttribute(AttributeKeys.webSocketUpgrade)
          .map(upgrade -> proxy.forwardWebSocket(appId, path, request, upgrade))
          .orElseGet(() -> proxy.forward(appId, path, request)));
    });
  }

  private Route notFound() {
    return extractUri(uri -> complete(ErrorResponses.of(StatusCodes.NOT_FOUND, "not_found",
        "no route for " + uri.path() + "; apps are under /app/{appId}/", null)));
  }
}
