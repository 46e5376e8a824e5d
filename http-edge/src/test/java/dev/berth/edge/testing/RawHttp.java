package dev.berth.edge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, byte for byte as written: for requests no well-behaved client
 * sends (malformed, truncated, from another loopback address) and for watching a connection end.
 */
public final class RawHttp {
  private static final Duration ANSWER_WAIT = Duration.ofSeconds(60);

  private RawHttp() {}

  /** A response as read off the wire. */
  public record Response(int status, Map<String, String> headers, byte[] body) {
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public JsonNode json() {
      return Http.parse(text());
    }

    public String contentType() {
      return headers.getOrDefault("content-type", "");
    }
  }

  /** Sends {@code request} on a new connection to the node at {@code baseUrl} and reads one answer. */
  public static Response exchange(String baseUrl, String request) {
    return exchange(baseUrl, request.getBytes(StandardCharsets.ISO_8859_1), null);
  }

  /**
   * @param from the local address to connect from (any loopback address works on Linux); null
   *     for the default
   */
  public static Response exchange(String baseUrl, byte[] request, InetAddress from) {
    try (Socket socket = connect(baseUrl, from)) {
      socket.setSoTimeout((int) ANSWER_WAIT.toMillis());
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
      return read(new BufferedInputStream(socket.getInputStream()), false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Socket connect(String baseUrl, InetAddress from) throws IOException {
    URI uri = URI.create(baseUrl);
    Socket socket = new Socket();
    if (from != null) {
      socket.bind(new InetSocketAddress(from, 0));
    }
    socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5_000);
    return socket;
  }

  /**
   * Reads one response: status line, headers, and a body framed by Content-Length, chunked
   * encoding or the end of the connection. Interim answers (100 Continue) are skipped.
   *
   * @param toHead whether the request was a HEAD, whose answer has no body whatever it says
   * @throws EOFException when the connection ends before a whole response
   */
  public static Response read(InputStream in, boolean toHead) throws IOException {
    while (true) {
      String statusLine = line(in);
      String[] parts = statusLine.split(" ", 3);
      if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
        throw new IOException("not a status line: " + statusLine);
      }
      int status = Integer.parseInt(parts[1]);
      Map<String, String> headers = new LinkedHashMap<>();
      for (String header = line(in); !header.isEmpty(); header = line(in)) {
        int colon = header.indexOf(':');
        headers.merge(header.substring(0, colon).strip().toLowerCase(Locale.ROOT),
            header.substring(colon + 1).strip(), (a, b) -> a + ", " + b);
      }
      if (status >= 100 && status < 200 && status != 101) {
        continue;
      }
      boolean bodyless = toHead || status == 101 || status == 204 || status == 304;
      return new Response(status, headers, bodyless ? new byte[0] : body(in, headers));
    }
  }

  private static byte[] body(InputStream in, Map<String, String> headers) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked")) {
      for (int size = chunkSize(in); size > 0; size = chunkSize(in)) {
        body.write(in.readNBytes(size));
        line(in);
      }
      for (String trailer = line(in); !trailer.isEmpty(); trailer = line(in)) {
        // Trailers carry nothing these tests look at.
      }
    } else if (headers.containsKey("content-length")) {
      int length = Integer.parseInt(headers.get("content-length"));
      byte[] bytes = in.readNBytes(length);
      if (bytes.length < length) {
        throw new EOFException("the body ended after " + bytes.length + " of " + length + " bytes");
      }
      body.write(bytes);
    } else {
      in.transferTo(body);
    }
    return body.toByteArray();
  }

  private static int chunkSize(InputStream in) throws IOException {
    return Integer.parseInt(line(in).split(";")[0].strip(), 16);
  }

  /**
   * Waits, up to {@code limit}, for the other side to end the connection (a close or a reset),
   * discarding anything it sends meanwhile, and returns how long that took.
   *
   * @throws AssertionError when the connection is still open at the limit
   */
  public static Duration awaitClosed(Socket socket, Duration limit) throws IOException {
    long start = System.nanoTime();
    socket.setSoTimeout((int) limit.toMillis());
    try {
      while (socket.getInputStream().read() >= 0) {
        // Whatever arrives before the end is not what this waits for.
      }
    } catch (SocketTimeoutException stillOpen) {
      throw new AssertionError("the connection was still open after " + limit.toMillis() + " ms");
    } catch (SocketException reset) {
      // A reset ends the connection as surely as a close.
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new EOFException("the connection ended in the middle of a response");
      }
      line.write(b);
    }
    String text = line.toString(StandardCharsets.ISO_8859_1);
    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
  }
}
