package dev.synscope.flow;

/**
 * One tracked connection's whole state as a value, its row's blocks copied out: what a checkpoint
 * of the flow table keeps (and, in a stream engine, a connection's keyed state). Restored into a
 * table, the connection goes on exactly where it was.
 *
 * @param hot the hot block (key, flags, last time, states, sequence numbers, counts, serial, history)
 * @param orig orig's endpoint block
 * @param resp the responder row (null until the responder spoke)
 * @param cold both endpoints' cold blocks (null until first needed)
 * @param moreHistory history letters past the tenth, or null
 * @param previousUid the uid of the connection whose 4-tuple this one reused, or null
 */
public record ConnectionState(
    long[] hot, long[] orig, long[] resp, long[] cold, long startNanos, int startInput, long synNanos,
    long touchNanos, long touchOrdinal, String moreHistory, String previousUid) {}
