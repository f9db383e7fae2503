package dev.synscope.capture;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/** Reads capture files through libpcap (pcap4j). */
final class LibpcapFileSource {
  private LibpcapFileSource() {}

  static CaptureSource open(List<String> paths, InputStream stdin) throws IOException {
    throw new InputException(paths.get(0), "the libpcap reader is not built yet", null);
  }
}
