package dev.synscope.report;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A Wireshark-style flow graph of one evidence connection as inline SVG: the two endpoints as
 * lifelines, one arrow per key segment (SYN, SYN-ACK, ACK, FIN, RST) in time order, the time since
 * the first one on the left. Built from the evidence's timestamps; when it has none, from Zeek's
 * history letters (order only).
 */
final class LadderDiagram {
  private static final int WIDTH = 700;
  private static final int TIME_X = 8;
  private static final int ORIG_X = 205;
  private static final int RESP_X = 590;
  private static final int TOP = 58;
  private static final int ROW = 34;
  /** Packet numbers the footer lists before it cuts the list short. */
  private static final int MAX_FRAMES = 8;

  /** One arrow: direction, label, time (null when unknown) and colour class. */
  record Arrow(boolean fromOrig, String label, Instant time, String kind) {}

  private LadderDiagram() {}

  static final Map<String, String> COLOURS = Map.of(
      "syn", "#15803d", "synack", "#1d4ed8", "ack", "#475569", "rst", "#dc2626", "fin", "#7c3aed",
      "data", "#0e7490", "other", "#64748b");

  /** @param id unique within the page (marker ids must not collide between diagrams) */
  static String svg(Report.ReportEvidence e, String id) {
    List<Arrow> arrows = arrows(e);
    int rows = Math.max(1, arrows.size());
    int height = TOP + rows * ROW + 34;
    StringBuilder sb = new StringBuilder(2048);
    sb.append("<svg class=\"ladder\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ")
        .append(WIDTH).append(' ').append(height).append("\" width=\"").append(WIDTH).append("\" height=\"")
        .append(height).append("\" role=\"img\" aria-label=\"")
        .append(Html.escape("flow graph of " + e.orig() + " to " + e.resp())).append("\" data-uid=\"")
        .append(Html.escape(e.uid())).append("\">");
    sb.append("<defs>");
    for (String kind : arrows.stream().map(Arrow::kind).distinct().toList()) {
      sb.append("<marker id=\"").append(id).append('-').append(kind)
          .append("\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" ")
          .append("orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"").append(COLOURS.get(kind))
          .append("\"/></marker>");
    }
    sb.append("</defs>");
    header(sb, ORIG_X, "orig", e.orig());
    header(sb, RESP_X, "resp", e.resp());
    int bottom = TOP + rows * ROW;
    sb.append("<line class=\"life\" x1=\"").append(ORIG_X).append("\" y1=\"44\" x2=\"").append(ORIG_X)
        .append("\" y2=\"").append(bottom).append("\"/>");
    sb.append("<line class=\"life\" x1=\"").append(RESP_X).append("\" y1=\"44\" x2=\"").append(RESP_X)
        .append("\" y2=\"").append(bottom).append("\"/>");
    sb.append("<text class=\"time-head\" x=\"").append(TIME_X).append("\" y=\"").append(TOP - 10)
        .append("\">time</text>");
    Instant first = arrows.stream().map(Arrow::time).filter(t -> t != null).findFirst().orElse(null);
    int y = TOP + ROW / 2 + 4;
    for (Arrow a : arrows) {
      int x1 = a.fromOrig() ? ORIG_X : RESP_X;
      int x2 = a.fromOrig() ? RESP_X : ORIG_X;
      sb.append("<g class=\"seg ").append(a.kind()).append("\">");
      if (a.time() != null) {
        sb.append("<title>").append(Html.escape(a.label() + " at " + a.time())).append("</title>");
        sb.append("<text class=\"time\" x=\"").append(TIME_X).append("\" y=\"").append(y + 4).append("\">")
            .append(Html.escape(offset(first, a.time()))).append("</text>");
      }
      sb.append("<line x1=\"").append(x1 + (a.fromOrig() ? 3 : -3)).append("\" y1=\"").append(y)
          .append("\" x2=\"").append(x2 + (a.fromOrig() ? -3 : 3)).append("\" y2=\"").append(y)
          .append("\" stroke=\"").append(COLOURS.get(a.kind())).append("\" marker-end=\"url(#").append(id)
          .append('-').append(a.kind()).append(")\"/>");
      sb.append("<text class=\"label\" x=\"").append((ORIG_X + RESP_X) / 2).append("\" y=\"").append(y - 6)
          .append("\" text-anchor=\"middle\" fill=\"").append(COLOURS.get(a.kind())).append("\">")
          .append(Html.escape(a.label())).append("</text>");
      sb.append("</g>");
      y += ROW;
    }
    if (arrows.isEmpty()) {
      sb.append("<text class=\"label\" x=\"").append((ORIG_X + RESP_X) / 2).append("\" y=\"").append(y)
          .append("\" text-anchor=\"middle\">no packet times recorded</text>");
    }
    String foot = "history " + nz(e.history()) + " · conn_state " + nz(e.connState())
        + (e.frames() == null || e.frames().isEmpty() ? "" : " · frames " + e.firstInputFramesText(MAX_FRAMES))
        + (e.laterFramesText().isEmpty() ? "" : " · " + e.laterFramesText())
        + (first == null && !arrows.isEmpty() ? " · order from history, no times" : "");
    sb.append("<text class=\"foot\" x=\"").append(TIME_X).append("\" y=\"").append(height - 10).append("\">")
        .append(Html.escape(foot)).append("</text>");
    return sb.append("</svg>").toString();
  }

  private static void header(StringBuilder sb, int x, String role, String endpoint) {
    sb.append("<rect class=\"host\" x=\"").append(x - 95).append("\" y=\"6\" width=\"190\" height=\"38\" rx=\"5\"/>");
    sb.append("<text class=\"role\" x=\"").append(x).append("\" y=\"21\" text-anchor=\"middle\">").append(role)
        .append("</text>");
    sb.append("<text class=\"endpoint\" x=\"").append(x).append("\" y=\"37\" text-anchor=\"middle\">")
        .append(Html.escape(nz(endpoint))).append("</text>");
  }

  static List<Arrow> arrows(Report.ReportEvidence e) {
    List<Arrow> out = new ArrayList<>();
    Map<String, String> ts = e.timestamps();
    if (ts != null && !ts.isEmpty()) {
      for (Map.Entry<String, String> t : ts.entrySet()) {
        Arrow a = fromKey(t.getKey(), Formats.instant(t.getValue()), e.history());
        if (a != null) {
          out.add(a);
        }
      }
      // Stable: segments at the same instant keep the evidence's order.
      out.sort(Comparator.comparing(Arrow::time, Comparator.nullsLast(Comparator.naturalOrder())));
      if (!out.isEmpty()) {
        return out;
      }
    }
    return fromHistory(e.history());
  }

  /** A timestamp key as an arrow: syn, synack, ack, orig_rst, resp_fin, ...; null for "last". */
  static Arrow fromKey(String key, Instant time, String history) {
    String k = key.toLowerCase(Locale.ROOT);
    if (k.equals("last") || k.equals("first") || k.endsWith("_last")) {
      return null;
    }
    boolean mentionsResp = k.contains("resp");
    boolean mentionsOrig = k.contains("orig");
    if (k.contains("synack") || k.contains("syn_ack") || k.contains("syn-ack")) {
      return new Arrow(mentionsOrig, "SYN, ACK", time, "synack");
    }
    if (k.contains("syn")) {
      return new Arrow(!mentionsResp, "SYN", time, "syn");
    }
    if (k.contains("rst")) {
      boolean fromOrig = mentionsOrig || (!mentionsResp && bySide(history, 'R', 'r'));
      return new Arrow(fromOrig, "RST", time, "rst");
    }
    if (k.contains("fin")) {
      boolean fromOrig = mentionsOrig || (!mentionsResp && bySide(history, 'F', 'f'));
      return new Arrow(fromOrig, "FIN", time, "fin");
    }
    if (k.equals("ack") || k.contains("handshake_ack")) {
      return new Arrow(!mentionsResp, "ACK", time, "ack");
    }
    if (k.contains("data")) {
      return new Arrow(!mentionsResp, "data", time, "data");
    }
    return new Arrow(!mentionsResp, key.replace('_', ' '), time, "other");
  }

  /** Whether the orig sent the flag, by Zeek's history (upper case = orig). */
  private static boolean bySide(String history, char orig, char resp) {
    if (history == null) {
      return true;
    }
    return history.indexOf(orig) >= 0 || history.indexOf(resp) < 0;
  }

  /** Zeek's history letters, upper case from orig: s SYN, h SYN-ACK, a ACK, d data, f FIN, r RST. */
  static List<Arrow> fromHistory(String history) {
    List<Arrow> out = new ArrayList<>();
    if (history == null) {
      return out;
    }
    for (char c : history.toCharArray()) {
      boolean orig = Character.isUpperCase(c);
      switch (Character.toLowerCase(c)) {
        case 's' -> out.add(new Arrow(orig, "SYN", null, "syn"));
        case 'h' -> out.add(new Arrow(orig, "SYN, ACK", null, "synack"));
        case 'a' -> out.add(new Arrow(orig, "ACK", null, "ack"));
        case 'd' -> out.add(new Arrow(orig, "data", null, "data"));
        case 'f' -> out.add(new Arrow(orig, "FIN", null, "fin"));
        case 'r' -> out.add(new Arrow(orig, "RST", null, "rst"));
        default -> { }
      }
    }
    return out;
  }


  /** "+0.000 ms", "+12.345 ms", "+1.234567 s". */
  static String offset(Instant first, Instant t) {
    if (first == null || t == null) {
      return "";
    }
    long nanos = Duration.between(first, t).toNanos();
    if (Math.abs(nanos) < 1_000_000_000L) {
      return String.format(Locale.ROOT, "+%.3f ms", nanos / 1e6);
    }
    return String.format(Locale.ROOT, "+%.6f s", nanos / 1e9);
  }

  private static String nz(String s) {
    return s == null || s.isEmpty() ? "-" : s;
  }
}
