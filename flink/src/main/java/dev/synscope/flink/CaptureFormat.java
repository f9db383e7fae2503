package dev.synscope.flink;

import dev.synscope.capture.CaptureSource;
import dev.synscope.capture.FileCaptureSource;
import dev.synscope.capture.InputSummary;
import dev.synscope.capture.RawFrame;
import dev.synscope.decode.FrameDecoder;
import dev.synscope.decode.Segment;
import dev.synscope.flow.FlowTable;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * A Flink file format over synscope's own reader and decoder: pcap, pcapng and their gzip forms
 * (told by magic bytes), one split per file (a capture cannot be cut at a byte offset). Each TCP
 * segment becomes a {@link PacketRecord}; frames that are not TCP are read and skipped, as the
 * CLI counts them. The reader also marks what only a reader of every frame knows: the flow
 * table's expiry passes (on the TCP segments' clock, as {@link FlowTable#onSegment(Segment)} runs
 * them), the detectors' clock ticks (once a second of frame time, as the CLI's read loop) and the
 * end of the input.
 */
public final class CaptureFormat extends SimpleStreamFormat<PacketRecord> {
  private static final long SECOND_NANOS = 1_000_000_000L;
  /** A file's frames are numbered from {@code index << FILE_SHIFT}: 2^40 frames a file, 2^18 files. */
  static final int FILE_SHIFT = 40;
  static final int MAX_FILES = 1 << 18;

  /** The file {@link CaptureFiles} opens next on this thread (a split's path reaches only the bulk format). */
  static final ThreadLocal<Opening> OPENING = new ThreadLocal<>();

  /** A capture file's number in the job and its name (for errors and warnings). */
  record Opening(int index, String name) {}

  @Override
  public Reader<PacketRecord> createReader(Configuration config, FSDataInputStream stream) throws IOException {
    Opening opening = OPENING.get() != null ? OPENING.get() : new Opening(0, "capture");
    CaptureSource source = FileCaptureSource.ofStream(opening.name(), stream);
    return new Reader<>() {
      private final RawFrame frame = new RawFrame();
      private final Segment segment = new Segment();
      private final FrameDecoder decoder = new FrameDecoder();
      /** A frame makes up to three records (pass, segment, tick). */
      private final ArrayDeque<PacketRecord> ready = new ArrayDeque<>(4);
      /** Frame ordinals: the first file's as the CLI numbers them, the others' in their own range. */
      private long ordinal = (long) opening.index() << FILE_SHIFT;
      private long clock = Long.MIN_VALUE;
      private long nextPass = Long.MIN_VALUE;
      private long lastPass = Long.MIN_VALUE;
      private long nextTick = Long.MIN_VALUE;
      private boolean ended;

      @Override
      public PacketRecord read() throws IOException {
        while (ready.isEmpty() && !ended) {
          if (!source.next(frame)) {
            ended = true;
            PacketRecord end = PacketRecord.moment(PacketRecord.END, ordinal + 1, clock, clock);
            end.warnings = warnings(source);
            ready.add(end);
            break;
          }
          ordinal++;
          if (frame.decode(decoder, ordinal, segment)) {
            clock = Math.max(clock, frame.timestampNanos);
            if (clock >= nextPass) {
              ready.add(PacketRecord.moment(PacketRecord.PASS, ordinal, clock, clock));
              lastPass = clock;
              nextPass = FlowTable.nextExpiryAfter(clock);
            }
            ready.add(PacketRecord.of(segment, clock, lastPass));
          }
          if (frame.timestampNanos >= nextTick) {
            ready.add(PacketRecord.moment(PacketRecord.TICK, ordinal, clock, frame.timestampNanos));
            nextTick = (Math.floorDiv(frame.timestampNanos, SECOND_NANOS) + 1) * SECOND_NANOS;
          }
        }
        return ready.poll();
      }

      @Override
      public void close() throws IOException {
        source.close();
      }
    };
  }

  /** What the CLI's report would warn of this file: truncation, corrupt blocks skipped, no packets. */
  private static String[] warnings(CaptureSource source) {
    List<String> out = new java.util.ArrayList<>(source.warnings());
    for (InputSummary input : source.inputs()) {
      for (String w : input.warnings()) {
        out.add(input.path() + ": " + w);
      }
      if (input.packets() == 0) {
        out.add(input.path() + ": holds no packets");
      }
    }
    return out.toArray(new String[0]);
  }

  @Override
  public TypeInformation<PacketRecord> getProducedType() {
    return TypeInformation.of(PacketRecord.class);
  }
}
