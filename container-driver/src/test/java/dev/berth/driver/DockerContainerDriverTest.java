package dev.berth.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.berth.driver.testing.ContainerCleanup;
import dev.berth.driver.testing.Deadline;
import dev.berth.driver.testing.ExampleAppClient;
import dev.berth.driver.testing.TestEngine;
import java.io.Closeable;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The driver against the real engine, with the example image. */
class DockerContainerDriverTest {
  private static final Duration READY_DEADLINE = Duration.ofSeconds(30);

  @RegisterExtension final ContainerCleanup cleanup = new ContainerCleanup();
  private final ContainerDriver driver = TestEngine.driver();

  private ContainerSpec exampleSpec(String appId, InstanceType type) {
    return ContainerSpec.of(appId, cleanup.nodeId(), TestEngine.exampleImage(), 8080, type)
        .withEnvironment(Map.of("APP_ID", appId));
  }

  @Test
  void aFullLifeStartsAnswersStopsAndIsRemoved() throws Exception {
    String appId = cleanup.freshAppId("life");
    StartedContainer started = driver.start(exampleSpec(appId, InstanceType.STANDARD));
    driver.awaitReady(started, "/health", READY_DEADLINE);

    HttpResponse<String> root = ExampleAppClient.get(started, "/");
    assertEquals(200, root.statusCode());
    assertTrue(root.body().contains("\"appId\":\"" + appId + "\""), root.body());

    assertEquals("127.0.0.1", started.host());
    assertEquals("berth-" + appId, started.name());
    InspectContainerResponse inspected = TestEngine.docker().inspectContainerCmd(started.id()).exec();
    assertEquals("/berth-" + appId, inspected.getName());
    assertEquals(Map.of("berth.managed", "true", "berth.app-id", appId, "berth.node", cleanup.nodeId()),
        Map.of("berth.managed", inspected.getConfig().getLabels().get("berth.managed"),
            "berth.app-id", inspected.getConfig().getLabels().get("berth.app-id"),
            "berth.node", inspected.getConfig().getLabels().get("berth.node")));
    var binding = inspected.getNetworkSettings().getPorts().getBindings().values().iterator().next()[0];
    assertEquals("127.0.0.1", binding.getHostIp());
    assertEquals(String.valueOf(started.port()), binding.getHostPortSpec());

    List<ContainerInfo> listed = driver.list(Map.of(Labels.APP_ID, appId));
    assertEquals(List.of(started.id()), listed.stream().map(ContainerInfo::id).toList());
    assertTrue(listed.get(0).running());

    driver.stop(started.id(), Duration.ofSeconds(10));
    assertEquals("exited", driver.inspect(started.id()).orElseThrow().status());
    driver.remove(started.id());
    assertTrue(driver.inspect(started.id()).isEmpty());
    assertTrue(driver.list(Map.of(Labels.APP_ID, appId)).isEmpty());
  }

  @Test
  void aProcessThatExitsAtOnceFailsReadinessWithItsExitCodeAndOutput() {
    String appId = cleanup.freshAppId("exits");
    ContainerSpec spec = exampleSpec(appId, InstanceType.SMALL)
        .withEntrypoint(List.of("/opt/java/bin/java", "-cp", "/nowhere", "NoSuchMain"));

    ContainerNotReadyException failure = assertThrows(ContainerNotReadyException.class,
        () -> driver.awaitReady(driver.start(spec), "/health", READY_DEADLINE));

    assertEquals(1, failure.exitCode().orElseThrow());
    assertFalse(failure.oomKilled());
    assertTrue(failure.getMessage().contains("exited with code 1"), failure.getMessage());
    assertTrue(failure.getMessage().contains("NoSuchMain"), failure.getMessage());
  }

  @Test
  void anAppThatNeverAnswersFailsAtTheDeadlineWithItsOutput() {
    String appId = cleanup.freshAppId("deaf");
    // The app listens on 9090 while the probe asks the published 8080.
    ContainerSpec spec = exampleSpec(appId, InstanceType.SMALL)
        .withEnvironment(Map.of("APP_ID", appId, "PORT", "9090"));
    StartedContainer started = driver.start(spec);

    ContainerNotReadyException failure = assertThrows(ContainerNotReadyException.class,
        () -> driver.awaitReady(started, "/health", Duration.ofSeconds(3)));

    assertTrue(failure.exitCode().isEmpty());
    assertTrue(failure.getMessage().contains("within the deadline of 3000 ms"), failure.getMessage());
    assertTrue(failure.getMessage().contains("9090"), "log tail missing: " + failure.getMessage());
  }

  @Test
  void stoppingTheExampleAppTakesFarLessThanItsTimeout() {
    StartedContainer started = driver.start(exampleSpec(cleanup.freshAppId("stop"), InstanceType.SMALL));
    driver.awaitReady(started, "/health", READY_DEADLINE);
    Duration timeout = Duration.ofSeconds(20);

    long begin = System.nanoTime();
    driver.stop(started.id(), timeout);
    Duration took = Duration.ofNanos(System.nanoTime() - begin);

    assertTrue(took.compareTo(timeout.dividedBy(4)) < 0, "stop took " + took.toMillis() + " ms");
    ContainerInfo stopped = driver.inspect(started.id()).orElseThrow();
    assertFalse(stopped.running());
  }

  @Test
  void repeatedStartStopAndRemoveSucceed() {
    ContainerSpec spec = exampleSpec(cleanup.freshAppId("again"), InstanceType.SMALL);
    StartedContainer first = driver.start(spec);
    StartedContainer second = driver.start(spec);
    assertEquals(first, second, "a second start returns the running container");

    driver.stop(first.id(), Duration.ofSeconds(10));
    driver.stop(first.id(), Duration.ofSeconds(10));
    StartedContainer replaced = driver.start(spec);
    assertFalse(replaced.id().equals(first.id()), "a stopped container is replaced by a fresh one");
    assertTrue(driver.inspect(first.id()).isEmpty());

    driver.remove(replaced.id());
    driver.remove(replaced.id());
    driver.stop(replaced.id(), Duration.ofSeconds(1));
    assertTrue(driver.inspect(replaced.id()).isEmpty());
  }

  @Test
  void aMissingImageIsAClearStartError() {
    ContainerSpec spec = ContainerSpec.of(cleanup.freshAppId("noimage"), cleanup.nodeId(),
        "berth/no-such-image:never", 8080, InstanceType.SMALL);
    ContainerStartException failure = assertThrows(ContainerStartException.class, () -> driver.start(spec));
    assertTrue(failure.getMessage().contains("berth/no-such-image:never"), failure.getMessage());
  }

  @Test
  void logsGiveTheTailAndFollowNewLines() throws Exception {
    String appId = cleanup.freshAppId("logs");
    StartedContainer started = driver.start(exampleSpec(appId, InstanceType.SMALL));
    driver.awaitReady(started, "/health", READY_DEADLINE);

    List<String> tail = driver.logTail(started.id(), 5);
    assertTrue(tail.stream().anyMatch(line -> line.contains(appId)), "tail: " + tail);

    List<String> followed = new CopyOnWriteArrayList<>();
    try (Closeable follow = driver.followLogs(started.id(), followed::add)) {
      driver.stop(started.id(), Duration.ofSeconds(10));
      // The example app logs its shutdown; the follow must deliver that line.
      Deadline.within(Duration.ofSeconds(10)).await("shutdown line followed",
          () -> followed.stream().anyMatch(line -> line.contains("stopping")));
    }
  }

  @Test
  void exitsAreReportedWithTheAppAndExitCode() throws Exception {
    String appId = cleanup.freshAppId("exits-watched");
    StartedContainer started = driver.start(exampleSpec(appId, InstanceType.SMALL));
    driver.awaitReady(started, "/health", READY_DEADLINE);
    List<ContainerExit> exits = new CopyOnWriteArrayList<>();

    try (Closeable watch = driver.watchExits(exits::add, () -> { })) {
      driver.stop(started.id(), Duration.ofSeconds(10));
      ContainerExit exit = Deadline.within(Duration.ofSeconds(10)).awaitValue("the exit is reported",
          () -> exits.stream().filter(e -> e.containerId().equals(started.id())).findFirst().orElse(null));
      assertEquals(appId, exit.appId());
      assertEquals(143, exit.exitCode(), "SIGTERM, as docker stop sends it");
    }
  }

  @Test
  void hasImageAnswersFromTheEngineWithoutPulling() {
    assertTrue(driver.hasImage(TestEngine.exampleImage()));
    assertFalse(driver.hasImage("berth/no-such-image:" + cleanup.nodeId().toLowerCase()));
  }

  @Test
  void noEngineIsOneClearErrorNamingTheAddress() throws Exception {
    try (DockerContainerDriver nowhere = new DockerContainerDriver(
        DockerDriverSettings.defaults().withDockerHost("tcp://127.0.0.1:1"))) {
      EngineUnavailableException failure = assertThrows(EngineUnavailableException.class, nowhere::ping);
      assertTrue(failure.getMessage().contains("tcp://127.0.0.1:1"), failure.getMessage());
      assertThrows(EngineUnavailableException.class,
          () -> nowhere.start(ContainerSpec.of("x", "n", "img", 8080, InstanceType.SMALL)));
    }
  }
}
