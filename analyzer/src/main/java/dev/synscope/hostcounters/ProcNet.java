package dev.synscope.hostcounters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parsers of {@code /proc/net} text. {@code netstat} and {@code snmp} hold pairs of lines, a
 * header ({@code "TcpExt: SyncookiesSent SyncookiesRecv ..."}) and its values ({@code "TcpExt: 0
 * 0 ..."}); names are joined as {@code nstat} prints them: {@code TcpExtSyncookiesSent}. {@code
 * tcp} and {@code tcp6} list one socket per line, its state in hex in the fourth column.
 */
final class ProcNet {
  private ProcNet() {}

  /** Every counter of a netstat/snmp-style file; lines that do not pair up are ignored. */
  static Map<String, Long> counters(Reader text) throws IOException {
    Map<String, Long> out = new LinkedHashMap<>();
    BufferedReader r = new BufferedReader(text);
    String header = null;
    for (String line = r.readLine(); line != null; line = r.readLine()) {
      int colon = line.indexOf(':');
      if (colon <= 0) {
        header = null;
        continue;
      }
      if (header == null || !header.regionMatches(0, line, 0, colon + 1)) {
        header = line;
        continue;
      }
      String prefix = line.substring(0, colon);
      String[] names = header.substring(colon + 1).trim().split("\\s+");
      String[] values = line.substring(colon + 1).trim().split("\\s+");
      if (names.length == values.length) {
        for (int i = 0; i < names.length; i++) {
          try {
            out.put(prefix + names[i], Long.parseLong(values[i]));
          } catch (NumberFormatException e) {
            // a non-numeric value: not a counter
          }
        }
      }
      header = null;
    }
    return out;
  }

  /** Lines read from one socket file, and whether it had more than the budget allowed. */
  record Lines(long read, boolean truncated) {}

  /**
   * Adds the sockets of one {@code /proc/net/tcp}-style file to {@code byState} (index = state
   * number - 1), reading at most {@code maxLines} lines (the header included).
   */
  static Lines countStates(Reader text, long[] byState, long maxLines) throws IOException {
    BufferedReader r = new BufferedReader(text, 1 << 16);
    long lines = 0;
    String line = r.readLine();
    for (; line != null && lines < maxLines; line = r.readLine()) {
      lines++;
      int state = stateOf(line);
      if (state >= 1 && state <= byState.length) {
        byState[state - 1]++;
      }
    }
    return new Lines(lines, line != null);
  }

  /** The fourth whitespace-separated field as hex, or -1 (the header line, a short line). */
  static int stateOf(String line) {
    int n = line.length();
    int i = 0;
    for (int field = 0; field < 3; field++) {
      while (i < n && line.charAt(i) == ' ') i++;
      while (i < n && line.charAt(i) != ' ') i++;
    }
    while (i < n && line.charAt(i) == ' ') i++;
    int value = 0;
    int digits = 0;
    for (; i < n && line.charAt(i) != ' '; i++) {
      int d = Character.digit(line.charAt(i), 16);
      if (d < 0 || ++digits > 2) {
        return -1;
      }
      value = value * 16 + d;
    }
    return digits == 0 ? -1 : value;
  }
}
