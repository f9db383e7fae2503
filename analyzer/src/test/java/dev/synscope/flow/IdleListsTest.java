package dev.synscope.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdleListsTest {
  private final ConnectionRows rows = new ConnectionRows(1_000_000);
  private final IdleLists lists = new IdleLists(rows, 2);

  private int add(int phase) {
    int r = rows.allocate();
    lists.add(r, phase);
    return r;
  }

  /** A segment at {@code lastNanos} touches row {@code r} while the table's clock is there too. */
  private void touch(int r, int phase, long lastNanos) {
    touch(r, phase, lastNanos, lastNanos);
  }

  /** As the table does: the row's packet time, then its place and the table's clock (never behind). */
  private void touch(int r, int phase, long clockNanos, long lastNanos) {
    rows.setLastNanos(r, lastNanos);
    lists.touch(r, phase);
    rows.touchNanos[r] = clockNanos;
  }

  /** Empties phase {@code p}'s list from its head, returning the order. */
  private List<Integer> drain(int p) {
    List<Integer> out = new ArrayList<>();
    int r;
    while ((r = lists.head(p)) >= 0) {
      out.add(r);
      lists.remove(r);
      rows.free(r);
    }
    return out;
  }

  private static List<Integer> list(int[] out, int n) {
    return Arrays.stream(out, 0, n).boxed().toList();
  }

  @Test
  void touchedConnectionsMoveToTheTailOfTheirPhase() {
    int a = add(0);
    int b = add(0);
    int c = add(0);
    touch(a, 0, 0);
    assertEquals(List.of(b, c, a), drain(0));
  }

  @Test
  void aPhaseChangeMovesTheConnectionToTheOtherList() {
    int a = add(0);
    int b = add(0);
    touch(a, 1, 0);
    assertEquals(b, lists.head(0));
    assertEquals(1, lists.size(0));
    assertEquals(1, lists.size(1));
    assertEquals(List.of(a), drain(1));
    assertEquals(List.of(b), drain(0));
  }

  @Test
  void freedRowsAreReusedAndGrowthKeepsOrder() {
    List<Integer> all = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      all.add(add(0));
    }
    for (int i = 0; i < 5000; i += 2) {
      lists.remove(all.get(i));
      rows.free(all.get(i));
    }
    int late = add(0);
    assertEquals(4998, late, "the last freed row is taken first");
    List<Integer> expected = new ArrayList<>();
    for (int i = 1; i < 5000; i += 2) {
      expected.add(all.get(i));
    }
    expected.add(late);
    assertEquals(expected, drain(0));
    assertEquals(-1, lists.head(0));
    assertEquals(0, rows.live());
  }

  @Test
  void idleBeforeTakesTheRowsTouchedBeforeAMomentOfTheTablesClock() {
    int a = add(0);
    int b = add(0);
    int c = add(0);
    int d = add(0);
    touch(b, 0, 10);
    touch(c, 0, 30);
    // d's packet time went back to 5 while the clock stood at 30: it was touched at 30, after c,
    // and is as idle as c (its place in the list and its clock agree, whatever its packet time).
    touch(d, 0, 30, 5);
    touch(a, 1, 50);
    int[] out = new int[IdleLists.BATCH];
    assertEquals(1, lists.idleBefore(0, 21, out), "b only: d was touched at 30");
    assertEquals(b, out[0]);
    assertEquals(3, lists.idleBefore(0, 31, out));
    assertEquals(List.of(b, c, d), list(out, 3));
    assertEquals(0, lists.idleBefore(0, 10, out), "the head (b, 10) is not idle before 10");
    assertEquals(0, lists.idleBefore(1, 50, out));
    assertEquals(1, lists.idleBefore(1, 51, out));
    assertEquals(a, out[0]);
  }

  @Test
  void idleBeforeReturnsAtMostOneBatch() {
    List<Integer> all = new ArrayList<>();
    for (int i = 0; i < IdleLists.BATCH + 10; i++) {
      int r = add(0);
      rows.setLastNanos(r, 0);
      rows.touchNanos[r] = 0;
      all.add(r);
    }
    int[] out = new int[IdleLists.BATCH];
    assertEquals(IdleLists.BATCH, lists.idleBefore(0, 1, out));
    assertEquals(all.subList(0, IdleLists.BATCH), list(out, IdleLists.BATCH));
    touch(all.get(0), 0, Long.MAX_VALUE); // a packet time no cutoff passes
    assertEquals(IdleLists.BATCH, lists.first(0, out), "first takes any, however recent");
    assertEquals(all.subList(1, IdleLists.BATCH + 1), list(out, IdleLists.BATCH));
  }
}
