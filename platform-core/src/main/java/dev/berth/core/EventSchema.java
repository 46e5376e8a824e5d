package dev.berth.core;

import akka.serialization.jackson.JacksonMigration;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The schema version of Berth's events, written into each event's manifest ({@code #2}).
 * Registered for every event class in berth-akka.conf. An event class that changes gets a
 * migration of its own there, with a higher version, whose {@code transform} turns older JSON
 * into the new shape; events stored before versions were written count as version 1.
 *
 * <p>Version 2 added fields that older events lack and read as null: {@code instanceType} of
 * ContainerStarted and {@code evictedFor} of ContainerStopped; and the ConfigChanged event.
 */
public final class EventSchema extends JacksonMigration {
  public static final int VERSION = 2;

  @Override
  public int currentVersion() {
    return VERSION;
  }

  @Override
  public JsonNode transform(int fromVersion, JsonNode json) {
    return json;
  }
}
