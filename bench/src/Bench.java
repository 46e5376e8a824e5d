// Berth's first benchmark: cold start and warm requests, through Berth and straight to Docker.
//
// Run by bench/run.sh as a single-file source program:
//   java -cp 'http-edge/target/lib/*' bench/src/Bench.java --berth-url http://127.0.0.1:18080 \
//        --node-id bench-x --berth-pid 1234 [--runs 10] [--connections 16] [--seconds 10] ...
// It prints a markdown report to stdout and progress to stderr. It asserts nothing: it measures.
//
// The HTTP client is a minimal HTTP/1.1 keep-alive client on plain sockets, one connection per
// thread, so that the load generator costs little CPU on a small machine and the very same code
// measures both targets.

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.berth.driver.ContainerSpec;
import dev.berth.driver.DockerContainerDriver;
import dev.berth.driver.DockerDriverSettings;
import dev.berth.driver.InstanceType;
import dev.berth.driver.Labels;
import dev.berth.driver.StartedContainer;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public final class Bench {

  // ---- options --------------------------------------------------------------------------------

  record Options(
      URI berthUrl,
      String nodeId,
      long berthPid,
      String image,
      int appPort,
      String network,
      int runs,
      int connections,
      double seconds,
      double seqSeconds,
      double warmupSeconds,
      double berthWarmupSeconds,
      String prefix) {

    static Options parse(String[] args) {
      Map<String, String> m = new HashMap<>();
      for (int i = 0; i < args.length; i++) {
        if (!args[i].startsWith("--") || i + 1 >= args.length) {
          throw new IllegalArgumentException("expected --name value pairs, got " + args[i]);
        }
        m.put(args[i].substring(2), args[++i]);
      }
      String nodeId = req(m, "node-id");
      return new Options(
          URI.create(req(m, "berth-url")),
          nodeId,
          Long.parseLong(m.getOrDefault("berth-pid", "0")),
          m.getOrDefault("image", "berth/example-app:latest"),
          Integer.parseInt(m.getOrDefault("app-port", "8080")),
          m.getOrDefault("network", "berth"),
          Integer.parseInt(m.getOrDefault("runs", "10")),
          Integer.parseInt(m.getOrDefault("connections", "16")),
          Double.parseDouble(m.getOrDefault("seconds", "10")),
          Double.parseDouble(m.getOrDefault("seq-seconds", "4")),
          Double.parseDouble(m.getOrDefault("warmup-seconds", "3")),
          Double.parseDouble(m.getOrDefault("berth-warmup-seconds", "60")),
          m.getOrDefault("prefix", nodeId));
    }

    private static String req(Map<String, String> m, String name) {
      String v = m.get(name);
      if (v == null) {
        throw new IllegalArgumentException("missing --" + name);
      }
      return v;
    }
  }

  static void progress(String format, Object... args) {
    System.err.printf(Locale.ROOT, "bench: " + format + "%n", args);
  }

  // ---- a minimal HTTP/1.1 client ----------------------------------------------------------------

  /** One keep-alive connection; reads whole responses (Content-Length or chunked). */
  static final class Conn implements Closeable {
    final Socket socket;
    final InputStream in;
    final OutputStream out;
    boolean closed;
    /** nanoTime at which the first byte of the last response arrived. */
    long firstByteNanos;

    Conn(String host, int port) throws IOException {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(host, port), 10_000);
      socket.setSoTimeout(130_000);
      in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
      out = socket.getOutputStream();
    }

    static byte[] get(String host, int port, String path) {
      return request("GET", host, port, path);
    }

    static byte[] request(String method, String host, int port, String path) {
      return (method + " " + path + " HTTP/1.1\r\nHost: " + host + ":" + port
          + "\r\nUser-Agent: berth-bench\r\nAccept: */*\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Sends a request and reads the whole response; returns status, body kept if asked. */
    int exchange(byte[] request, StringBuilder body) throws IOException {
      out.write(request);
      out.flush();
      int first = in.read();
      firstByteNanos = System.nanoTime();
      if (first < 0) {
        throw new EOFException("connection closed before a response");
      }
      String statusLine = (char) first + readLine();
      String[] parts = statusLine.split(" ", 3);
      if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
        throw new IOException("bad status line: " + statusLine);
      }
      int status = Integer.parseInt(parts[1]);
      long length = -1;
      boolean chunked = false;
      boolean close = parts[0].equals("HTTP/1.0");
      String line;
      while (!(line = readLine()).isEmpty()) {
        int colon = line.indexOf(':');
        if (colon < 0) {
          continue;
        }
        String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = line.substring(colon + 1).trim();
        switch (name) {
          case "content-length" -> length = Long.parseLong(value);
          case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
          case "connection" -> close = value.equalsIgnoreCase("close")
              || (close && !value.equalsIgnoreCase("keep-alive"));
          default -> { }
        }
      }
      if (chunked) {
        while (true) {
          String size = readLine();
          int semi = size.indexOf(';');
          long n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
          if (n == 0) {
            while (!readLine().isEmpty()) {
              // trailers
            }
            break;
          }
          readBody(n, body);
          readLine();
        }
      } else if (length >= 0) {
        readBody(length, body);
      } else if (status >= 200 && status != 204 && status != 304) {
        // Close-delimited.
        readBody(Long.MAX_VALUE, body);
        close = true;
      }
      if (close) {
        close();
      }
      return status;
    }

    private final byte[] scratch = new byte[8192];

    private void readBody(long n, StringBuilder body) throws IOException {
      long left = n;
      while (left > 0) {
        int r = in.read(scratch, 0, (int) Math.min(scratch.length, left));
        if (r < 0) {
          if (n == Long.MAX_VALUE) {
            return;
          }
          throw new EOFException("body ended early");
        }
        if (body != null) {
          body.append(new String(scratch, 0, r, StandardCharsets.UTF_8));
        }
        left -= r;
      }
    }

    private String readLine() throws IOException {
      StringBuilder sb = new StringBuilder(64);
      while (true) {
        int c = in.read();
        if (c < 0) {
          throw new EOFException("connection closed mid-response");
        }
        if (c == '\n') {
          int len = sb.length();
          if (len > 0 && sb.charAt(len - 1) == '\r') {
            sb.setLength(len - 1);
          }
          return sb.toString();
        }
        sb.append((char) c);
      }
    }

    @Override
    public void close() {
      closed = true;
      try {
        socket.close();
      } catch (IOException ignored) {
        // nothing to do
      }
    }
  }

  /** A GET on a new connection: status, body and the time from {@code t0} to its first byte. */
  record FirstByte(int status, String body, long nanos) {}

  static FirstByte firstByte(long t0, String host, int port, String path) throws IOException {
    try (Conn c = new Conn(host, port)) {
      StringBuilder body = new StringBuilder();
      int status = c.exchange(Conn.get(host, port, path), body);
      return new FirstByte(status, body.toString(), c.firstByteNanos - t0);
    }
  }

  static FirstByte getBody(String host, int port, String path) throws IOException {
    return firstByte(System.nanoTime(), host, port, path);
  }

  // ---- statistics -----------------------------------------------------------------------------

  /** Nearest-rank percentile of sorted values: the smallest value with at least p% at or below. */
  static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  static long median(long[] sorted) {
    // For an even count, the mean of the two middle values.
    int n = sorted.length;
    if (n == 0) {
      return 0;
    }
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  static long[] sorted(List<Long> values) {
    long[] a = values.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(a);
    return a;
  }

  static String ms(long nanos) {
    double m = nanos / 1e6;
    if (m >= 100) {
      return String.format(Locale.ROOT, "%.0f ms", m);
    }
    if (m >= 10) {
      return String.format(Locale.ROOT, "%.1f ms", m);
    }
    return String.format(Locale.ROOT, "%.2f ms", m);
  }

  static String ratio(double a, double b) {
    return b <= 0 ? "n/a" : String.format(Locale.ROOT, "%.2f×", a / b);
  }

  // ---- CPU accounting -------------------------------------------------------------------------

  /** CPU time of one process in nanoseconds, from /proc/pid/stat (utime + stime). */
  static Optional<Long> processCpu(long pid) {
    if (pid <= 0) {
      return Optional.empty();
    }
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // After "pid (comm) ", field 3 (state) is f[0]; utime is field 14, stime field 15.
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      return Optional.of(ticks * 1_000_000_000L / 100); // USER_HZ is 100 on Linux
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The docker-proxy process that serves host port {@code port}, if there is one. */
  static Optional<Long> dockerProxyPid(int port) {
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path p : (Iterable<Path>) procs::iterator) {
        String name = p.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
          if (cmd.contains("docker-proxy") && cmd.contains("-host-port\0" + port + "\0")) {
            return Optional.of(Long.parseLong(name));
          }
        } catch (IOException | RuntimeException ignored) {
          // the process went away
        }
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  /** A container's CPU time in nanoseconds from its cgroup (v1 cgroupfs or systemd, or v2). */
  static Optional<Long> containerCpu(String containerId) {
    List<Path> v1 = List.of(
        Path.of("/sys/fs/cgroup/cpuacct/docker/" + containerId + "/cpuacct.usage"),
        Path.of("/sys/fs/cgroup/cpu,cpuacct/docker/" + containerId + "/cpuacct.usage"),
        Path.of("/sys/fs/cgroup/cpuacct/system.slice/docker-" + containerId + ".scope/cpuacct.usage"),
        Path.of("/sys/fs/cgroup/cpu,cpuacct/system.slice/docker-" + containerId + ".scope/cpuacct.usage"));
    for (Path p : v1) {
      try {
        return Optional.of(Long.parseLong(Files.readString(p).trim()));
      } catch (IOException | RuntimeException ignored) {
        // try the next layout
      }
    }
    List<Path> v2 = List.of(
        Path.of("/sys/fs/cgroup/docker/" + containerId + "/cpu.stat"),
        Path.of("/sys/fs/cgroup/system.slice/docker-" + containerId + ".scope/cpu.stat"));
    for (Path p : v2) {
      try {
        for (String line : Files.readAllLines(p)) {
          if (line.startsWith("usage_usec ")) {
            return Optional.of(Long.parseLong(line.substring(11).trim()) * 1000);
          }
        }
      } catch (IOException | RuntimeException ignored) {
        // try the next layout
      }
    }
    return Optional.empty();
  }

  static long selfCpu() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime();
    }
    return 0;
  }

  /** Busy and total jiffies of the whole machine, from /proc/stat. */
  static long[] machineJiffies() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < f.length && i <= 8; i++) {
        total += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      return new long[] {total - idle, total};
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 0};
    }
  }

  /** CPU used by each part of the system while a measurement runs. */
  static final class CpuMeter {
    final Map<String, Supplier<Optional<Long>>> sources = new LinkedHashMap<>();
    Map<String, Long> before;
    long[] machineBefore;
    final Map<String, Long> used = new LinkedHashMap<>();
    double machineBusy;
    /** Busy CPU time of the whole machine, in nanoseconds. */
    long machineBusyNanos;

    CpuMeter add(String name, Supplier<Optional<Long>> source) {
      sources.put(name, source);
      return this;
    }

    void start() {
      before = read();
      machineBefore = machineJiffies();
    }

    void stop() {
      Map<String, Long> after = read();
      long[] machineAfter = machineJiffies();
      for (var e : before.entrySet()) {
        Long a = after.get(e.getKey());
        if (a != null) {
          used.put(e.getKey(), a - e.getValue());
        }
      }
      long total = machineAfter[1] - machineBefore[1];
      long busy = machineAfter[0] - machineBefore[0];
      machineBusy = total <= 0 ? 0 : (double) busy / total;
      machineBusyNanos = busy * 1_000_000_000L / 100; // USER_HZ
    }

    private Map<String, Long> read() {
      Map<String, Long> m = new LinkedHashMap<>();
      sources.forEach((name, s) -> s.get().ifPresent(v -> m.put(name, v)));
      return m;
    }
  }

  // ---- warm load ------------------------------------------------------------------------------

  static final class LoadResult {
    long requests;
    long errors;
    long elapsedNanos;
    long[] latencies = new long[0];
    final Map<String, Long> cpu = new LinkedHashMap<>();
    double machineBusy;
    long machineBusyNanos;
    String firstError;

    void add(LoadResult round) {
      requests += round.requests;
      errors += round.errors;
      elapsedNanos += round.elapsedNanos;
      long[] merged = Arrays.copyOf(latencies, latencies.length + round.latencies.length);
      System.arraycopy(round.latencies, 0, merged, latencies.length, round.latencies.length);
      Arrays.sort(merged);
      latencies = merged;
      round.cpu.forEach((k, v) -> cpu.merge(k, v, Long::sum));
      machineBusy += round.machineBusy * round.elapsedNanos;
      machineBusyNanos += round.machineBusyNanos;
      if (firstError == null) {
        firstError = round.firstError;
      }
    }

    double rate() {
      return elapsedNanos == 0 ? 0 : requests / (elapsedNanos / 1e9);
    }
  }

  /** {@code connections} threads, each on its own keep-alive connection, for {@code seconds}. */
  static LoadResult load(String host, int port, String path, int connections, double seconds,
      CpuMeter meter) throws InterruptedException {
    byte[] request = Conn.get(host, port, path);
    long[][] lat = new long[connections][];
    int[] counts = new int[connections];
    long[] errors = new long[connections];
    String[] firstError = new String[connections];
    CountDownLatch ready = new CountDownLatch(connections);
    CountDownLatch go = new CountDownLatch(1);
    long[] window = new long[2];
    Thread[] threads = new Thread[connections];
    for (int t = 0; t < connections; t++) {
      final int me = t;
      threads[t] = new Thread(() -> {
        long[] mine = new long[1 << 16];
        int n = 0;
        Conn conn = null;
        try {
          conn = new Conn(host, port);
        } catch (IOException e) {
          firstError[me] = e.toString();
        }
        ready.countDown();
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        long end = window[1];
        while (true) {
          long t0 = System.nanoTime();
          if (t0 >= end) {
            break;
          }
          try {
            if (conn == null || conn.closed) {
              conn = new Conn(host, port);
            }
            int status = conn.exchange(request, null);
            long t1 = System.nanoTime();
            if (status != 200) {
              errors[me]++;
              if (firstError[me] == null) {
                firstError[me] = "HTTP " + status;
              }
            } else {
              if (n == mine.length) {
                mine = Arrays.copyOf(mine, n * 2);
              }
              mine[n++] = t1 - t0;
            }
          } catch (IOException e) {
            errors[me]++;
            if (firstError[me] == null) {
              firstError[me] = e.toString();
            }
            if (conn != null) {
              conn.close();
            }
            conn = null;
          }
        }
        if (conn != null) {
          conn.close();
        }
        lat[me] = mine;
        counts[me] = n;
      }, "load-" + t);
      threads[t].start();
    }
    ready.await();
    meter.start();
    window[0] = System.nanoTime();
    window[1] = window[0] + (long) (seconds * 1e9);
    go.countDown();
    for (Thread t : threads) {
      t.join();
    }
    long elapsed = System.nanoTime() - window[0];
    meter.stop();
    LoadResult r = new LoadResult();
    int total = 0;
    for (int c : counts) {
      total += c;
    }
    long[] all = new long[total];
    int at = 0;
    for (int t = 0; t < connections; t++) {
      System.arraycopy(lat[t], 0, all, at, counts[t]);
      at += counts[t];
      r.errors += errors[t];
      if (r.firstError == null) {
        r.firstError = firstError[t];
      }
    }
    Arrays.sort(all);
    r.latencies = all;
    r.requests = total;
    r.elapsedNanos = elapsed;
    r.cpu.putAll(meter.used);
    r.machineBusy = meter.machineBusy;
    r.machineBusyNanos = meter.machineBusyNanos;
    return r;
  }

  // ---- cold start -----------------------------------------------------------------------------

  /** One cold start: total to first byte, plus where the time went (absolute instants). */
  record Cold(long totalNanos, Instant t0, Instant created, Instant started, Instant ready,
      Instant firstByte) {}

  static final Pattern LAST_STARTED = Pattern.compile("\"lastStarted\"\\s*:\\s*(\\d+)");
  static final Pattern PORT = Pattern.compile("\"port\"\\s*:\\s*(\\d+)");

  final Options o;
  final DockerContainerDriver driver;
  /** For observing only (inspect timestamps); the measured work goes through {@link #driver}. */
  final DockerClient docker;
  final String berthHost;
  final int berthPort;
  final StringBuilder report = new StringBuilder();

  Bench(Options o) {
    this.o = o;
    this.driver = new DockerContainerDriver(DockerDriverSettings.defaults().withNetwork(o.network));
    DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
    this.docker = DockerClientImpl.getInstance(config, new ApacheDockerHttpClient.Builder()
        .dockerHost(config.getDockerHost()).sslConfig(config.getSSLConfig()).build());
    this.berthHost = o.berthUrl.getHost();
    this.berthPort = o.berthUrl.getPort();
  }

  /** An instant that matches {@code System.nanoTime()} readings taken in this run. */
  static final long EPOCH_NANOS_AT_ORIGIN;
  static final long NANO_ORIGIN;

  static {
    Instant now = Instant.now();
    NANO_ORIGIN = System.nanoTime();
    EPOCH_NANOS_AT_ORIGIN = now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  static Instant instantOf(long nanoTime) {
    long epochNanos = EPOCH_NANOS_AT_ORIGIN + (nanoTime - NANO_ORIGIN);
    return Instant.ofEpochSecond(0, epochNanos);
  }

  /** When the engine created and started the container. */
  Instant[] engineTimes(String nameOrId) {
    InspectContainerResponse r = docker.inspectContainerCmd(nameOrId).exec();
    return new Instant[] {Instant.parse(r.getCreated()), Instant.parse(r.getState().getStartedAt())};
  }

  ContainerSpec spec(String appId) {
    return ContainerSpec.of(appId, o.nodeId, o.image, o.appPort, InstanceType.STANDARD)
        .withEnvironment(Map.of("APP_ID", appId, "PORT", String.valueOf(o.appPort)));
  }

  /** create + start + awaitReady + a first GET, exactly the driver calls Berth makes. */
  Cold coldDirect(String appId) throws IOException {
    long t0 = System.nanoTime();
    StartedContainer c = driver.start(spec(appId));
    driver.awaitReady(c, "/health", Duration.ofSeconds(60));
    long ready = System.nanoTime();
    FirstByte fb = firstByte(t0, c.host(), c.port(), "/health");
    if (fb.status() != 200) {
      throw new IOException("direct first GET answered " + fb.status() + ": " + fb.body());
    }
    Instant[] engine = engineTimes(c.id());
    return new Cold(fb.nanos(), instantOf(t0), engine[0], engine[1], instantOf(ready),
        instantOf(t0 + fb.nanos()));
  }

  /** A GET of a never-seen app through Berth, timed to its first byte. */
  Cold coldBerth(String appId) throws IOException {
    long t0 = System.nanoTime();
    FirstByte fb = firstByte(t0, berthHost, berthPort, "/app/" + appId + "/health");
    if (fb.status() != 200) {
      throw new IOException("Berth answered " + fb.status() + " for " + appId + ": " + fb.body());
    }
    FirstByte status = getBody(berthHost, berthPort, "/app/" + appId + "/_status");
    Matcher m = LAST_STARTED.matcher(status.body());
    Instant ready = m.find() ? Instant.ofEpochMilli(Long.parseLong(m.group(1))) : null;
    Instant[] engine = engineTimes(Labels.containerName(appId));
    return new Cold(fb.nanos(), instantOf(t0), engine[0], engine[1], ready,
        instantOf(t0 + fb.nanos()));
  }

  void removeApp(String appId) {
    driver.remove(Labels.containerName(appId));
  }

  /** Deletes an app through Berth (stop, remove, forget), so its entity knows; else removes it. */
  void deleteBerthApp(String appId) {
    try (Conn c = new Conn(berthHost, berthPort)) {
      StringBuilder body = new StringBuilder();
      int status = c.exchange(Conn.request("DELETE", berthHost, berthPort, "/app/" + appId), body);
      if (status / 100 == 2) {
        return;
      }
      progress("  DELETE /app/%s answered %d (%s); removing its container directly", appId, status,
          body.length() > 200 ? body.substring(0, 200) : body);
    } catch (IOException e) {
      progress("  DELETE /app/%s failed (%s); removing its container directly", appId, e);
    }
    removeApp(appId);
  }

  static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  void cold() throws IOException {
    progress("cold start: 1 unmeasured warm-up each, then %d each, interleaved", o.runs);
    // The first start in a fresh JVM (here and in the node) pays class loading, JIT, the first
    // journal write, shard allocation: shown apart, not counted.
    Cold warmDirect = coldDirect(o.prefix + "-dw");
    removeApp(o.prefix + "-dw");
    Cold warmBerth = coldBerth(o.prefix + "-bw");
    deleteBerthApp(o.prefix + "-bw");
    pause(500);
    List<Cold> direct = new ArrayList<>();
    List<Cold> berth = new ArrayList<>();
    for (int i = 0; i < o.runs; i++) {
      boolean directFirst = i % 2 == 0;
      for (int k = 0; k < 2; k++) {
        boolean isDirect = (k == 0) == directFirst;
        String appId = o.prefix + (isDirect ? "-d" : "-b") + i;
        Cold c = isDirect ? coldDirect(appId) : coldBerth(appId);
        (isDirect ? direct : berth).add(c);
        progress("  run %d %-6s %s", i + 1, isDirect ? "direct" : "berth", ms(c.totalNanos()));
        // Each start begins with the same number of app containers running: none of ours.
        if (isDirect) {
          removeApp(appId);
        } else {
          deleteBerthApp(appId);
        }
        pause(300);
      }
    }

    long[] d = sorted(direct.stream().map(Cold::totalNanos).toList());
    long[] b = sorted(berth.stream().map(Cold::totalNanos).toList());
    report.append("## Cold start: a new app's first answer\n\n");
    report.append(String.format(Locale.ROOT,
        "%d runs each, interleaved (direct first in even runs, Berth first in odd ones), after one "
            + "unmeasured warm-up each; every container is removed after its run (Berth's by "
            + "`DELETE /app/<appId>`), so each start finds the same containers running. Times from the first action (Berth: opening "
            + "the connection; direct: calling `start`) to the first byte of the app's answer to "
            + "`GET /health`. p90 is nearest-rank (value no. %d of %d in ascending order).%n%n", o.runs,
        (int) Math.ceil(0.9 * o.runs), o.runs));
    report.append("| path | median | p90 | min | max |\n|---|---:|---:|---:|---:|\n");
    report.append(String.format(Locale.ROOT, "| Berth: `GET /app/<new appId>/health` | %s | %s | %s | %s |%n",
        ms(median(b)), ms(percentile(b, 90)), ms(b[0]), ms(b[b.length - 1])));
    report.append(String.format(Locale.ROOT, "| direct: driver `start` + `awaitReady` + first `GET /health` | %s | %s | %s | %s |%n",
        ms(median(d)), ms(percentile(d, 90)), ms(d[0]), ms(d[d.length - 1])));
    report.append(String.format(Locale.ROOT, "| **ratio Berth / direct** | **%s** | **%s** | | |%n%n",
        ratio(median(b), median(d)), ratio(percentile(b, 90), percentile(d, 90))));
    report.append(String.format(Locale.ROOT,
        "Unmeasured warm-ups (first start in a fresh JVM / fresh node): Berth %s, direct %s.%n%n",
        ms(warmBerth.totalNanos()), ms(warmDirect.totalNanos())));

    report.append("Where the time goes (medians; instants from the engine's `Created` and "
        + "`State.StartedAt`, Berth's ready instant is the entity's `lastStarted`, in ms):\n\n");
    report.append("| phase | Berth | direct |\n|---|---:|---:|\n");
    phase("request sent → container created", berth, direct, c -> between(c.t0(), c.created()));
    phase("created → started (engine)", berth, direct, c -> between(c.created(), c.started()));
    phase("started → ready (probe answered)", berth, direct, c -> between(c.started(), c.ready()));
    phase("ready → first byte of the answer", berth, direct, c -> between(c.ready(), c.firstByte()));
    report.append('\n');
  }

  static Long between(Instant a, Instant b) {
    return a == null || b == null ? null : Duration.between(a, b).toNanos();
  }

  void phase(String name, List<Cold> berth, List<Cold> direct, java.util.function.Function<Cold, Long> f) {
    report.append(String.format(Locale.ROOT, "| %s | %s | %s |%n", name,
        medianOf(berth, f), medianOf(direct, f)));
  }

  static String medianOf(List<Cold> runs, java.util.function.Function<Cold, Long> f) {
    List<Long> v = runs.stream().map(f).filter(x -> x != null).toList();
    return v.isEmpty() ? "n/a" : ms(median(sorted(v)));
  }

  void warm() throws Exception {
    String appId = o.prefix + "-warm";
    String path = "/api/data";
    FirstByte first = getBody(berthHost, berthPort, "/app/" + appId + path);
    if (first.status() != 200) {
      throw new IOException("warm app did not start: " + first.status() + " " + first.body());
    }
    FirstByte status = getBody(berthHost, berthPort, "/app/" + appId + "/_status");
    Matcher m = PORT.matcher(status.body());
    if (!m.find()) {
      throw new IOException("no container port in _status: " + status.body());
    }
    int port = Integer.parseInt(m.group(1));
    String containerId = docker.inspectContainerCmd(Labels.containerName(appId)).exec().getId();
    Optional<Long> proxyPid = dockerProxyPid(port);

    String berthPath = "/app/" + appId + path;
    Supplier<CpuMeter> meter = () -> new CpuMeter()
        .add("Berth node JVM", () -> processCpu(o.berthPid))
        .add("docker-proxy", () -> proxyPid.flatMap(Bench::processCpu))
        .add("app container", () -> containerCpu(containerId))
        .add("load generator", () -> Optional.of(selfCpu()));

    progress("warm: app %s on 127.0.0.1:%d; warm-up %.0f s through Berth, %.0f s direct",
        appId, port, o.berthWarmupSeconds, o.warmupSeconds);
    // The node's JIT takes about a minute of load to settle on 2 cores: warm up in 5 s steps and
    // report each step's rate, so the reader sees whether it had settled.
    List<Double> warmupRates = new ArrayList<>();
    double warmedFor = 0;
    while (warmedFor < o.berthWarmupSeconds) {
      double step = Math.min(5, o.berthWarmupSeconds - warmedFor);
      LoadResult r = load(berthHost, berthPort, berthPath, o.connections, step, meter.get());
      warmupRates.add(r.rate());
      warmedFor += step;
      progress("  Berth warm-up: %.0f req/s", r.rate());
    }
    load("127.0.0.1", port, path, o.connections, o.warmupSeconds, meter.get());

    report.append("## Warm requests: `GET /api/data` on a running app\n\n");
    report.append(String.format(Locale.ROOT,
        "Same load generator, same container, same run. Berth: `GET %s` on the node; direct: "
            + "`GET http://127.0.0.1:<published port>%s`. Each connection is one thread sending "
            + "requests back to back on a keep-alive connection. After a warm-up at %d connections "
            + "(through Berth %.0f s, whose rate per 5 s step was %s req/s; direct %.0f s), "
            + "each target "
            + "runs for the stated time in two halves, in the order direct, Berth, Berth, direct. "
            + "Latencies are from writing the request to reading the last byte of the response; "
            + "percentiles are nearest-rank.%n%n", "/app/<appId>" + path, path, o.connections,
            warmedFor, warmupRates.stream()
                .map(r -> String.format(Locale.ROOT, "%.0f", r)).collect(
                    java.util.stream.Collectors.joining(", ")), o.warmupSeconds));
    report.append("| connections | path | requests | req/s | p50 | p90 | p99 | max | errors |\n"
        + "|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
    StringBuilder ratios = new StringBuilder();
    StringBuilder cpu = new StringBuilder();
    StringBuilder errorNotes = new StringBuilder();
    for (int connections : new int[] {1, o.connections}) {
      double seconds = connections == 1 ? o.seqSeconds : o.seconds;
      progress("warm: %d connection(s), %.0f s per target", connections, seconds);
      LoadResult direct = new LoadResult();
      LoadResult berth = new LoadResult();
      // ABBA, so that a drift over time weighs on both alike.
      direct.add(load("127.0.0.1", port, path, connections, seconds / 2, meter.get()));
      berth.add(load(berthHost, berthPort, berthPath, connections, seconds / 2, meter.get()));
      berth.add(load(berthHost, berthPort, berthPath, connections, seconds / 2, meter.get()));
      direct.add(load("127.0.0.1", port, path, connections, seconds / 2, meter.get()));
      row(connections, "Berth", berth);
      row(connections, "direct", direct);
      ratios.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s |%n", connections,
          ratio(berth.rate(), direct.rate()),
          ratio(percentile(berth.latencies, 50), percentile(direct.latencies, 50)),
          ratio(percentile(berth.latencies, 90), percentile(direct.latencies, 90)),
          ratio(percentile(berth.latencies, 99), percentile(direct.latencies, 99))));
      cpuRows(cpu, connections, "Berth", berth);
      cpuRows(cpu, connections, "direct", direct);
      for (LoadResult r : List.of(berth, direct)) {
        if (r.firstError != null) {
          errorNotes.append(String.format(Locale.ROOT, "- %d connection(s), %s: first error: %s%n",
              connections, r == berth ? "Berth" : "direct", r.firstError));
          progress("  first error: %s", r.firstError);
        }
      }
    }
    if (errorNotes.length() > 0) {
      report.append('\n').append(errorNotes);
    }
    report.append("\n| connections | throughput Berth / direct | p50 Berth / direct | p90 | p99 |\n"
        + "|---:|---:|---:|---:|---:|\n").append(ratios).append('\n');
    report.append("CPU time per request (µs) by process while each target ran; the machine has 2 "
        + "cores, so everything — load generator included — shares them:\n\n");
    report.append("| connections | path | Berth node JVM | docker-proxy | app container "
        + "| load generator | rest of the machine¹ | machine CPU busy |\n"
        + "|---:|---|---:|---:|---:|---:|---:|---:|\n").append(cpu)
        .append('\n');
    report.append("¹ busy CPU time of the whole machine (/proc/stat) minus the four columns before "
        + "it: kernel network work not charged to a process, dockerd, and anything else that ran "
        + "meanwhile. 1/100 s resolution.\n\n");
  }

  void row(int connections, String name, LoadResult r) {
    long[] l = r.latencies;
    report.append(String.format(Locale.ROOT, "| %d | %s | %d | %.0f | %s | %s | %s | %s | %d |%n",
        connections, name, r.requests, r.rate(), ms(percentile(l, 50)), ms(percentile(l, 90)),
        ms(percentile(l, 99)), ms(l.length == 0 ? 0 : l[l.length - 1]), r.errors));
  }

  static void cpuRows(StringBuilder out, int connections, String name, LoadResult r) {
    List<String> cells = new ArrayList<>();
    long ours = 0;
    for (String k : List.of("Berth node JVM", "docker-proxy", "app container", "load generator")) {
      Long used = r.cpu.get(k);
      ours += used == null ? 0 : used;
      cells.add(used == null || r.requests == 0 ? "n/a"
          : String.format(Locale.ROOT, "%.0f", used / 1000.0 / r.requests));
    }
    cells.add(r.requests == 0 ? "n/a"
        : String.format(Locale.ROOT, "%.0f", Math.max(0, r.machineBusyNanos - ours) / 1000.0 / r.requests));
    double busy = r.elapsedNanos == 0 ? 0 : r.machineBusy / r.elapsedNanos;
    out.append(String.format(Locale.ROOT, "| %d | %s | %s | %.0f %% |%n", connections, name,
        String.join(" | ", cells), busy * 100));
  }

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    Bench bench = new Bench(o);
    try {
      bench.driver.ping();
      if (o.runs > 0) {
        bench.cold();
      }
      if (o.seconds > 0) {
        bench.warm();
      }
    } finally {
      bench.driver.close();
      bench.docker.close();
    }
    System.out.print(bench.report);
    System.out.flush();
  }
}
