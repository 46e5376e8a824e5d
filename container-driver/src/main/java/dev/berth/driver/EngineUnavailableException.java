package dev.berth.driver;

/** No Docker engine answered at the address the driver was given. */
public final class EngineUnavailableException extends ContainerDriverException {
  private static final long serialVersionUID = 1L;

  private final String address;

  public EngineUnavailableException(String address, Throwable cause) {
    super(
        "No Docker engine answers at "
            + address
            + " ("
            + rootMessage(cause)
            + "). Start Docker, or point DOCKER_HOST at a running engine.",
        cause);
    this.address = address;
  }

  public String address() {
    return address;
  }

  private static String rootMessage(Throwable cause) {
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName()
        + (root.getMessage() == null ? "" : ": " + root.getMessage());
  }
}
