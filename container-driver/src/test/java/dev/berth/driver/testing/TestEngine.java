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
  private static final DockerClient DOCKER = connect();

  private TestEngine() {}

  /** One driver for the whole test JVM, as a node has one. */
  public static DockerContainerDriver driver() {
    return DRIVER;
  }

  /**
   * A docker-java client of the same engine, independent of the driver, so that assertions read
   * Docker's own view (inspect, top, diff) rather than trust the driver's mapping of it.
   */
  public static DockerClient docker() {
    return DOCKER;
  }

  /** The example image, built by deploy/images/build-example-app.sh before the tests run. */
  public static String exampleImage() {
    String image = System.getenv("BERTH_APP_IMAGE");
    return image == null || image.isBlank() ? "berth/example-app:latest" : image;
  }

  private static DockerClient connect() {
    var config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
    return DockerClientImpl.getInstance(config,
        new ApacheDockerHttpClient.Builder().dockerHost(config.getDockerHost()).build());
  }
}
