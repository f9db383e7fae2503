package dev.synscope.flow;

/**
 * The flow table's read-only view of a connection while its Removed event is being handled (see
 * {@link ConnectionView}). It reads the connection's row in {@link ConnectionRows}: a million
 * connections leaving the table make no records, endpoint records or history strings that only
 * the report's counters and a detector or two glance at. Once the event has been handled the
 * table {@link #detach()}es it, as the row is about to be reused; a late read then fails loudly
 * instead of reading another connection (its id, a value, stays readable).
 */
final class RemovedConnection implements ConnectionView {
  private ConnectionRows rows;
  private final int r;
  /** Kept apart from the row: an id is a value, valid after the event too. */
  private final FlowId id;
  private final RemovalCause cause;
  private Side orig;
  private Side resp;
  private ConnectionSummary summary;

  RemovedConnection(ConnectionRows rows, int r, FlowId id, RemovalCause cause) {
    this.rows = rows;
    this.r = r;
    this.id = id;
    this.cause = cause;
  }

  /** Ends the view: later reads throw, except {@link #summary()} if it was made in time. */
  void detach() {
    rows = null;
  }

  private ConnectionRows rows() {
    ConnectionRows live = rows;
    if (live == null) {
      throw new IllegalStateException(
          "a Removed event's connection was read after the event was handled: keep its summary() instead");
    }
    return live;
  }

  @Override
  public ConnectionSummary summary() {
    if (summary == null) {
      summary = rows().summary(r, id, cause);
    }
    return summary;
  }

  @Override
  public FlowId id() {
    return id;
  }

  @Override
  public long startNanos() {
    return rows().startNanos[r];
  }

  @Override
  public int startInput() {
    return rows().startInput[r];
  }

  @Override
  public long lastNanos() {
    return rows().lastNanos(r);
  }

  @Override
  public String connState() {
    return rows().connState(r);
  }

  @Override
  public String history() {
    return rows().history(r);
  }

  @Override
  public EndpointView orig() {
    if (orig == null) {
      orig = new Side(r * 2);
    }
    return orig;
  }

  @Override
  public EndpointView resp() {
    if (resp == null) {
      resp = new Side(r * 2 + 1);
    }
    return resp;
  }

  @Override
  public long synNanos() {
    return rows().synNanos[r];
  }

  @Override
  public long synAckNanos() {
    return rows().synAckNanos(r);
  }

  @Override
  public long ackNanos() {
    return rows().ackNanos(r);
  }

  @Override
  public long ackFrame() {
    return rows().ackFrame(r);
  }

  @Override
  public int ackInput() {
    return rows().ackInput(r);
  }

  @Override
  public long synToSynAckNanos() {
    return rows().synToSynAckNanos(r);
  }

  @Override
  public long synAckToAckNanos() {
    return rows().synAckToAckNanos(r);
  }

  @Override
  public int synAcksAfterHandshakeAck() {
    return rows().synAcksAfterAck(r);
  }

  @Override
  public boolean handshakeCompleted() {
    return rows().flag(r, ConnectionRows.F_HANDSHAKE);
  }

  @Override
  public boolean selfConnect() {
    return rows().flag(r, ConnectionRows.F_SELF);
  }

  @Override
  public boolean simultaneousOpen() {
    return rows().flag(r, ConnectionRows.F_SIM_OPEN);
  }

  @Override
  public Role closedFirst() {
    return rows().closedFirst(r);
  }

  @Override
  public String previousUid() {
    return rows().previousUid(r);
  }

  @Override
  public RemovalCause removal() {
    return cause;
  }

  @Override
  public String toString() {
    return "RemovedConnection[" + id + (rows == null ? ", handled]" : "]");
  }

  /** One endpoint of the connection, read through the same (possibly detached) view. */
  final class Side implements EndpointView {
    private final int e;

    private Side(int e) {
      this.e = e;
    }

    @Override
    public EndpointState state() {
      return rows().state(e);
    }

    @Override
    public long isn() {
      return rows().isn(e);
    }

    @Override
    public SynInfo syn() {
      return rows().syn(e);
    }

    @Override
    public long packets() {
      return rows().packets(e);
    }

    @Override
    public long bytes() {
      return rows().size(e);
    }

    @Override
    public long payloadBytesSeen() {
      return rows().payloadBytesSeen(e);
    }

    @Override
    public int synRetransmissions() {
      return rows().synRetransmissions(e);
    }

    @Override
    public int finCount() {
      return rows().finCount(e);
    }

    @Override
    public int rstCount() {
      return rows().rstCount(e);
    }

    @Override
    public RstInfo firstRst() {
      return rows().firstRst(e);
    }

    @Override
    public long firstFinNanos() {
      return rows().firstFinNanos(e);
    }

    @Override
    public long firstDataNanos() {
      return rows().firstDataNanos(e);
    }

    @Override
    public long retransmittedSegments() {
      return rows().retransmits(e);
    }

    @Override
    public long zeroWindows() {
      return rows().zeroWindows(e);
    }

    @Override
    public long tsValAfterSyn() {
      return rows().tsValAfterSyn(e);
    }

    @Override
    public long tsValAfterSynNanos() {
      return rows().tsValAfterSynNanos(e);
    }
  }
}
