package dev.synscope.flow;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The flow table's checkpoint as bytes: a snapshot written with {@link #write} and read back with
 * {@link #read} restores the same table. Fixed-size blocks go as their longs, the optional ones
 * behind a presence byte, strings as UTF: no reflection, no class names, a version byte first so
 * a reader refuses a format it does not know. What a stream engine's serialiser for keyed state
 * and checkpoints needs ({@link #writeConnection}, {@link #readConnection}).
 */
public final class SnapshotCodec {
  /** The format's version; a change to {@link ConnectionState} or the snapshot bumps it. */
  public static final int VERSION = 1;

  private SnapshotCodec() {}

  public static void write(FlowTable.Snapshot s, DataOutput out) throws IOException {
    out.writeByte(VERSION);
    out.writeLong(s.nowNanos());
    out.writeLong(s.nextExpiryNanos());
    out.writeLong(s.created());
    out.writeLong(s.expired());
    out.writeLong(s.evicted());
    out.writeLong(s.portReuses());
    out.writeLong(s.endOfInput());
    out.writeInt(s.peak());
    out.writeBoolean(s.emergency());
    out.writeLong(s.emergencyStartNanos());
    out.writeLong(s.emergencyEvicted());
    out.writeLong(s.emergencyExpired());
    out.writeInt(s.emergencies().size());
    for (FlowStats.Emergency e : s.emergencies()) {
      out.writeLong(e.startNanos());
      out.writeLong(e.endNanos());
      out.writeBoolean(e.open());
      out.writeLong(e.evicted());
      out.writeLong(e.expiredEarly());
    }
    out.writeInt(s.connections().size());
    for (ConnectionState c : s.connections()) {
      writeConnection(c, out);
    }
  }

  public static FlowTable.Snapshot read(DataInput in) throws IOException {
    int version = in.readUnsignedByte();
    if (version != VERSION) {
      throw new IOException("flow-table snapshot format " + version + ", this build reads " + VERSION);
    }
    long now = in.readLong();
    long nextExpiry = in.readLong();
    long created = in.readLong();
    long expired = in.readLong();
    long evicted = in.readLong();
    long reuses = in.readLong();
    long endOfInput = in.readLong();
    int peak = in.readInt();
    boolean emergency = in.readBoolean();
    long emergencyStart = in.readLong();
    long emergencyEvicted = in.readLong();
    long emergencyExpired = in.readLong();
    int spans = count(in.readInt());
    List<FlowStats.Emergency> emergencies = new ArrayList<>(spans);
    for (int i = 0; i < spans; i++) {
      emergencies.add(new FlowStats.Emergency(in.readLong(), in.readLong(), in.readBoolean(), in.readLong(), in.readLong()));
    }
    int n = count(in.readInt());
    List<ConnectionState> connections = new ArrayList<>(Math.min(n, 1 << 16));
    for (int i = 0; i < n; i++) {
      connections.add(readConnection(in));
    }
    return new FlowTable.Snapshot(connections, now, nextExpiry, created, expired, evicted, reuses, endOfInput, peak,
        emergency, emergencyStart, emergencyEvicted, emergencyExpired, emergencies);
  }

  /** One connection's state (no version byte: the caller's format carries one). */
  public static void writeConnection(ConnectionState c, DataOutput out) throws IOException {
    longs(c.hot(), ConnectionRows.HOT, out);
    longs(c.orig(), ConnectionRows.EB, out);
    optionalLongs(c.resp(), ConnectionRows.RB, out);
    optionalLongs(c.cold(), 2 * ConnectionRows.COLD, out);
    out.writeLong(c.startNanos());
    out.writeInt(c.startInput());
    out.writeLong(c.synNanos());
    out.writeLong(c.touchNanos());
    out.writeLong(c.touchOrdinal());
    optionalString(c.moreHistory(), out);
    optionalString(c.previousUid(), out);
  }

  public static ConnectionState readConnection(DataInput in) throws IOException {
    long[] hot = readLongs(ConnectionRows.HOT, in);
    long[] orig = readLongs(ConnectionRows.EB, in);
    long[] resp = in.readBoolean() ? readLongs(ConnectionRows.RB, in) : null;
    long[] cold = in.readBoolean() ? readLongs(2 * ConnectionRows.COLD, in) : null;
    return new ConnectionState(hot, orig, resp, cold, in.readLong(), in.readInt(), in.readLong(), in.readLong(),
        in.readLong(), in.readBoolean() ? in.readUTF() : null, in.readBoolean() ? in.readUTF() : null);
  }

  private static int count(int n) throws IOException {
    if (n < 0) {
      throw new IOException("flow-table snapshot: a negative count (" + n + ")");
    }
    return n;
  }

  private static void longs(long[] a, int expected, DataOutput out) throws IOException {
    if (a.length != expected) {
      throw new IllegalArgumentException("a block of " + a.length + " longs where " + expected + " belong");
    }
    for (long v : a) {
      out.writeLong(v);
    }
  }

  private static void optionalLongs(long[] a, int expected, DataOutput out) throws IOException {
    out.writeBoolean(a != null);
    if (a != null) {
      longs(a, expected, out);
    }
  }

  private static long[] readLongs(int n, DataInput in) throws IOException {
    long[] a = new long[n];
    for (int i = 0; i < n; i++) {
      a[i] = in.readLong();
    }
    return a;
  }

  private static void optionalString(String s, DataOutput out) throws IOException {
    out.writeBoolean(s != null);
    if (s != null) {
      out.writeUTF(s);
    }
  }
}
