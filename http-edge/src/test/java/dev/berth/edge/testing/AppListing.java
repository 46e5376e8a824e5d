package dev.berth.edge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.driver.testing.Deadline;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code GET /_apps} as a client pages through it, and waiting for it to catch up. */
public final class AppListing {
  private AppListing() {}

  /** The journal offset of the latest event written, as {@code /_audit} pages reach it. */
  public static long journalEnd(String baseUrl) {
    long end = 0;
    JsonNode page;
    do {
      page = Http.getJson(baseUrl + "/_audit?limit=1000&offset=" + end);
      end = page.get("nextOffset").asLong();
    } while (page.get("events").size() > 0);
    return end;
  }

  /** Waits until the listing reflects every event written before this call. */
  public static void awaitCaughtUp(String baseUrl, Duration within) {
    awaitRead(baseUrl, journalEnd(baseUrl), within);
  }

  /** Waits until the listing reflects every event up to the journal offset {@code offset}. */
  public static void awaitRead(String baseUrl, long offset, Duration within) {
    Deadline.within(within).await("the listing reads the journal up to offset " + offset,
        () -> Http.getJson(baseUrl + "/_apps?limit=1").get("journalOffset").asLong() >= offset);
  }

  /**
   * Every app of the listing, in the order given, following {@code nextAfter} from the start.
   *
   * @param query more parameters, such as {@code status=running}, or empty
   */
  public static List<JsonNode> all(String baseUrl, String query, int limit) {
    List<JsonNode> apps = new ArrayList<>();
    String after = null;
    do {
      JsonNode page = Http.getJson(baseUrl + "/_apps?limit=" + limit
          + (query.isEmpty() ? "" : "&" + query)
          + (after == null ? "" : "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8)));
      page.get("apps").forEach(apps::add);
      after = page.get("nextAfter").isNull() ? null : page.get("nextAfter").asText();
    } while (after != null);
    return apps;
  }
}
