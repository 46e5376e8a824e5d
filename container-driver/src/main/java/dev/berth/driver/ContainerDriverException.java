package dev.berth.driver;

/** Something the engine or a container did kept an operation from completing. */
public class ContainerDriverException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ContainerDriverException(String message) {
    super(message);
  }

  public ContainerDriverException(String message, Throwable cause) {
    super(message, cause);
  }
}
