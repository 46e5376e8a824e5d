package dev.berth.driver.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.driver.StartedContainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** The example app in a container, called over HTTP from this host, where the node is. */
public final class ExampleAppClient {
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  private ExampleAppClient() {}

  public static HttpResponse<String> get(StartedContainer container, String pathAndQuery) {
    return send(HttpRequest.newBuilder(uri(container, pathAndQuery)).timeout(TIMEOUT).GET().build());
  }

  /**
   * {@code GET /api/fetch}: the app fetches {@code url} from inside its container and answers
   * {@code status} if it got an answer, {@code error} if not. Needs {@code EXAMPLE_ALLOW_FETCH=1}.
   */
  public static JsonNode fetchFrom(StartedContainer container, String url) {
    return json(get(container, "/api/fetch?url=" + URLEncoder.encode(url, StandardCharsets.UTF_8)));
  }

  /** {@code POST /api/write}: the app writes a line to {@code path}; answers {@code written}. */
  public static JsonNode writeIn(StartedContainer container, String path) {
    return json(send(HttpRequest.newBuilder(
            uri(container, "/api/write?path=" + URLEncoder.encode(path, StandardCharsets.UTF_8)))
        .timeout(TIMEOUT)
        .POST(HttpRequest.BodyPublishers.noBody())
        .build()));
  }

  private static URI uri(StartedContainer container, String pathAndQuery) {
    return URI.create("http://" + container.authority() + pathAndQuery);
  }

  private static HttpResponse<String> send(HttpRequest request) {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode json(HttpResponse<String> response) {
    if (response.statusCode() != 200) {
      throw new AssertionError("HTTP " + response.statusCode() + ": " + response.body());
    }
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + response.body(), e);
    }
  }
}
