package dev.berth.core;

import java.util.regex.Pattern;

/** The rules for a tenant's name: it becomes a container name, a label and a host name part. */
public final class AppId {
  private static final Pattern VALID = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  public static final String RULE =
      "an appId is 1 to 63 characters of a-z, 0-9 and '-', not starting or ending with '-'";

  private AppId() {}

  public static boolean isValid(String candidate) {
    return candidate != null && VALID.matcher(candidate).matches();
  }
}
