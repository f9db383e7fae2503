package dev.synscope.flow;

import dev.synscope.decode.IpAddress;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Connection events as bytes, so that a stream engine can ship them between operators and rebuild
 * them on the other side: a type tag, the timestamp, the connection's id, then the record's fields
 * in declaration order. Ids go as their serial and endpoints and come back through a {@link
 * ReplayIds}, one instance per connection; every other reference (SynInfo, RstInfo, summaries,
 * strings, enums) may be null and goes behind a presence byte. Enums go as fixed codes, not
 * ordinals, so reordering a constant does not change the format. No reflection, no class names.
 */
public final class EventCodec {
  // Tags: fixed numbers, never reused (a new record gets the next one).
  private static final int ATTEMPTED = 1;
  private static final int SYN_RETRANSMITTED = 2;
  private static final int SYN_ACK_SENT = 3;
  private static final int ESTABLISHED = 4;
  private static final int ANSWERED_UNSEEN = 5;
  private static final int REJECTED = 6;
  private static final int RESET = 7;
  private static final int TIMESTAMP_AFTER_SYN = 8;
  private static final int DATA_STARTED = 9;
  private static final int CLOSED = 10;
  private static final int FIN_SENT = 11;
  private static final int FIN_ACKED = 12;
  private static final int PORT_REUSED = 13;
  private static final int SIMULTANEOUS_OPEN = 14;
  private static final int SELF_CONNECTED = 15;
  private static final int REMOVED = 16;

  /** The uid serial 0 derives; an id made with a uid of its own has serial 0 and another uid. */
  private static final String SERIAL_ZERO_UID =
      new FlowId(0, new IpAddress(4, 0, 0), 0, new IpAddress(4, 0, 0), 0).uid();

  private EventCodec() {}

  public static void write(ConnectionEvent e, DataOutput out) throws IOException {
    if (e instanceof ConnectionEvent.Attempted a) {
      head(ATTEMPTED, a, out);
      writeSyn(a.syn(), out);
    } else if (e instanceof ConnectionEvent.SynRetransmitted s) {
      head(SYN_RETRANSMITTED, s, out);
      out.writeLong(s.frameNumber());
      out.writeInt(s.count());
      out.writeLong(s.sinceFirstSynNanos());
    } else if (e instanceof ConnectionEvent.SynAckSent s) {
      head(SYN_ACK_SENT, s, out);
      writeSyn(s.synAck(), out);
      writeSyn(s.syn(), out);
      out.writeInt(s.count());
      out.writeBoolean(s.afterHandshakeAck());
    } else if (e instanceof ConnectionEvent.Established s) {
      head(ESTABLISHED, s, out);
      out.writeLong(s.frameNumber());
      out.writeLong(s.synToSynAckNanos());
      out.writeLong(s.synAckToAckNanos());
    } else if (e instanceof ConnectionEvent.AnsweredUnseen s) {
      head(ANSWERED_UNSEEN, s, out);
      out.writeLong(s.frameNumber());
    } else if (e instanceof ConnectionEvent.Rejected s) {
      head(REJECTED, s, out);
      writeRst(s.rst(), out);
    } else if (e instanceof ConnectionEvent.Reset s) {
      head(RESET, s, out);
      writeRole(s.by(), out);
      writeRst(s.rst(), out);
      out.writeLong(s.handshakeAckNanos());
      out.writeLong(s.senderPayloadBytes());
      out.writeLong(s.peerPayloadBytes());
      out.writeLong(s.senderIsn());
      out.writeLong(s.synToSynAckNanos());
    } else if (e instanceof ConnectionEvent.TimestampAfterSyn s) {
      head(TIMESTAMP_AFTER_SYN, s, out);
      writeRole(s.by(), out);
      out.writeLong(s.tsVal());
    } else if (e instanceof ConnectionEvent.DataStarted s) {
      head(DATA_STARTED, s, out);
      writeRole(s.by(), out);
    } else if (e instanceof ConnectionEvent.Closed s) {
      head(CLOSED, s, out);
      out.writeLong(s.frameNumber());
      writeRole(s.closedFirst(), out);
      out.writeBoolean(s.simultaneous());
    } else if (e instanceof ConnectionEvent.FinSent s) {
      head(FIN_SENT, s, out);
      out.writeLong(s.frameNumber());
      writeRole(s.by(), out);
    } else if (e instanceof ConnectionEvent.FinAcked s) {
      head(FIN_ACKED, s, out);
      writeRole(s.by(), out);
    } else if (e instanceof ConnectionEvent.PortReused s) {
      head(PORT_REUSED, s, out);
      writeId(s.previous(), out);
      out.writeLong(s.previousLastNanos());
      writeString(s.previousConnState(), out);
      writeRole(s.previousClosedFirst(), out);
    } else if (e instanceof ConnectionEvent.SimultaneousOpen s) {
      head(SIMULTANEOUS_OPEN, s, out);
      out.writeLong(s.frameNumber());
    } else if (e instanceof ConnectionEvent.SelfConnected s) {
      head(SELF_CONNECTED, s, out);
      out.writeLong(s.frameNumber());
    } else if (e instanceof ConnectionEvent.Removed s) {
      // Its id is the summary's: no head.
      out.writeByte(REMOVED);
      out.writeLong(s.timestampNanos());
      writeSummary(s.connection(), out);
    } else {
      // Java 17 has no exhaustive type switch: a new record of the sealed interface lands here.
      throw new IllegalArgumentException("no wire format for " + e.getClass().getName());
    }
  }

  /**
   * The next event of {@code in}; its ids come from {@code ids}, the same instance for every event
   * of a connection until {@link ReplayIds#release}.
   */
  public static ConnectionEvent read(DataInput in, ReplayIds ids) throws IOException {
    int tag = in.readUnsignedByte();
    // Arguments are evaluated left to right, in the order write put the fields.
    return switch (tag) {
      case ATTEMPTED -> new ConnectionEvent.Attempted(in.readLong(), readId(in, ids), readSyn(in));
      case SYN_RETRANSMITTED -> new ConnectionEvent.SynRetransmitted(
          in.readLong(), readId(in, ids), in.readLong(), in.readInt(), in.readLong());
      case SYN_ACK_SENT -> new ConnectionEvent.SynAckSent(
          in.readLong(), readId(in, ids), readSyn(in), readSyn(in), in.readInt(), in.readBoolean());
      case ESTABLISHED -> new ConnectionEvent.Established(
          in.readLong(), readId(in, ids), in.readLong(), in.readLong(), in.readLong());
      case ANSWERED_UNSEEN -> new ConnectionEvent.AnsweredUnseen(in.readLong(), readId(in, ids), in.readLong());
      case REJECTED -> new ConnectionEvent.Rejected(in.readLong(), readId(in, ids), readRst(in));
      case RESET -> new ConnectionEvent.Reset(in.readLong(), readId(in, ids), readRole(in), readRst(in),
          in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong());
      case TIMESTAMP_AFTER_SYN -> new ConnectionEvent.TimestampAfterSyn(
          in.readLong(), readId(in, ids), readRole(in), in.readLong());
      case DATA_STARTED -> new ConnectionEvent.DataStarted(in.readLong(), readId(in, ids), readRole(in));
      case CLOSED -> new ConnectionEvent.Closed(
          in.readLong(), readId(in, ids), in.readLong(), readRole(in), in.readBoolean());
      case FIN_SENT -> new ConnectionEvent.FinSent(in.readLong(), readId(in, ids), in.readLong(), readRole(in));
      case FIN_ACKED -> new ConnectionEvent.FinAcked(in.readLong(), readId(in, ids), readRole(in));
      case PORT_REUSED -> new ConnectionEvent.PortReused(in.readLong(), readId(in, ids), readPreviousId(in, ids),
          in.readLong(), readString(in), readRole(in));
      case SIMULTANEOUS_OPEN -> new ConnectionEvent.SimultaneousOpen(in.readLong(), readId(in, ids), in.readLong());
      case SELF_CONNECTED -> new ConnectionEvent.SelfConnected(in.readLong(), readId(in, ids), in.readLong());
      case REMOVED -> new ConnectionEvent.Removed(in.readLong(), readSummary(in, ids));
      default -> throw new IOException("connection event: unknown type tag " + tag);
    };
  }

  /** One event as bytes (see {@link #write}). */
  public static byte[] toBytes(ConnectionEvent e) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(512); // a Removed with its summary: ~300 bytes
    try {
      write(e, new DataOutputStream(bytes));
    } catch (IOException impossible) {
      throw new UncheckedIOException(impossible); // a byte array does not fail
    }
    return bytes.toByteArray();
  }

  /** The one event {@code b} holds; bytes left over mean a framing error and are refused. */
  public static ConnectionEvent fromBytes(byte[] b, ReplayIds ids) throws IOException {
    ByteInput bytes = new ByteInput(b);
    ConnectionEvent e = read(bytes, ids);
    if (bytes.remaining() > 0) {
      throw new IOException("connection event: " + bytes.remaining() + " bytes after the event");
    }
    return e;
  }

  /** A copy of {@code r} removed at {@code timestampNanos} for {@code cause}. */
  public static ConnectionEvent.Removed withRemoval(
      ConnectionEvent.Removed r, long timestampNanos, RemovalCause cause) {
    ConnectionSummary c = r.connection();
    return new ConnectionEvent.Removed(timestampNanos, new ConnectionSummary(c.id(), c.startNanos(), c.startInput(),
        c.lastNanos(), c.connState(), c.history(), c.orig(), c.resp(), c.synNanos(), c.synAckNanos(), c.ackNanos(),
        c.ackFrame(), c.ackInput(), c.synToSynAckNanos(), c.synAckToAckNanos(), c.synAcksAfterHandshakeAck(),
        c.handshakeCompleted(), c.selfConnect(), c.simultaneousOpen(), c.closedFirst(), c.previousUid(), cause));
  }

  // ---- ids and addresses

  private static void head(int tag, ConnectionEvent e, DataOutput out) throws IOException {
    out.writeByte(tag);
    out.writeLong(e.timestampNanos());
    writeId(e.id(), out);
  }

  private static void writeId(FlowId id, DataOutput out) throws IOException {
    // The uid derives from the serial; an id given a uid of its own (serial 0) would come back
    // with another one, and all such ids would share serial 0.
    if (id.serial() == 0 && !id.uid().equals(SERIAL_ZERO_UID)) {
      throw new IllegalArgumentException("id " + id.uid() + " has no serial: only a table's ids can be encoded");
    }
    out.writeLong(id.serial());
    writeAddress(id.origHost(), out);
    writePort(id.origPort(), out);
    writeAddress(id.respHost(), out);
    writePort(id.respPort(), out);
  }

  private static FlowId readId(DataInput in, ReplayIds ids) throws IOException {
    return readId(in, ids, false);
  }

  /** A PortReused's previous connection: not registered, it has left already. */
  private static FlowId readPreviousId(DataInput in, ReplayIds ids) throws IOException {
    return readId(in, ids, true);
  }

  private static FlowId readId(DataInput in, ReplayIds ids, boolean previous) throws IOException {
    long serial = in.readLong();
    IpAddress origHost = readAddress(in);
    int origPort = in.readUnsignedShort();
    IpAddress respHost = readAddress(in);
    int respPort = in.readUnsignedShort();
    try {
      return previous
          ? ids.lookup(serial, origHost, origPort, respHost, respPort)
          : ids.id(serial, origHost, origPort, respHost, respPort);
    } catch (IllegalArgumentException e) {
      throw new IOException("connection event: " + e.getMessage(), e);
    }
  }

  private static void writePort(int port, DataOutput out) throws IOException {
    if (port < 0 || port > 0xffff) {
      throw new IllegalArgumentException("port " + port);
    }
    out.writeShort(port);
  }

  private static void writeAddress(IpAddress a, DataOutput out) throws IOException {
    out.writeByte(a.version());
    if (a.version() == 4) {
      if (a.hi() != 0 || (a.lo() >>> 32) != 0) {
        throw new IllegalArgumentException("not an IPv4 address: version 4, hi " + a.hi() + ", lo " + a.lo());
      }
      out.writeInt((int) a.lo());
    } else if (a.version() == 6) {
      out.writeLong(a.hi());
      out.writeLong(a.lo());
    } else {
      throw new IllegalArgumentException("IP version " + a.version());
    }
  }

  private static IpAddress readAddress(DataInput in) throws IOException {
    int version = in.readUnsignedByte();
    return switch (version) {
      case 4 -> new IpAddress(4, 0, in.readInt() & 0xffffffffL);
      case 6 -> new IpAddress(6, in.readLong(), in.readLong());
      default -> throw new IOException("connection event: unknown IP version " + version);
    };
  }

  // ---- summaries

  private static void writeSummary(ConnectionSummary c, DataOutput out) throws IOException {
    writeId(c.id(), out);
    out.writeLong(c.startNanos());
    out.writeInt(c.startInput());
    out.writeLong(c.lastNanos());
    writeString(c.connState(), out);
    writeString(c.history(), out);
    writeEndpoint(c.orig(), out);
    writeEndpoint(c.resp(), out);
    out.writeLong(c.synNanos());
    out.writeLong(c.synAckNanos());
    out.writeLong(c.ackNanos());
    out.writeLong(c.ackFrame());
    out.writeInt(c.ackInput());
    out.writeLong(c.synToSynAckNanos());
    out.writeLong(c.synAckToAckNanos());
    out.writeInt(c.synAcksAfterHandshakeAck());
    out.writeBoolean(c.handshakeCompleted());
    out.writeBoolean(c.selfConnect());
    out.writeBoolean(c.simultaneousOpen());
    writeRole(c.closedFirst(), out);
    writeString(c.previousUid(), out);
    writeRemoval(c.removal(), out);
  }

  private static ConnectionSummary readSummary(DataInput in, ReplayIds ids) throws IOException {
    return new ConnectionSummary(readId(in, ids), in.readLong(), in.readInt(), in.readLong(), readString(in),
        readString(in), readEndpoint(in), readEndpoint(in), in.readLong(), in.readLong(), in.readLong(),
        in.readLong(), in.readInt(), in.readLong(), in.readLong(), in.readInt(), in.readBoolean(), in.readBoolean(),
        in.readBoolean(), readRole(in), readString(in), readRemoval(in));
  }

  private static void writeEndpoint(EndpointSummary s, DataOutput out) throws IOException {
    out.writeBoolean(s != null);
    if (s == null) {
      return;
    }
    writeEndpointState(s.state(), out);
    out.writeLong(s.isn());
    writeSyn(s.syn(), out);
    out.writeLong(s.packets());
    out.writeLong(s.bytes());
    out.writeLong(s.payloadBytesSeen());
    out.writeInt(s.synRetransmissions());
    out.writeInt(s.finCount());
    out.writeInt(s.rstCount());
    writeRst(s.firstRst(), out);
    out.writeLong(s.firstFinNanos());
    out.writeLong(s.firstDataNanos());
    out.writeLong(s.retransmittedSegments());
    out.writeLong(s.zeroWindows());
    out.writeLong(s.tsValAfterSyn());
    out.writeLong(s.tsValAfterSynNanos());
    out.writeBoolean(s.finAcknowledged());
    out.writeBoolean(s.dataAfterPeerFin());
  }

  private static EndpointSummary readEndpoint(DataInput in) throws IOException {
    if (!in.readBoolean()) {
      return null;
    }
    return new EndpointSummary(readEndpointState(in), in.readLong(), readSyn(in), in.readLong(), in.readLong(),
        in.readLong(), in.readInt(), in.readInt(), in.readInt(), readRst(in), in.readLong(), in.readLong(),
        in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readBoolean(), in.readBoolean());
  }

  private static void writeSyn(SynInfo s, DataOutput out) throws IOException {
    out.writeBoolean(s != null);
    if (s == null) {
      return;
    }
    out.writeLong(s.timestampNanos());
    out.writeLong(s.frameNumber());
    out.writeInt(s.input());
    out.writeLong(s.seq());
    out.writeLong(s.ack());
    out.writeInt(s.flags());
    out.writeInt(s.window());
    out.writeInt(s.ttl());
    out.writeInt(s.mss());
    out.writeInt(s.windowScale());
    out.writeBoolean(s.sackPermitted());
    out.writeBoolean(s.hasTimestamps());
    out.writeLong(s.tsVal());
    out.writeLong(s.tsEcr());
    out.writeInt(s.tfoCookieLength());
    out.writeInt(s.optionCount());
    out.writeInt(s.payloadLength());
  }

  private static SynInfo readSyn(DataInput in) throws IOException {
    if (!in.readBoolean()) {
      return null;
    }
    return new SynInfo(in.readLong(), in.readLong(), in.readInt(), in.readLong(), in.readLong(), in.readInt(),
        in.readInt(), in.readInt(), in.readInt(), in.readInt(), in.readBoolean(), in.readBoolean(), in.readLong(),
        in.readLong(), in.readInt(), in.readInt(), in.readInt());
  }

  private static void writeRst(RstInfo r, DataOutput out) throws IOException {
    out.writeBoolean(r != null);
    if (r == null) {
      return;
    }
    out.writeLong(r.timestampNanos());
    out.writeLong(r.frameNumber());
    out.writeInt(r.input());
    out.writeLong(r.seq());
    out.writeLong(r.ack());
    out.writeBoolean(r.withAck());
    out.writeInt(r.payloadLength());
  }

  private static RstInfo readRst(DataInput in) throws IOException {
    if (!in.readBoolean()) {
      return null;
    }
    return new RstInfo(in.readLong(), in.readLong(), in.readInt(), in.readLong(), in.readLong(), in.readBoolean(),
        in.readInt());
  }

  // ---- strings and enums: 0 is null

  private static void writeString(String s, DataOutput out) throws IOException {
    out.writeBoolean(s != null);
    if (s != null) {
      out.writeUTF(s);
    }
  }

  private static String readString(DataInput in) throws IOException {
    return in.readBoolean() ? in.readUTF() : null;
  }

  private static void writeRole(Role r, DataOutput out) throws IOException {
    out.writeByte(r == null ? 0 : switch (r) {
      case ORIG -> 1;
      case RESP -> 2;
    });
  }

  private static Role readRole(DataInput in) throws IOException {
    int code = in.readUnsignedByte();
    return switch (code) {
      case 0 -> null;
      case 1 -> Role.ORIG;
      case 2 -> Role.RESP;
      default -> throw new IOException("connection event: unknown role " + code);
    };
  }

  private static void writeRemoval(RemovalCause c, DataOutput out) throws IOException {
    out.writeByte(c == null ? 0 : switch (c) {
      case IDLE_TIMEOUT -> 1;
      case EVICTED -> 2;
      case REUSED -> 3;
      case END_OF_INPUT -> 4;
    });
  }

  private static RemovalCause readRemoval(DataInput in) throws IOException {
    int code = in.readUnsignedByte();
    return switch (code) {
      case 0 -> null;
      case 1 -> RemovalCause.IDLE_TIMEOUT;
      case 2 -> RemovalCause.EVICTED;
      case 3 -> RemovalCause.REUSED;
      case 4 -> RemovalCause.END_OF_INPUT;
      default -> throw new IOException("connection event: unknown removal cause " + code);
    };
  }

  private static void writeEndpointState(EndpointState s, DataOutput out) throws IOException {
    out.writeByte(s == null ? 0 : switch (s) {
      case INACTIVE -> 1;
      case SYN_SENT -> 2;
      case SYN_ACK_SENT -> 3;
      case PARTIAL -> 4;
      case ESTABLISHED -> 5;
      case CLOSED -> 6;
      case RESET -> 7;
    });
  }

  private static EndpointState readEndpointState(DataInput in) throws IOException {
    int code = in.readUnsignedByte();
    return switch (code) {
      case 0 -> null;
      case 1 -> EndpointState.INACTIVE;
      case 2 -> EndpointState.SYN_SENT;
      case 3 -> EndpointState.SYN_ACK_SENT;
      case 4 -> EndpointState.PARTIAL;
      case 5 -> EndpointState.ESTABLISHED;
      case 6 -> EndpointState.CLOSED;
      case 7 -> EndpointState.RESET;
      default -> throw new IOException("connection event: unknown endpoint state " + code);
    };
  }
}
