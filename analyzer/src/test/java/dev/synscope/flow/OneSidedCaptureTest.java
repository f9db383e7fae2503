package dev.synscope.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.synscope.decode.TcpFlags;
import dev.synscope.testing.SegmentScript;
import org.junit.jupiter.api.Test;

/** A capture that holds only the client's direction: ACKs of a SYN-ACK it does not hold. */
class OneSidedCaptureTest {
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final long MS = 1_000_000L;
  private static final long ISN = 1000;

  private static FlowHarness clientSide(long ackSeq, long ack) {
    FlowHarness h = new FlowHarness().feed(
        SegmentScript.raw("10.0.0.2", 40000, "10.0.0.1", 80, TcpFlags.SYN, ISN, 0, T0),
        SegmentScript.raw("10.0.0.2", 40000, "10.0.0.1", 80, TcpFlags.ACK, ackSeq, ack, T0 + MS),
        SegmentScript.raw("10.0.0.2", 40000, "10.0.0.1", 80, TcpFlags.ACK | TcpFlags.PSH, ackSeq, 777_001, T0 + 2 * MS));
    h.table.drain();
    return h;
  }

  @Test
  void theClientsAckOfAnUnseenSynAckProvesTheAnswer() {
    FlowHarness h = clientSide(ISN + 1, 777_001);
    assertEquals(1, h.events(ConnectionEvent.AnsweredUnseen.class).size(), "once, not per ACK");
    assertEquals(T0 + MS, h.events(ConnectionEvent.AnsweredUnseen.class).get(0).timestampNanos());
    assertEquals(0, h.events(ConnectionEvent.Established.class).size(), "no handshake the capture shows");
    assertFalse(h.only().handshakeCompleted());
  }

  @Test
  void anAckThatDoesNotFollowTheSynProvesNothing() {
    // A flood tool's SYN-then-ACK with a random sequence number is not a stack's 3rd ACK.
    FlowHarness h = clientSide(987_654, 777_001);
    assertEquals(0, h.events(ConnectionEvent.AnsweredUnseen.class).size());
  }

  @Test
  void aHandshakeTheCaptureHoldsIsNotUnseen() {
    FlowHarness h = FlowHarness.run("S h A D d F f A");
    assertEquals(0, h.events(ConnectionEvent.AnsweredUnseen.class).size());
    assertEquals(1, h.events(ConnectionEvent.Established.class).size());
  }

  @Test
  void anAttemptTheServerRejectedIsNotUnseen() {
    FlowHarness h = FlowHarness.run("S r A");
    assertEquals(0, h.events(ConnectionEvent.AnsweredUnseen.class).size());
  }
}
