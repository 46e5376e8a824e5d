package dev.berth.edge;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The paths the edge accepts, checked on the request target exactly as the client sent it.
 *
 * <p>Akka HTTP removes dot-segments while it parses ({@code /app/a/../b/x} arrives as
 * {@code /app/b/x}), and servers behind or in front of the edge disagree on what {@code %2F},
 * backslashes or {@code //} mean. Rewriting would route by one reading while a proxy in front
 * had checked another, so the edge refuses every path that has more than one reading: a request
 * reaches only the app, and only the management endpoint, that its path names literally.
 */
final class PathRule {
  static final String RULE = "a path has no '.' or '..' segments (also percent-encoded), no empty"
      + " segments ('//'), no encoded '/' or '\\' (%2F, %5C), no backslash and no control characters";

  /** Percent-encoded control characters (%00-%1F, %7F), which no path of an app needs. */
  private static final Pattern ENCODED_CONTROL = Pattern.compile("%(?:[01][0-9a-f]|7f)");

  private PathRule() {}

  /**
   * @param rawTarget the request target as received: origin-form ({@code /a/b?q}) or
   *     absolute-form ({@code http://host/a/b?q})
   * @return why the path breaks the rule; empty when it does not
   */
  static Optional<String> violation(String rawTarget) {
    String path = pathOf(rawTarget);
    String lower = path.toLowerCase(Locale.ROOT);
    if (lower.contains("%2f") || lower.contains("%5c") || path.indexOf('\\') >= 0) {
      return Optional.of("the path holds an encoded '/' or '\\', or a backslash");
    }
    if (ENCODED_CONTROL.matcher(lower).find() || path.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      return Optional.of("the path holds a control character");
    }
    if (!path.startsWith("/")) {
      // "*" (OPTIONS) or an authority: no path, and no route answers them but with a 404.
      return Optional.empty();
    }
    String[] segments = lower.substring(1).split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      String segment = segments[i].replace("%2e", ".");
      if (segment.equals(".") || segment.equals("..")) {
        return Optional.of("the path holds a '.' or '..' segment");
      }
      if (segment.isEmpty() && i < segments.length - 1) {
        return Optional.of("the path holds an empty segment ('//')");
      }
    }
    return Optional.empty();
  }

  /** The path of a request target, without query, fragment, scheme or authority. */
  private static String pathOf(String rawTarget) {
    String path = rawTarget;
    int end = indexOfAny(path, '?', '#');
    if (end >= 0) {
      path = path.substring(0, end);
    }
    int scheme = path.indexOf("://");
    if (scheme >= 0 && !path.startsWith("/")) {
      int pathStart = path.indexOf('/', scheme + 3);
      path = pathStart < 0 ? "/" : path.substring(pathStart);
    }
    return path;
  }

  private static int indexOfAny(String text, char first, char second) {
    int a = text.indexOf(first);
    int b = text.indexOf(second);
    return a < 0 ? b : b < 0 ? a : Math.min(a, b);
  }
}
