package dev.berth.edge;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.Behaviors;
import akka.serialization.SerializationExtension;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.berth.core.AppEntity;
import dev.berth.core.JournalReader;
import dev.berth.core.Platform;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code deploy/berth audit [appId] [--at TIME] [--verify] [--node URL]}: the journal read
 * directly, with no node needed. With an appId, the app's history and the state rebuilt from it
 * (as of {@code --at}); without, one line per app. {@code --verify} replays every app through the
 * entity's own event handler and compares the result with its latest snapshot and, when a node
 * answers at {@code --node}, with what that node reports; any difference makes the exit code 1.
 */
public final class AuditCommand {
  private static final String USAGE =
      "usage: berth audit [appId] [--at ISO-8601-TIME|EPOCH-MS] [--verify] [--node URL]";

  private final PrintStream out;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private AuditCommand(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) {
    System.exit(run(args, ConfigFactory.empty(), System.out));
  }

  /** Runs the command; returns its exit code: 0 fine, 1 differences found, 2 bad usage or failure. */
  public static int run(String[] args, Config overrides, PrintStream out) {
    Optional<String> appId = Optional.empty();
    long at = Long.MAX_VALUE;
    boolean verify = false;
    String node = "http://127.0.0.1:" + Platform.loadConfig(overrides).getInt("berth.http.port");
    try {
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--verify" -> verify = true;
          case "--at" -> at = parseTime(args[++i]);
          case "--node" -> node = args[++i];
          default -> {
            if (args[i].startsWith("-") || appId.isPresent()) {
              throw new IllegalArgumentException("unexpected " + args[i]);
            }
            appId = Optional.of(args[i]);
          }
        }
      }
    } catch (RuntimeException badArguments) {
      out.println(badArguments.getMessage() + "\n" + USAGE);
      return 2;
    }
    Config config = Platform.loadConfig(ConfigFactory.parseString("akka.actor.provider = local")
        .withFallback(overrides));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "berth-audit", config);
    try (JournalReader journal = new JournalReader(config,
        SerializationExtension.get(Adapter.toClassic(system)))) {
      AuditCommand command = new AuditCommand(out);
      if (verify) {
        return command.verify(journal, appId.map(List::of).orElse(journal.appIds()), node);
      }
      if (appId.isPresent()) {
        command.history(journal, appId.get(), at);
      } else {
        command.summary(journal, at);
      }
      return 0;
    } catch (Exception e) {
      out.println("audit failed: " + e.getMessage());
      return 2;
    } finally {
      system.terminate();
    }
  }

  private void history(JournalReader journal, String appId, long at) throws Exception {
    AppEntity.State state = AppEntity.initialState();
    for (JournalReader.StoredEvent stored : journal.events(appId)) {
      if (stored.event().at() > at) {
        break;
      }
      out.printf("%5d  %s  %s%n", stored.sequenceNr(), Instant.ofEpochMilli(stored.event().at()),
          stored.event().redacted());
      state = AppEntity.apply(state, stored.event());
    }
    out.println("state" + (at == Long.MAX_VALUE ? "" : " at " + Instant.ofEpochMilli(at)) + ": "
        + AppEntity.lifecycleName(state) + " " + state.redacted());
  }

  private void summary(JournalReader journal, long at) throws Exception {
    for (String appId : journal.appIds()) {
      AppEntity.State state = AppEntity.initialState();
      int events = 0;
      long last = 0;
      for (JournalReader.StoredEvent stored : journal.events(appId)) {
        if (stored.event().at() > at) {
          break;
        }
        state = AppEntity.apply(state, stored.event());
        events++;
        last = stored.event().at();
      }
      out.printf("%-40s %-12s starts=%-4d events=%-5d last=%s%n", appId,
          AppEntity.lifecycleName(state), state.data().startCount(), events,
          last == 0 ? "-" : Instant.ofEpochMilli(last));
    }
  }

  private int verify(JournalReader journal, List<String> appIds, String node) throws Exception {
    boolean nodeAnswers = answers(node);
    out.println("verifying " + appIds.size() + " apps against their snapshots"
        + (nodeAnswers ? " and the node at " + node : " (no node answers at " + node + ")"));
    List<String> differences = new ArrayList<>();
    for (String appId : appIds) {
      List<JournalReader.StoredEvent> events = journal.events(appId);
      AppEntity.State state = AppEntity.initialState();
      Optional<JournalReader.StoredSnapshot> snapshot = journal.latestSnapshot(appId);
      boolean snapshotReached = false;
      for (JournalReader.StoredEvent stored : events) {
        state = AppEntity.apply(state, stored.event());
        if (snapshot.isPresent() && snapshot.get().sequenceNr() == stored.sequenceNr()) {
          snapshotReached = true;
          if (!snapshot.get().state().equals(state)) {
            differences.add(appId + ": the snapshot at " + stored.sequenceNr() + " is "
                + snapshot.get().state().redacted() + ", the events give " + state.redacted());
          }
        }
      }
      if (snapshot.isPresent() && !snapshotReached) {
        differences.add(appId + ": the snapshot at " + snapshot.get().sequenceNr()
            + " has no event of that number in the journal");
      }
      if (nodeAnswers) {
        differences.addAll(compareWithNode(node, appId, state));
      }
    }
    differences.forEach(out::println);
    out.println(differences.isEmpty() ? "OK: the journal and the platform agree"
        : differences.size() + " difference(s)");
    return differences.isEmpty() ? 0 : 1;
  }

  private List<String> compareWithNode(String node, String appId, AppEntity.State state)
      throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(
        HttpRequest.newBuilder(URI.create(node + "/app/" + appId + "/_status"))
            .timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
    JsonNode status = JsonResponses.MAPPER.readTree(response.body());
    List<String> differences = new ArrayList<>();
    String reported = status.path("status").asText();
    if (!reported.equals("starting") && !reported.equals("stopping")) {
      expect(differences, appId, "status", AppEntity.lifecycleName(state), reported);
    }
    JsonNode stats = status.path("stats");
    expect(differences, appId, "startCount", state.data().startCount(), stats.path("startCount").asInt());
    expect(differences, appId, "lastStarted", state.data().lastStarted(), stats.path("lastStarted").asLong());
    expect(differences, appId, "lastStopped", state.data().lastStopped(), stats.path("lastStopped").asLong());
    expect(differences, appId, "metadata", state.data().metadata(),
        JsonResponses.MAPPER.convertValue(status.path("metadata"), Map.class));
    return differences;
  }

  private static void expect(List<String> differences, String appId, String field, Object journal, Object node) {
    if (!journal.equals(node)) {
      differences.add(appId + ": " + field + " is " + node + " on the node, " + journal + " in the journal");
    }
  }

  private boolean answers(String node) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(node + "/")).timeout(Duration.ofSeconds(3)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException | InterruptedException | IllegalArgumentException unreachable) {
      return false;
    }
  }

  private static long parseTime(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException notMillis) {
      try {
        return Instant.parse(text).toEpochMilli();
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("--at takes an ISO-8601 time or epoch milliseconds: " + text);
      }
    }
  }
}
