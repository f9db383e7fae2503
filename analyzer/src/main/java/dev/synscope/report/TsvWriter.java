package dev.synscope.report;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * Connections as Zeek's conn.log in its ASCII (TSV) form: the {@code #separator ... #types} header
 * lines, one line per connection, {@code #close}. Column names and value formats are Zeek's (epoch
 * seconds with microseconds, intervals in seconds, "-" unset), so {@code zeek-cut} and scripts
 * written for conn.log read it; synscope's handshake columns follow Zeek's. Connections are only in
 * the report with {@code --connections}.
 */
public final class TsvWriter implements ReportWriter {
  static final List<String> FIELDS = List.of(
      "ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "duration", "orig_bytes",
      "resp_bytes", "conn_state", "history", "orig_pkts", "resp_pkts", "syn_retransmits", "synack_retransmits",
      "syn_to_synack", "synack_to_ack");
  static final List<String> TYPES = List.of(
      "time", "string", "addr", "port", "addr", "port", "enum", "interval", "count",
      "count", "string", "string", "count", "count", "count", "count",
      "interval", "interval");
  private static final DateTimeFormatter ZEEK_OPEN =
      DateTimeFormatter.ofPattern("yyyy-MM-dd-HH-mm-ss").withZone(ZoneOffset.UTC);

  @Override
  public String extension() {
    return "tsv";
  }

  @Override
  public void write(Report report, OutputStream out) throws IOException {
    Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
    String opened = zeekTime(report.generatedAt());
    w.write("#separator \\x09\n");
    w.write("#set_separator\t,\n");
    w.write("#empty_field\t(empty)\n");
    w.write("#unset_field\t-\n");
    w.write("#path\tconn\n");
    w.write("#open\t" + opened + "\n");
    w.write("#fields\t" + String.join("\t", FIELDS) + "\n");
    w.write("#types\t" + String.join("\t", TYPES) + "\n");
    if (report.connections() == null) {
      w.write("#comment\tno connection records: run with --connections\n");
    } else {
      StringBuilder line = new StringBuilder(256);
      for (Report.ConnectionRecord c : report.connections()) {
        line.setLength(0);
        line.append(epoch(c.ts())).append('\t')
            .append(text(c.uid())).append('\t')
            .append(text(c.origH())).append('\t')
            .append(c.origP()).append('\t')
            .append(text(c.respH())).append('\t')
            .append(c.respP()).append('\t')
            .append("tcp").append('\t')
            .append(seconds(c.duration())).append('\t')
            .append(c.origBytes()).append('\t')
            .append(c.respBytes()).append('\t')
            .append(text(c.connState())).append('\t')
            .append(text(c.history())).append('\t')
            .append(c.origPkts()).append('\t')
            .append(c.respPkts()).append('\t')
            .append(c.synRetransmits()).append('\t')
            .append(c.synackRetransmits()).append('\t')
            .append(c.rtt() == null ? "-" : millisAsSeconds(c.rtt().synToSynack())).append('\t')
            .append(c.rtt() == null ? "-" : millisAsSeconds(c.rtt().synackToAck())).append('\n');
        w.write(line.toString());
      }
    }
    w.write("#close\t" + opened + "\n");
    w.flush();
  }

  /** Zeek's time: epoch seconds with six decimals. */
  static String epoch(String iso) {
    if (iso == null) {
      return "-";
    }
    Instant t = Instant.parse(iso);
    long micros = Math.floorDiv(t.getNano(), 1000);
    return t.getEpochSecond() + "." + String.format(Locale.ROOT, "%06d", micros);
  }

  private static String seconds(double s) {
    return String.format(Locale.ROOT, "%.6f", s);
  }

  private static String millisAsSeconds(Double ms) {
    return ms == null ? "-" : String.format(Locale.ROOT, "%.6f", ms / 1000.0);
  }

  /** Zeek's escaping: "-" unset, "(empty)" empty, separators and controls as \xNN. */
  static String text(String s) {
    if (s == null) {
      return "-";
    }
    if (s.isEmpty()) {
      return "(empty)";
    }
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch < 0x20 || ch == 0x7f || ch == '\\') {
        if (sb == null) {
          sb = new StringBuilder(s.substring(0, i));
        }
        sb.append(String.format(Locale.ROOT, "\\x%02x", (int) ch));
      } else if (sb != null) {
        sb.append(ch);
      }
    }
    return sb == null ? s : sb.toString();
  }

  private static String zeekTime(String iso) {
    try {
      return ZEEK_OPEN.format(Instant.parse(iso));
    } catch (DateTimeParseException | NullPointerException e) {
      return "-";
    }
  }
}
