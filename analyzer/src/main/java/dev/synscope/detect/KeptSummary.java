package dev.synscope.detect;

import dev.synscope.flow.ConnectionSummary;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.lang.reflect.RecordComponent;

/**
 * A connection summary a detector keeps, in a form Java serialisation writes: {@link
 * ConnectionSummary} and the records it holds (endpoints, SYN and RST info) are values but not
 * Serializable, so this writes their components and makes them again with their canonical
 * constructors. Its id is written as any other reference, so it stays one object in the graph.
 */
final class KeptSummary implements Serializable {
  private transient ConnectionSummary summary;

  KeptSummary(ConnectionSummary summary) {
    this.summary = summary;
  }

  ConnectionSummary get() {
    return summary;
  }

  private void writeObject(ObjectOutputStream out) throws IOException {
    out.defaultWriteObject();
    try {
      out.writeObject(components(summary));
    } catch (ReflectiveOperationException e) {
      throw new IOException("cannot read the components of " + summary, e);
    }
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    try {
      summary = make(ConnectionSummary.class, (Object[]) in.readObject());
    } catch (ReflectiveOperationException | ClassCastException | IllegalArgumentException e) {
      InvalidObjectException bad = new InvalidObjectException("not a connection summary of this build");
      bad.initCause(e);
      throw bad;
    }
  }

  /** The component values of {@code r}, each record among them that is not Serializable as its own array. */
  private static Object[] components(Record r) throws ReflectiveOperationException {
    RecordComponent[] c = r.getClass().getRecordComponents();
    Object[] out = new Object[c.length];
    for (int i = 0; i < c.length; i++) {
      Object v = c[i].getAccessor().invoke(r);
      out[i] = v instanceof Record nested && !(v instanceof Serializable) ? components(nested) : v;
    }
    return out;
  }

  private static <R extends Record> R make(Class<R> type, Object[] values) throws ReflectiveOperationException {
    RecordComponent[] c = type.getRecordComponents();
    if (values.length != c.length) {
      throw new IllegalArgumentException(type.getName() + " has " + c.length + " components, not " + values.length);
    }
    Class<?>[] types = new Class<?>[c.length];
    for (int i = 0; i < c.length; i++) {
      types[i] = c[i].getType();
      if (types[i].isRecord() && values[i] instanceof Object[] nested) {
        values[i] = make(types[i].asSubclass(Record.class), nested);
      }
    }
    return type.getDeclaredConstructor(types).newInstance(values);
  }
}
