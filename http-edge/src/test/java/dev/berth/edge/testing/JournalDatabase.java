package dev.berth.edge.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.berth.core.PersistenceConfig;
import dev.berth.core.Platform;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;

/** The H2 journal of a data directory, written to directly: to fill it fast or damage it on purpose. */
public final class JournalDatabase {
  private JournalDatabase() {}

  /** A connection to the journal of {@code dataDir}, as its node would open it. */
  public static Connection connect(Path dataDir) throws SQLException {
    Config config = Platform.loadConfig(ConfigFactory.parseMap(Map.of("berth.data-dir", dataDir.toString())));
    String db = "akka-persistence-jdbc.shared-databases.berth.db";
    return DriverManager.getConnection(PersistenceConfig.jdbcUrl(config),
        config.getString(db + ".user"), config.getString(db + ".password"));
  }

  /** Runs one statement with string parameters and answers how many rows it changed. */
  public static int update(Path dataDir, String sql, String... parameters) throws SQLException {
    try (Connection connection = connect(dataDir);
        PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setString(i + 1, parameters[i]);
      }
      return statement.executeUpdate();
    }
  }
}
