package dev.synscope.detect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The explicit registry of detectors (no classpath scanning): id, one-line description, factory. */
public final class Detectors {

  /** One registered detector. */
  public record Entry(String id, String description, Function<DetectorParams, Detector> factory) {}

  private static final List<Entry> ALL = List.of();

  private Detectors() {}

  public static List<Entry> all() {
    return ALL;
  }

  /**
   * Instantiates the chosen detectors (all when {@code ids} is empty) with their overrides.
   *
   * @param params overrides keyed "id.key"
   * @throws IllegalArgumentException for an unknown id or parameter
   */
  public static List<Detector> create(List<String> ids, Map<String, String> params) {
    Map<String, Entry> byId = new LinkedHashMap<>();
    for (Entry e : ALL) {
      byId.put(e.id(), e);
    }
    for (String key : params.keySet()) {
      int dot = key.indexOf('.');
      String id = dot < 0 ? key : key.substring(0, dot);
      if (!byId.containsKey(id)) {
        throw new IllegalArgumentException("--param " + key + ": no detector '" + id + "'" + known(byId));
      }
    }
    List<Entry> chosen = new ArrayList<>();
    if (ids.isEmpty()) {
      chosen.addAll(ALL);
    } else {
      for (String id : ids) {
        Entry e = byId.get(id);
        if (e == null) {
          throw new IllegalArgumentException("unknown detector '" + id + "'" + known(byId));
        }
        chosen.add(e);
      }
    }
    List<Detector> out = new ArrayList<>();
    for (Entry e : chosen) {
      Map<String, String> own = new LinkedHashMap<>();
      params.forEach((k, v) -> {
        if (k.startsWith(e.id() + ".")) {
          own.put(k.substring(e.id().length() + 1), v);
        }
      });
      DetectorParams p = new DetectorParams(e.id(), own);
      out.add(e.factory().apply(p));
      p.checkAllUsed();
    }
    return out;
  }

  private static String known(Map<String, Entry> byId) {
    return byId.isEmpty() ? "" : " (known: " + String.join(", ", byId.keySet()) + ")";
  }
}
