package dev.berth.core;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Creates the journal tables if they are missing. Every statement is idempotent, so every node
 * runs it at start-up; akka-persistence-jdbc's own SchemaUtils is test code and not idempotent.
 */
public final class JournalSchema {
  private static final String DB = "akka-persistence-jdbc.shared-databases.berth.db";

  private JournalSchema() {}

  /** @param config a configuration already passed through {@link PersistenceConfig#apply} */
  public static void ensure(Config config) {
    String url = config.getString(DB + ".url");
    String script = PersistenceConfig.isH2(url) ? "schema/h2.sql" : "schema/postgres.sql";
    try (Connection connection = DriverManager.getConnection(
            url, config.getString(DB + ".user"), config.getString(DB + ".password"));
        Statement statement = connection.createStatement()) {
      for (String sql : statements(script)) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create the journal schema at " + url + ": "
          + e.getMessage(), e);
    }
  }

  private static String[] statements(String resource) {
    try (InputStream in = JournalSchema.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .replaceAll("(?m)^--.*$", "");
      return java.util.Arrays.stream(text.split(";"))
          .map(String::strip)
          .filter(s -> !s.isEmpty())
          .toArray(String[]::new);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
