package dev.berth.edge;

import akka.http.javadsl.marshalling.sse.EventStreamMarshalling;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.sse.ServerSentEvent;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.berth.core.EventLog;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * The journal, read back: {@code GET /app/{appId}/_events} for one app and {@code GET /_audit}
 * for all, paged, or followed live as Server-Sent Events with {@code follow=true}.
 */
final class AuditRoutes extends AllDirectives {
  /** Keeps idle followers' connections (and proxies between) from timing out. */
  private static final Duration HEARTBEAT = Duration.ofSeconds(15);

  private final EventLog log;
  private final Executor dispatcher;
  private final AdminAccess admin;

  AuditRoutes(EventLog log, Executor dispatcher, AdminAccess admin) {
    this.log = log;
    this.dispatcher = dispatcher;
    this.admin = admin;
  }

  /** {@code GET /app/{appId}/_events?from=SEQ&limit=N}. */
  Route appEvents(String appId) {
    return get(() -> admin.authorize(caller -> parameterOptional("from", from -> parameterOptional("limit", limit -> {
      OptionalLong first = Paging.number(from, 1);
      OptionalLong count = Paging.number(limit, Paging.DEFAULT_LIMIT);
      if (first.isEmpty() || first.getAsLong() < 1
          || count.isEmpty() || !Paging.validLimit(count.getAsLong())) {
        return complete(ErrorResponses.badRequest("from must be a sequence number from 1, "
            + "limit a number from 1 to " + Paging.MAX_LIMIT, appId));
      }
      return completeWithFuture(page(log.eventsOf(appId, first.getAsLong(), (int) count.getAsLong()),
          events -> events.isEmpty() ? first.getAsLong() : events.get(events.size() - 1).sequenceNr() + 1,
          "nextFrom", appId));
    }))));
  }

  /** {@code GET /_audit?offset=O&limit=N}, or {@code follow=true} for a live stream. */
  Route audit() {
    return path("_audit", () -> get(() -> admin.authorize(caller -> parameterOptional("offset", offset ->
        parameterOptional("limit", limit -> parameterOptional("follow", follow -> {
          OptionalLong after = Paging.number(offset, 0);
          OptionalLong count = Paging.number(limit, Paging.DEFAULT_LIMIT);
          if (after.isEmpty() || after.getAsLong() < 0
              || count.isEmpty() || !Paging.validLimit(count.getAsLong())) {
            return complete(ErrorResponses.badRequest("offset must be a number from 0, "
                + "limit a number from 1 to " + Paging.MAX_LIMIT, null));
          }
          if (follow.filter("true"::equals).isPresent()) {
            return completeOK(log.follow(after.getAsLong())
                    .map(AuditRoutes::serverSentEvent)
                    .keepAlive(HEARTBEAT, ServerSentEvent::heartbeat),
                EventStreamMarshalling.toEventStream());
          }
          return completeWithFuture(page(log.allEvents(after.getAsLong(), (int) count.getAsLong()),
              events -> events.isEmpty() ? after.getAsLong() : events.get(events.size() - 1).offset(),
              "nextOffset", null));
        }))))));
  }

  private CompletionStage<HttpResponse> page(
      CompletionStage<List<EventLog.RecordedEvent>> events,
      Function<List<EventLog.RecordedEvent>, Long> next,
      String nextName,
      String appId) {
    return events
        .thenApplyAsync(found -> {
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("events", found.stream().map(AuditRoutes::view).toList());
          body.put(nextName, next.apply(found));
          return JsonResponses.ok(body);
        }, dispatcher)
        .exceptionallyAsync(failure -> ErrorResponses.forFailure(failure, appId), dispatcher);
  }

  private static Map<String, Object> view(EventLog.RecordedEvent recorded) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("appId", recorded.appId());
    view.put("seq", recorded.sequenceNr());
    view.put("offset", recorded.offset());
    view.put("timestamp", recorded.timestamp());
    view.put("type", recorded.type());
    view.put("event", recorded.event().redacted());
    return view;
  }

  private static ServerSentEvent serverSentEvent(EventLog.RecordedEvent recorded) {
    try {
      return ServerSentEvent.create(JsonResponses.MAPPER.writeValueAsString(view(recorded)),
          recorded.type(), String.valueOf(recorded.offset()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write an event as JSON", e);
    }
  }
}
