package dev.synscope.capture;

import java.io.IOException;

/** Reads the records of one opened capture stream (pcap or pcapng) into frames. */
interface FileReader {
  /** Fills the frame; false at the end, or at damage it cannot get past (then a warning says so). */
  boolean next(RawFrame frame) throws IOException;

  String format();
}
