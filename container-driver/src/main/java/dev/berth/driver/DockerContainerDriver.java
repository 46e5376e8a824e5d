package dev.berth.driver;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.BadRequestException;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.LogConfig;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.RestartPolicy;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link ContainerDriver} on a Docker engine, through docker-java's httpclient5 transport. */
public final class DockerContainerDriver implements ContainerDriver {
  private static final Logger log = LoggerFactory.getLogger(DockerContainerDriver.class);

  /** Disables traffic between containers on the bridge, while published ports keep working. */
  private static final String ICC_OPTION = "com.docker.network.bridge.enable_icc";

  /** A tenant's log must not fill the host's disk. */
  private static final LogConfig BOUNDED_LOGS =
      new LogConfig(LogConfig.LoggingType.JSON_FILE, Map.of("max-size", "10m", "max-file", "3"));

  /**
   * The one writable place of a read-only container. Its pages count against the container's
   * memory limit; noexec and nosuid keep it a place for data, not for programs dropped there.
   */
  private static final Map<String, String> WRITABLE_TMP =
      Map.of("/tmp", "rw,noexec,nosuid,nodev,size=64m,mode=1777");

  private final DockerDriverSettings settings;
  private final String engineAddress;
  /** For calls that answer promptly; a hung engine fails them after the engine timeout. */
  private final DockerClient docker;
  /** For calls that may rightly take long: log follows and stops that wait for the app. */
  private final DockerClient dockerUnbounded;
  private final HttpReadinessProbe probe = new HttpReadinessProbe();
  /** Networks found or made as Berth needs them; each is checked once per driver. */
  private final Set<String> checkedNetworks = ConcurrentHashMap.newKeySet();

  public DockerContainerDriver(DockerDriverSettings settings) {
    this.settings = settings;
    DefaultDockerClientConfig.Builder builder =
        DefaultDockerClientConfig.createDefaultConfigBuilder();
    settings.dockerHost().ifPresent(builder::withDockerHost);
    DockerClientConfig config = builder.build();
    this.engineAddress = config.getDockerHost().toString();
    this.docker = DockerClientImpl.getInstance(config, httpClient(config, settings.engineTimeout()));
    this.dockerUnbounded = DockerClientImpl.getInstance(config, httpClient(config, Duration.ZERO));
  }

  private static DockerHttpClient httpClient(DockerClientConfig config, Duration responseTimeout) {
    return new com.github.dockerjava.httpclient5.ApacheDockerHttpClient.Builder()
        .dockerHost(config.getDockerHost())
        .sslConfig(config.getSSLConfig())
        .maxConnections(64)
        .connectionTimeout(Duration.ofSeconds(5))
        .responseTimeout(responseTimeout)
        .build();
  }

  /** The engine address this driver talks to, as named in its errors. */
  public String engineAddress() {
    return engineAddress;
  }

  @Override
  public void ping() {
    engineCall(() -> docker.pingCmd().exec());
  }

  @Override
  public StartedContainer start(ContainerSpec spec) {
    return engineCall(() -> startOnEngine(spec));
  }

  private StartedContainer startOnEngine(ContainerSpec spec) {
    if (!spec.internet()) {
      settings.internalNetworkProblem().ifPresent(problem -> {
        throw new ContainerDriverException(problem);
      });
    }
    ensureNetwork(networkOf(spec), !spec.internet());
    String name = Labels.containerName(spec.appId());
    Optional<InspectContainerResponse> existing = inspectOnEngine(name);
    if (existing.isPresent()) {
      ContainerInfo info = toInfo(existing.get());
      if (info.running() && info.published().isPresent() && isolatedAsAsked(existing.get(), spec)) {
        return info.published().get();
      }
      remove(info.id());
    }
    String id;
    try {
      id = createContainer(spec, name).exec().getId();
    } catch (ConflictException raced) {
      // Created under the same name between our inspect and create: that one is the container.
      return inspect(name)
          .filter(ContainerInfo::running)
          .flatMap(ContainerInfo::published)
          .orElseThrow(() -> new ContainerStartException(
              "another container named " + name + " appeared and is not running", raced));
    } catch (NotFoundException missing) {
      throw new ContainerStartException(
          "image " + spec.image() + " is not on the engine at " + engineAddress
              + " (Berth pulls nothing; build or load the image first)", missing);
    }
    try {
      docker.startContainerCmd(id).exec();
    } catch (NotModifiedException alreadyStarted) {
      // Someone started it first; that is the state we wanted.
    } catch (DockerException refused) {
      remove(id);
      throw new ContainerStartException(
          "the engine refused to start " + name + ": " + refused.getMessage(), refused);
    }
    ContainerInfo started = inspect(id).orElseThrow(() -> ContainerNotReadyException.vanished(name));
    return started.published().orElseThrow(() -> ContainerNotReadyException.exited(
        name, started.exitCode(), started.oomKilled(), logTail(id, 20)));
  }

  /** The network a spec's container joins: the internal one when it may not reach beyond it. */
  private String networkOf(ContainerSpec spec) {
    return spec.internet() ? settings.network() : settings.internalNetwork();
  }

  /**
   * Whether a container of the app's name is isolated as the spec asks. One that is not is
   * replaced rather than reused, so that a start never hands back a container with more reach
   * than the app's configuration now allows.
   */
  private boolean isolatedAsAsked(InspectContainerResponse container, ContainerSpec spec) {
    HostConfig host = container.getHostConfig();
    return networkOf(spec).equals(host.getNetworkMode())
        && spec.readOnlyRootfs() == Boolean.TRUE.equals(host.getReadonlyRootfs());
  }

  private CreateContainerCmd createContainer(ContainerSpec spec, String name) {
    ExposedPort appPort = ExposedPort.tcp(spec.containerPort());
    InstanceType size = spec.instanceType();
    HostConfig hostConfig =
        HostConfig.newHostConfig()
            .withInit(true)
            .withCapDrop(Capability.ALL)
            .withSecurityOpts(List.of("no-new-privileges"))
            .withMemory(size.memoryBytes())
            .withMemorySwap(size.memoryBytes())
            .withNanoCPUs(size.nanoCpus())
            .withPidsLimit(size.pidsLimit())
            .withNetworkMode(networkOf(spec))
            .withRestartPolicy(RestartPolicy.noRestart())
            .withLogConfig(BOUNDED_LOGS);
    // Docker publishes no ports of a container on an internal network (it would be a way out);
    // the node reaches such a container at its address there instead.
    if (spec.internet()) {
      hostConfig.withPortBindings(
          new PortBinding(Ports.Binding.bindIp(settings.advertisedHost()), appPort));
    }
    if (spec.readOnlyRootfs()) {
      hostConfig.withReadonlyRootfs(true).withTmpFs(WRITABLE_TMP);
    }
    Map<String, String> labels = new HashMap<>(spec.labels());
    labels.put(Labels.MANAGED, "true");
    labels.put(Labels.APP_ID, spec.appId());
    labels.put(Labels.NODE, spec.nodeId());
    labels.put(Labels.APP_PORT, String.valueOf(spec.containerPort()));
    CreateContainerCmd create =
        docker
            .createContainerCmd(spec.image())
            .withName(name)
            .withLabels(labels)
            .withEnv(spec.environment().entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .toList())
            .withExposedPorts(appPort)
            .withHostConfig(hostConfig);
    if (!spec.entrypoint().isEmpty()) {
      create.withEntrypoint(spec.entrypoint());
    }
    return create;
  }

  /**
   * Creates a Berth network on first use. One of that name that is less isolated than Berth would
   * have made it is refused rather than used: without inter-container isolation tenants would
   * reach each other on it, and an internal network that is not internal would let them out.
   */
  private void ensureNetwork(String name, boolean internal) {
    if (checkedNetworks.contains(name)) {
      return;
    }
    synchronized (this) {
      if (checkedNetworks.contains(name)) {
        return;
      }
      Network network;
      try {
        network = docker.inspectNetworkCmd().withNetworkId(name).exec();
      } catch (NotFoundException absent) {
        try {
          docker
              .createNetworkCmd()
              .withName(name)
              .withDriver("bridge")
              .withInternal(internal)
              .withOptions(Map.of(ICC_OPTION, "false"))
              .withLabels(Map.of(Labels.MANAGED, "true"))
              .withCheckDuplicate(true)
              .exec();
          log.info("created network {} with inter-container traffic disabled{}", name,
              internal ? ", internal (nothing is forwarded out of it)" : "");
        } catch (ConflictException createdMeanwhile) {
          // Another node created it; it is checked below like any existing one.
        }
        network = docker.inspectNetworkCmd().withNetworkId(name).exec();
      }
      String remedy = "; remove it (docker network rm " + name + ") so Berth can create it";
      Map<String, String> options = network.getOptions() == null ? Map.of() : network.getOptions();
      if (!"false".equals(options.get(ICC_OPTION))) {
        throw new ContainerDriverException("network " + name + " lets containers reach each other"
            + remedy + " with " + ICC_OPTION + "=false");
      }
      if (internal && !Boolean.TRUE.equals(network.getInternal())) {
        throw new ContainerDriverException("network " + name + ", meant for apps without "
            + "internet, is not internal" + remedy + " internal");
      }
      checkedNetworks.add(name);
    }
  }

  @Override
  public void awaitReady(StartedContainer container, String probePath, Duration deadline) {
    engineCall(() -> {
      probe.await(container, probePath, deadline, () -> inspect(container.id()),
          () -> logTail(container.id(), 20));
      return null;
    });
  }

  @Override
  public void stop(String containerId, Duration timeout) {
    engineCall(() -> {
      try {
        dockerUnbounded.stopContainerCmd(containerId)
            .withTimeout((int) Math.max(0, timeout.toSeconds()))
            .exec();
      } catch (NotModifiedException | NotFoundException alreadyStoppedOrGone) {
        // Already in the state we asked for.
      }
      return null;
    });
  }

  @Override
  public void remove(String containerId) {
    engineCall(() -> {
      try {
        docker.removeContainerCmd(containerId).withForce(true).withRemoveVolumes(true).exec();
      } catch (NotFoundException alreadyGone) {
        // Nothing to remove.
      } catch (ConflictException e) {
        if (!String.valueOf(e.getMessage()).contains("already in progress")) {
          throw e;
        }
      }
      return null;
    });
  }

  @Override
  public Optional<ContainerInfo> inspect(String containerIdOrName) {
    return inspectOnEngine(containerIdOrName).map(this::toInfo);
  }

  private Optional<InspectContainerResponse> inspectOnEngine(String containerIdOrName) {
    return engineCall(() -> {
      try {
        return Optional.of(docker.inspectContainerCmd(containerIdOrName).exec());
      } catch (NotFoundException gone) {
        return Optional.empty();
      }
    });
  }

  @Override
  public boolean hasImage(String image) {
    return engineCall(() -> {
      try {
        docker.inspectImageCmd(image).exec();
        return true;
      } catch (NotFoundException | BadRequestException missingOrNoReference) {
        // The engine answers 400 for a name that is no image reference at all (upper case, ...).
        return false;
      }
    });
  }

  @Override
  public List<ContainerInfo> list(Map<String, String> labels) {
    return engineCall(() -> {
      Map<String, String> filter = new HashMap<>(labels);
      filter.put(Labels.MANAGED, "true");
      List<ContainerInfo> found = new ArrayList<>();
      docker.listContainersCmd().withShowAll(true).withLabelFilter(filter).exec()
          .forEach(c -> inspect(c.getId()).ifPresent(found::add));
      return found;
    });
  }

  @Override
  public List<String> logTail(String containerId, int lines) {
    return engineCall(() -> {
      LineCollector collector = new LineCollector(null);
      try {
        docker.logContainerCmd(containerId)
            .withStdOut(true)
            .withStdErr(true)
            .withTail(lines)
            .exec(collector)
            .awaitCompletion(settings.engineTimeout().toMillis(), TimeUnit.MILLISECONDS);
      } catch (NotFoundException gone) {
        return List.of();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return collector.lines();
    });
  }

  @Override
  public Closeable followLogs(String containerId, Consumer<String> onLine) {
    return engineCall(() -> dockerUnbounded.logContainerCmd(containerId)
        .withStdOut(true)
        .withStdErr(true)
        .withTail(0)
        .withFollowStream(true)
        .exec(new LineCollector(onLine)));
  }

  @Override
  public Closeable watchExits(Consumer<ContainerExit> onExit, Runnable onEnd) {
    AtomicBoolean ended = new AtomicBoolean();
    ResultCallback.Adapter<Event> watcher = new ResultCallback.Adapter<>() {
      @Override
      public void onNext(Event event) {
        Map<String, String> attributes = event.getActor() == null || event.getActor().getAttributes() == null
            ? Map.of()
            : event.getActor().getAttributes();
        String appId = attributes.get(Labels.APP_ID);
        if (appId != null) {
          onExit.accept(new ContainerExit(event.getId(), appId, parseExitCode(attributes.get("exitCode"))));
        }
      }

      @Override
      public void onComplete() {
        super.onComplete();
        if (ended.compareAndSet(false, true)) {
          onEnd.run();
        }
      }

      @Override
      public void onError(Throwable error) {
        super.onError(error);
        if (ended.compareAndSet(false, true)) {
          onEnd.run();
        }
      }
    };
    return engineCall(() -> dockerUnbounded.eventsCmd()
        .withEventTypeFilter(EventType.CONTAINER)
        .withEventFilter("die")
        .withLabelFilter(Map.of(Labels.MANAGED, "true"))
        .exec(watcher));
  }

  private static int parseExitCode(String text) {
    try {
      return text == null ? -1 : Integer.parseInt(text);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public void close() throws IOException {
    docker.close();
    dockerUnbounded.close();
  }

  /**
   * Runs an engine call, turning "nothing answers at that address" — which docker-java reports as
   * a bare RuntimeException around an IOException — into one clear error.
   */
  private <T> T engineCall(Supplier<T> call) {
    try {
      return call.get();
    } catch (ContainerDriverException | DockerException e) {
      throw e;
    } catch (RuntimeException e) {
      if (causedByIo(e)) {
        throw new EngineUnavailableException(engineAddress, e);
      }
      throw e;
    }
  }

  private static boolean causedByIo(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof IOException) {
        return true;
      }
    }
    return false;
  }

  private ContainerInfo toInfo(InspectContainerResponse inspected) {
    InspectContainerResponse.ContainerState state = inspected.getState();
    boolean running = Boolean.TRUE.equals(state.getRunning());
    Optional<StartedContainer> published = Optional.empty();
    Optional<String> networkAddress = Optional.empty();
    String name = inspected.getName().startsWith("/")
        ? inspected.getName().substring(1)
        : inspected.getName();
    Map<String, String> labels =
        inspected.getConfig().getLabels() == null ? Map.of() : Map.copyOf(inspected.getConfig().getLabels());
    if (running && inspected.getNetworkSettings() != null) {
      Map<String, ContainerNetwork> networks = inspected.getNetworkSettings().getNetworks();
      Optional<String> internalAddress = addressOn(networks, settings.internalNetwork());
      if (internalAddress.isPresent()) {
        networkAddress = internalAddress;
        published = appPort(labels)
            .map(port -> new StartedContainer(inspected.getId(), name, internalAddress.get(), port));
      } else {
        networkAddress = addressOn(networks, settings.network());
        published = publishedPort(inspected.getNetworkSettings().getPorts())
            .map(port -> new StartedContainer(inspected.getId(), name, settings.advertisedHost(), port));
      }
    }
    Long exitCode = state.getExitCodeLong();
    return new ContainerInfo(
        inspected.getId(),
        name,
        state.getStatus(),
        exitCode == null ? 0 : exitCode.intValue(),
        Boolean.TRUE.equals(state.getOOMKilled()),
        labels,
        published,
        networkAddress,
        parseEngineTime(state.getStartedAt()));
  }

  private static Optional<String> addressOn(Map<String, ContainerNetwork> networks, String network) {
    return Optional.ofNullable(networks == null ? null : networks.get(network))
        .map(ContainerNetwork::getIpAddress)
        .filter(ip -> !ip.isEmpty());
  }

  private static Optional<Integer> appPort(Map<String, String> labels) {
    try {
      return Optional.ofNullable(labels.get(Labels.APP_PORT)).map(Integer::parseInt);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Optional<Integer> publishedPort(Ports ports) {
    if (ports == null) {
      return Optional.empty();
    }
    return ports.getBindings().values().stream()
        .filter(bindings -> bindings != null && bindings.length > 0)
        .map(bindings -> bindings[0].getHostPortSpec())
        .filter(spec -> spec != null && !spec.isEmpty())
        .map(Integer::parseInt)
        .findFirst();
  }

  /** The engine writes "0001-01-01T00:00:00Z" for a container that never started. */
  private static Optional<Instant> parseEngineTime(String time) {
    if (time == null || time.startsWith("0001-")) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(time));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /** Turns the engine's log frames, which need not end at line breaks, into lines. */
  private static final class LineCollector extends ResultCallback.Adapter<Frame> {
    private final Consumer<String> onLine;
    private final List<String> lines = new ArrayList<>();
    private final StringBuilder partial = new StringBuilder();

    LineCollector(Consumer<String> onLine) {
      this.onLine = onLine == null ? lines::add : onLine;
    }

    @Override
    public synchronized void onNext(Frame frame) {
      partial.append(new String(frame.getPayload(), java.nio.charset.StandardCharsets.UTF_8));
      int newline;
      while ((newline = partial.indexOf("\n")) >= 0) {
        onLine.accept(stripCarriageReturn(partial.substring(0, newline)));
        partial.delete(0, newline + 1);
      }
    }

    @Override
    public synchronized void onComplete() {
      if (partial.length() > 0) {
        onLine.accept(stripCarriageReturn(partial.toString()));
        partial.setLength(0);
      }
      super.onComplete();
    }

    synchronized List<String> lines() {
      return List.copyOf(lines);
    }

    private static String stripCarriageReturn(String line) {
      return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }
  }
}
