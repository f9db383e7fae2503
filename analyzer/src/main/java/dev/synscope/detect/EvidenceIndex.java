package dev.synscope.detect;

import dev.synscope.flow.ConnectionEvent;
import dev.synscope.flow.FlowId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which evidence books wait for which connection, so a Removed event reaches only the books that
 * asked for it (one lookup per event, however many episodes a detector keeps).
 */
public final class EvidenceIndex {
  private final Map<FlowId, Object> waiting = new HashMap<>();

  void register(FlowId id, EvidenceBook book) {
    Object present = waiting.get(id);
    if (present == null) {
      waiting.put(id, book);
    } else if (present instanceof EvidenceBook single) {
      if (single != book) {
        List<EvidenceBook> both = new ArrayList<>(2);
        both.add(single);
        both.add(book);
        waiting.put(id, both);
      }
    } else {
      @SuppressWarnings("unchecked")
      List<EvidenceBook> list = (List<EvidenceBook>) present;
      if (!list.contains(book)) list.add(book);
    }
  }

  /** Feed every Removed event here: the books that wanted the connection get its record. */
  public void onRemoved(ConnectionEvent.Removed removed) {
    if (waiting.isEmpty()) {
      return; // the usual case: no hashing of every connection that leaves
    }
    Object books = waiting.remove(removed.id());
    if (books instanceof EvidenceBook single) {
      single.fill(removed);
    } else if (books != null) {
      @SuppressWarnings("unchecked")
      List<EvidenceBook> list = (List<EvidenceBook>) books;
      for (EvidenceBook b : list) b.fill(removed);
    }
  }
}
