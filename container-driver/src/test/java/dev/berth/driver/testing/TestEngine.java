package dev.berth.driver.testing;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.berth.driver.DockerContainerDriver;
import dev.berth.driver.DockerDriverSettings;

/** The real Docker engine the tests run against, and the example image they start. */
public final class TestEngine {
  private static final DockerContainerDriver DRIVER =
      new DockerContainerDriver(DockerDriverSettings.defaults());

  private static DockerClient engine;

  private TestEngine() {}

  /**
   * A second, independent view of the engine, so that assertions about containers do not trust
   * the driver's own mapping. One for the whole test JVM, closed with it.
   */
  public static synchronized DockerClient engine() {
    if (engine == null) {
      var config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
      engine = DockerClientImpl.getInstance(config,
          new ApacheDockerHttpClient.Builder().dockerHost(config.getDockerHost()).build());
    }
    return engine;
  }

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
