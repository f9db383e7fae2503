package dev.synscope.flow;

import java.util.Arrays;

/**
 * The flow table's least-recently-active order, one list per phase, linked through the rows'
 * own {@code idlePrev}/{@code idleNext} columns and phase bits ({@link ConnectionRows}). A segment
 * moves its connection to the tail of its list: a few writes into primitive arrays; expiry reads
 * the heads' last-packet times and nothing of the connections that stay.
 */
final class IdleLists {
  private static final int NONE = -1;
  /** Rows {@link #idleBefore} returns at most at once. */
  static final int BATCH = 64;

  private final ConnectionRows rows;
  private final int[] heads;
  private final int[] tails;
  private final int[] sizes;

  IdleLists(ConnectionRows rows, int phases) {
    this.rows = rows;
    heads = new int[phases];
    tails = new int[phases];
    sizes = new int[phases];
    Arrays.fill(heads, NONE);
    Arrays.fill(tails, NONE);
  }

  /** Puts row {@code r} at the tail of {@code p}'s list. */
  void add(int r, int p) {
    rows.setPhase(r, p);
    append(r, p);
  }

  /** Moves a row to the tail of {@code p}'s list (its phase may change). */
  void touch(int r, int p) {
    if (tails[p] == r && rows.phase(r) == p) {
      return;
    }
    unlink(r);
    rows.setPhase(r, p);
    append(r, p);
  }

  /** The least recently active row of phase {@code p}, or -1. */
  int head(int p) {
    return heads[p];
  }

  /** Rows in phase {@code p}'s list now. */
  int size(int p) {
    return sizes[p];
  }

  /**
   * Puts into {@code out} the rows at the head of {@code p}'s list last touched before {@code
   * idleBefore} by the table's clock, in list order, at most {@link #BATCH}; returns how many.
   * The clock never runs back, so these are all of the list's rows touched before that moment.
   */
  int idleBefore(int p, long idleBefore, int[] out) {
    int n = 0;
    int[] next = rows.idleNext;
    long[] touched = rows.touchNanos;
    for (int r = heads[p]; r != NONE && n < BATCH && touched[r] < idleBefore; r = next[r]) {
      out[n++] = r;
    }
    return n;
  }

  /** Puts into {@code out} the first rows of {@code p}'s list, at most {@link #BATCH}. */
  int first(int p, int[] out) {
    int n = 0;
    int[] next = rows.idleNext;
    for (int r = heads[p]; r != NONE && n < BATCH; r = next[r]) {
      out[n++] = r;
    }
    return n;
  }

  void remove(int r) {
    unlink(r);
  }

  private void append(int r, int p) {
    int t = tails[p];
    rows.idlePrev[r] = t;
    rows.idleNext[r] = NONE;
    if (t != NONE) {
      rows.idleNext[t] = r;
    } else {
      heads[p] = r;
    }
    tails[p] = r;
    sizes[p]++;
  }

  private void unlink(int r) {
    int p = rows.phase(r);
    int before = rows.idlePrev[r];
    int after = rows.idleNext[r];
    if (before != NONE) {
      rows.idleNext[before] = after;
    } else {
      heads[p] = after;
    }
    if (after != NONE) {
      rows.idlePrev[after] = before;
    } else {
      tails[p] = before;
    }
    sizes[p]--;
  }
}
