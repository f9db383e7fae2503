package dev.synscope.capture;

/**
 * Live capture counters, as tcpdump prints them at exit, plus synscope's own hand-off losses.
 *
 * @param received packets the kernel passed through the filter ({@code ps_recv})
 * @param droppedByKernel dropped because the capture buffer was full ({@code ps_drop}): raise
 *     the buffer size
 * @param droppedByInterface dropped by the interface or its driver ({@code ps_ifdrop})
 * @param handoffDropped captured, but dropped because the analysis fell behind the capture
 *     thread's bounded queue
 */
public record CaptureStats(
    long received, long droppedByKernel, long droppedByInterface, long handoffDropped) {
  public static final CaptureStats ZERO = new CaptureStats(0, 0, 0, 0);
}
