package dev.berth.core;

import akka.serialization.Serialization;
import com.typesafe.config.Config;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the journal database directly, with no node running: every app's events and latest
 * snapshot, decoded by the same serializers the entity wrote them with. With H2 it can read while
 * nodes run, through H2's shared server mode.
 */
public final class JournalReader implements AutoCloseable {
  private static final String DB = "akka-persistence-jdbc.shared-databases.berth.db";
  private static final String PREFIX = AppEntity.ENTITY_KEY.name() + "|";

  private final Connection connection;
  private final Serialization serialization;

  /** @param config a configuration already passed through {@link PersistenceConfig#apply} */
  public JournalReader(Config config, Serialization serialization) throws SQLException {
    this.connection = DriverManager.getConnection(config.getString(DB + ".url"),
        config.getString(DB + ".user"), config.getString(DB + ".password"));
    this.serialization = serialization;
  }

  public record StoredEvent(String appId, long sequenceNr, long writtenAt, AppEntity.Event event) {}

  public record StoredSnapshot(long sequenceNr, AppEntity.State state) {}

  /** Every app with at least one event, in name order. */
  public List<String> appIds() throws SQLException {
    List<String> appIds = new ArrayList<>();
    try (PreparedStatement query = connection.prepareStatement(
            "SELECT DISTINCT \"persistence_id\" FROM \"event_journal\" WHERE \"persistence_id\" LIKE ?"
                + " ORDER BY \"persistence_id\"")) {
      query.setString(1, PREFIX + "%");
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          appIds.add(rows.getString(1).substring(PREFIX.length()));
        }
      }
    }
    return appIds;
  }

  /** The app's events in sequence order. */
  public List<StoredEvent> events(String appId) throws SQLException {
    List<StoredEvent> events = new ArrayList<>();
    try (PreparedStatement query = connection.prepareStatement(
            "SELECT \"sequence_number\", \"write_timestamp\", \"event_ser_id\", \"event_ser_manifest\","
                + " \"event_payload\" FROM \"event_journal\" WHERE \"persistence_id\" = ?"
                + " AND \"deleted\" = FALSE ORDER BY \"sequence_number\"")) {
      query.setString(1, PREFIX + appId);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          Object event = serialization.deserialize(rows.getBytes(5), rows.getInt(3), rows.getString(4)).get();
          events.add(new StoredEvent(appId, rows.getLong(1), rows.getLong(2), (AppEntity.Event) event));
        }
      }
    }
    return events;
  }

  /** The app's latest snapshot, if the entity has taken one. */
  public Optional<StoredSnapshot> latestSnapshot(String appId) throws SQLException {
    try (PreparedStatement query = connection.prepareStatement(
            "SELECT \"sequence_number\", \"snapshot_ser_id\", \"snapshot_ser_manifest\", \"snapshot_payload\""
                + " FROM \"snapshot\" WHERE \"persistence_id\" = ? ORDER BY \"sequence_number\" DESC")) {
      query.setString(1, PREFIX + appId);
      query.setMaxRows(1);
      try (ResultSet rows = query.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        Object state = serialization.deserialize(rows.getBytes(4), rows.getInt(2), rows.getString(3)).get();
        return Optional.of(new StoredSnapshot(rows.getLong(1), (AppEntity.State) state));
      }
    }
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
