package dev.berth.core;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;

/**
 * Turns {@code berth.persistence} into the settings akka-persistence-jdbc reads. Must be applied
 * before the actor system starts, since the plugins read their settings once.
 */
public final class PersistenceConfig {
  private static final String DB = "akka-persistence-jdbc.shared-databases.berth";

  private PersistenceConfig() {}

  /** The journal's JDBC URL: the configured one, or the H2 file under the data directory. */
  public static String jdbcUrl(Config config) {
    String configured = config.getString("berth.persistence.jdbc-url");
    if (!configured.isBlank()) {
      return configured;
    }
    Path dataDir = Path.of(config.getString("berth.data-dir")).toAbsolutePath().normalize();
    // AUTO_SERVER lets the other nodes on this host open the same file while this one has it.
    // WRITE_DELAY=0: H2 otherwise writes commits up to half a second later, and a node killed
    // within that time loses events it has already acknowledged.
    return "jdbc:h2:file:" + dataDir.resolve("journal") + ";AUTO_SERVER=TRUE;WRITE_DELAY=0";
  }

  public static boolean isH2(String jdbcUrl) {
    return jdbcUrl.startsWith("jdbc:h2:");
  }

  /** {@code config} with the journal database filled in from {@code berth.persistence}. */
  public static Config apply(Config config) {
    String url = jdbcUrl(config);
    String password = config.getString("berth.persistence.password");
    String profile = "slick.jdbc.H2Profile$";
    String driver = "org.h2.Driver";
    if (url.startsWith("jdbc:postgresql:")) {
      profile = "slick.jdbc.PostgresProfile$";
      driver = "org.postgresql.Driver";
    } else if (isH2(url) && password.isEmpty()) {
      password = localH2Password(config);
    } else if (!isH2(url)) {
      throw new IllegalArgumentException(
          "berth.persistence.jdbc-url must be an H2 or PostgreSQL URL, was " + url);
    }
    return ConfigFactory.parseMap(Map.of(
            DB + ".profile", profile,
            DB + ".db.url", url,
            DB + ".db.driver", driver,
            DB + ".db.user", config.getString("berth.persistence.user"),
            DB + ".db.password", password))
        .withFallback(config);
  }

  /**
   * An H2 file shared through AUTO_SERVER listens on a TCP port, so it gets a password: one made
   * at random on first use and kept, readable by the owner only, in the data directory.
   */
  private static String localH2Password(Config config) {
    Path dataDir = Path.of(config.getString("berth.data-dir")).toAbsolutePath().normalize();
    Path file = dataDir.resolve("journal.password");
    try {
      Files.createDirectories(dataDir);
      if (!Files.exists(file)) {
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        Path fresh = Files.createTempFile(dataDir, "journal.password", ".new",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(fresh, HexFormat.of().formatHex(secret));
        try {
          Files.move(fresh, file);
        } catch (java.nio.file.FileAlreadyExistsException anotherNodeWroteItFirst) {
          Files.delete(fresh);
        }
      }
      return Files.readString(file).trim();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the journal password in " + file, e);
    }
  }
}
