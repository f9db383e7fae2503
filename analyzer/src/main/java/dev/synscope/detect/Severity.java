package dev.synscope.detect;

/** How urgent a finding is; CI gates compare against it (check --fail-on). */
public enum Severity {
  INFO,
  LOW,
  MEDIUM,
  HIGH,
  CRITICAL;

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static Severity parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown severity '" + text + "' (expected info, low, medium, high or critical)");
    }
  }
}
