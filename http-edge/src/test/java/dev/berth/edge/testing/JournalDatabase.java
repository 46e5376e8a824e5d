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

/** The H2 journal of a data directory, written to directly: to damage it on purpose. */
public final class JournalDatabase {
  private JournalDatabase() {}

  /** Runs one statement with string parameters and answers how many rows it changed. */
  public static int update(Path dataDir, String sql, String... parameters) throws SQLException {
    Config config = Platform.loadConfig(ConfigFactory.parseMap(Map.of("berth.data-dir", dataDir.toString())));
    String db = "akka-persistence-jdbc.shared-databases.berth.db";
    try (Connection connection = DriverManager.getConnection(PersistenceConfig.jdbcUrl(config),
            config.getString(db + ".user"), config.getString(db + ".password"));
        PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setString(i + 1, parameters[i]);
      }
      return statement.executeUpdate();
    }
  }
}
