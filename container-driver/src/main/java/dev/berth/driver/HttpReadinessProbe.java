package dev.berth.driver;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Waits until a container's app answers HTTP. A TCP connect is no proof: Docker's proxy accepts
 * on the published port before the app listens. Any status below 500 counts as ready.
 *
 * <p>Polls fast at first, since a small app is often ready within a few hundred milliseconds of
 * its start, then backs off so a slow one is not hammered.
 */
final class HttpReadinessProbe {
  private static final Duration FIRST_PAUSE = Duration.ofMillis(5);
  private static final Duration LONGEST_PAUSE = Duration.ofMillis(100);
  private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(2);
  /** How often, at most, the engine is asked whether the container still runs. */
  private static final Duration STATE_CHECK_INTERVAL = Duration.ofMillis(100);

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(ATTEMPT_TIMEOUT)
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  void await(
      StartedContainer container,
      String probePath,
      Duration deadline,
      Supplier<Optional<ContainerInfo>> inspect,
      Supplier<List<String>> logTail) {
    String path = probePath.startsWith("/") ? probePath : "/" + probePath;
    URI uri = URI.create("http://" + container.authority() + path);
    long startNanos = System.nanoTime();
    long deadlineNanos = startNanos + deadline.toNanos();
    long lastStateCheck = startNanos - STATE_CHECK_INTERVAL.toNanos();
    long pauseNanos = FIRST_PAUSE.toNanos();
    String lastResult = "not tried";
    while (true) {
      long remaining = deadlineNanos - System.nanoTime();
      if (remaining <= 0) {
        throw ContainerNotReadyException.deadlinePassed(
            container.name(), uri.toString(), deadline.toMillis(), lastResult, logTail.get());
      }
      try {
        HttpResponse<Void> response = http.send(
            HttpRequest.newBuilder(uri)
                .timeout(Duration.ofNanos(Math.min(remaining, ATTEMPT_TIMEOUT.toNanos())))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() < 500) {
          return;
        }
        lastResult = "HTTP " + response.statusCode();
      } catch (IOException e) {
        lastResult = e.getClass().getSimpleName()
            + (e.getMessage() == null ? "" : ": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ContainerDriverException("interrupted while waiting for " + container.name(), e);
      }
      long now = System.nanoTime();
      if (now - lastStateCheck >= STATE_CHECK_INTERVAL.toNanos()) {
        lastStateCheck = now;
        ContainerInfo info = inspect.get()
            .orElseThrow(() -> ContainerNotReadyException.vanished(container.name()));
        if (!info.running()) {
          throw ContainerNotReadyException.exited(
              container.name(), info.exitCode(), info.oomKilled(), logTail.get());
        }
      }
      LockSupport.parkNanos(Math.min(pauseNanos, Math.max(0, deadlineNanos - System.nanoTime())));
      pauseNanos = Math.min(pauseNanos * 2, LONGEST_PAUSE.toNanos());
    }
  }
}
