package dev.berth.driver.testing;

import dev.berth.driver.ContainerInfo;
import dev.berth.driver.Labels;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives each test a node id of its own and fresh app ids, and removes every container labelled
 * with that node id after the test, whether it passed or not.
 */
public final class ContainerCleanup implements BeforeEachCallback, AfterEachCallback {
  private final AtomicInteger appCounter = new AtomicInteger();
  private volatile String nodeId;
  private volatile String runId;

  @Override
  public void beforeEach(ExtensionContext context) {
    runId = UUID.randomUUID().toString().substring(0, 8);
    nodeId = "test-" + runId;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    removeAll();
  }

  /** Removes every container of this test's node; also useful in the middle of a test. */
  public void removeAll() {
    for (ContainerInfo container : TestEngine.driver().list(Map.of(Labels.NODE, nodeId))) {
      TestEngine.driver().remove(container.id());
    }
  }

  /** The node id this test's containers carry. */
  public String nodeId() {
    return nodeId;
  }

  /** An app id no other test or run uses. */
  public String freshAppId(String prefix) {
    return prefix + "-" + runId + "-" + appCounter.incrementAndGet();
  }
}
