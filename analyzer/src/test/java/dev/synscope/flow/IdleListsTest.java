package dev.synscope.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdleListsTest {
  private final IdleLists lists = new IdleLists(2);

  private Connection add(int phase) {
    Connection c = new Connection();
    c.row = lists.add(c, phase, 0);
    return c;
  }

  /** Empties phase {@code p}'s list from its head, returning the order. */
  private List<Connection> drain(int p) {
    List<Connection> out = new ArrayList<>();
    Connection c;
    while ((c = lists.head(p)) != null) {
      out.add(c);
      lists.remove(c.row);
    }
    return out;
  }

  @Test
  void touchedConnectionsMoveToTheTailOfTheirPhase() {
    Connection a = add(0);
    Connection b = add(0);
    Connection c = add(0);
    lists.touch(a.row, 0, 0);
    assertEquals(List.of(b, c, a), drain(0));
  }

  @Test
  void aPhaseChangeMovesTheConnectionToTheOtherList() {
    Connection a = add(0);
    Connection b = add(0);
    lists.touch(a.row, 1, 0);
    assertSame(b, lists.head(0));
    assertEquals(List.of(a), drain(1));
    assertEquals(List.of(b), drain(0));
  }

  @Test
  void freedRowsAreReusedAndGrowthKeepsOrder() {
    List<Connection> all = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      all.add(add(0));
    }
    for (int i = 0; i < 5000; i += 2) {
      lists.remove(all.get(i).row);
    }
    Connection late = add(0);
    assertEquals(4998, late.row, "the last freed row is taken first");
    List<Connection> expected = new ArrayList<>();
    for (int i = 1; i < 5000; i += 2) {
      expected.add(all.get(i));
    }
    expected.add(late);
    assertEquals(expected, drain(0));
    assertNull(lists.head(0));
  }

  @Test
  void idleBeforeReturnsTheIdleHeadInListOrderAndStopsAtTheFirstActiveOne() {
    Connection a = add(0);
    Connection b = add(0);
    Connection c = add(0);
    Connection d = add(0);
    lists.touch(a.row, 0, 50); // now a is at the tail, last active at 50
    lists.touch(b.row, 0, 10);
    lists.touch(c.row, 0, 30);
    lists.touch(d.row, 0, 5); // idle since 5 (a packet time that went back), behind c in the list
    lists.touch(a.row, 1, 50);
    Connection[] out = new Connection[IdleLists.BATCH];
    assertEquals(1, lists.idleBefore(0, 21, out), "b; d is idle too but waits behind c");
    assertSame(b, out[0]);
    assertEquals(3, lists.idleBefore(0, 31, out));
    assertEquals(List.of(b, c, d), List.of(out[0], out[1], out[2]));
    assertEquals(0, lists.idleBefore(0, 10, out), "the head (b, 10) is not idle before 10");
    assertEquals(0, lists.idleBefore(1, 50, out));
    assertEquals(1, lists.idleBefore(1, 51, out));
    assertSame(a, out[0]);
  }

  @Test
  void idleBeforeReturnsAtMostOneBatch() {
    List<Connection> all = new ArrayList<>();
    for (int i = 0; i < IdleLists.BATCH + 10; i++) {
      all.add(add(0));
    }
    Connection[] out = new Connection[IdleLists.BATCH];
    assertEquals(IdleLists.BATCH, lists.idleBefore(0, 1, out));
    assertEquals(all.subList(0, IdleLists.BATCH), List.of(out));
    lists.touch(all.get(0).row, 0, Long.MAX_VALUE); // a packet time no cutoff passes
    assertEquals(IdleLists.BATCH, lists.first(0, out), "first takes any, however recent");
    assertEquals(all.subList(1, IdleLists.BATCH + 1), List.of(out));
  }
}
