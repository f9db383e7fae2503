package dev.synscope.flink;

/**
 * A connection event on its way from the flow tracker to one detector, with its place in the
 * sequence {@code synscope analyze} hands its detectors: {@code (major, minor)} ordered, where
 * major is the frame ordinal × 4 + section (0 the expiry pass before the frame's segment, 1 the
 * segment's events, 2 the clock's tick) and minor the event's rank within it. A removal by expiry
 * knows only when its connection fell due ({@link #deadlineNanos}); the detector operator finds
 * the pass that removed it. A Flink POJO; the event itself travels as {@code EventCodec} bytes.
 */
public class EventRecord implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /** Major key of a removal whose pass is still to be found. */
  public static final long UNPLACED = -1;

  /** The detector's index in the registry: the key of the detector operators. */
  public int detector;
  public long major;
  public long minor;
  /** The flow table's clock at its place (unplaced: its deadline); it may go when the watermark passes it. */
  public long releaseNanos;
  /** Removals by expiry: the table clock after which the connection was due; else {@code Long.MIN_VALUE}. */
  public long deadlineNanos = Long.MIN_VALUE;
  public byte[] event;

  public EventRecord() {}

  EventRecord(int detector, long major, long minor, long releaseNanos, long deadlineNanos, byte[] event) {
    this.detector = detector;
    this.major = major;
    this.minor = minor;
    this.releaseNanos = releaseNanos;
    this.deadlineNanos = deadlineNanos;
    this.event = event;
  }
}
