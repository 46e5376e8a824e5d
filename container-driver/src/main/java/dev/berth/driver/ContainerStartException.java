package dev.berth.driver;

/** The engine refused to create or start an app's container, for example a missing image. */
public final class ContainerStartException extends ContainerDriverException {
  private static final long serialVersionUID = 1L;

  public ContainerStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
