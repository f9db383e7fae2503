package dev.synscope.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How {@code --detectors} and {@code --param} read, for every front end that takes them (analyze,
 * live, the Flink job): one syntax, one set of messages.
 */
public final class DetectorOptions {
  private DetectorOptions() {}

  /**
   * {@code --detectors LIST}: the ids given ({@code none} asks for none). An empty list is an
   * error rather than "all", which is what it would silently mean.
   *
   * @throws IllegalArgumentException for an empty list
   */
  public static List<String> ids(String list) {
    List<String> ids = splitList(list);
    if (ids.isEmpty()) {
      throw new IllegalArgumentException("--detectors needs detector ids, or none to run no detector");
    }
    return ids;
  }

  /**
   * The repeated {@code --param ID.KEY=VALUE}, keyed "ID.KEY".
   *
   * @throws IllegalArgumentException for one that is not ID.KEY=VALUE
   */
  public static Map<String, String> params(String[] values) {
    Map<String, String> params = new LinkedHashMap<>();
    for (String p : values) {
      int eq = p.indexOf('=');
      int dot = p.indexOf('.');
      if (eq < 0 || dot < 0 || dot > eq) {
        throw new IllegalArgumentException("--param takes ID.KEY=VALUE, not '" + p + "'");
      }
      params.put(p.substring(0, eq).trim(), p.substring(eq + 1).trim());
    }
    return params;
  }

  static List<String> splitList(String text) {
    List<String> out = new ArrayList<>();
    for (String s : text.split(",")) {
      if (!s.isBlank()) {
        out.add(s.trim());
      }
    }
    return out;
  }
}
