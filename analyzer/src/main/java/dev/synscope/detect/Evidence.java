package dev.synscope.detect;

import java.util.List;
import java.util.Map;

/**
 * One connection behind a finding, enough to find it in Wireshark: the 4-tuple, Zeek's history
 * and state, the key timestamps (ISO-8601 in the report) and the packet numbers.
 *
 * @param input index of the input file the packets are in (0 when there is one)
 * @param frames packet numbers within that input, in Wireshark's numbering
 * @param framesInLaterInputs packets of the connection that lie in later inputs (a capture split
 *     into several files), by input and number; empty when all are in {@code input}
 */
public record Evidence(
    String uid,
    String orig,
    String resp,
    String history,
    String connState,
    Map<String, Long> timestampsNanos,
    int input,
    List<Long> frames,
    List<InputFrame> framesInLaterInputs,
    String note) implements java.io.Serializable {}
