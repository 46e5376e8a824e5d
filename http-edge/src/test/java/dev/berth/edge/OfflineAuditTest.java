package dev.berth.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.berth.driver.testing.ContainerCleanup;
import dev.berth.edge.testing.Http;
import dev.berth.edge.testing.JournalDatabase;
import dev.berth.edge.testing.TestNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code berth audit}: the journal read directly, while a node runs and after it stopped. */
class OfflineAuditTest {
  private static final String SECRET = "never-printed-0123456789";

  @RegisterExtension final ContainerCleanup cleanup = new ContainerCleanup();
  @TempDir Path dataDir;

  private record Outcome(int exitCode, String output) {}

  private Outcome audit(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Config onThisDataDir = ConfigFactory.parseMap(Map.of("berth.data-dir", dataDir.toString()));
    int exitCode = AuditCommand.run(args, onThisDataDir, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return new Outcome(exitCode, bytes.toString(StandardCharsets.UTF_8));
  }

  @Test
  void historyStateSummaryAndVerificationFromTheJournalAlone() throws Exception {
    String appId = cleanup.freshAppId("audited");
    String other = cleanup.freshAppId("other");
    long beforeRestart;
    try (TestNode node = TestNode.start(dataDir, cleanup.nodeId(),
        Map.of("berth.persistence.snapshot-every", 2))) {
      Http.getJson(node.app(appId, "/"));
      Http.post(node.app(appId, "/_metadata"), "{\"owner\":\"team-a\"}");
      beforeRestart = System.currentTimeMillis();
      Http.post(node.app(appId, "/_restart"), "");
      Http.post(node.app(other, "/_metadata"), "{\"k\":\"v\"}");
      Http.put(node.app(other, "/_config"), "{\"secrets\": {\"API_KEY\": \"" + SECRET + "\"}}");

      // While the node runs: the journal and the node agree.
      Outcome verified = audit("--verify", "--node", node.baseUrl());
      assertEquals(0, verified.exitCode(), verified.output());
      assertTrue(verified.output().contains("and the node at " + node.baseUrl()), verified.output());

      // A lost event is a difference.
      assertEquals(1, JournalDatabase.update(dataDir,
          "DELETE FROM \"event_journal\" WHERE \"persistence_id\" = ? AND \"sequence_number\" = 4",
          "App|" + appId));
      Outcome tampered = audit("--verify", appId, "--node", node.baseUrl());
      assertEquals(1, tampered.exitCode(), tampered.output());
      assertTrue(tampered.output().contains(appId + ": startCount is 2 on the node, 1 in the journal"),
          tampered.output());
      assertTrue(tampered.output().contains("snapshot at"), "the snapshot disagrees too: " + tampered.output());
    }

    // With no node running.
    Outcome history = audit(appId);
    assertEquals(0, history.exitCode(), history.output());
    assertTrue(history.output().contains("ContainerStarted"), history.output());
    assertTrue(history.output().contains("MetadataSet"), history.output());
    assertTrue(history.output().contains("state: stopped"), "event 4 was deleted: " + history.output());

    Outcome asOf = audit(appId, "--at", String.valueOf(beforeRestart));
    assertTrue(asOf.output().contains("state at "), asOf.output());
    assertTrue(asOf.output().contains(": running "), asOf.output());
    assertTrue(!asOf.output().contains("ContainerStopped"), asOf.output());

    Outcome secretHolder = audit(other);
    assertTrue(secretHolder.output().contains("ConfigChanged"), secretHolder.output());
    assertTrue(secretHolder.output().contains("API_KEY=(set)"), secretHolder.output());
    assertTrue(!secretHolder.output().contains(SECRET), "the audit shows a secret: " + secretHolder.output());

    Outcome summary = audit();
    assertTrue(summary.output().contains(appId), summary.output());
    assertTrue(summary.output().contains(other), summary.output());
    Outcome noNode = audit("--verify", other, "--node", "http://127.0.0.1:1");
    assertEquals(0, noNode.exitCode(), noNode.output());
    assertTrue(noNode.output().contains("no node answers"), noNode.output());

    assertEquals(2, audit("--at", "yesterday").exitCode());
  }
}
