package dev.synscope.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synscope.decode.LinkTypes;
import dev.synscope.testing.FrameBuilder;
import dev.synscope.testing.PcapWriter;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A directory is read capture by capture; files that are not captures are named, never silently dropped. */
class DirectoryInputTest {

  @Test
  void filesThatAreNotCapturesAreReported(@TempDir Path dir) throws Exception {
    PcapWriter.micro(LinkTypes.ETHERNET).add(1_000_000_000L, FrameBuilder.tcp().build()).write(dir.resolve("a.pcap"));
    Files.writeString(dir.resolve("notes.txt"), "not a capture");
    try (FileCaptureSource source = FileCaptureSource.open(List.of(dir.toString()), InputStream.nullInputStream())) {
      RawFrame frame = new RawFrame();
      int frames = 0;
      while (source.next(frame)) {
        frames++;
      }
      assertEquals(1, frames);
      assertEquals(1, source.inputs().size());
      assertEquals(1, source.warnings().size());
      assertTrue(source.warnings().get(0).contains("1 file(s) that are not captures were not read: notes.txt"),
          source.warnings().get(0));
    }
  }
}
