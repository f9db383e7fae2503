package dev.synscope.report;

import dev.synscope.hostcounters.HostCounters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The HTML page's view of what only a live report has: how the capture went (packets the kernel
 * or synscope dropped, which the findings cannot account for) and the host's kernel counters
 * beside the wire's findings. Null when the report has no such section, so the page leaves it out.
 */
final class LiveSections {
  private LiveSections() {}

  static Map<String, Object> capture(Report r) {
    Report.Capture c = r.capture();
    if (c == null) {
      return null;
    }
    long dropped = c.droppedByKernel() + c.droppedByInterface() + c.handoffDropped();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("device", c.device());
    m.put("filter", c.filter() == null || c.filter().isEmpty() ? "(none)" : c.filter());
    m.put("snaplen", c.snaplen());
    m.put("startedAt", c.startedAt() == null ? "-" : c.startedAt());
    m.put("endedAt", c.endedAt() == null ? "-" : c.endedAt());
    m.put("stoppedBy", c.stoppedBy() == null ? "-" : c.stoppedBy());
    m.put("received", Formats.num(c.received()));
    m.put("droppedByKernel", Formats.num(c.droppedByKernel()));
    m.put("droppedByInterface", Formats.num(c.droppedByInterface()));
    m.put("handoffDropped", Formats.num(c.handoffDropped()));
    m.put("lossy", dropped > 0);
    m.put("dropped", Formats.num(dropped));
    return m;
  }

  static Map<String, Object> kernel(Report r) {
    HostCounters h = r.hostCounters();
    if (h == null) {
      return null;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("source", h.source());
    m.put("samples", h.samples());
    m.put("interval", String.format(Locale.ROOT, "%.1f s", h.intervalS()));
    List<Map<String, Object>> comparisons = new ArrayList<>();
    if (h.comparisons() != null) {
      for (HostCounters.Comparison c : h.comparisons()) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("detector", c.detector());
        row.put("counter", c.kernelCounter());
        row.put("verdict", c.verdict());
        row.put("wire", c.wireValue() == null ? "-" : Formats.num(c.wireValue()));
        row.put("kernel", c.kernelValue() < 0 ? "not counted" : Formats.num(c.kernelValue()));
        row.put("statement", c.statement());
        comparisons.add(row);
      }
    }
    m.put("comparisons", comparisons);
    List<Map<String, Object>> counters = new ArrayList<>();
    if (h.deltas() != null) {
      h.deltas().forEach((name, delta) -> {
        if (delta <= 0) {
          return; // the JSON lists every counter; the page the ones that moved
        }
        Double peak = h.peakRatesPerS() == null ? null : h.peakRatesPerS().get(name);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", name);
        row.put("delta", Formats.num(delta));
        row.put("deltaRaw", delta);
        row.put("peak", peak == null ? "-" : String.format(Locale.ROOT, "%.1f", peak));
        counters.add(row);
      });
    }
    m.put("counters", counters);
    List<Map<String, Object>> sockets = new ArrayList<>();
    HostCounters.Sockets s = h.sockets();
    if (s != null) {
      TreeSet<String> states = new TreeSet<>();
      for (Map<String, Long> part : List.of(s.start(), s.end(), s.peak())) {
        if (part != null) states.addAll(part.keySet());
      }
      for (String state : states) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("state", state);
        row.put("start", count(s.start(), state));
        row.put("end", count(s.end(), state));
        row.put("peak", count(s.peak(), state));
        sockets.add(row);
      }
      m.put("socketsTruncated", s.truncated());
    }
    m.put("sockets", sockets);
    return m;
  }

  private static String count(Map<String, Long> part, String state) {
    Long n = part == null ? null : part.get(state);
    return n == null ? "-" : Formats.num(n);
  }
}
