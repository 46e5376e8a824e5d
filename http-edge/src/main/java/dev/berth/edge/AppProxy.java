package dev.berth.edge;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import akka.http.javadsl.ConnectHttp;
import akka.http.javadsl.Http;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpEntity;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.RequestEntity;
import akka.http.javadsl.model.ResponseEntity;
import akka.http.javadsl.model.Uri;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.javadsl.model.ws.Message;
import akka.http.javadsl.model.ws.WebSocketRequest;
import akka.http.javadsl.model.ws.WebSocketUpgrade;
import akka.http.javadsl.model.ws.WebSocketUpgradeResponse;
import akka.japi.Pair;
import akka.stream.Materializer;
import akka.stream.StreamTcpException;
import akka.stream.javadsl.AsPublisher;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import dev.berth.core.AppEntity;
import dev.berth.core.Endpoint;
import dev.berth.core.Platform;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import java.util.stream.Collectors;

/**
 * Sends a client's request to its app's container and the response back, streaming both bodies.
 * The container's address comes only from the app's entity, never from the request.
 */
final class AppProxy {
  /** Headers that describe one connection, not the message: never forwarded (RFC 9110 7.6.1). */
  private static final Set<String> HOP_BY_HOP = Set.of(
      "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
      "te", "trailer", "transfer-encoding", "upgrade", "host",
      // Akka's own synthetic headers.
      "timeout-access", "remote-address", "raw-request-uri", "tls-session-info");

  /**
   * The largest request body sent on a pooled connection. A server that answers without reading
   * a larger one may close the connection after its answer (the JDK's drains 64 KiB, then closes).
   */
  private static final long LARGEST_POOLED_BODY = 64 * 1024;

  /** Methods that a server treats the same when a request is sent twice (RFC 9110 9.2.2). */
  private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE");

  /**
   * Akka keeps a valid Content-Type and Content-Length in the entity; a header of these names is
   * one it could not read, and would drop with a warning for every request that has one.
   */
  private static final Set<String> CARRIED_BY_ENTITY = Set.of("content-type", "content-length");

  /** Set by the edge (see {@link Caller#forwardedHeaders}); a client's own are not passed on. */
  private static final Set<String> SET_BY_EDGE = Set.of(
      "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-berth-app-id", "forwarded");

  private final ActorSystem<?> system;
  private final Platform platform;
  private final Caller caller;
  private final Duration startWait;
  /** How long one ask for a container may go unanswered before it is sent again. */
  private final Duration retryInterval;
  /** This node's address: an app drops request ids of nodes that have left the cluster. */
  private final String requestIdPrefix;
  /**
   * Runs every continuation. Stages from Akka's Java API run plain {@code thenApply} on the
   * common pool, which on a machine of two cores means a new thread for each one.
   */
  private final Executor dispatcher;
  /** Recognises admin tokens, which never reach an app. */
  private final AdminAccess admin;

  AppProxy(ActorSystem<?> system, Platform platform, Caller caller, AdminAccess admin) {
    this.system = system;
    this.platform = platform;
    this.caller = caller;
    this.admin = admin;
    this.dispatcher = system.executionContext();
    this.retryInterval = system.settings().config().getDuration("berth.edge.ask-retry-interval");
    this.requestIdPrefix = platform.nodeAddress() + "/";
    // The entity answers once the container is ready, or that the start failed or timed out.
    this.startWait = platform.settings().startTimeout().plus(platform.settings().stopTimeout())
        .plusSeconds(5);
  }

  /** @param path the path the app sees, already percent-encoded */
  CompletionStage<HttpResponse> forward(String appId, String path, HttpRequest request) {
    EntityRef<AppEntity.Command> app = platform.app(appId);
    String requestId = newRequestId();
    return ensureRunning(app, requestId)
        .thenComposeAsync(endpoint -> {
          Runnable finished = onceOnly(() -> app.tell(new AppEntity.RequestFinished(requestId)));
          HttpRequest upstream = upstreamRequest(appId, endpoint, path, request);
          return send(upstream, endpoint)
              .handleAsync((response, failure) -> {
                if (failure != null) {
                  finished.run();
                  if (ErrorResponses.cause(failure) instanceof StreamTcpException) {
                    // Refused or reset: perhaps the container is gone; the entity checks.
                    app.tell(new AppEntity.CheckContainer(""));
                  }
                  throw new CompletionException(failure);
                }
                return response
                    .withHeaders(withoutHopByHop(response.getHeaders()))
                    .withEntity(whenConsumed(response.entity(), finished));
              }, dispatcher);
        }, dispatcher)
        .handleAsync((response, failure) ->
            failure == null ? response : ErrorResponses.forFailure(failure, appId), dispatcher);
  }

  /**
   * Bridges a client's WebSocket to the app's. The app is asked first; only once it has accepted
   * is the client answered 101, so an app that refuses the upgrade is seen refusing it (its own
   * answer, or 502 when it gave none) rather than as a socket that closes at once. The connection
   * counts as a request in flight until either side closes it.
   */
  CompletionStage<HttpResponse> forwardWebSocket(
      String appId, String path, HttpRequest request, WebSocketUpgrade upgrade) {
    EntityRef<AppEntity.Command> app = platform.app(appId);
    String requestId = newRequestId();
    return ensureRunning(app, requestId)
        .thenComposeAsync(endpoint -> {
          Runnable finished = onceOnly(() -> app.tell(new AppEntity.RequestFinished(requestId)));
          HttpRequest upstream = upstreamRequest(appId, endpoint, path, request);
          WebSocketRequest webSocket = WebSocketRequest.create(
              upstream.getUri().scheme("ws").toString());
          for (HttpHeader header : upstream.getHeaders()) {
            if (!header.lowercaseName().startsWith("sec-websocket-")) {
              webSocket = webSocket.addHeader(header);
            }
          }
          // The app's end is connected now; the client's end is joined to it after the handshake.
          // The request is in flight for as long as the app's end lives, whatever the client does.
          Pair<CompletionStage<WebSocketUpgradeResponse>, Pair<Publisher<Message>, Subscriber<Message>>>
              connected = Http.get(system).singleWebSocketRequest(webSocket,
                  Flow.fromSinkAndSourceCoupledMat(Sink.<Message>asPublisher(AsPublisher.WITHOUT_FANOUT),
                      Source.<Message>asSubscriber(), Keep.both())
                      .watchTermination((ends, done) -> {
                        done.whenCompleteAsync((ok, error) -> finished.run(), dispatcher);
                        return ends;
                      }),
                  Materializer.matFromSystem(system));
          Publisher<Message> fromApp = connected.second().first();
          Subscriber<Message> toApp = connected.second().second();
          return connected.first().handleAsync((handshake, failure) -> {
            if (failure == null && handshake.isValid()) {
              return upgrade.handleMessagesWith(Flow.fromSinkAndSourceCoupled(
                  Sink.fromSubscriber(toApp), Source.fromPublisher(fromApp)));
            }
            // Both ends were made for a conversation that will not happen: close them.
            Source.<Message>empty().runWith(Sink.fromSubscriber(toApp), system);
            Source.fromPublisher(fromApp).runWith(Sink.cancelled(), system);
            finished.run();
            if (failure != null) {
              return ErrorResponses.forFailure(failure, appId);
            }
            HttpResponse refused = handshake.response();
            return refused.withHeaders(withoutHopByHop(refused.getHeaders()));
          }, dispatcher);
        }, dispatcher)
        .exceptionallyAsync(failure -> ErrorResponses.forFailure(failure, appId), dispatcher);
  }

  /**
   * Sends a request to the app. An app's server may close a kept-alive connection just as the
   * pool sends the next request on it, which then never reaches the app. An idempotent request
   * whose body is at hand whole (none, or one that arrived with its head) simply goes again, once,
   * on a new connection. Other bodies stream from the client and cannot be sent twice. Servers
   * close most often after an exchange whose request body they did not read whole (the JDK's past
   * 64 KiB), so a request whose body may be that large gets a connection of its own, and pooled
   * connections never carry one.
   */
  private CompletionStage<HttpResponse> send(HttpRequest upstream, Endpoint endpoint) {
    OptionalLong bodyLength = upstream.entity().getContentLengthOption();
    if (bodyLength.isEmpty() || bodyLength.getAsLong() > LARGEST_POOLED_BODY) {
      return Source.single(upstream)
          .via(Http.get(system).outgoingConnection(ConnectHttp.toHost(endpoint.host(), endpoint.port())))
          .runWith(Sink.head(), system);
    }
    return Http.get(system)
        .singleRequest(upstream)
        .exceptionallyComposeAsync(failure -> IDEMPOTENT.contains(upstream.method().value())
                && (upstream.entity().isKnownEmpty() || upstream.entity() instanceof HttpEntity.Strict)
                && ErrorResponses.isConnectionClosure(failure)
            ? Http.get(system).singleRequest(upstream)
            : CompletableFuture.failedStage(failure), dispatcher);
  }

  private String newRequestId() {
    return requestIdPrefix + UUID.randomUUID();
  }

  /**
   * Asks the app's entity for its container, again and again while it does not answer — its
   * node may have died, and sharding moves it to a survivor within seconds — until the start
   * deadline. Repeating an ask with the same request id admits the request only once.
   */
  private CompletionStage<Endpoint> ensureRunning(EntityRef<AppEntity.Command> app, String requestId) {
    return ensureRunning(app, requestId, System.nanoTime() + startWait.toNanos());
  }

  private CompletionStage<Endpoint> ensureRunning(
      EntityRef<AppEntity.Command> app, String requestId, long deadlineNanos) {
    Duration left = Duration.ofNanos(deadlineNanos - System.nanoTime());
    Duration attempt = left.compareTo(retryInterval) < 0 ? left : retryInterval;
    return app.<Endpoint>askWithStatus(replyTo -> new AppEntity.EnsureRunning(requestId, replyTo), attempt)
        .exceptionallyComposeAsync(failure -> {
          boolean unanswered = ErrorResponses.cause(failure) instanceof TimeoutException;
          if (unanswered && System.nanoTime() < deadlineNanos) {
            return ensureRunning(app, requestId, deadlineNanos);
          }
          return CompletableFuture.failedStage(failure);
        }, dispatcher);
  }

  private HttpRequest upstreamRequest(
      String appId, Endpoint endpoint, String path, HttpRequest request) {
    Uri incoming = request.getUri();
    String target = "http://" + endpoint.host() + ":" + endpoint.port() + path
        + incoming.rawQueryString().map(query -> "?" + query).orElse("");
    List<HttpHeader> headers = new ArrayList<>(withoutHopByHop(request.getHeaders()));
    headers.removeIf(h -> SET_BY_EDGE.contains(h.lowercaseName())
        || CARRIED_BY_ENTITY.contains(h.lowercaseName()) || admin.isAdminCredential(h));
    headers.addAll(caller.forwardedHeaders(request));
    headers.add(RawHeader.create("X-Berth-App-Id", appId));
    return HttpRequest.create()
        .withMethod(request.method())
        .withUri(Uri.create(target))
        .withProtocol(request.protocol())
        .withHeaders(headers)
        .withEntity(withoutTrailers(request.entity()));
  }

  /**
   * A chunked body without its trailer fields: few apps read them, some servers (the JDK's) fail
   * on them, and a trailer may repeat framing fields such as Content-Length.
   */
  private static RequestEntity withoutTrailers(RequestEntity entity) {
    return entity instanceof HttpEntity.Chunked chunked
        ? HttpEntities.createChunked(chunked.getContentType(), chunked.getDataBytes())
        : entity;
  }

  private static List<HttpHeader> withoutHopByHop(Iterable<HttpHeader> headers) {
    List<HttpHeader> all = new ArrayList<>();
    headers.forEach(all::add);
    // Connection may name further headers that belong to this connection only.
    Set<String> namedByConnection = all.stream()
        .filter(h -> h.is("connection"))
        .flatMap(h -> java.util.Arrays.stream(h.value().split(",")))
        .map(name -> name.strip().toLowerCase(Locale.ROOT))
        .collect(Collectors.toSet());
    all.removeIf(h -> HOP_BY_HOP.contains(h.lowercaseName())
        || namedByConnection.contains(h.lowercaseName()));
    return all;
  }

  /**
   * The response entity, reporting {@code finished} once its body has been sent to the client,
   * failed or been cancelled: until then the request is in flight and keeps the app awake.
   */
  private ResponseEntity whenConsumed(ResponseEntity entity, Runnable finished) {
    if (entity.isKnownEmpty() || entity instanceof HttpEntity.Strict) {
      finished.run();
      return entity;
    }
    Flow<ByteString, ByteString, NotUsed> watch = Flow.<ByteString>create()
        .watchTermination((notUsed, done) -> {
          done.whenCompleteAsync((ok, error) -> finished.run(), dispatcher);
          return notUsed;
        });
    if (entity instanceof HttpEntity.Default sized) {
      return HttpEntities.create(sized.getContentType(), sized.getContentLength(),
          sized.getDataBytes().via(watch));
    }
    if (entity.isCloseDelimited()) {
      return HttpEntities.createCloseDelimited(entity.getContentType(),
          entity.getDataBytes().via(watch));
    }
    // Each piece the container sends becomes one chunk, so Server-Sent Events stay unbuffered.
    return HttpEntities.createChunked(entity.getContentType(), entity.getDataBytes().via(watch));
  }

  private static Runnable onceOnly(Runnable action) {
    AtomicBoolean done = new AtomicBoolean();
    return () -> {
      if (done.compareAndSet(false, true)) {
        action.run();
      }
    };
  }
}
