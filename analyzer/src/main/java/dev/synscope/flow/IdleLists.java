package dev.synscope.flow;

import java.util.Arrays;

/**
 * The flow table's least-recently-active order, one list per phase, linked by row numbers in int
 * arrays rather than by references in the connections. A segment moves its connection to the
 * tail of a list; with links in the objects that wrote two or three references into long-lived
 * connections per packet, each a trip to a distant object and a card for the collector to
 * scan. Here it touches a few small arrays.
 */
final class IdleLists {
  private static final int NONE = -1;
  /** Connections {@link #idleBefore} returns at most at once. */
  static final int BATCH = 64;

  private Connection[] rows = new Connection[1 << 10];
  private int[] prev = new int[rows.length];
  private int[] next = new int[rows.length];
  private byte[] phase = new byte[rows.length];
  /** Each row's connection's last packet time, so expiry reads no connection that stays. */
  private long[] last = new long[rows.length];
  private final int[] heads;
  private final int[] tails;
  /** Free rows are chained through {@code next}. */
  private int free = NONE;
  private int used;

  IdleLists(int phases) {
    heads = new int[phases];
    tails = new int[phases];
    Arrays.fill(heads, NONE);
    Arrays.fill(tails, NONE);
  }

  /** Gives {@code c} a row at the tail of {@code p}'s list; returns the row. */
  int add(Connection c, int p, long lastNanos) {
    int row;
    if (free != NONE) {
      row = free;
      free = next[row];
    } else {
      if (used == rows.length) {
        grow();
      }
      row = used++;
    }
    rows[row] = c;
    phase[row] = (byte) p;
    last[row] = lastNanos;
    append(row, p);
    return row;
  }

  /** Moves a row to the tail of {@code p}'s list (its phase may change). */
  void touch(int row, int p, long lastNanos) {
    last[row] = lastNanos;
    if (phase[row] == p && tails[p] == row) {
      return;
    }
    unlink(row);
    phase[row] = (byte) p;
    append(row, p);
  }

  /** The least recently active connection of phase {@code p}, or null. */
  Connection head(int p) {
    int row = heads[p];
    return row == NONE ? null : rows[row];
  }

  /**
   * Puts into {@code out} the connections at the head of {@code p}'s list that were last active
   * before {@code idleBefore}, in list order, at most {@link #BATCH}; returns how many.
   */
  int idleBefore(int p, long idleBefore, Connection[] out) {
    int n = 0;
    for (int row = heads[p]; row != NONE && n < BATCH && last[row] < idleBefore; row = next[row]) {
      out[n++] = rows[row];
    }
    return n;
  }

  /** Puts into {@code out} the first connections of {@code p}'s list, at most {@link #BATCH}. */
  int first(int p, Connection[] out) {
    int n = 0;
    for (int row = heads[p]; row != NONE && n < BATCH; row = next[row]) {
      out[n++] = rows[row];
    }
    return n;
  }

  void remove(int row) {
    unlink(row);
    rows[row] = null;
    next[row] = free;
    free = row;
  }

  private void append(int row, int p) {
    int t = tails[p];
    prev[row] = t;
    next[row] = NONE;
    if (t != NONE) {
      next[t] = row;
    } else {
      heads[p] = row;
    }
    tails[p] = row;
  }

  private void unlink(int row) {
    int p = phase[row];
    int before = prev[row];
    int after = next[row];
    if (before != NONE) {
      next[before] = after;
    } else {
      heads[p] = after;
    }
    if (after != NONE) {
      prev[after] = before;
    } else {
      tails[p] = before;
    }
  }

  private void grow() {
    int n = rows.length * 2;
    rows = Arrays.copyOf(rows, n);
    prev = Arrays.copyOf(prev, n);
    next = Arrays.copyOf(next, n);
    phase = Arrays.copyOf(phase, n);
    last = Arrays.copyOf(last, n);
  }
}
