package dev.synscope.detect;

import dev.synscope.flow.MemoryBudget;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The {@code --param <id>.<key>=<value>} overrides for one detector. Each detector's Config reads
 * its keys with defaults; {@link #checkAllUsed()} turns a misspelt key into a usage error.
 */
public final class DetectorParams {
  private final String detectorId;
  private final Map<String, String> values;
  private final Set<String> used = new HashSet<>();
  private final MemoryBudget budget;

  public DetectorParams(String detectorId, Map<String, String> values) {
    this(detectorId, values, MemoryBudget.fromHeap());
  }

  /** @param budget the analysis's memory budget, which sets the caps of the detector's tables */
  public DetectorParams(String detectorId, Map<String, String> values, MemoryBudget budget) {
    this.detectorId = detectorId;
    this.values = Map.copyOf(values);
    this.budget = budget;
  }

  public static DetectorParams none(String detectorId) {
    return new DetectorParams(detectorId, Map.of());
  }

  /**
   * The cap of a bounded table: the {@code key} parameter when given, else what the memory
   * budget allows for entries of about {@code bytesPerEntry}.
   */
  public int cap(String key, int bytesPerEntry) {
    int cap = getInt(key, budget.tableCap(bytesPerEntry));
    if (cap < 1) {
      throw new IllegalArgumentException(detectorId + "." + key + ": must be at least 1");
    }
    return cap;
  }

  /**
   * As {@link #cap(String, int)}, but the budget's figure is at most {@code ceiling}: tables whose
   * entries only refine a finding need no more. A value given with {@code --param} is taken as is.
   */
  public int cap(String key, int bytesPerEntry, int ceiling) {
    return values.containsKey(key) ? cap(key, bytesPerEntry) : Math.min(ceiling, cap(key, bytesPerEntry));
  }

  public double getDouble(String key, double defaultValue) {
    used.add(key);
    String v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(detectorId + "." + key + ": not a number: " + v);
    }
  }

  public long getLong(String key, long defaultValue) {
    used.add(key);
    String v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(detectorId + "." + key + ": not a whole number: " + v);
    }
  }

  public int getInt(String key, int defaultValue) {
    return Math.toIntExact(getLong(key, defaultValue));
  }

  public void checkAllUsed() {
    for (String key : values.keySet()) {
      if (!used.contains(key)) {
        throw new IllegalArgumentException(
            "unknown parameter " + detectorId + "." + key + " (known: " + String.join(", ", used) + ")");
      }
    }
  }
}
