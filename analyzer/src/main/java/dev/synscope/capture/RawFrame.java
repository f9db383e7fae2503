package dev.synscope.capture;

import dev.synscope.decode.FrameDecoder;
import dev.synscope.decode.Segment;

/**
 * One captured frame, reused for every record a source delivers (a flyweight): the bytes live in
 * {@link #data} from {@link #offset} for {@link #capturedLength} bytes and are valid only until the
 * next call to {@link CaptureSource#next(RawFrame)}.
 */
public final class RawFrame {
  public byte[] data = new byte[0];
  public int offset;
  public int capturedLength;
  /** Length on the wire, which exceeds {@link #capturedLength} when the snaplen cut the frame. */
  public int originalLength;
  /** LINKTYPE_ number of the interface the frame was captured on. */
  public int linkType;
  public long timestampNanos;
  /** Which input (0-based, in reading order) the frame came from. */
  public int inputIndex;
  /** 1-based record number within its input, as Wireshark numbers frames. */
  public long frameNumber;

  /**
   * Decodes this frame into {@code out} and stamps it with the frame's time, number and input and
   * with {@code ordinal}, the frame's place in the run (which names a connection it starts); false
   * when it is not a TCP segment.
   */
  public boolean decode(FrameDecoder decoder, long ordinal, Segment out) {
    if (!decoder.decode(data, offset, capturedLength, originalLength, linkType, out)) {
      return false;
    }
    out.timestampNanos = timestampNanos;
    out.frameNumber = frameNumber;
    out.inputIndex = inputIndex;
    out.ordinal = ordinal;
    return true;
  }

  /** Copies {@code length} bytes into this frame's own buffer (for sources that cannot lend theirs). */
  public void copyFrom(byte[] src, int srcOffset, int length) {
    if (data.length < length) {
      data = new byte[Math.max(length, 256)];
    }
    System.arraycopy(src, srcOffset, data, 0, length);
    offset = 0;
    capturedLength = length;
  }
}
