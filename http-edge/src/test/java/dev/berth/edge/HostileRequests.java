package dev.berth.edge;

import dev.berth.core.AppId;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * Generates malformed, random and truncated HTTP/1.1 exchanges for {@link HostileInputTest}.
 * Exchange {@code i} depends only on the seed and {@code i}, so any one of them can be made again.
 *
 * <p>Valid app ids come only from the two fixed lists; every other app id generated is invalid
 * however the edge decodes it (percent-decoding, lower-casing a host), so that a container for
 * anything else is a failure of the edge and not of the generator.
 */
final class HostileRequests {
  /** Whether the edge owes an answer to each request of an exchange. */
  enum Answer {
    /** Complete requests: each must be answered. */
    REQUIRED,
    /** Bytes that may or may not form a complete request: an answer is read if one comes. */
    OPTIONAL,
    /** Cut off part way, or abandoned: the connection is closed right after sending. */
    NONE
  }

  /** One request's bytes; a HEAD's answer has no body whatever its Content-Length says. */
  record Sent(byte[] bytes, boolean head) {}

  /** What one connection sends. */
  record Exchange(int index, String kind, List<Sent> requests, Answer answer) {
    /** The first request, printable, for failure messages. */
    String excerpt() {
      String text = new String(requests.get(0).bytes(), StandardCharsets.ISO_8859_1);
      String shown = text.length() > 300 ? text.substring(0, 300) + "...(" + text.length() + " bytes)" : text;
      return shown.replace("\r", "\\r").replace("\n", "\\n");
    }
  }

  private static final String[] METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"};
  private static final String[] APP_PATHS = {"/api/echo", "/", "/health", "/api/data", "/api/echo/x", "/nothing/here"};
  private static final String[] ENDPOINTS = {"_status", "_metadata", "_config", "_events", "_nothing", "_STATUS", "_"};
  private static final String[] WEIRD_STRINGS = {"", " ", "\u0000", "\u00e9t\u00e9", "\u540d\u524d", "\ud83d\ude80",
      "\u202eevil", "a\u200bb", "\ud800", "<script>alert(1)</script>", "'; DROP TABLE journal; --",
      "${jndi:ldap://x/a}", "\\\"", "%00", "../../etc/passwd", "\r\nX-Injected: 1"};
  private static final String[] UNSAFE_PATH_PIECES = {"..", "%2e%2e", "%2E.", ".", "%2e", "a%2Fb", "a%2fb", "a%5Cb",
      "a\\b", "", "%00", "%0a", "%0D%0A", "%7f", "%1b", "%zz", "%", "%2", "\u00e9", "a b", "a\tb", "#frag",
      "%252e%252e", "a..b", "...", ";x=1", "%C0%AE%C0%AE"};
  private static final String[] VALID_CONFIGS = {"{}", "{\"instanceType\":\"small\"}", "{\"sleepAfter\":\"5m\"}",
      "{\"env\":{\"HOSTILE\":\"\u00e9t\u00e9 \ud83d\ude80\"}}", "{\"secrets\":{\"TOKEN\":\"s3cr3t\"}}",
      "{\"secrets\":{\"TOKEN\":null}}"};

  private final long seed;
  private final List<String> proxiedApps;
  private final List<String> managedApps;
  private final String authority;
  private final String baseDomain;

  /**
   * @param proxiedApps valid apps that get the traffic meant for containers
   * @param managedApps valid apps that get management calls only, restarts and deletes included,
   *     so that those never cut off a request in flight to the others
   * @param authority the node's host and port, for Host headers
   * @param baseDomain the node's base domain, for host routing
   */
  HostileRequests(long seed, List<String> proxiedApps, List<String> managedApps, String authority,
      String baseDomain) {
    this.seed = seed;
    this.proxiedApps = proxiedApps;
    this.managedApps = managedApps;
    this.authority = authority;
    this.baseDomain = baseDomain;
  }

  Exchange exchange(int index) {
    Random random = new Random(seed * 1_000_003L + index);
    int roll = random.nextInt(100);
    if (roll < 20) {
      return validKeepAlive(index, random);
    } else if (roll < 32) {
      return new Exchange(index, "invalid appId", List.of(invalidAppIdRequest(random)), Answer.REQUIRED);
    } else if (roll < 44) {
      return new Exchange(index, "unsafe path", List.of(unsafePathRequest(random)), Answer.REQUIRED);
    } else if (roll < 50) {
      return new Exchange(index, "method", List.of(oddMethodRequest(random)), Answer.REQUIRED);
    } else if (roll < 61) {
      return new Exchange(index, "headers", List.of(badHeadersRequest(random)), Answer.REQUIRED);
    } else if (roll < 62) {
      return new Exchange(index, "Akka leniency", List.of(akkaLeniency(random)), Answer.OPTIONAL);
    } else if (roll < 70) {
      return new Exchange(index, "framing", List.of(badFramingRequest(random)), Answer.REQUIRED);
    } else if (roll < 76) {
      return new Exchange(index, "truncated framing", List.of(truncatedBodyRequest(random)), Answer.NONE);
    } else if (roll < 90) {
      return new Exchange(index, "management", List.of(managementRequest(random)), Answer.REQUIRED);
    } else if (roll < 94) {
      return new Exchange(index, "garbage", List.of(new Sent(garbage(random), false)), Answer.OPTIONAL);
    } else {
      return cutOff(index, random);
    }
  }

  // ---- well-formed traffic to the proxied apps, one to four requests on one connection ----

  private Exchange validKeepAlive(int index, Random random) {
    int count = 1 + random.nextInt(4);
    List<Sent> requests = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      requests.add(validRequest(random, i == count - 1 && random.nextBoolean()));
    }
    return new Exchange(index, "valid", requests, Answer.REQUIRED);
  }

  private Sent validRequest(Random random, boolean close) {
    String method = pick(random, METHODS);
    String rest = method.equals("DELETE") ? "/api/echo" : pick(random, APP_PATHS);
    String app = pick(random, proxiedApps);
    String query = random.nextBoolean() ? "" : "?" + randomQuery(random);
    List<String> headers = new ArrayList<>();
    String target;
    switch (random.nextInt(3)) {
      case 0 -> {
        target = "/app/" + app + rest + query;
        headers.add("Host: " + authority);
      }
      case 1 -> {
        target = rest + (query.isEmpty() ? "?appId=" + app : query + "&appId=" + app);
        headers.add("Host: " + authority);
      }
      default -> {
        target = rest + query;
        headers.add("Host: " + app + "." + baseDomain);
      }
    }
    for (int i = random.nextInt(8); i > 0; i--) {
      headers.add("X-Random-" + token(random, 1 + random.nextInt(12)) + ": " + visible(random, random.nextInt(60)));
    }
    if (close) {
      headers.add("Connection: close");
    }
    byte[] body = Set.of("POST", "PUT", "PATCH").contains(method) ? randomBody(random) : new byte[0];
    return new Sent(random.nextInt(4) == 0 && body.length > 0
        ? chunked(method, target, headers, body, random)
        : request(method, target, headers, body), method.equals("HEAD"));
  }

  // ---- app ids that must never become a container ----

  private Sent invalidAppIdRequest(Random random) {
    String id = invalidAppId(random);
    String method = random.nextInt(4) == 0 ? "DELETE" : pick(random, METHODS);
    String rest = pick(random, APP_PATHS);
    return switch (random.nextInt(4)) {
      case 0 -> new Sent(request(method, "/app/" + encode(id, random) + rest, host(), new byte[0]), method.equals("HEAD"));
      // Raw, as the client typed it; a '/', '?', '#' or '%' would split or decode it into another id.
      case 1 -> new Sent(request(method, "/app/" + (id.chars().anyMatch(c -> "/?#%".indexOf(c) >= 0) ? encode(id, random) : utf8AsLatin1(id))
          + rest, host(), new byte[0]), method.equals("HEAD"));
      case 2 -> new Sent(request(method, rest + "?appId=" + encode(id, random), host(), new byte[0]), method.equals("HEAD"));
      default -> new Sent(request(method, rest,
          List.of("Host: " + utf8AsLatin1(id) + "." + baseDomain), new byte[0]), method.equals("HEAD"));
    };
  }

  private String invalidAppId(Random random) {
    String id = switch (random.nextInt(9)) {
      case 0 -> token(random, 1 + random.nextInt(10)) + "A" + token(random, random.nextInt(5));
      case 1 -> token(random, 2) + pick(random, new String[] {"_", ".", "~", "+", "!", "*", "'", "(", ":", "@", "$"})
          + token(random, 2);
      case 2 -> "x".repeat(64 + random.nextInt(200));
      case 3 -> random.nextBoolean() ? "-" + token(random, 5) : token(random, 5) + "-";
      case 4 -> pick(random, new String[] {"\u00e9t\u00e9", "\u540d\u524d", "\ud83d\ude80", "\u0430pp", "a\u200bb",
          "\uff41\uff42"});
      case 5 -> pick(random, new String[] {"..", ".", "...", "a..b", ".hidden"});
      case 6 -> token(random, 3) + pick(random, new String[] {"\u0000", "\n", "\r", "\t", " ", "\u007f"}) + token(random, 3);
      case 7 -> "";
      default -> visible(random, 1 + random.nextInt(30));
    };
    // Hosts are lower-cased before they are read as an app id, so check that reading too.
    return AppId.isValid(id) || AppId.isValid(id.toLowerCase(Locale.ROOT)) ? id + "_" : id;
  }

  // ---- paths with more than one reading ----

  private Sent unsafePathRequest(Random random) {
    StringBuilder path = new StringBuilder(random.nextInt(6) == 0 ? "" : "/app/" + pick(random, proxiedApps));
    for (int i = 1 + random.nextInt(4); i > 0; i--) {
      path.append('/').append(random.nextBoolean() ? pick(random, UNSAFE_PATH_PIECES) : token(random, 4));
    }
    path.append(random.nextBoolean() ? "/api/echo" : "/_status");
    String target = switch (random.nextInt(6)) {
      case 0 -> "http://" + authority + path;
      case 1 -> path + "/" + "a".repeat(8 * 1024 + random.nextInt(4096));
      case 2 -> "/" + pick(random, UNSAFE_PATH_PIECES) + "/_audit";
      default -> path.toString();
    };
    return new Sent(request("GET", utf8AsLatin1(target), host(), new byte[0]), false);
  }

  // ---- methods no route knows ----

  private Sent oddMethodRequest(Random random) {
    String target = "/app/" + pick(random, proxiedApps) + "/api/echo";
    return new Sent(switch (random.nextInt(8)) {
      case 0 -> request(pick(random, new String[] {"FOO", "PROPFIND", "M-SEARCH", "BREW", "LINK"}), target, host(), new byte[0]);
      case 1 -> request(pick(random, new String[] {"get", "Get", "GETT", "POSTT", "G\u0000T", "GET\u0001"}), target, host(), new byte[0]);
      case 2 -> request(token(random, 17 + random.nextInt(40)).toUpperCase(Locale.ROOT), target, host(), new byte[0]);
      case 3 -> request("", target, host(), new byte[0]);
      case 4 -> latin1("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
      case 5 -> request("CONNECT", "example.org:443", List.of("Host: example.org:443"), new byte[0]);
      case 6 -> request("TRACE", target, host(), latin1("body"));
      default -> request("OPTIONS", "*", host(), new byte[0]);
    }, false);
  }

  // ---- heads too large or broken ----

  private Sent badHeadersRequest(Random random) {
    List<String> headers = new ArrayList<>(host());
    String target = random.nextBoolean()
        ? "/app/" + pick(random, proxiedApps) + "/api/echo"
        : "/app/" + pick(random, managedApps) + "/_status";
    switch (random.nextInt(16)) {
      case 0 -> {
        for (int i = 65 + random.nextInt(300); i > 0; i--) {
          headers.add("X-Flood-" + i + ": " + token(random, 4));
        }
      }
      case 1 -> headers.add("X-Huge: " + "v".repeat(8 * 1024 + 1 + random.nextInt(20_000)));
      case 2 -> headers.add("X-" + "n".repeat(65 + random.nextInt(200)) + ": v");
      case 3 -> headers.add(pick(random, new String[] {"X Bad", "X(Bad)", "X\u00e9", ":X", "X\u0000", "", "X\"", "X;"})
          + ": v");
      case 4 -> headers.add("X-Bytes: a" + pick(random, new String[] {"\u0000", "\u007f", "\u00ff", "\r", "\u001b"}) + "b");
      case 5 -> headers.add("X-Folded: a\r\n b");
      case 6 -> headers.add("NoColonHere");
      case 7 -> headers.add("Host: " + pick(random, proxiedApps) + "." + baseDomain);
      case 8 -> headers.set(0, "Host: " + pick(random, new String[] {"", "a b", "[::1", "x@y", "h:99999", utf8AsLatin1("h\u00e9"),
          "-." + baseDomain, "_bad." + baseDomain, "." + baseDomain, "a." + baseDomain + "." + baseDomain}));
      case 9 -> headers.clear();
      case 10 -> {
        headers.add("Content-Type: " + pick(random, new String[] {"text/plain; charset=\"", "///", "a/b; c", "\u00e9/x"}));
        headers.add("Content-Type: application/json");
      }
      case 11 -> headers.add("Expect: " + pick(random, new String[] {"100-continue", "teapot", ""}));
      case 12 -> {
        headers.add("Upgrade: " + pick(random, new String[] {"websocket", "h2c", "TLS/1.0"}));
        headers.add("Connection: Upgrade");
      }
      case 13 -> headers.add("Cookie: " + "k=v; ".repeat(random.nextInt(1500)));
      case 14 -> headers.add("X-Forwarded-For: " + pick(random, WEIRD_STRINGS) + ", " + visible(random, 20));
      default -> headers.add("X-Unicode: " + utf8AsLatin1(pick(random, WEIRD_STRINGS)));
    }
    return new Sent(request("GET", target, headers, new byte[0]), false);
  }

  /**
   * Two inputs Akka HTTP 10.2 reads leniently, so that it waits for bytes that never come (until
   * the idle timeout): whitespace inside Content-Length ("5 5" is 55), and a header value that
   * ends in a UTF-8 lead byte, which takes the line end into the value. SECURITY.md lists both.
   */
  private Sent akkaLeniency(Random random) {
    String head = "POST /app/" + pick(random, proxiedApps) + "/api/echo HTTP/1.1\r\nHost: " + authority + "\r\n";
    return new Sent(latin1(random.nextBoolean()
        ? head + "Content-Length: 5 5\r\n\r\nhello"
        : head + "X-Lead-Byte: a" + pick(random, new String[] {"\u00c3", "\u00e9", "\u00f0"}) + "\r\n\r\n"), false);
  }

  // ---- bodies framed two ways at once, or not at all ----

  private String bodyTarget(Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> "/app/" + pick(random, managedApps) + "/_metadata";
      case 1 -> "/app/" + encode(invalidAppId(random), random) + "/api/echo";
      default -> "/app/" + pick(random, proxiedApps) + "/api/echo";
    };
  }

  private Sent badFramingRequest(Random random) {
    String target = bodyTarget(random);
    String head = "POST " + target + " HTTP/1.1\r\nHost: " + authority + "\r\n";
    String framed = switch (random.nextInt(12)) {
      case 0 -> head + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
      case 1 -> head + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
      case 2 -> head + "Content-Length: 5\r\nContent-Length: " + pick(random, new String[] {"5", "6", "0"})
          + "\r\n\r\nhello!";
      case 3 -> head + "Content-Length: " + pick(random, new String[] {"+5", "0x5", "5,5", "-0", "1e3",
          "99999999999999999999", "\u00b9"}) + "\r\n\r\nhello";
      case 4 -> head + "Transfer-Encoding: " + pick(random, new String[] {"chunked, identity", "identity", "gzip",
          "chunked;x=1", "chunked\u000b", "xchunked", "chunked, chunked"}) + "\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
      case 5 -> head + "Transfer-Encoding: chunked\r\n\r\n" + pick(random, new String[] {"zz", "-1",
          "ffffffffffffffffff", "5 ", "0x5", ""}) + "\r\nhello\r\n0\r\n\r\n";
      case 6 -> head + "Transfer-Encoding: chunked\r\n\r\n5;" + "e".repeat(300) + "\r\nhello\r\n0\r\n\r\n";
      case 7 -> head + "Transfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n";
      case 8 -> head + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n" + pick(random, new String[] {
          "X-Trailer: t\r\n", "Bad Trailer\r\n", "Content-Length: 99\r\n"}) + "\r\n";
      case 9 -> head + "Transfer-Encoding: chunked\r\n\r\n" + "1\r\na\r\n".repeat(1 + random.nextInt(2000))
          + "0\r\n\r\n";
      case 10 -> "GET " + target + " HTTP/1.1\r\nHost: " + authority + "\r\nContent-Length: 3\r\n\r\nabc"
          + "GET /smuggled HTTP/1.1\r\nHost: " + authority + "\r\n\r\n";
      default -> head + "Content-Length: 2\r\n\r\nhello world";
    };
    return new Sent(latin1(framed), false);
  }

  /** Bodies announced longer than what is sent; the connection is then closed. */
  private Sent truncatedBodyRequest(Random random) {
    String head = "POST " + bodyTarget(random) + " HTTP/1.1\r\nHost: " + authority + "\r\n";
    return new Sent(latin1(switch (random.nextInt(3)) {
      case 0 -> head + "Content-Length: " + (100 + random.nextInt(100_000)) + "\r\n\r\n{\"a\":";
      case 1 -> head + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n";
      default -> head + "Transfer-Encoding: chunked\r\n\r\n400\r\nonly a little";
    }), false);
  }

  // ---- management calls with random methods, parameters and bodies ----

  private Sent managementRequest(Random random) {
    String app = random.nextInt(6) == 0 ? encode(invalidAppId(random), random) : pick(random, managedApps);
    int roll = random.nextInt(1000);
    if (roll < 7) {
      return new Sent(request("POST", "/app/" + app + "/" + pick(random, new String[] {"_restart", "_stop"}),
          host(), new byte[0]), false);
    }
    if (roll < 10) {
      return new Sent(request("DELETE", "/app/" + app, host(), new byte[0]), false);
    }
    if (roll < 150) {
      return new Sent(request("GET", "/_audit?offset=" + number(random) + "&limit=" + number(random)
          + (random.nextBoolean() ? "&follow=false" : ""), host(), new byte[0]), false);
    }
    if (roll < 300) {
      return new Sent(request("GET", "/app/" + app + "/_events?from=" + number(random) + "&limit=" + number(random),
          host(), new byte[0]), false);
    }
    // Metadata most of all: its values, chosen to be awkward, are what the journal must keep.
    String endpoint = random.nextBoolean() ? "_metadata" : pick(random, ENDPOINTS);
    String method = random.nextInt(3) == 0 ? pick(random, METHODS)
        : switch (endpoint) {
          case "_metadata" -> "POST";
          case "_config" -> "PUT";
          default -> "GET";
        };
    byte[] body = endpoint.equals("_config") && random.nextInt(3) == 0
        ? utf8(pick(random, VALID_CONFIGS))
        : managementBody(random);
    String target = "/app/" + app + "/" + endpoint + (random.nextInt(20) == 0 ? "?restart=true" : "");
    List<String> headers = new ArrayList<>(host());
    if (random.nextBoolean()) {
      headers.add("Content-Type: " + pick(random, new String[] {"application/json", "text/plain", "application/x-www-form-urlencoded"}));
    }
    return new Sent(random.nextInt(5) == 0 && body.length > 0
        ? chunked(method, target, headers, body, random)
        : request(method, target, headers, body), method.equals("HEAD"));
  }

  private byte[] managementBody(Random random) {
    return switch (random.nextInt(12)) {
      case 0, 1, 2, 10, 11 -> utf8(stringObject(random));
      case 3 -> utf8(pick(random, new String[] {"[\"a\"]", "{\"n\":1}", "{\"a\":{\"b\":\"c\"}}", "null", "\"text\"",
          "{\"a\":null}", "1e999999", "{\"a\":\"b\",\"a\":\"c\"}", "{", "}", "{\"a\":\"b\"", "{'a':'b'}"}));
      case 4 -> utf8("[".repeat(2000 + random.nextInt(3000)));
      case 5 -> utf8("{\"big\":\"" + "x".repeat(200_000 + random.nextInt(200_000)) + "\"}");
      case 6 -> randomBytes(random, random.nextInt(2000));
      case 7 -> latin1("{\"bad-utf8\":\"\u00c3\u0028\u00ff\u00fe\"}");
      case 8 -> new byte[0];
      default -> utf8("{\"" + visible(random, 10) + "\":\"" + visible(random, 40) + "\"}");
    };
  }

  /** A JSON object of strings, as metadata accepts, with text chosen to be awkward to store. */
  private static String stringObject(Random random) {
    StringBuilder json = new StringBuilder("{");
    for (int i = random.nextInt(6); i >= 0; i--) {
      json.append(jsonString(random.nextBoolean() ? pick(random, WEIRD_STRINGS) : visible(random, 12)))
          .append(':')
          .append(jsonString(pick(random, WEIRD_STRINGS) + visible(random, random.nextInt(30))))
          .append(i > 0 ? "," : "");
    }
    return json.append('}').toString();
  }

  // ---- not HTTP at all, and connections given up part way ----

  private static byte[] garbage(Random random) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    switch (random.nextInt(6)) {
      case 0 -> bytes.writeBytes(randomBytes(random, 1 + random.nextInt(3000)));
      case 1 -> bytes.writeBytes(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03});
      case 2 -> bytes.writeBytes(latin1("GET /\r\n"));
      case 3 -> bytes.writeBytes(latin1("\r\n".repeat(1 + random.nextInt(100))));
      case 4 -> bytes.writeBytes(new byte[1 + random.nextInt(5000)]);
      default -> bytes.writeBytes(latin1("GET / HTTP/1.1\nHost: x\n\n"));
    }
    bytes.writeBytes(latin1("\r\n\r\n"));
    return bytes.toByteArray();
  }

  /** A request, valid or management, cut short; or sent whole with its answer never read. */
  private Exchange cutOff(int index, Random random) {
    byte[] whole = random.nextBoolean() ? validRequest(random, false).bytes() : managementRequest(random).bytes();
    byte[] sent = random.nextInt(4) == 0
        ? whole
        : Arrays.copyOf(whole, 1 + random.nextInt(Math.max(1, whole.length - 1)));
    return new Exchange(index, "cut off", List.of(new Sent(sent, false)), Answer.NONE);
  }

  // ---- building blocks ----

  private List<String> host() {
    return List.of("Host: " + authority);
  }

  private static byte[] request(String method, String target, List<String> headers, byte[] body) {
    StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
    headers.forEach(header -> head.append(header).append("\r\n"));
    if (body.length > 0) {
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.writeBytes(latin1(head.append("\r\n").toString()));
    bytes.writeBytes(body);
    return bytes.toByteArray();
  }

  private static byte[] chunked(String method, String target, List<String> headers, byte[] body, Random random) {
    List<String> chunkedHeaders = new ArrayList<>(headers);
    chunkedHeaders.add("Transfer-Encoding: chunked");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.writeBytes(request(method, target, chunkedHeaders, new byte[0]));
    for (int at = 0; at < body.length; ) {
      int size = Math.min(body.length - at, 1 + random.nextInt(8192));
      bytes.writeBytes(latin1(Integer.toHexString(size) + "\r\n"));
      bytes.write(body, at, size);
      bytes.writeBytes(latin1("\r\n"));
      at += size;
    }
    bytes.writeBytes(latin1("0\r\n\r\n"));
    return bytes.toByteArray();
  }

  private static byte[] randomBody(Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> new byte[0];
      case 1 -> utf8(stringObject(random));
      case 2 -> randomBytes(random, random.nextInt(100_000));
      default -> randomBytes(random, random.nextInt(2000));
    };
  }

  private static String randomQuery(Random random) {
    StringBuilder query = new StringBuilder();
    for (int i = 1 + random.nextInt(4); i > 0; i--) {
      query.append(token(random, 1 + random.nextInt(6))).append('=')
          .append(encode(pick(random, WEIRD_STRINGS) + token(random, 3), random)).append(i > 1 ? "&" : "");
    }
    return query.toString();
  }

  private static String number(Random random) {
    return pick(random, new String[] {"0", "1", "-1", "1000", "1001", "abc", "", "99999999999999999999", "1e3",
        "%00", String.valueOf(random.nextInt(10_000))});
  }

  /** Percent-encodes the UTF-8 bytes of {@code text}; sometimes twice, as a confused client would. */
  private static String encode(String text, Random random) {
    StringBuilder encoded = new StringBuilder();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
        encoded.append(c);
      } else {
        encoded.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return random.nextInt(10) == 0 ? encoded.toString().replace("%", "%25") : encoded.toString();
  }

  private static String jsonString(String text) {
    StringBuilder json = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      if (c == '"' || c == '\\') {
        json.append('\\').append(c);
      } else if (c < 0x20) {
        json.append(String.format("\\u%04x", (int) c));
      } else {
        json.append(c);
      }
    }
    return json.append('"').toString();
  }

  private static String token(Random random, int length) {
    StringBuilder token = new StringBuilder();
    for (int i = 0; i < length; i++) {
      token.append("abcdefghijklmnopqrstuvwxyz0123456789".charAt(random.nextInt(36)));
    }
    return token.toString();
  }

  /** Printable ASCII, spaces included. */
  private static String visible(Random random, int length) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < length; i++) {
      text.append((char) (0x20 + random.nextInt(0x5f)));
    }
    return text.toString();
  }

  private static byte[] randomBytes(Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }

  private static <T> T pick(Random random, List<T> values) {
    return values.get(random.nextInt(values.size()));
  }

  private static String pick(Random random, String[] values) {
    return values[random.nextInt(values.length)];
  }

  private static byte[] latin1(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** The UTF-8 bytes of {@code text} as one char each, so they go on the wire raw. */
  private static String utf8AsLatin1(String text) {
    return new String(utf8(text), StandardCharsets.ISO_8859_1);
  }
}
