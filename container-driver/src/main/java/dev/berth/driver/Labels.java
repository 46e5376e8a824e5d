package dev.berth.driver;

import java.util.Locale;

/** The labels and names by which Berth finds its containers again after a restart. */
public final class Labels {
  public static final String MANAGED = "berth.managed";
  public static final String APP_ID = "berth.app-id";
  public static final String NODE = "berth.node";
  /**
   * The port the app listens on inside the container: how the node reaches a container on the
   * internal network, where Docker publishes nothing.
   */
  public static final String APP_PORT = "berth.app-port";

  private static final String NAME_PREFIX = "berth-";

  private Labels() {}

  /** The one name an app's container has, so a second create for the same app conflicts. */
  public static String containerName(String appId) {
    return NAME_PREFIX + appId.toLowerCase(Locale.ROOT);
  }
}
