package dev.berth.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.Behaviors;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.berth.core.AppEntity;
import dev.berth.core.JournalSchema;
import dev.berth.core.Platform;
import dev.berth.driver.testing.ContainerCleanup;
import dev.berth.edge.testing.AppListing;
import dev.berth.edge.testing.Http;
import dev.berth.edge.testing.JournalDatabase;
import dev.berth.edge.testing.TestNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /_apps} over a journal of tens of thousands of apps. Prints how long things take,
 * for BENCHMARKS.md; asserts only what a client sees.
 *
 * <p>The apps are written into the journal before the node starts, as a node that ran for months
 * leaves it: each app's events serialized by Akka with Berth's settings, in akka-persistence-jdbc's
 * tables, tagged. Through the entities this takes over a minute for 20,000 apps on two cores;
 * what is under test here is reading them back.
 */
class AppListingScaleTest {
  private static final int APPS = 20_000;
  private static final Duration INDEXING = Duration.ofSeconds(60);

  @RegisterExtension final ContainerCleanup cleanup = new ContainerCleanup();
  @TempDir Path dataDir;

  /** The apps' lifecycles, in turn: most apps sleep, some never started, some failed. */
  private List<AppEntity.Event> historyOf(int app, long at) {
    return switch (app % 10) {
      case 0 -> List.of(new AppEntity.MetadataSet(Map.of("plan", "free"), "127.0.0.1", at));
      case 1 -> List.of(new AppEntity.StartFailed("image missing", at));
      default -> List.of(
          new AppEntity.ContainerStarted("c" + app, "127.0.0.1", 32768, cleanup.nodeId(),
              "berth/example-app:latest", "standard", at),
          new AppEntity.ContainerStopped("c" + app, AppEntity.StopReason.IDLE, null, false, null,
              null, at + 1));
    };
  }

  @Test
  void everyAppIsListedOnceInOrderAndTheStatusFilterFindsEachOne() throws Exception {
    List<String> appIds = new ArrayList<>();
    for (int i = 0; i < APPS; i++) {
      appIds.add(cleanup.freshAppId("scale"));
    }
    long written = fillJournal(appIds);

    long started = System.nanoTime();
    try (TestNode node = TestNode.start(dataDir, cleanup.nodeId())) {
      report("the node started", started);
      AppListing.awaitRead(node.baseUrl(), written, INDEXING);
      report("the node started and indexed " + APPS + " apps (" + written + " events)", started);

      long paging = System.nanoTime();
      List<JsonNode> listed = AppListing.all(node.baseUrl(), "", 1000);
      report("paged through " + listed.size() + " apps, 1000 a page", paging);
      assertEquals(appIds.stream().sorted().toList(),
          listed.stream().map(app -> app.get("appId").asText()).toList());

      long filtering = System.nanoTime();
      List<JsonNode> failed = AppListing.all(node.baseUrl(), "status=failed", 100);
      report("paged through the " + failed.size() + " failed apps, 100 a page", filtering);
      assertEquals(APPS / 10, failed.size());
      assertEquals(APPS / 10, AppListing.all(node.baseUrl(), "status=not_started", 1000).size());
      List<JsonNode> sleeping = AppListing.all(node.baseUrl(), "status=sleeping", 1000);
      assertEquals(APPS - APPS / 5, sleeping.size());
      sleeping.forEach(app -> assertEquals(1, app.get("startCount").asInt(), app.toString()));

      timeSinglePages(node, appIds.stream().sorted().toList());
      String newcomer = cleanup.freshAppId("scale");
      long live = System.nanoTime();
      Http.post(node.app(newcomer, "/_metadata"), "{\"plan\":\"free\"}");
      long offset = Http.getJson(node.app(newcomer, "/_events"))
          .get("events").get(0).get("offset").asLong();
      AppListing.awaitRead(node.baseUrl(), offset, INDEXING);
      report("an app created through the node was listed", live);
      assertEquals(newcomer, Http.getJson(node.baseUrl() + "/_apps?limit=1&status=not_started&after="
          + appIds.get(APPS - 1)).get("apps").get(0).get("appId").asText());
    }
  }

  /** Writes every app's events into a new journal and returns the offset of the last one. */
  private long fillJournal(List<String> appIds) throws Exception {
    long started = System.nanoTime();
    Config config = Platform.loadConfig(ConfigFactory.parseMap(Map.of(
        "berth.data-dir", dataDir.toString(), "akka.actor.provider", "local")));
    JournalSchema.ensure(config);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "journal-fill", config);
    long last = 0;
    try (Connection db = JournalDatabase.connect(dataDir);
        PreparedStatement event = db.prepareStatement("INSERT INTO \"event_journal\""
            + " (\"persistence_id\", \"sequence_number\", \"writer\", \"write_timestamp\","
            + " \"adapter_manifest\", \"event_payload\", \"event_ser_id\", \"event_ser_manifest\")"
            + " VALUES (?, ?, ?, ?, '', ?, ?, ?)", Statement.RETURN_GENERATED_KEYS);
        PreparedStatement tag = db.prepareStatement(
            "INSERT INTO \"event_tag\" (\"event_id\", \"tag\") VALUES (?, ?)")) {
      db.setAutoCommit(false);
      Serialization serialization = SerializationExtension.get(Adapter.toClassic(system));
      String writer = UUID.randomUUID().toString();
      long at = System.currentTimeMillis() - Duration.ofDays(30).toMillis();
      for (int i = 0; i < appIds.size(); i++) {
        long sequenceNr = 0;
        for (AppEntity.Event appEvent : historyOf(i, at + i)) {
          Serializer serializer = serialization.findSerializerFor(appEvent);
          event.setString(1, AppEntity.ENTITY_KEY.name() + "|" + appIds.get(i));
          event.setLong(2, ++sequenceNr);
          event.setString(3, writer);
          event.setLong(4, appEvent.at());
          event.setBytes(5, serializer.toBinary(appEvent));
          event.setInt(6, serializer.identifier());
          event.setString(7, Serializers.manifestFor(serializer, appEvent));
          event.executeUpdate();
          try (ResultSet keys = event.getGeneratedKeys()) {
            keys.next();
            last = keys.getLong(1);
          }
          tag.setLong(1, last);
          tag.setString(2, AppEntity.EVENT_TAG);
          tag.executeUpdate();
        }
      }
      db.commit();
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
    }
    report("wrote " + APPS + " apps into the journal", started);
    return last;
  }

  /** A page from the start, the middle and the end, and a status no app has. */
  private static void timeSinglePages(TestNode node, List<String> sorted) {
    for (String query : List.of("limit=100", "limit=100&after=" + sorted.get(APPS / 2),
        "limit=1000&after=" + sorted.get(APPS - 1001), "limit=100&status=running")) {
      long started = System.nanoTime();
      JsonNode page = Http.getJson(node.baseUrl() + "/_apps?" + query);
      report("GET /_apps?" + query + " (" + page.get("apps").size() + " apps)", started);
    }
  }

  private static void report(String what, long startedNanos) {
    System.out.printf("AppListingScaleTest: %s: %d ms%n", what,
        Duration.ofNanos(System.nanoTime() - startedNanos).toMillis());
  }
}
