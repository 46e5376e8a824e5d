package dev.berth.edge.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL server of the test's own: a fresh cluster in a temporary directory, listening
 * on a free loopback port, password authentication, stopped and removed at the end. Needs the
 * server programs (deploy/ensure-postgres.sh installs them); as root it runs them as the
 * {@code postgres} user, since PostgreSQL refuses to run as root.
 */
public final class PostgresServer implements AutoCloseable {
  public static final String USER = "berth";
  public static final String PASSWORD = "journal-secret";

  private final Path bin;
  private final Path dataDir;
  private final int port;

  private PostgresServer(Path bin, Path dataDir, int port) {
    this.bin = bin;
    this.dataDir = dataDir;
    this.port = port;
  }

  public static PostgresServer start(Path workDir) throws IOException, InterruptedException {
    Path bin = serverBin();
    Path dataDir = workDir.resolve("pgdata");
    Path passwordFile = workDir.resolve("pgpass");
    Files.writeString(passwordFile, PASSWORD);
    run(List.of("chmod", "755", workDir.toString()));
    if (isRoot()) {
      run(List.of("chown", "postgres", workDir.toString(), passwordFile.toString()));
    }
    run(asServerUser(bin.resolve("initdb").toString(), "-D", dataDir.toString(), "-U", USER,
        "--pwfile=" + passwordFile, "--auth=scram-sha-256", "-E", "UTF8"));
    int port = NodeProcess.freePort();
    PostgresServer server = new PostgresServer(bin, dataDir, port);
    run(asServerUser(bin.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-w", "-t", "60",
        "-l", workDir.resolve("postgres.log").toString(),
        "-o", "-p " + port + " -h 127.0.0.1 -k " + workDir, "start"));
    return server;
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  @Override
  public void close() throws IOException, InterruptedException {
    run(asServerUser(bin.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-m", "fast",
        "-w", "stop"));
  }

  private static Path serverBin() throws IOException {
    try (var versions = Files.list(Path.of("/usr/lib/postgresql"))) {
      return versions.map(version -> version.resolve("bin"))
          .filter(dir -> Files.isExecutable(dir.resolve("initdb")))
          .max(Path::compareTo)
          .orElseThrow();
    } catch (IOException | java.util.NoSuchElementException e) {
      throw new IllegalStateException(
          "PostgreSQL's server programs are missing: run deploy/ensure-postgres.sh", e);
    }
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static List<String> asServerUser(String... command) {
    List<String> full = new ArrayList<>();
    if (isRoot()) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(List.of(command));
    return full;
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(90, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
    }
  }
}
