package dev.synscope.detect;

import dev.synscope.flow.ConnectionAttribute;
import dev.synscope.flow.ConnectionEvent;
import dev.synscope.flow.FlowId;
import java.util.ArrayList;
import java.util.List;

/**
 * Which evidence books wait for which connection, so a Removed event reaches only the books that
 * asked for it, however many episodes a detector keeps. The book (or books) hang on the
 * connection's id: a connection leaving costs an array read, not the hashing of its id.
 */
public final class EvidenceIndex implements java.io.Serializable {
  /** Per instance: two detectors' indexes on one event stream stay apart. */
  private final ConnectionAttribute<Object> waiting = ConnectionAttribute.create("evidence.waiting");
  /** Connections some book still waits for. */
  private int pending;

  void register(FlowId id, EvidenceBook book) {
    Object present = id.get(waiting);
    if (present == null) {
      id.set(waiting, book);
      pending++;
    } else if (present instanceof EvidenceBook single) {
      if (single != book) {
        List<EvidenceBook> both = new ArrayList<>(2);
        both.add(single);
        both.add(book);
        id.set(waiting, both);
      }
    } else {
      @SuppressWarnings("unchecked")
      List<EvidenceBook> list = (List<EvidenceBook>) present;
      if (!list.contains(book)) list.add(book);
    }
  }

  /** Feed every Removed event here: the books that wanted the connection get its record. */
  public void onRemoved(ConnectionEvent.Removed removed) {
    if (pending == 0) {
      return;
    }
    FlowId id = removed.id();
    Object books = id.get(waiting);
    if (books == null) {
      return;
    }
    id.set(waiting, null);
    pending--;
    if (books instanceof EvidenceBook single) {
      single.fill(removed);
    } else {
      @SuppressWarnings("unchecked")
      List<EvidenceBook> list = (List<EvidenceBook>) books;
      for (EvidenceBook b : list) b.fill(removed);
    }
  }
}
