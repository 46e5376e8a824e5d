package dev.berth.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.core.EventSchema;
import dev.berth.driver.testing.ContainerCleanup;
import dev.berth.edge.testing.Http;
import dev.berth.edge.testing.PostgresServer;
import dev.berth.edge.testing.TestNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The journal on a real PostgreSQL server: the same behaviour as on H2. */
class PostgresJournalTest {
  @RegisterExtension static final ContainerCleanup cleanup = new ContainerCleanup();
  @TempDir static Path workDir;
  private static PostgresServer postgres;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = PostgresServer.start(workDir);
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    postgres.close();
  }

  private Map<String, Object> onPostgres() {
    return Map.of(
        "berth.persistence.jdbc-url", postgres.jdbcUrl(),
        "berth.persistence.user", PostgresServer.USER,
        "berth.persistence.password", PostgresServer.PASSWORD);
  }

  @Test
  void appsKeepTheirHistoryInPostgresAcrossNodes(@TempDir Path firstDataDir, @TempDir Path secondDataDir)
      throws Exception {
    String appId = cleanup.freshAppId("pg");
    String hostname;
    try (TestNode first = TestNode.start(firstDataDir, cleanup.nodeId(), onPostgres())) {
      hostname = Http.getJson(first.app(appId, "/")).get("hostname").asText();
      Http.post(first.app(appId, "/_metadata"), "{\"db\":\"postgres\"}");
    }

    // Another data directory: nothing of the app can come from a local H2 file.
    try (TestNode second = TestNode.start(secondDataDir, cleanup.nodeId(), onPostgres())) {
      JsonNode status = Http.getJson(second.app(appId, "/_status"));
      assertEquals("running", status.get("status").asText());
      assertEquals(1, status.get("stats").get("startCount").asInt());
      assertEquals("postgres", status.get("metadata").get("db").asText());
      assertEquals(hostname, Http.getJson(second.app(appId, "/")).get("hostname").asText());
      Http.post(second.app(appId, "/_restart"), "");
      JsonNode feed = Http.getJson(second.baseUrl() + "/_audit?limit=1000").get("events");
      StringBuilder feedTypes = new StringBuilder();
      feed.forEach(event -> {
        if (appId.equals(event.get("appId").asText())) {
          feedTypes.append(event.get("type").asText()).append(' ');
        }
      });
      assertEquals("ContainerStarted MetadataSet ContainerStopped ContainerStarted", feedTypes.toString().strip(),
          "the audit feed, read from PostgreSQL");
    }

    try (Connection connection = DriverManager.getConnection(
            postgres.jdbcUrl(), PostgresServer.USER, PostgresServer.PASSWORD);
        PreparedStatement events = connection.prepareStatement(
            "SELECT event_ser_manifest FROM event_journal WHERE persistence_id = ? ORDER BY sequence_number")) {
      events.setString(1, "App|" + appId);
      StringBuilder types = new StringBuilder();
      try (ResultSet rows = events.executeQuery()) {
        while (rows.next()) {
          String manifest = rows.getString(1);
          types.append(manifest.substring(manifest.lastIndexOf('$') + 1)).append(' ');
        }
      }
      String v = "#" + EventSchema.VERSION;
      assertEquals("ContainerStarted" + v + " MetadataSet" + v + " ContainerStopped" + v + " ContainerStarted" + v,
          types.toString().strip(), "event types with their schema version");
    }
  }

  @Test
  void theSchemaIsCreatedOnceAndStartingAgainChangesNothing(@TempDir Path dataDir) throws Exception {
    try (TestNode node = TestNode.start(dataDir, cleanup.nodeId(), onPostgres())) {
      assertTrue(Http.getJson(node.baseUrl() + "/").has("members"));
    }
    try (TestNode again = TestNode.start(dataDir, cleanup.nodeId(), onPostgres())) {
      assertEquals(200, Http.get(again.baseUrl() + "/").statusCode());
    }
  }
}
