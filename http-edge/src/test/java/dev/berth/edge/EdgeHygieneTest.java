package dev.berth.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.driver.Labels;
import dev.berth.driver.testing.ContainerCleanup;
import dev.berth.driver.testing.TestEngine;
import dev.berth.edge.testing.Http;
import dev.berth.edge.testing.RawHttp;
import dev.berth.edge.testing.SharedNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue #8, point 3, through a real node over real sockets: paths with more than one reading,
 * broken framing and oversized heads, the body limit, and who may say whom a request is for.
 */
class EdgeHygieneTest {
  private static final String BASE_DOMAIN = "apps.hygiene.test";
  /** The test's "proxy" connects from 127.0.0.2; Linux routes all of 127.0.0.0/8 to loopback. */
  private static final String TRUSTED_PROXIES = "127.0.0.2/31";
  private static final int MAX_BODY = 1024 * 1024;

  @RegisterExtension static final ContainerCleanup cleanup = new ContainerCleanup();
  @RegisterExtension
  static final SharedNode node = new SharedNode(cleanup, Map.of(
      "berth.edge.base-domain", BASE_DOMAIN,
      "berth.edge.trusted-proxies", TRUSTED_PROXIES,
      "berth.edge.max-body-size", "1m"));

  private static String authority() {
    return URI.create(node.baseUrl()).getAuthority();
  }

  private static boolean hasContainer(String appId) {
    return !TestEngine.driver().list(Map.of(Labels.APP_ID, appId)).isEmpty();
  }

  private static RawHttp.Response get(String target, String... headerLines) {
    StringBuilder request = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: " + authority() + "\r\n");
    for (String header : headerLines) {
      request.append(header).append("\r\n");
    }
    return RawHttp.exchange(node.baseUrl(), request.append("\r\n").toString());
  }

  private static void assertJsonError(int status, String code, RawHttp.Response response) {
    assertEquals(status, response.status(), response.text());
    assertTrue(response.contentType().startsWith("application/json"), response.contentType());
    assertEquals(code, response.json().get("error").asText(), response.text());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "/app/{a}/../{b}/api/echo",
      "/app/{a}/%2e%2e/{b}/api/echo",
      "/app/{a}/%2E./{b}/api/echo",
      "/app/{a}/.%2e",
      "/app/{a}/api/./echo",
      "/app/{a}/x/../_status",
      "/app/{a}/x/%2e%2e/_metadata",
      "/app/{a}/api%2Fecho",
      "/app/{a}%2F..%2F{b}/api/echo",
      "/app/{a}/api%5cecho",
      "/app/{a}//api/echo",
      "//app/{a}/api/echo",
      "/app//{a}/api/echo",
      "/app/{a}/api/echo%00",
      "/app/{a}/api/%0d%0aX-Injected:%20yes",
      "/x/../_audit",
      "/api/../echo?appId={a}",
      "http://{authority}/app/{a}/../{b}/api/echo"})
  void aPathWithMoreThanOneReadingReachesNoAppAndNoEndpoint(String template) {
    String a = cleanup.freshAppId("path-a");
    String b = cleanup.freshAppId("path-b");
    String target = template.replace("{a}", a).replace("{b}", b).replace("{authority}", authority());

    // Akka puts the target as received in this header; one sent by the client must not pass
    // for it.
    RawHttp.Response response = get(target, "Raw-Request-URI: /app/" + b + "/api/echo");

    assertJsonError(400, "bad_path", response);
    assertFalse(hasContainer(a), "no container for " + a);
    assertFalse(hasContainer(b), "no container for " + b);
  }

  @Test
  void aPathThatOnlyLooksOddReachesItsApp() {
    String appId = cleanup.freshAppId("odd");

    RawHttp.Response echo = get("/app/" + appId + "/api/echo?next=../..%2F_status&x=a..b");

    assertEquals(200, echo.status(), echo.text());
    assertEquals("/api/echo", echo.json().get("path").asText());
    assertEquals("next=../..%2F_status&x=a..b", echo.json().get("query").asText());
  }

  @Test
  void anEncodedUnderscoreIsAnUnderscoreSoTheEndpointAnswersAndNotTheApp() {
    String appId = cleanup.freshAppId("underscore");

    RawHttp.Response status = get("/app/" + appId + "/%5Fstatus");

    assertEquals(200, status.status(), status.text());
    assertEquals("not_started", status.json().get("status").asText());
    assertFalse(hasContainer(appId));
  }

  @Test
  void aQueryThatNamesTwoAppsIsRefused() {
    String a = cleanup.freshAppId("query-a");
    String b = cleanup.freshAppId("query-b");

    RawHttp.Response response = get("/api/echo?appId=" + a + "&appId=" + b);

    assertJsonError(400, "invalid_app_id", response);
    assertFalse(hasContainer(a));
    assertFalse(hasContainer(b));
  }

  @Test
  void anAbsoluteTargetNamesTheAppOnlyWhenTheHostAgrees() {
    String a = cleanup.freshAppId("abs-a");
    String b = cleanup.freshAppId("abs-b");

    RawHttp.Response disagreeing = RawHttp.exchange(node.baseUrl(),
        "GET http://" + b + "." + BASE_DOMAIN + "/api/echo HTTP/1.1\r\n"
            + "Host: " + a + "." + BASE_DOMAIN + "\r\n\r\n");
    assertJsonError(400, "bad_request", disagreeing);
    assertFalse(hasContainer(a));
    assertFalse(hasContainer(b));

    RawHttp.Response agreeing = RawHttp.exchange(node.baseUrl(),
        "GET http://" + b + "." + BASE_DOMAIN + "/api/echo HTTP/1.1\r\n"
            + "Host: " + b + "." + BASE_DOMAIN + "\r\n\r\n");
    assertEquals(200, agreeing.status(), agreeing.text());
    assertEquals(b, agreeing.json().get("appId").asText());
    assertFalse(hasContainer(a));
  }

  /** A request Akka HTTP refuses before any route sees it, and the answer it must get. */
  record Malformed(String name, String head, int status, String code) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Malformed> malformedHeads() {
    String app = "POST /app/" + cleanup.freshAppId("framing") + "/api/echo HTTP/1.1\r\nHost: h\r\n";
    return Stream.of(
        new Malformed("Content-Length with chunked",
            app + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            400, "bad_request"),
        new Malformed("two Content-Lengths",
            app + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400, "bad_request"),
        new Malformed("Transfer-Encoding other than chunked",
            app + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 400, "bad_request"),
        new Malformed("a negative Content-Length",
            app + "Content-Length: -1\r\n\r\n", 400, "bad_request"),
        new Malformed("a header value of 9000 bytes",
            app + "X-Big: " + "v".repeat(9000) + "\r\n\r\n", 431, "request_header_fields_too_large"),
        new Malformed("a header name of 100 bytes",
            app + "X-" + "n".repeat(100) + ": v\r\n\r\n", 431, "request_header_fields_too_large"),
        new Malformed("100 headers",
            app + "X-Many: v\r\n".repeat(100) + "\r\n", 400, "bad_request"),
        new Malformed("a request target of 9000 bytes",
            "GET /app/x/" + "a".repeat(9000) + " HTTP/1.1\r\nHost: h\r\n\r\n", 414, "uri_too_long"),
        new Malformed("a control character in a header",
            app + "X-Nul: a\u0000b\r\n\r\n", 400, "bad_request"),
        new Malformed("no Host", "GET / HTTP/1.1\r\n\r\n", 400, "bad_request"),
        new Malformed("a header without a name", app + ": v\r\nContent-Length: 0\r\n\r\n",
            400, "bad_request"),
        // Akka HTTP takes the line end after a UTF-8 lead byte into the value, and so the next
        // header line too: the app would not see the X-Hidden that a proxy in front saw.
        new Malformed("a header value ending in a UTF-8 lead byte",
            app + "X-Lead: a\u00e9\r\nX-Hidden: y\r\nContent-Length: 0\r\n\r\n", 400, "bad_request"),
        new Malformed("an unknown method", "BREW /app/x/ HTTP/1.1\r\nHost: h\r\n\r\n",
            501, "not_implemented"));
  }

  @ParameterizedTest
  @MethodSource("malformedHeads")
  void aMalformedRequestGetsAJsonErrorAndStartsNothing(Malformed malformed) {
    RawHttp.Response response = RawHttp.exchange(node.baseUrl(), malformed.head());

    assertJsonError(malformed.status(), malformed.code(), response);
    assertTrue(TestEngine.driver().list(Map.of(Labels.NODE, cleanup.nodeId())).isEmpty());
  }

  @Test
  void aMalformedChunkIsTheClientsErrorNotTheApps() {
    String appId = cleanup.freshAppId("chunk");
    RawHttp.Response response = RawHttp.exchange(node.baseUrl(),
        "POST /app/" + appId + "/api/echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "zz\r\nhello\r\n0\r\n\r\n");

    assertJsonError(400, "bad_request", response);
    assertEquals(appId, response.json().get("appId").asText());
  }

  @Test
  void aBodyUnderTheLimitGoesThroughWhole() throws Exception {
    byte[] body = new byte[MAX_BODY - 1024];
    new Random(7).nextBytes(body);

    HttpResponse<String> response = Http.send(HttpRequest.newBuilder(
            URI.create(node.app(cleanup.freshAppId("under"), "/api/echo")))
        .timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build());

    assertEquals(200, response.statusCode(), response.body());
    JsonNode echo = Http.json(response);
    assertEquals(body.length, echo.get("bodyBytes").asLong());
    assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)),
        echo.get("bodySha256").asText());
  }

  @Test
  void aBodyDeclaredOverTheLimitIsRefusedBeforeTheAppStarts() {
    String appId = cleanup.freshAppId("over");

    // The head alone: the answer must come without the body being read.
    RawHttp.Response response = RawHttp.exchange(node.baseUrl(),
        "POST /app/" + appId + "/api/echo HTTP/1.1\r\nHost: h\r\nContent-Length: " + (2 * MAX_BODY)
            + "\r\n\r\n");

    assertJsonError(413, "payload_too_large", response);
    assertFalse(hasContainer(appId));
  }

  @Test
  void aChunkedBodyThatGrowsOverTheLimitIsRefused() throws IOException {
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    request.writeBytes(("POST /app/" + cleanup.freshAppId("over-chunked") + "/api/echo HTTP/1.1\r\n"
        + "Host: h\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    byte[] chunk = new byte[64 * 1024];
    for (int sent = 0; sent <= MAX_BODY; sent += chunk.length) {
      request.writeBytes((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      request.writeBytes(chunk);
      request.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }
    request.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));

    RawHttp.Response response = RawHttp.exchange(node.baseUrl(), request.toByteArray(), null);

    assertJsonError(413, "payload_too_large", response);
  }

  @Test
  void anUntrustedClientCannotSayWhomItForwardsFor() {
    String appId = cleanup.freshAppId("untrusted");
    String[] claims = {"X-Forwarded-For: 203.0.113.7", "X-Forwarded-Proto: https",
        "X-Forwarded-Host: example.org", "Forwarded: for=203.0.113.7;proto=https"};

    JsonNode headers = get("/app/" + appId + "/api/echo", claims).json().get("headers");
    assertEquals("127.0.0.1", headers.get("x-forwarded-for").asText());
    assertEquals("http", headers.get("x-forwarded-proto").asText());
    assertEquals(authority(), headers.get("x-forwarded-host").asText());
    assertFalse(headers.has("forwarded"), headers.toString());

    RawHttp.Response absolute = get("https://" + authority() + "/app/" + appId + "/api/echo");
    assertEquals("http", absolute.json().get("headers").get("x-forwarded-proto").asText(),
        "the edge listens on plain HTTP, whatever scheme the target names");

    assertEquals("127.0.0.1", metadataSetBy(appId, null, claims[0]));
  }

  @Test
  void aTrustedProxyPassesItsClientOnWithItsOwnAddressAppended() throws Exception {
    String appId = cleanup.freshAppId("trusted");
    InetAddress proxy = InetAddress.getByName("127.0.0.2");
    // The client, then a second proxy of ours (127.0.0.3 is in 127.0.0.2/31) that passed it on.
    String forwardedFor = "X-Forwarded-For: 203.0.113.7, 127.0.0.3";
    String request = "GET /app/" + appId + "/api/echo HTTP/1.1\r\nHost: " + authority() + "\r\n"
        + forwardedFor + "\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: example.org\r\n"
        + "Forwarded: for=203.0.113.7;proto=https\r\n\r\n";

    JsonNode headers = RawHttp.exchange(node.baseUrl(), request.getBytes(StandardCharsets.ISO_8859_1), proxy)
        .json().get("headers");

    assertEquals("203.0.113.7, 127.0.0.3, 127.0.0.2", headers.get("x-forwarded-for").asText());
    assertEquals("https", headers.get("x-forwarded-proto").asText());
    assertEquals("example.org", headers.get("x-forwarded-host").asText());
    assertEquals("for=203.0.113.7;proto=https, for=127.0.0.2", headers.get("forwarded").asText());
    // Management is for loopback clients when no admin token is set: the client counts, not the
    // proxy in front of it, so a client on this host through the proxies is one of them ...
    assertEquals("127.0.0.9", metadataSetBy(appId, proxy, "X-Forwarded-For: 127.0.0.9, 127.0.0.3"),
        "events record the client, not the proxies");
    // ... and the client from elsewhere is not.
    RawHttp.Response remote = RawHttp.exchange(node.baseUrl(), ("POST /app/" + appId + "/_restart HTTP/1.1\r\n"
        + "Host: " + authority() + "\r\n" + forwardedFor + "\r\nContent-Length: 0\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1), proxy);
    assertEquals(403, remote.status(), remote.text());
    // A trusted proxy that names no client is no client from this host either.
    RawHttp.Response unnamed = RawHttp.exchange(node.baseUrl(), ("POST /app/" + appId + "/_restart HTTP/1.1\r\n"
        + "Host: " + authority() + "\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1), proxy);
    assertEquals(403, unnamed.status(), unnamed.text());
  }

  /** Sets metadata from {@code from} with {@code header}, and answers who the event says asked. */
  private static String metadataSetBy(String appId, InetAddress from, String header) {
    String body = "{\"owner\":\"team-a\"}";
    RawHttp.Response set = RawHttp.exchange(node.baseUrl(), ("POST /app/" + appId + "/_metadata HTTP/1.1\r\n"
        + "Host: " + authority() + "\r\n" + header + "\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.ISO_8859_1), from);
    assertEquals(200, set.status(), set.text());
    JsonNode events = Http.getJson(node.app(appId, "/_events")).get("events");
    for (JsonNode event : events) {
      if (event.get("type").asText().equals("MetadataSet")) {
        return event.get("event").get("requestedBy").asText();
      }
    }
    throw new AssertionError("no MetadataSet event in " + events);
  }
}
