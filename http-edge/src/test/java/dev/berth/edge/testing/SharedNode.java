package dev.berth.edge.testing;

import dev.berth.driver.testing.ContainerCleanup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One node for all the tests of a class, on a data directory of its own, labelling its
 * containers with the cleanup's node id. Register it on a static field after the
 * {@link ContainerCleanup}, so that the node stops before its containers are removed.
 */
public final class SharedNode implements BeforeAllCallback, AfterAllCallback {
  private final ContainerCleanup cleanup;
  private final Map<String, Object> settings;
  private Path dataDir;
  private TestNode node;

  public SharedNode(ContainerCleanup cleanup, Map<String, Object> settings) {
    this.cleanup = cleanup;
    this.settings = settings;
  }

  public SharedNode(ContainerCleanup cleanup) {
    this(cleanup, Map.of());
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    dataDir = Files.createTempDirectory("berth-node");
    node = TestNode.start(dataDir, cleanup.nodeId(), settings);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      node.close();
    } finally {
      try (Stream<Path> files = Files.walk(dataDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  public String baseUrl() {
    return node.baseUrl();
  }

  /** The URL of {@code path} in app {@code appId}, through the edge. */
  public String app(String appId, String path) {
    return node.app(appId, path);
  }
}
