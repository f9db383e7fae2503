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
    c.row = lists.add(c, phase);
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
    lists.touch(a.row, 0);
    assertEquals(List.of(b, c, a), drain(0));
  }

  @Test
  void aPhaseChangeMovesTheConnectionToTheOtherList() {
    Connection a = add(0);
    Connection b = add(0);
    lists.touch(a.row, 1);
    assertEquals(1, lists.phase(a.row));
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
}
