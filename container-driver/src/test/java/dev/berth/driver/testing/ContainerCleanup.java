package dev.berth.driver.testing;

import dev.berth.driver.ContainerInfo;
import dev.berth.driver.Labels;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A node id of its own and fresh app ids for the tests that register it, and removal of every
 * container labelled with that node id after each test and after the class, passed or not.
 * Registered on an instance field it serves one test; on a static field, the whole class.
 */
public final class ContainerCleanup implements AfterEachCallback, AfterAllCallback {
  private final String runId = UUID.randomUUID().toString().substring(0, 8);
  private final String nodeId = "test-" + runId;
  private final AtomicInteger appCounter = new AtomicInteger();

  @Override
  public void afterEach(ExtensionContext context) {
    removeAll();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    removeAll();
  }

  /** Removes every container of this node id; also useful in the middle of a test. */
  public void removeAll() {
    for (ContainerInfo container : TestEngine.driver().list(Map.of(Labels.NODE, nodeId))) {
      TestEngine.driver().remove(container.id());
    }
  }

  /** The node id the containers carry. */
  public String nodeId() {
    return nodeId;
  }

  /** An app id no other test or run uses. */
  public String freshAppId(String prefix) {
    return prefix + "-" + runId + "-" + appCounter.incrementAndGet();
  }
}
