package dev.synscope.flow;

/**
 * The flow table's read-only view of a connection while its Removed event is being handled (see
 * {@link ConnectionView}). It reads the connection's own fields: a million connections leaving
 * the table no longer make a million records, endpoint records and history strings that only
 * the report's counters and a detector or two glance at. Once the event has been handled the
 * table {@link #detach()}es it, as the connection is about to be reused; a late read then fails
 * loudly instead of reading another connection (its id, a value, stays readable).
 */
final class RemovedConnection implements ConnectionView {
  private Connection c;
  /** Kept apart from the connection: an id is a value, valid after the event too. */
  private final FlowId id;
  private final RemovalCause cause;
  private Side orig;
  private Side resp;
  private ConnectionSummary summary;

  RemovedConnection(Connection c, RemovalCause cause) {
    this.c = c;
    this.id = c.id;
    this.cause = cause;
  }

  /** Ends the view: later reads throw, except {@link #summary()} if it was made in time. */
  void detach() {
    c = null;
  }

  private Connection connection() {
    Connection live = c;
    if (live == null) {
      throw new IllegalStateException(
          "a Removed event's connection was read after the event was handled: keep its summary() instead");
    }
    return live;
  }

  @Override
  public ConnectionSummary summary() {
    if (summary == null) {
      summary = connection().summary(cause);
    }
    return summary;
  }

  @Override
  public FlowId id() {
    return id;
  }

  @Override
  public long startNanos() {
    return connection().startNanos;
  }

  @Override
  public int startInput() {
    return connection().startInput;
  }

  @Override
  public long lastNanos() {
    return connection().lastNanos;
  }

  @Override
  public String connState() {
    return connection().connState();
  }

  @Override
  public String history() {
    return connection().historyString();
  }

  @Override
  public EndpointView orig() {
    if (orig == null) {
      orig = new Side(true);
    }
    return orig;
  }

  @Override
  public EndpointView resp() {
    if (resp == null) {
      resp = new Side(false);
    }
    return resp;
  }

  @Override
  public long synNanos() {
    return connection().synNanos;
  }

  @Override
  public long synAckNanos() {
    return connection().synAckNanos;
  }

  @Override
  public long ackNanos() {
    return connection().ackNanos;
  }

  @Override
  public long ackFrame() {
    return connection().ackFrame;
  }

  @Override
  public int ackInput() {
    return connection().ackInput;
  }

  @Override
  public long synToSynAckNanos() {
    return connection().synToSynAckNanos;
  }

  @Override
  public long synAckToAckNanos() {
    return connection().synAckToAckNanos;
  }

  @Override
  public int synAcksAfterHandshakeAck() {
    return connection().synAcksAfterHandshakeAck;
  }

  @Override
  public boolean handshakeCompleted() {
    return connection().handshakeCompleted;
  }

  @Override
  public boolean selfConnect() {
    return connection().selfConnect;
  }

  @Override
  public boolean simultaneousOpen() {
    return connection().simultaneousOpen;
  }

  @Override
  public Role closedFirst() {
    return connection().closedFirst;
  }

  @Override
  public String previousUid() {
    return connection().previousUid;
  }

  @Override
  public RemovalCause removal() {
    return cause;
  }

  @Override
  public String toString() {
    return "RemovedConnection[" + id + (c == null ? ", handled]" : "]");
  }

  /** One endpoint of the connection, read through the same (possibly detached) view. */
  final class Side implements EndpointView {
    private final boolean isOrig;

    private Side(boolean isOrig) {
      this.isOrig = isOrig;
    }

    private Endpoint endpoint() {
      Connection live = connection();
      return isOrig ? live.orig : live.resp;
    }

    @Override
    public EndpointState state() {
      return endpoint().state;
    }

    @Override
    public long isn() {
      return endpoint().isn;
    }

    @Override
    public SynInfo syn() {
      return endpoint().syn();
    }

    @Override
    public long packets() {
      return endpoint().packets;
    }

    @Override
    public long bytes() {
      return endpoint().size();
    }

    @Override
    public long payloadBytesSeen() {
      return endpoint().payloadBytesSeen;
    }

    @Override
    public int synRetransmissions() {
      return endpoint().synRetransmissions;
    }

    @Override
    public int finCount() {
      return endpoint().finCount;
    }

    @Override
    public int rstCount() {
      return endpoint().rstCount;
    }

    @Override
    public RstInfo firstRst() {
      return endpoint().firstRst;
    }

    @Override
    public long firstFinNanos() {
      return endpoint().firstFinNanos;
    }

    @Override
    public long firstDataNanos() {
      return endpoint().firstDataNanos;
    }

    @Override
    public long retransmittedSegments() {
      return endpoint().retransmits;
    }

    @Override
    public long zeroWindows() {
      return endpoint().zeroWindows;
    }

    @Override
    public long tsValAfterSyn() {
      return endpoint().tsValAfterSyn;
    }

    @Override
    public long tsValAfterSynNanos() {
      return endpoint().tsValAfterSynNanos;
    }
  }
}
