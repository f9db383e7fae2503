package dev.synscope.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synscope.flow.ConnectionEvent;
import dev.synscope.flow.FlowConfig;
import dev.synscope.flow.FlowId;
import dev.synscope.flow.FlowTable;
import dev.synscope.testing.SegmentScript;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Books get the record of exactly the connections they asked for, each index its own. */
class EvidenceIndexTest {
  private static final String[] CLIENTS = {"10.0.0.1", "10.0.0.2", "10.0.0.3"};

  @Test
  void eachBookIsFilledWithTheConnectionsItWantedAndNoOthers() {
    EvidenceIndex index = new EvidenceIndex();
    EvidenceIndex other = new EvidenceIndex();
    EvidenceBook first = new EvidenceBook(5, index);
    EvidenceBook second = new EvidenceBook(5, index);
    EvidenceBook elsewhere = new EvidenceBook(5, other);
    List<FlowId> ids = new ArrayList<>();
    FlowTable table = new FlowTable(FlowConfig.defaults(), e -> {
      if (e instanceof ConnectionEvent.Attempted a) {
        ids.add(a.id());
        int n = ids.size();
        if (n == 1) {
          first.want(a.id(), "one");
          second.want(a.id(), "both");
        } else if (n == 2) {
          second.want(a.id(), "two");
          second.want(a.id(), "twice"); // asked again: still one entry, the first note
        } else {
          elsewhere.want(a.id(), "other index");
        }
      } else if (e instanceof ConnectionEvent.Removed r) {
        index.onRemoved(r);
        other.onRemoved(r);
      }
    });
    for (int i = 0; i < CLIENTS.length; i++) {
      SegmentScript.between(CLIENTS[i], 40000 + i, "192.0.2.80", 80).startingAt(i * 1_000_000L)
          .segments("S h A F f A").forEach(table::onSegment);
    }
    table.drain();

    assertEquals(List.of(ids.get(0).uid()), uids(first));
    assertEquals(List.of(ids.get(0).uid(), ids.get(1).uid()), uids(second));
    assertEquals(List.of("one"), notes(first));
    assertEquals(List.of("both", "two"), notes(second));
    assertEquals(List.of(ids.get(2).uid()), uids(elsewhere));
    Evidence e = first.evidence().get(0);
    assertEquals("SF", e.connState());
    assertEquals("ShAFf", e.history()); // the record made as it left
  }

  private static List<String> uids(EvidenceBook book) {
    return book.evidence().stream().map(Evidence::uid).toList();
  }

  private static List<String> notes(EvidenceBook book) {
    return book.evidence().stream().map(Evidence::note).toList();
  }
}
