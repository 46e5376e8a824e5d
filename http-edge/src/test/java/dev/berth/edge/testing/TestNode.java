package dev.berth.edge.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.berth.edge.BerthNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Berth node in this JVM: HTTP on a free loopback port, its own cluster of one, an H2 file
 * journal in the given data directory, and the test's node id on its containers.
 */
public final class TestNode implements AutoCloseable {
  private final BerthNode node;

  private TestNode(BerthNode node) {
    this.node = node;
  }

  public static TestNode start(Path dataDir, String nodeId, Map<String, Object> settings) {
    Map<String, Object> overrides = new HashMap<>(settings);
    overrides.putIfAbsent("berth.http.host", "127.0.0.1");
    overrides.putIfAbsent("berth.http.port", 0);
    overrides.putIfAbsent("berth.cluster.port", 0);
    overrides.putIfAbsent("berth.management.port", 0);
    overrides.put("berth.data-dir", dataDir.toString());
    overrides.put("berth.node-id", nodeId);
    Config config = ConfigFactory.parseMap(overrides);
    return new TestNode(BerthNode.start(config));
  }

  public static TestNode start(Path dataDir, String nodeId) {
    return start(dataDir, nodeId, Map.of());
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + node.httpPort();
  }

  /** The URL of {@code path} in app {@code appId}, through the edge. */
  public String app(String appId, String path) {
    return baseUrl() + "/app/" + appId + path;
  }

  @Override
  public void close() throws Exception {
    node.stop().toCompletableFuture().get(Duration.ofSeconds(60).toSeconds(), TimeUnit.SECONDS);
  }
}
