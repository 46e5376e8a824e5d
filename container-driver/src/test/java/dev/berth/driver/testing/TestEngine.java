package dev.berth.driver.testing;

import dev.berth.driver.DockerContainerDriver;
import dev.berth.driver.DockerDriverSettings;

/** The real Docker engine the tests run against, and the example image they start. */
public final class TestEngine {
  private static final DockerContainerDriver DRIVER =
      new DockerContainerDriver(DockerDriverSettings.defaults());

  private TestEngine() {}

  /** One driver for the whole test JVM, as a node has one. */
  public static DockerContainerDriver driver() {
    return DRIVER;
  }

  /** The example image, built by deploy/images/build-example-app.sh before the tests run. */
  public static String exampleImage() {
    String image = System.getenv("BERTH_APP_IMAGE");
    return image == null || image.isBlank() ? "berth/example-app:latest" : image;
  }
}
