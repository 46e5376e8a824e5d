package dev.berth.edge.testing;

import dev.berth.driver.testing.Deadline;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Berth node in a JVM process of its own, for what only a real process shows: SIGTERM,
 * {@code kill -9}. Its output goes to {@code node-<port>.log} in the data directory.
 */
public final class NodeProcess implements AutoCloseable {
  private static final Duration START_DEADLINE = Duration.ofSeconds(90);

  private final Process process;
  private final int httpPort;
  private final Path log;

  private NodeProcess(Process process, int httpPort, Path log) {
    this.process = process;
    this.httpPort = httpPort;
    this.log = log;
  }

  /** Starts a node and waits until its edge answers. */
  public static NodeProcess start(Path dataDir, String nodeId, Map<String, String> environment)
      throws IOException {
    int httpPort = freePort();
    Path log = dataDir.resolve("node-" + httpPort + ".log");
    Files.createDirectories(dataDir);
    ProcessBuilder builder = new ProcessBuilder(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m", "-cp", System.getProperty("java.class.path"), "dev.berth.edge.BerthNode"))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.putAll(environment);
    env.put("BERTH_HTTP_PORT", String.valueOf(httpPort));
    env.putIfAbsent("BERTH_CLUSTER_PORT", String.valueOf(freePort()));
    env.putIfAbsent("BERTH_MANAGEMENT_PORT", String.valueOf(freePort()));
    env.put("BERTH_DATA_DIR", dataDir.toString());
    env.put("BERTH_NODE_ID", nodeId);
    NodeProcess node = new NodeProcess(builder.start(), httpPort, log);
    try {
      Deadline.within(START_DEADLINE).await("the node answers on port " + httpPort, () -> {
        if (!node.process.isAlive()) {
          throw new AssertionError("the node exited with " + node.process.exitValue() + ":\n" + node.output());
        }
        try {
          return Http.get(node.baseUrl() + "/").statusCode() == 200;
        } catch (UncheckedIOException notYet) {
          return false;
        }
      });
    } catch (AssertionError notStarted) {
      node.process.destroyForcibly();
      throw notStarted;
    }
    return node;
  }

  public static NodeProcess start(Path dataDir, String nodeId) throws IOException {
    return start(dataDir, nodeId, new HashMap<>());
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + httpPort;
  }

  public String app(String appId, String path) {
    return baseUrl() + "/app/" + appId + path;
  }

  /** SIGTERM, then waits for the process to exit; returns its exit code. */
  public int terminate() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      throw new AssertionError("the node did not exit within 60 s of SIGTERM:\n" + output());
    }
    return process.exitValue();
  }

  /** SIGKILL, as {@code kill -9}: nothing runs on the way out. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }

  /** A port nothing listens on now, for a node to bind. */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
