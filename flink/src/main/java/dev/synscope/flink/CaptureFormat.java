package dev.synscope.flink;

import dev.synscope.capture.CaptureSource;
import dev.synscope.capture.FileCaptureSource;
import dev.synscope.capture.RawFrame;
import dev.synscope.decode.FrameDecoder;
import dev.synscope.decode.Segment;
import java.io.IOException;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * A Flink file format over synscope's own reader and decoder: pcap, pcapng and their gzip forms
 * (told by magic bytes), one split per file (a capture cannot be cut at a byte offset). Each
 * TCP segment becomes a {@link PacketRecord}; frames that are not TCP are read and skipped, as
 * the CLI counts them.
 */
public final class CaptureFormat extends SimpleStreamFormat<PacketRecord> {
  @Override
  public Reader<PacketRecord> createReader(Configuration config, FSDataInputStream stream) throws IOException {
    CaptureSource source = FileCaptureSource.open(List.of("-"), stream);
    return new Reader<>() {
      private final RawFrame frame = new RawFrame();
      private final Segment segment = new Segment();
      private final FrameDecoder decoder = new FrameDecoder();
      private long ordinal;

      @Override
      public PacketRecord read() throws IOException {
        while (source.next(frame)) {
          ordinal++;
          if (decoder.decode(frame.data, frame.offset, frame.capturedLength, frame.originalLength, frame.linkType,
              segment)) {
            segment.timestampNanos = frame.timestampNanos;
            segment.frameNumber = frame.frameNumber;
            segment.inputIndex = frame.inputIndex;
            segment.ordinal = ordinal;
            return PacketRecord.of(segment);
          }
        }
        return null;
      }

      @Override
      public void close() throws IOException {
        source.close();
      }
    };
  }

  @Override
  public TypeInformation<PacketRecord> getProducedType() {
    return TypeInformation.of(PacketRecord.class);
  }
}
