package dev.synscope.capture;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/** A stream of captured frames: a file, several files, or a live interface. */
public interface CaptureSource extends Closeable {

  /**
   * Fills {@code frame} with the next record.
   *
   * @return false at the end of input (or, for a damaged file, at the first record that cannot be
   *     read: the problem is then in {@link #inputs()} as a warning)
   * @throws IOException only for I/O failures, never for bad capture contents
   */
  boolean next(RawFrame frame) throws IOException;

  /** What was read so far, per input file; complete once {@link #next} returned false. */
  List<InputSummary> inputs();

  /** Problems that concern no single input, such as files of a directory that were not read. */
  default List<String> warnings() {
    return List.of();
  }

  /**
   * Until when the source watched the traffic, in packet time, once {@link #next} has returned
   * false: a live capture listened until it stopped, so its silence after the last packet counts
   * (a SYN-ACK not resent by then was not resent); a file says nothing past its last packet
   * (Long.MIN_VALUE, the default).
   */
  default long observedUntilNanos() {
    return Long.MIN_VALUE;
  }

  /** How far reading has got (for a progress line), or null when the source cannot say (live). */
  default ReadPosition position() {
    return null;
  }

  @Override
  void close() throws IOException;
}
