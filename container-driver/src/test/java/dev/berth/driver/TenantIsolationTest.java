package dev.berth.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ChangeLog;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import dev.berth.driver.testing.ContainerCleanup;
import dev.berth.driver.testing.ExampleAppClient;
import dev.berth.driver.testing.TestEngine;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a tenant's container may do, read from Docker's own view of it (inspect, top, diff,
 * networks) and tried from inside it with the example app's {@code /api/fetch} and
 * {@code /api/write}. Every address tried is on this machine.
 */
class TenantIsolationTest {
  private static final Duration READY_DEADLINE = Duration.ofSeconds(30);
  private static final String INTERNAL_NETWORK = DockerDriverSettings.defaults().internalNetwork();

  @RegisterExtension final ContainerCleanup cleanup = new ContainerCleanup();
  private final ContainerDriver driver = TestEngine.driver();
  private final DockerClient docker = TestEngine.docker();

  /** The example app with {@code /api/fetch} on, so it can show what it reaches. */
  private ContainerSpec exampleSpec(String prefix, InstanceType type) {
    String appId = cleanup.freshAppId(prefix);
    return ContainerSpec.of(appId, cleanup.nodeId(), TestEngine.exampleImage(), 8080, type)
        .withEnvironment(Map.of("APP_ID", appId, "EXAMPLE_ALLOW_FETCH", "1"));
  }

  private StartedContainer startReady(ContainerSpec spec) {
    StartedContainer started = driver.start(spec);
    driver.awaitReady(started, "/health", READY_DEADLINE);
    return started;
  }

  private InspectContainerResponse inspect(StartedContainer container) {
    return docker.inspectContainerCmd(container.id()).exec();
  }

  private String addressOf(StartedContainer container) {
    return driver.inspect(container.id()).orElseThrow().networkAddress().orElseThrow();
  }

  private static void assertReached(JsonNode fetched) {
    assertEquals(200, fetched.path("status").asInt(), "not reached: " + fetched);
  }

  private static void assertNotReached(JsonNode fetched) {
    assertTrue(fetched.hasNonNull("error") && !fetched.has("status"), "reached: " + fetched);
  }

  @ParameterizedTest
  @ValueSource(strings = {"small", "standard", "large"})
  void dockerSeesTheLimitsAndHardeningOfEachInstanceType(String typeName) {
    InstanceType type = InstanceType.builtIn(typeName).orElseThrow();
    StartedContainer started = driver.start(exampleSpec("limits", type));

    InspectContainerResponse inspected = inspect(started);
    HostConfig host = inspected.getHostConfig();
    assertEquals(type.memoryBytes(), host.getMemory());
    assertEquals(type.memoryBytes(), host.getMemorySwap(), "no swap beyond the memory limit");
    assertEquals(type.nanoCpus(), host.getNanoCPUs());
    assertEquals(type.pidsLimit(), host.getPidsLimit());
    assertEquals(List.of(Capability.ALL), List.of(host.getCapDrop()));
    assertTrue(host.getCapAdd() == null || host.getCapAdd().length == 0);
    assertEquals(List.of("no-new-privileges"), host.getSecurityOpts());
    assertEquals(Boolean.TRUE, host.getInit());
    assertFalse(Boolean.TRUE.equals(host.getPrivileged()));
    assertTrue(host.getDevices() == null || host.getDevices().length == 0, "no host device");
    // Neither the Docker socket nor any other host path, volume or tmpfs is in the container.
    assertTrue(host.getBinds() == null || host.getBinds().length == 0, "bind: " + host.getBinds());
    assertTrue(inspected.getMounts() == null || inspected.getMounts().isEmpty(),
        "mounts: " + inspected.getMounts());
    assertFalse(Boolean.TRUE.equals(host.getReadonlyRootfs()), "writable unless asked");
  }

  @Test
  void theExampleAppRunsAsAUserWithoutPrivilege() {
    StartedContainer started = startReady(exampleSpec("user", InstanceType.SMALL));

    assertEquals("10001:10001", inspect(started).getConfig().getUser());
    // Docker's view of the processes (docker top): the init and the JVM, neither as root.
    var top = docker.topContainerCmd(started.id()).exec();
    int uidColumn = Arrays.asList(top.getTitles()).indexOf("UID");
    List<String> uids = Arrays.stream(top.getProcesses()).map(process -> process[uidColumn]).toList();
    assertEquals(List.of("10001", "10001"), uids, "processes: " + Arrays.deepToString(top.getProcesses()));
  }

  @Test
  void aReadOnlyRootfsRefusesWritesExceptToTheTmpfsAtTmp() {
    StartedContainer started =
        startReady(exampleSpec("read-only", InstanceType.SMALL).withReadOnlyRootfs(true));

    HostConfig host = inspect(started).getHostConfig();
    assertEquals(Boolean.TRUE, host.getReadonlyRootfs());
    assertEquals(Map.of("/tmp", "rw,noexec,nosuid,nodev,size=64m,mode=1777"), host.getTmpFs());

    // The kernel's own word for the refusal: not a permission the app lacks, a read-only mount.
    for (String path : List.of("/probe", "/app/probe")) {
      JsonNode refused = ExampleAppClient.writeIn(started, path);
      assertFalse(refused.path("written").asBoolean(), refused.toString());
      assertTrue(refused.path("error").asText().contains("Read-only file system"), refused.toString());
    }
    JsonNode inTmp = ExampleAppClient.writeIn(started, "/tmp/probe");
    assertTrue(inTmp.path("written").asBoolean(), inTmp.toString());
    // The file went to the tmpfs, not to the container's layer of the image (docker diff).
    List<String> changed = docker.containerDiffCmd(started.id()).exec().stream()
        .map(ChangeLog::getPath)
        .toList();
    assertTrue(changed.stream().noneMatch(path -> path.startsWith("/tmp")), "changed: " + changed);
  }

  @ParameterizedTest(name = "internet = {0}")
  @ValueSource(booleans = {true, false})
  void tenantsCannotReachEachOtherWhileTheHostReachesBoth(boolean internet) {
    StartedContainer first =
        startReady(exampleSpec("iso-a", InstanceType.SMALL).withInternet(internet));
    StartedContainer second =
        startReady(exampleSpec("iso-b", InstanceType.SMALL).withInternet(internet));
    String firstAddress = addressOf(first);
    String secondAddress = addressOf(second);

    // The fetch itself works: a container reaches its own address on the network.
    assertReached(ExampleAppClient.fetchFrom(first, "http://" + firstAddress + ":8080/health"));

    assertNotReached(ExampleAppClient.fetchFrom(first, "http://" + secondAddress + ":8080/health"));
    assertNotReached(ExampleAppClient.fetchFrom(second, "http://" + firstAddress + ":8080/health"));

    assertEquals(200, ExampleAppClient.get(first, "/health").statusCode());
    assertEquals(200, ExampleAppClient.get(second, "/health").statusCode());
  }

  @Test
  void aTenantWithoutInternetIsOnAnInternalNetworkAndReachedAtItsAddressThere() {
    StartedContainer started =
        startReady(exampleSpec("internal", InstanceType.SMALL).withInternet(false));

    InspectContainerResponse inspected = inspect(started);
    assertEquals(Set.of(INTERNAL_NETWORK), inspected.getNetworkSettings().getNetworks().keySet());
    String address = inspected.getNetworkSettings().getNetworks().get(INTERNAL_NETWORK).getIpAddress();
    assertEquals(address, started.host());
    assertEquals(8080, started.port());
    assertTrue(inspected.getNetworkSettings().getPorts().getBindings().values().stream()
            .allMatch(bindings -> bindings == null || bindings.length == 0),
        "nothing published: " + inspected.getNetworkSettings().getPorts().getBindings());
    Network network = docker.inspectNetworkCmd().withNetworkId(INTERNAL_NETWORK).exec();
    assertEquals(Boolean.TRUE, network.getInternal());
    assertEquals("false", network.getOptions().get("com.docker.network.bridge.enable_icc"));

    assertEquals(200, ExampleAppClient.get(started, "/").statusCode());
    assertEquals(started, driver.inspect(started.id()).orElseThrow().published().orElseThrow());
  }

  /**
   * The target stands in for the internet without any packet leaving this machine: an app on
   * Docker's default bridge network, published on the host's address on that bridge. A tenant
   * with internet reaches it; from the internal network, Docker forwards the connection nowhere,
   * by the same rule that keeps it off the internet.
   */
  @Test
  void aTenantWithoutInternetCannotReachBeyondItsNetworkWhileOneWithInternetCan() {
    String outside = "http://" + startOutsideBerthNetworks().authority() + "/health";
    StartedContainer withInternet = startReady(exampleSpec("online", InstanceType.SMALL));
    StartedContainer without =
        startReady(exampleSpec("offline", InstanceType.SMALL).withInternet(false));

    assertReached(ExampleAppClient.fetchFrom(withInternet, outside));
    assertNotReached(ExampleAppClient.fetchFrom(without, outside));
  }

  /** The example app on Docker's default bridge, published on the host's address there. */
  private StartedContainer startOutsideBerthNetworks() {
    String gateway = docker.inspectNetworkCmd().withNetworkId("bridge").exec()
        .getIpam().getConfig().get(0).getGateway();
    ExposedPort appPort = ExposedPort.tcp(8080);
    String id = docker.createContainerCmd(TestEngine.exampleImage())
        .withLabels(Map.of(Labels.MANAGED, "true", Labels.NODE, cleanup.nodeId(),
            Labels.APP_ID, cleanup.freshAppId("outside")))
        .withExposedPorts(appPort)
        .withHostConfig(HostConfig.newHostConfig()
            .withNetworkMode("bridge")
            .withCapDrop(Capability.ALL)
            .withInit(true)
            .withPortBindings(new PortBinding(Ports.Binding.bindIp(gateway), appPort)))
        .exec()
        .getId();
    docker.startContainerCmd(id).exec();
    InspectContainerResponse inspected = docker.inspectContainerCmd(id).exec();
    int port = Integer.parseInt(
        inspected.getNetworkSettings().getPorts().getBindings().get(appPort)[0].getHostPortSpec());
    StartedContainer target = new StartedContainer(id, inspected.getName(), gateway, port);
    driver.awaitReady(target, "/health", READY_DEADLINE);
    return target;
  }

  @Test
  void aRunningContainerIsReplacedWhenTheSpecAsksForOtherIsolation() {
    ContainerSpec online = exampleSpec("changed", InstanceType.SMALL);
    StartedContainer first = driver.start(online);

    StartedContainer offline = driver.start(online.withInternet(false));
    assertNotEquals(first.id(), offline.id());
    assertTrue(driver.inspect(first.id()).isEmpty(), "the container with internet is gone");
    assertEquals(Set.of(INTERNAL_NETWORK),
        docker.inspectContainerCmd(offline.id()).exec().getNetworkSettings().getNetworks().keySet());

    StartedContainer readOnly = driver.start(online.withInternet(false).withReadOnlyRootfs(true));
    assertNotEquals(offline.id(), readOnly.id());
    assertEquals(readOnly, driver.start(online.withInternet(false).withReadOnlyRootfs(true)),
        "a container isolated as asked is kept");
  }

  @Test
  void appsWithoutInternetAreRefusedWhenNodesMaySpanHosts() throws Exception {
    DockerDriverSettings defaults = DockerDriverSettings.defaults();
    DockerDriverSettings spanningHosts = new DockerDriverSettings(defaults.dockerHost(),
        "192.0.2.10", defaults.network(), defaults.internalNetwork(), defaults.engineTimeout());
    try (DockerContainerDriver driverOfSeveralHosts = new DockerContainerDriver(spanningHosts)) {
      ContainerSpec spec = exampleSpec("far", InstanceType.SMALL).withInternet(false);
      ContainerDriverException refused =
          assertThrows(ContainerDriverException.class, () -> driverOfSeveralHosts.start(spec));
      assertTrue(refused.getMessage().contains("loopback"), refused.getMessage());
      assertTrue(driver.list(Map.of(Labels.APP_ID, spec.appId())).isEmpty(), "nothing started");
    }
  }

  @Test
  void anInternalNetworkThatHasARouteOutIsRefused() throws Exception {
    String network = "berth-" + cleanup.nodeId();
    DockerDriverSettings settings = DockerDriverSettings.defaults().withNetwork(network);
    docker.createNetworkCmd()
        .withName(settings.internalNetwork())
        .withDriver("bridge")
        .withOptions(Map.of("com.docker.network.bridge.enable_icc", "false"))
        .exec();
    try (DockerContainerDriver misconfigured = new DockerContainerDriver(settings)) {
      ContainerSpec spec = exampleSpec("refused", InstanceType.SMALL).withInternet(false);
      ContainerDriverException refused =
          assertThrows(ContainerDriverException.class, () -> misconfigured.start(spec));
      assertTrue(refused.getMessage().contains("is not internal"), refused.getMessage());
      assertTrue(driver.list(Map.of(Labels.APP_ID, spec.appId())).isEmpty(), "nothing started");
    } finally {
      docker.removeNetworkCmd(settings.internalNetwork()).exec();
    }
  }
}
