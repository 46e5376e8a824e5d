package dev.berth.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Events written by an earlier version must still be read, and rebuild the same states. The
 * fixture holds events exactly as the journal stores them (serializer id, manifest, payload),
 * written by the version that made it, and the states they rebuilt then. Never edit it: when an
 * event class changes, add a Jackson migration (akka.serialization.jackson.migrations) so that
 * this test keeps passing, and add a fixture of the new version beside it.
 *
 * <p>To write a fixture of the current version: run this test with
 * {@code -Dberth.journal-fixture.write=<file name>}.
 */
class JournalFixtureTest {
  private static final Path FIXTURES = Path.of("src/test/resources/journal-fixture");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory
      .parseString("akka.actor.provider = local")
      .withFallback(ConfigFactory.parseResources("berth-akka.conf"))
      .withFallback(ConfigFactory.load())
      .resolve());
  private static final Serialization serialization =
      SerializationExtension.get(akka.actor.typed.javadsl.Adapter.toClassic(testKit.system()));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void everyFixtureReplaysToTheStatesItRecorded() throws IOException {
    String write = System.getProperty("berth.journal-fixture.write");
    if (write != null) {
      writeFixture(FIXTURES.resolve(write));
    }
    // v1-unversioned.json was written before manifests carried the schema version (#1).
    List<String> fixtures = List.of("v1-unversioned.json", "v1.json", "v2.json");
    for (String name : fixtures) {
      JsonNode events = JSON.readTree(resource(name)).get("events");
      Map<String, AppEntity.State> states = new LinkedHashMap<>();
      for (JsonNode stored : events) {
        String appId = stored.get("appId").asText();
        AppEntity.Event event = (AppEntity.Event) read(stored.get("event"));
        AppEntity.State after =
            AppEntity.apply(states.getOrDefault(appId, AppEntity.initialState()), event);
        assertEquals(read(stored.get("stateAfter")), after,
            name + ": " + appId + " after " + stored.get("event").get("manifest").asText());
        states.put(appId, after);
      }
      assertTrue(events.size() >= 10, name + " holds too little to prove anything");
    }
  }

  private static Object read(JsonNode stored) {
    return serialization.deserialize(
            stored.get("payload").asText().getBytes(StandardCharsets.UTF_8),
            stored.get("serializerId").asInt(),
            stored.get("manifest").asText())
        .get();
  }

  private static ObjectNode stored(Object value) {
    var serializer = serialization.findSerializerFor(value);
    ObjectNode node = JSON.createObjectNode();
    node.put("serializerId", serializer.identifier());
    node.put("manifest", Serializers.manifestFor(serializer, value));
    node.put("payload", new String(serialization.serialize(value).get(), StandardCharsets.UTF_8));
    return node;
  }

  private static InputStream resource(String name) {
    return JournalFixtureTest.class.getResourceAsStream("/journal-fixture/" + name);
  }

  /** Every event type, every field and every stop reason, over three apps. */
  private static void writeFixture(Path file) throws IOException {
    Map<String, List<AppEntity.Event>> journal = new LinkedHashMap<>();
    long t = 1_796_000_000_000L;
    String image = "berth/example-app:latest";
    AppConfig config = new AppConfig("berth/other:1", 9090, "/ready", Map.of("MODE", "test"),
        Map.of("DB_PASSWORD", "hunter2"), "small", null, 30_000L, null);
    AppConfig customSize = new AppConfig(null, null, null, Map.of(), Map.of(), null,
        new AppConfig.CustomSize(805_306_368L, 0.75, 200), null, false);
    journal.put("alpha", List.of(
        new AppEntity.ContainerStarted("c1", "127.0.0.1", 32768, "node-a", image, "standard", t),
        new AppEntity.MetadataSet(Map.of("owner", "team-a", "plan", "pro"), "127.0.0.1", t + 1),
        new AppEntity.ConfigChanged(config, "admin", t + 2),
        new AppEntity.ContainerStopped("c1", AppEntity.StopReason.RESTART, null, false, "127.0.0.1", null, t + 3),
        new AppEntity.ContainerStarted("c2", "127.0.0.1", 32769, "node-a", "berth/other:1", "small", t + 4),
        new AppEntity.ContainerStopped("c2", AppEntity.StopReason.EXITED, 137, true, null, null, t + 5),
        new AppEntity.StartFailed("container berth-alpha exited with code 3", t + 6),
        new AppEntity.StartFailed("image missing", t + 7),
        new AppEntity.ContainerStarted("c3", "127.0.0.1", 32770, "node-b", image, "small", t + 8),
        new AppEntity.ContainerStopped("c3", AppEntity.StopReason.IDLE, null, false, null, null, t + 9),
        new AppEntity.ConfigChanged(customSize, "admin", t + 10),
        new AppEntity.ContainerStarted("c6", "127.0.0.1", 32773, "node-b", image, "custom", t + 11),
        new AppEntity.ContainerStopped("c6", AppEntity.StopReason.EVICTED, null, false, null, "gamma", t + 12)));
    journal.put("beta", List.of(
        new AppEntity.ContainerStarted("c4", "127.0.0.1", 32771, "node-a", image, "standard", t + 13),
        new AppEntity.ContainerStopped("c4", AppEntity.StopReason.DELETED, null, false, "10.0.0.9", null, t + 14),
        new AppEntity.AppDeleted("10.0.0.9", t + 14),
        new AppEntity.ContainerStarted("c5", "127.0.0.1", 32772, "node-b", image, "standard", t + 15),
        new AppEntity.ContainerStopped("c5", AppEntity.StopReason.VANISHED, null, false, null, null, t + 16)));
    journal.put("gamma", List.of(
        new AppEntity.StartFailed("did not answer within 60000 ms", t + 17)));

    ObjectNode fixture = JSON.createObjectNode();
    var events = fixture.putArray("events");
    journal.forEach((appId, appEvents) -> {
      AppEntity.State state = AppEntity.initialState();
      for (AppEntity.Event event : appEvents) {
        state = AppEntity.apply(state, event);
        ObjectNode entry = events.addObject().put("appId", appId);
        entry.set("event", stored(event));
        entry.set("stateAfter", stored(state));
      }
    });
    Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(fixture) + "\n");
  }
}
