package dev.synscope.capture;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.PcapStat;
import org.pcap4j.core.RawPacketListener;

/**
 * Frames from a live interface. A capture thread owns the libpcap handle: it polls it in
 * non-blocking mode (libpcap 1.10's read timeout never fires on an idle interface, so a blocking
 * read could not be stopped), copies each frame into a bounded ring of preallocated buffers, and
 * never waits for the analysis: when the ring is full the frame is counted in
 * {@link CaptureStats#handoffDropped()} and dropped. {@link #next} takes frames from the ring.
 *
 * <p>{@link #stop()} may be called from any thread (a timer, a shutdown hook); the capture thread
 * notices within a few milliseconds, and {@link #next} then returns what is left in the ring and
 * false. {@code -w} writes every captured frame (including those the analysis had no room for)
 * as classic pcap with nanosecond timestamps, original lengths and the interface's link type, as
 * {@code tcpdump --nano -w} would; pcap4j's own dumper cannot be used for that because its
 * {@code dumpRaw} writes the captured length as the original length.
 */
public final class LiveCaptureSource implements CaptureSource {
  /** Packets per pcap_dispatch call. */
  private static final int BATCH = 1024;
  /** Idle poll interval of the capture thread. */
  private static final long IDLE_SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
  /** libpcap read timeout: with TPACKET_V3, how long a partly filled kernel block may wait. */
  private static final int READ_TIMEOUT_MILLIS = 50;
  private static final long STATS_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  /** Bytes the ring may hold in total (slots times snaplen), and its bounds in slots. */
  private static final long RING_BYTES = 64L << 20;
  private static final int MIN_SLOTS = 256;
  private static final int MAX_SLOTS = 1 << 16;

  private final LiveOptions options;
  private final String device;
  private final PcapHandle handle;
  private final int linkType;
  private final PcapWriter writer;

  // The ring: the capture thread writes slots and publishes tail; next() reads and publishes head.
  private final int mask;
  private final byte[][] slots;
  private final int[] capturedLengths;
  private final int[] originalLengths;
  private final long[] timestamps;
  private final long[] frameNumbers;
  private final AtomicLong tail = new AtomicLong();
  private final AtomicLong head = new AtomicLong();
  private long nextHead; // consumer-only: head once the frame lent by next() is given back
  private boolean lent;

  // Capture thread state.
  private final Thread thread;
  private final RawPacketListener listener = this::onPacket;
  private final Consumer<Throwable> callbackFailure = this::onCallbackFailure;
  private long captured;
  private final AtomicLong handoffDropped = new AtomicLong();
  private final AtomicLong unreadable = new AtomicLong();
  private volatile boolean stopRequested;
  private volatile boolean captureDone;
  /** Wall-clock time (the packets' clock) the capture stopped listening, or MIN_VALUE. */
  private volatile long endedNanos = Long.MIN_VALUE;
  private volatile Thread waitingConsumer;
  private volatile PcapStat lastPcapStat;
  private volatile String failure;
  private volatile String writeFailure;

  private final InputStats stats;

  private LiveCaptureSource(LiveOptions options, PcapHandle handle, PcapWriter writer) throws NotOpenException {
    this.options = options;
    this.device = options.device();
    this.handle = handle;
    this.writer = writer;
    this.linkType = LibpcapFileSource.linkTypeOf(handle.getDlt().value());
    int snapshot = Math.max(64, handle.getSnapshot());
    int n = (int) Math.max(MIN_SLOTS, Math.min(MAX_SLOTS, RING_BYTES / snapshot));
    n = Integer.highestOneBit(n);
    this.mask = n - 1;
    this.slots = new byte[n][];
    int slotBytes = Math.min(snapshot, 2048); // a longer frame grows its slot once
    for (int i = 0; i < n; i++) {
      slots[i] = new byte[slotBytes];
    }
    this.capturedLengths = new int[n];
    this.originalLengths = new int[n];
    this.timestamps = new long[n];
    this.frameNumbers = new long[n];
    this.stats = new InputStats(device);
    stats.format = "live";
    stats.declareLinkType(linkType);
    this.thread = new Thread(this::captureLoop, "synscope-capture-" + device);
    thread.setDaemon(true);
  }

  /**
   * Opens the interface and starts capturing.
   *
   * @throws InputException with a one-line problem: libpcap missing, unknown interface (listing
   *     the valid ones), no permission (how to grant it), a filter libpcap cannot compile, a
   *     {@code -w} file that cannot be created
   */
  public static LiveCaptureSource open(LiveOptions o) throws InputException {
    String device = o.device() == null || o.device().isBlank() ? null : o.device();
    String problem = LibpcapFileSource.libpcapProblem();
    if (problem != null) {
      throw new InputException(device == null ? "live capture" : device, problem, null);
    }
    List<String> names = Interfaces.names();
    if (device == null) {
      throw new InputException("live capture", "no interface given; valid interfaces: " + String.join(", ", names), null);
    }
    if (!names.contains(device)) {
      throw new InputException(device, unknownInterface(names), null);
    }
    PcapHandle handle = activate(o, device, names);
    PcapWriter writer = null;
    try {
      if (o.filter() != null && !o.filter().isBlank()) {
        try {
          handle.setFilter(o.filter(), BpfProgram.BpfCompileMode.OPTIMIZE);
        } catch (PcapNativeException e) {
          throw new InputException(device, "invalid capture filter \"" + o.filter() + "\": "
              + stripPrefix(LibpcapFileSource.libpcapMessage(e)), e);
        }
      }
      handle.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
      if (o.writeFile() != null) {
        boolean nanos = handle.getTimestampPrecision() == PcapHandle.TimestampPrecision.NANO;
        writer = PcapWriter.create(o.writeFile(), nanos, handle.getSnapshot(),
            LibpcapFileSource.linkTypeOf(handle.getDlt().value()));
      }
      LiveCaptureSource source = new LiveCaptureSource(o, handle, writer);
      source.thread.start();
      return source;
    } catch (PcapNativeException | NotOpenException e) {
      handle.close();
      closeQuietly(writer);
      throw new InputException(device, "cannot start the capture: " + LibpcapFileSource.libpcapMessage(e), e);
    } catch (InputException | RuntimeException e) {
      handle.close();
      closeQuietly(writer);
      throw e;
    }
  }

  private static PcapHandle activate(LiveOptions o, String device, List<String> names) throws InputException {
    PcapHandle.TimestampPrecision precision = PcapHandle.TimestampPrecision.NANO;
    while (true) {
      PcapHandle.Builder b = new PcapHandle.Builder(device)
          .snaplen(o.snaplen())
          .promiscuousMode(o.promiscuous()
              ? PcapNetworkInterface.PromiscuousMode.PROMISCUOUS
              : PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
          .timeoutMillis(READ_TIMEOUT_MILLIS)
          .timestampPrecision(precision);
      if (o.bufferBytes() > 0) {
        b.bufferSize(o.bufferBytes());
      }
      try {
        return b.build();
      } catch (PcapNativeException e) {
        Integer rc = e.getReturnCode();
        if (precision == PcapHandle.TimestampPrecision.NANO && rc != null && rc == PCAP_ERROR_TSTAMP_PRECISION_NOTSUP) {
          precision = PcapHandle.TimestampPrecision.MICRO;
          continue;
        }
        throw new InputException(device, openProblem(rc, LibpcapFileSource.libpcapMessage(e), names), e);
      }
    }
  }

  private static final int PCAP_ERROR_NO_SUCH_DEVICE = -5;
  private static final int PCAP_ERROR_PERM_DENIED = -8;
  private static final int PCAP_ERROR_IFACE_NOT_UP = -9;
  private static final int PCAP_ERROR_TSTAMP_PRECISION_NOTSUP = -12;

  /** The user's one-line problem for a failed pcap_create/pcap_activate. */
  static String openProblem(Integer rc, String message, List<String> names) {
    String m = message.toLowerCase(java.util.Locale.ROOT);
    if ((rc != null && rc == PCAP_ERROR_PERM_DENIED) || m.contains("operation not permitted")
        || m.contains("permission")) {
      return "no permission to capture (needs CAP_NET_RAW and CAP_NET_ADMIN): run with sudo, or give"
          + " the launcher the capabilities (sudo setcap cap_net_raw,cap_net_admin=eip <launcher>)"
          + " [libpcap: " + message + "]";
    }
    if ((rc != null && rc == PCAP_ERROR_NO_SUCH_DEVICE) || m.contains("no such device")) {
      return unknownInterface(names);
    }
    if ((rc != null && rc == PCAP_ERROR_IFACE_NOT_UP) || m.contains("not up")) {
      return "the interface is down (ip link set <interface> up) [libpcap: " + message + "]";
    }
    return "cannot capture on it: " + message;
  }

  private static String unknownInterface(List<String> names) {
    return "no such capture interface; valid interfaces: "
        + (names.isEmpty() ? "(none found)" : String.join(", ", names));
  }

  private static String stripPrefix(String m) {
    for (String p : new String[] {"Error occured in pcap_compile: ", "Error occurred in pcap_compile: "}) {
      if (m.startsWith(p)) {
        return m.substring(p.length());
      }
    }
    return m;
  }

  // ---------------------------------------------------------------- capture thread

  private void captureLoop() {
    long nextStats = System.nanoTime() + STATS_INTERVAL_NANOS;
    try {
      while (!stopRequested) {
        int n = LibpcapFileSource.dispatchGuarded(handle, BATCH, listener, callbackFailure);
        if (n <= 0) {
          LockSupport.parkNanos(IDLE_SLEEP_NANOS);
        }
        long now = System.nanoTime();
        if (now - nextStats >= 0) {
          nextStats = now + STATS_INTERVAL_NANOS;
          refreshStats();
        }
      }
    } catch (PcapNativeException e) {
      failure = "capture failed: " + LibpcapFileSource.libpcapMessage(e);
    } catch (InterruptedException e) {
      // pcap_breakloop: treated as stop
    } catch (NotOpenException | RuntimeException e) {
      failure = "capture failed: " + e;
    } finally {
      refreshStats();
      handle.close();
      if (writer != null) {
        try {
          writer.close();
        } catch (IOException e) {
          if (writeFailure == null) {
            writeFailure = "writing " + options.writeFile() + " failed: " + e.getMessage();
          }
        }
      }
      java.time.Instant now = java.time.Instant.now();
      endedNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
      captureDone = true;
      Thread consumer = waitingConsumer;
      if (consumer != null) {
        LockSupport.unpark(consumer);
      }
    }
  }

  private void refreshStats() {
    try {
      lastPcapStat = handle.getStats();
    } catch (PcapNativeException | NotOpenException e) {
      // keep the last good numbers
    }
  }

  private void onPacket(byte[] bytes) {
    if (stopRequested || (options.count() > 0 && captured >= options.count())) {
      return; // the rest of a batch after the limit or stop
    }
    long ts = LibpcapFileSource.nanosOf(handle.getTimestamp());
    Integer original = handle.getOriginalLength();
    int originalLength = original == null ? bytes.length : Math.max(original, bytes.length);
    long number = ++captured;
    if (writer != null && writeFailure == null) {
      try {
        writer.write(bytes, originalLength, ts);
      } catch (IOException e) {
        writeFailure = "writing " + options.writeFile() + " failed after " + (number - 1) + " frames: "
            + e.getMessage() + "; capture went on without it";
      }
    }
    long t = tail.get();
    if (t - head.get() > mask) {
      handoffDropped.incrementAndGet();
    } else {
      int i = (int) (t & mask);
      byte[] slot = slots[i];
      if (slot.length < bytes.length) {
        slot = new byte[bytes.length];
        slots[i] = slot;
      }
      System.arraycopy(bytes, 0, slot, 0, bytes.length);
      capturedLengths[i] = bytes.length;
      originalLengths[i] = originalLength;
      timestamps[i] = ts;
      frameNumbers[i] = number;
      tail.lazySet(t + 1);
      Thread consumer = waitingConsumer;
      if (consumer != null) {
        LockSupport.unpark(consumer);
      }
    }
    if (options.count() > 0 && captured >= options.count()) {
      stopRequested = true;
    }
  }

  private void onCallbackFailure(Throwable e) {
    unreadable.incrementAndGet();
  }

  // ---------------------------------------------------------------- consumer side

  @Override
  public boolean next(RawFrame frame) {
    if (lent) {
      lent = false;
      head.lazySet(nextHead); // the previous frame's slot may be reused now
    }
    long h = head.get();
    while (true) {
      if (tail.get() > h) {
        int i = (int) (h & mask);
        frame.data = slots[i];
        frame.offset = 0;
        frame.capturedLength = capturedLengths[i];
        frame.originalLength = originalLengths[i];
        frame.linkType = linkType;
        frame.timestampNanos = timestamps[i];
        frame.inputIndex = 0;
        frame.frameNumber = frameNumbers[i];
        lent = true;
        nextHead = h + 1;
        stats.count(frame);
        return true;
      }
      if (captureDone) {
        if (tail.get() > h) {
          continue; // published just before the end
        }
        return false;
      }
      waitingConsumer = Thread.currentThread();
      if (tail.get() == h && !captureDone) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
      }
      waitingConsumer = null;
      if (Thread.interrupted()) {
        stop();
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * The interface was watched until the capture stopped: the silence after the last packet is
   * evidence (no retransmission, no answer came) up to then.
   */
  @Override
  public long observedUntilNanos() {
    return endedNanos;
  }

  /** Ends the capture soon; safe from any thread, any number of times. */
  public void stop() {
    stopRequested = true;
  }

  /** Whether the capture thread has ended (stopped, count reached, or failed). */
  public boolean isDone() {
    return captureDone;
  }

  /** Counters so far (libpcap's at most half a second old; final once the capture has ended). */
  public CaptureStats stats() {
    PcapStat s = lastPcapStat;
    if (s == null) {
      return new CaptureStats(0, 0, 0, handoffDropped.get());
    }
    return new CaptureStats(
        s.getNumPacketsReceived(), s.getNumPacketsDropped(), s.getNumPacketsDroppedByIf(), handoffDropped.get());
  }

  @Override
  public List<InputSummary> inputs() {
    InputSummary s = stats.summary();
    List<String> warnings = new ArrayList<>(s.warnings());
    CaptureStats c = stats();
    if (c.droppedByKernel() > 0) {
      warnings.add(c.droppedByKernel() + " packet(s) dropped by the kernel: the capture buffer was full"
          + " (raise the buffer size)");
    }
    if (c.droppedByInterface() > 0) {
      warnings.add(c.droppedByInterface() + " packet(s) dropped by the interface or its driver");
    }
    if (c.handoffDropped() > 0) {
      warnings.add(c.handoffDropped() + " captured frame(s) dropped because the analysis fell behind");
    }
    if (unreadable.get() > 0) {
      warnings.add(unreadable.get() + " frame(s) pcap4j could not convert were skipped");
    }
    if (writeFailure != null) {
      warnings.add(writeFailure);
    }
    if (failure != null) {
      warnings.add(failure);
    }
    return List.of(new InputSummary(s.path(), s.format(), s.linkTypes(), s.packets(), s.bytes(),
        s.firstTimestampNanos(), s.lastTimestampNanos(), List.copyOf(warnings)));
  }

  /** Stops the capture and waits (up to 5 s) for the capture thread to close the handle. */
  @Override
  public void close() {
    stop();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(PcapWriter w) {
    if (w != null) {
      try {
        w.close();
      } catch (IOException ignored) {
        // already failing
      }
    }
  }

  /** Classic pcap in the machine's byte order, as tcpdump -w writes it. */
  static final class PcapWriter implements AutoCloseable {
    private final OutputStream out;
    private final boolean nanos;
    private final ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());

    private PcapWriter(OutputStream out, boolean nanos) {
      this.out = out;
      this.nanos = nanos;
    }

    static PcapWriter create(String path, boolean nanos, int snaplen, int linkType) throws InputException {
      try {
        OutputStream out = new BufferedOutputStream(Files.newOutputStream(Path.of(path)), 1 << 16);
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.nativeOrder());
        h.putInt(nanos ? 0xa1b23c4d : 0xa1b2c3d4).putShort((short) 2).putShort((short) 4)
            .putInt(0).putInt(0).putInt(snaplen).putInt(linkType);
        out.write(h.array());
        return new PcapWriter(out, nanos);
      } catch (IOException | RuntimeException e) {
        throw new InputException(path, "cannot write the capture file: " + e.getMessage(), e);
      }
    }

    void write(byte[] bytes, int originalLength, long timestampNanos) throws IOException {
      long seconds = Math.floorDiv(timestampNanos, 1_000_000_000L);
      long fraction = Math.floorMod(timestampNanos, 1_000_000_000L);
      header.clear();
      header.putInt((int) seconds).putInt((int) (nanos ? fraction : fraction / 1000))
          .putInt(bytes.length).putInt(originalLength);
      out.write(header.array());
      out.write(bytes);
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }
}
