package dev.berth.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.driver.ContainerInfo;
import dev.berth.driver.Labels;
import dev.berth.driver.testing.ContainerCleanup;
import dev.berth.driver.testing.TestEngine;
import dev.berth.edge.HostileRequests.Answer;
import dev.berth.edge.HostileRequests.Exchange;
import dev.berth.edge.HostileRequests.Sent;
import dev.berth.edge.testing.Http;
import dev.berth.edge.testing.RawHttp;
import dev.berth.edge.testing.SharedNode;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue #8, point 4: at least ten thousand generated malformed, random and truncated requests
 * against a running node, then: no 5xx of Berth's own making, the node still answers, no
 * container but for the few valid apps the generator names, and every event in the journal
 * decodes. Run with {@code -Dberth.hostile.seed=N} to repeat another run's input.
 */
class HostileInputTest {
  private static final long DEFAULT_SEED = 20_261_204L;
  /** Connections; each sends at least one request, so at least as many requests. */
  private static final int EXCHANGES = 10_000;
  private static final int CONNECTIONS_AT_ONCE = 12;
  private static final Duration ANSWER_WAIT = Duration.ofSeconds(20);
  private static final Duration OPTIONAL_ANSWER_WAIT = Duration.ofSeconds(2);
  private static final String BASE_DOMAIN = "hostile.test";

  /** 5xx that are the right answer to the request itself: a method or HTTP version Berth lacks. */
  private static final Set<String> PROTOCOL_ANSWERS = Set.of("not_implemented", "http_version_not_supported");
  /** 5xx that describe a tenant's container (slow, failing, or out of capacity), not the edge. */
  private static final Set<String> TENANT_ANSWERS = Set.of("upstream_timeout", "upstream_unreachable",
      "upstream_closed", "start_failed", "start_timeout", "start_backoff", "overloaded",
      "capacity_exhausted");

  @RegisterExtension static final ContainerCleanup cleanup = new ContainerCleanup();
  @RegisterExtension
  static final SharedNode node = new SharedNode(cleanup, Map.of("berth.edge.base-domain", BASE_DOMAIN));

  /** What came back, counted from every connection at once. */
  private static final class Outcomes {
    final LongAdder requests = new LongAdder();
    final Map<String, LongAdder> histogram = new ConcurrentHashMap<>();
    final Map<String, LongAdder> tenantErrors = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<String> berthFailures = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<String> notJson = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<String> unanswered = new ConcurrentLinkedQueue<>();

    void count(String outcome) {
      histogram.computeIfAbsent(outcome, key -> new LongAdder()).increment();
    }

    static Map<String, Long> sorted(Map<String, LongAdder> counts) {
      Map<String, Long> sorted = new TreeMap<>();
      counts.forEach((outcome, count) -> sorted.put(outcome, count.sum()));
      return sorted;
    }
  }

  @Test
  void tenThousandHostileRequestsLeaveTheNodeWhole() throws Exception {
    long seed = Long.getLong("berth.hostile.seed", DEFAULT_SEED);
    List<String> proxied = List.of(cleanup.freshAppId("hostile-p"), cleanup.freshAppId("hostile-p"),
        cleanup.freshAppId("hostile-p"));
    List<String> managed = List.of(cleanup.freshAppId("hostile-m"), cleanup.freshAppId("hostile-m"));
    for (String appId : proxied) {
      Http.getJson(node.app(appId, "/"));
    }
    HostileRequests generator = new HostileRequests(seed, proxied, managed,
        URI.create(node.baseUrl()).getAuthority(), BASE_DOMAIN);
    System.out.println("Hostile input: seed " + seed + " (repeat with -Dberth.hostile.seed=" + seed + ")");

    Outcomes outcomes = new Outcomes();
    long start = System.nanoTime();
    ExecutorService clients = Executors.newFixedThreadPool(CONNECTIONS_AT_ONCE);
    try {
      AtomicInteger next = new AtomicInteger();
      List<Future<?>> running = new ArrayList<>();
      for (int i = 0; i < CONNECTIONS_AT_ONCE; i++) {
        running.add(clients.submit(() -> {
          for (int index = next.getAndIncrement(); index < EXCHANGES; index = next.getAndIncrement()) {
            send(generator.exchange(index), outcomes);
          }
          return null;
        }));
      }
      for (Future<?> client : running) {
        client.get();
      }
    } finally {
      clients.shutdownNow();
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

    Set<String> valid = new HashSet<>(proxied);
    valid.addAll(managed);
    int events = checkJournal(valid);
    System.out.printf("Hostile input: %d requests on %d connections in %.1f s, seed %d%n",
        outcomes.requests.sum(), EXCHANGES, elapsed.toMillis() / 1000.0, seed);
    System.out.println("Hostile input: outcomes " + Outcomes.sorted(outcomes.histogram));
    System.out.println("Hostile input: " + outcomes.berthFailures.size() + " 5xx of Berth's own, "
        + "5xx about a tenant's container " + Outcomes.sorted(outcomes.tenantErrors) + ", "
        + outcomes.notJson.size() + " errors not in JSON, " + outcomes.unanswered.size()
        + " complete requests unanswered, " + events + " events in the journal, all decoded");
    Map<String, ConcurrentLinkedQueue<String>> anomalies = Map.of("Berth's own 5xx", outcomes.berthFailures,
        "not JSON", outcomes.notJson, "unanswered", outcomes.unanswered);
    anomalies.forEach((name, lines) -> lines.stream().limit(10)
        .forEach(line -> System.out.println("  " + name + ": " + line)));

    assertTrue(outcomes.requests.sum() >= 10_000, "sent " + outcomes.requests.sum());
    assertTrue(outcomes.berthFailures.isEmpty(), outcomes.berthFailures.size() + " 5xx of Berth's own");
    assertTrue(outcomes.notJson.isEmpty(), outcomes.notJson.size() + " errors not in JSON");
    assertTrue(outcomes.unanswered.isEmpty(), outcomes.unanswered.size() + " complete requests unanswered");
    assertEquals("Berth", Http.getJson(node.baseUrl() + "/").get("name").asText(), "the node still answers");
    for (ContainerInfo container : TestEngine.driver().list(Map.of(Labels.NODE, cleanup.nodeId()))) {
      assertTrue(valid.contains(container.appId()), "a container for " + container.appId());
    }
  }

  /** Sends one exchange on a connection of its own and counts what comes back. */
  private static void send(Exchange exchange, Outcomes outcomes) {
    try (Socket socket = RawHttp.connect(node.baseUrl(), null)) {
      socket.setSoTimeout((int) (exchange.answer() == Answer.REQUIRED ? ANSWER_WAIT : OPTIONAL_ANSWER_WAIT).toMillis());
      OutputStream out = socket.getOutputStream();
      InputStream in = new BufferedInputStream(socket.getInputStream());
      for (Sent sent : exchange.requests()) {
        outcomes.requests.increment();
        try {
          out.write(sent.bytes());
          out.flush();
        } catch (IOException closedWhileSending) {
          // The edge may answer before reading all of a request it refuses; read that answer.
        }
        if (exchange.answer() == Answer.NONE) {
          outcomes.count("sent, not read");
          return;
        }
        RawHttp.Response response;
        try {
          response = RawHttp.read(in, sent.head());
        } catch (IOException noAnswer) {
          outcomes.count("no answer");
          if (exchange.answer() == Answer.REQUIRED) {
            outcomes.unanswered.add(describe(exchange, noAnswer.toString()));
          }
          return;
        }
        classify(exchange, response, outcomes);
        if (response.headers().getOrDefault("connection", "").equalsIgnoreCase("close")) {
          return;
        }
      }
    } catch (IOException connectFailed) {
      outcomes.count("connect failed");
      outcomes.unanswered.add(describe(exchange, connectFailed.toString()));
    }
  }

  private static void classify(Exchange exchange, RawHttp.Response response, Outcomes outcomes) {
    int status = response.status();
    outcomes.count(String.valueOf(status));
    if (status < 400 || response.body().length == 0) {
      return;
    }
    if (!response.contentType().startsWith("application/json")) {
      outcomes.notJson.add(describe(exchange, status + " " + response.contentType() + ": " + response.text()));
      return;
    }
    if (status >= 500) {
      JsonNode error = Http.parse(response.text()).path("error");
      String code = error.isTextual() ? error.asText() : "(no error code)";
      if (TENANT_ANSWERS.contains(code)) {
        outcomes.tenantErrors.computeIfAbsent(code, key -> new LongAdder()).increment();
      } else if (!PROTOCOL_ANSWERS.contains(code)) {
        outcomes.berthFailures.add(describe(exchange, status + " " + response.text()));
      }
    }
  }

  private static String describe(Exchange exchange, String outcome) {
    return "#" + exchange.index() + " (" + exchange.kind() + ") " + outcome + " <- " + exchange.excerpt();
  }

  /**
   * Reads the whole journal through {@code /_audit}, page by page: every event must decode (the
   * page would fail otherwise), have a type, and belong to one of the valid apps.
   *
   * @return how many events there are
   */
  private static int checkJournal(Set<String> validApps) {
    int events = 0;
    long offset = 0;
    while (true) {
      JsonNode page = Http.getJson(node.baseUrl() + "/_audit?offset=" + offset + "&limit=1000");
      for (JsonNode event : page.get("events")) {
        assertTrue(event.path("type").asText().length() > 0, "an event without a type: " + event);
        assertTrue(validApps.contains(event.path("appId").asText()), "an event of another app: " + event);
        events++;
      }
      if (page.get("events").isEmpty()) {
        return events;
      }
      offset = page.get("nextOffset").asLong();
    }
  }
}
