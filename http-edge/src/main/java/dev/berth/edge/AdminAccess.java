package dev.berth.edge;

import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.HttpChallenge;
import akka.http.javadsl.model.headers.WWWAuthenticate;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import com.typesafe.config.ConfigException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Who may make management and admin calls. With admin tokens configured
 * ({@code berth.admin-tokens}, {@code name=token,...}), a call needs {@code Authorization: Bearer
 * <token>} and is made by the token's name. Without, only loopback clients may make them, as
 * themselves (their address).
 */
final class AdminAccess extends AllDirectives {
  /** Shorter tokens are refused at start: they could be guessed. */
  static final int MIN_TOKEN_LENGTH = 16;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final String BEARER = "bearer ";

  /** A token is kept only as its digest, which also makes every comparison the same length. */
  private record Token(String name, byte[] digest) {}

  private final List<Token> tokens;
  private final Caller caller;

  private AdminAccess(List<Token> tokens, Caller caller) {
    this.tokens = List.copyOf(tokens);
    this.caller = caller;
  }

  /**
   * Reads {@code name=token,name2=token2}; empty means loopback-only access.
   *
   * @throws ConfigException.BadValue naming what is wrong, without echoing any token
   */
  static AdminAccess parse(String configured, Caller caller) {
    List<Token> tokens = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Set<String> digests = new HashSet<>();
    for (String entry : configured.split(",")) {
      if (entry.isBlank()) {
        continue;
      }
      int equals = entry.indexOf('=');
      String name = equals < 0 ? "" : entry.substring(0, equals).strip();
      String token = equals < 0 ? "" : entry.substring(equals + 1).strip();
      if (!NAME.matcher(name).matches()) {
        throw new ConfigException.BadValue("berth.admin-tokens",
            "each entry must be name=token, the name of letters, digits, '.', '_' or '-'");
      }
      if (token.length() < MIN_TOKEN_LENGTH || token.chars().anyMatch(c -> c <= ' ' || c > '~')) {
        throw new ConfigException.BadValue("berth.admin-tokens", "the token of " + name
            + " must be at least " + MIN_TOKEN_LENGTH + " printable characters without spaces");
      }
      if (!names.add(name)) {
        throw new ConfigException.BadValue("berth.admin-tokens", name + " is named twice");
      }
      byte[] digest = digest(token);
      if (!digests.add(new String(digest, StandardCharsets.ISO_8859_1))) {
        throw new ConfigException.BadValue("berth.admin-tokens", "two names share one token");
      }
      tokens.add(new Token(name, digest));
    }
    return new AdminAccess(tokens, caller);
  }

  /**
   * Runs {@code inner} with the caller's identity if the request may manage apps: it carries a
   * valid admin token, or, without tokens configured, comes from a loopback address.
   */
  Route authorize(Function<String, Route> inner) {
    return extractRequest(request -> {
      if (tokens.isEmpty()) {
        // The client, not the connection's peer: behind a trusted proxy on this host, every
        // client would otherwise be local.
        return caller.client(request).filter(InetAddress::isLoopbackAddress).isPresent()
            ? inner.apply(caller.address(request))
            : complete(ErrorResponses.of(StatusCodes.FORBIDDEN, "forbidden",
                "management calls are accepted from loopback clients only; set BERTH_ADMIN_TOKENS "
                    + "to manage from elsewhere", null));
      }
      Optional<String> credential = bearerToken(request);
      if (credential.isEmpty()) {
        return unauthorized("this call needs Authorization: Bearer <admin token>");
      }
      Optional<String> name = nameOf(credential.get());
      return name.isPresent() ? inner.apply(name.get()) : unauthorized("the admin token is not valid");
    });
  }

  /** Whether a request header carries one of the admin tokens: it is never forwarded to an app. */
  boolean isAdminCredential(HttpHeader header) {
    if (tokens.isEmpty() || !header.is("authorization")) {
      return false;
    }
    return credentialIn(header.value()).flatMap(this::nameOf).isPresent();
  }

  /** What {@code GET /} says about management access. */
  Map<String, Object> describe() {
    Map<String, Object> access = new LinkedHashMap<>();
    if (tokens.isEmpty()) {
      access.put("access", "loopback-only");
      access.put("message", "management calls are accepted from loopback clients only; "
          + "set BERTH_ADMIN_TOKENS to require tokens and manage from elsewhere");
    } else {
      access.put("access", "admin-token");
      access.put("message", "management calls need Authorization: Bearer <admin token>");
    }
    return access;
  }

  private Route unauthorized(String message) {
    return respondWithHeader(WWWAuthenticate.create(HttpChallenge.create("Bearer", "berth")), () ->
        complete(ErrorResponses.of(StatusCodes.UNAUTHORIZED, "unauthorized", message, null)));
  }

  /**
   * The name of the token given, comparing it with every configured token in time that does not
   * depend on where, or whether, it matches.
   */
  private Optional<String> nameOf(String presented) {
    byte[] digest = digest(presented);
    String found = null;
    for (Token token : tokens) {
      if (MessageDigest.isEqual(token.digest(), digest)) {
        found = token.name();
      }
    }
    return Optional.ofNullable(found);
  }

  private static Optional<String> bearerToken(HttpRequest request) {
    return request.getHeader("authorization").flatMap(header -> credentialIn(header.value()));
  }

  private static Optional<String> credentialIn(String authorization) {
    if (authorization.length() <= BEARER.length()
        || !authorization.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
      return Optional.empty();
    }
    return Optional.of(authorization.substring(BEARER.length()).strip());
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
