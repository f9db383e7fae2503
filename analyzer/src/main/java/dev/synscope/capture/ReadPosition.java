package dev.synscope.capture;

/**
 * How far reading has got, for a progress display: bytes of the files themselves (compressed
 * bytes for a .gz), so the fraction is of what is on disk.
 *
 * @param input index of the input being read (0-based)
 * @param inputs inputs in all
 * @param path the input being read
 * @param read bytes of it read so far
 * @param size its size, or -1 when unknown (stdin, a pipe)
 * @param readAll bytes read of all inputs
 * @param sizeAll all inputs' sizes, or -1 when one is unknown
 */
public record ReadPosition(int input, int inputs, String path, long read, long size, long readAll, long sizeAll) {}
