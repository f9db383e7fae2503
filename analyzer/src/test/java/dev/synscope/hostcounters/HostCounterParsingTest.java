package dev.synscope.hostcounters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /proc/net text as Linux 6.x writes it: counter pairs, socket lines, a whole directory. */
class HostCounterParsingTest {
  static final String NETSTAT = """
      TcpExt: SyncookiesSent SyncookiesRecv SyncookiesFailed EmbryonicRsts TW ListenOverflows ListenDrops TCPReqQFullDoCookies TCPReqQFullDrop
      TcpExt: 12 3 1 0 40 7 9 12 0
      IpExt: InNoRoutes InTruncatedPkts
      IpExt: 0 0
      """;
  static final String SNMP = """
      Ip: Forwarding DefaultTTL
      Ip: 2 64
      Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts
      Tcp: 1 200 120000 -1 658 612 4 0 2 8696 7716 0 0 62
      """;
  static final String TCP = """
        sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
         0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1145 1 0000000000000000 100 0 0 10 0
         1: 0100007F:1F90 0200007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 2001 1 0000000000000000 20 4 30 10 -1
         2: 0100007F:1F90 0300007F:9C41 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000
         3: 0100007F:1F90 0400007F:9C42 03 00000000:00000000 02:00000398 00000002     0        0 0 1 0000000000000000
      """;
  static final String TCP6 = """
        sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
         0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 100 0 0 10 0
         1: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:A000 08 00000000:00000000 00:00000000 00000000     0        0 2 1 0000000000000000 20 4 30 10 -1
      """;

  @TempDir Path dir;

  static Path procNet(Path dir, String netstat, String snmp, String tcp, String tcp6) throws IOException {
    Files.writeString(dir.resolve("netstat"), netstat);
    Files.writeString(dir.resolve("snmp"), snmp);
    Files.writeString(dir.resolve("tcp"), tcp);
    if (tcp6 != null) {
      Files.writeString(dir.resolve("tcp6"), tcp6);
    }
    return dir;
  }

  @Test
  void counterPairsGetNstatNames() throws IOException {
    Map<String, Long> c = ProcNet.counters(new StringReader(NETSTAT + SNMP));
    assertEquals(7L, c.get("TcpExtListenOverflows"));
    assertEquals(12L, c.get("TcpExtSyncookiesSent"));
    assertEquals(0L, c.get("IpExtInNoRoutes"));
    assertEquals(-1L, c.get("TcpMaxConn"));
    assertEquals(62L, c.get("TcpOutRsts"));
    assertEquals(64L, c.get("IpDefaultTTL"));
  }

  @Test
  void mismatchedOrUnpairedLinesAreIgnored() throws IOException {
    Map<String, Long> c = ProcNet.counters(new StringReader("""
        TcpExt: A B
        TcpExt: 1
        Tcp: X
        Udp: Y
        Udp: 5
        """));
    assertEquals(Map.of("UdpY", 5L), c);
  }

  @Test
  void socketStatesComeFromTheFourthColumn() throws IOException {
    assertEquals(-1, ProcNet.stateOf(TCP.lines().findFirst().orElseThrow()));
    assertEquals(0x0A, ProcNet.stateOf("   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000"));
    assertEquals(-1, ProcNet.stateOf("   0: short"));
    long[] by = new long[SocketStates.NAMES.length];
    ProcNet.Lines lines = ProcNet.countStates(new StringReader(TCP), by, 100);
    assertEquals(5, lines.read());
    assertFalse(lines.truncated());
    assertEquals(1, by[0]); // established
    assertEquals(1, by[2]); // syn_recv
    assertEquals(1, by[5]); // time_wait
    assertEquals(1, by[9]); // listen
    lines = ProcNet.countStates(new StringReader(TCP), new long[11], 3);
    assertEquals(3, lines.read());
    assertTrue(lines.truncated());
  }

  @Test
  void aSampleReadsTheWholeDirectory() throws IOException {
    HostCounterSampler sampler = new HostCounterSampler(procNet(dir, NETSTAT, SNMP, TCP, TCP6));
    assertNull(sampler.problem());
    HostSample s = sampler.sample(1234);
    assertEquals(1234, s.epochMillis());
    assertEquals(7, s.get("TcpExtListenOverflows"));
    assertEquals(658, s.get("TcpActiveOpens"));
    assertEquals(-1, s.get("IpExtInNoRoutes"), "only Tcp* counters are kept");
    assertEquals(-1, s.get("TcpExtNoSuchCounter"));
    assertEquals(List.of("established", "syn_sent", "syn_recv", "fin_wait1", "fin_wait2", "time_wait", "close",
        "close_wait", "last_ack", "listen", "closing"), List.copyOf(s.sockets().counts().keySet()));
    assertEquals(2, s.sockets().get("listen"));
    assertEquals(1, s.sockets().get("close_wait"));
    assertEquals(1, s.sockets().get("time_wait"));
    assertFalse(s.sockets().truncated());
  }

  @Test
  void tcp6IsOptionalButNetstatIsNot() throws IOException {
    HostCounterSampler sampler = new HostCounterSampler(procNet(dir, NETSTAT, SNMP, TCP, null));
    assertNull(sampler.problem());
    assertEquals(1, sampler.sample(0).sockets().get("listen"));
    HostCounterSampler none = new HostCounterSampler(dir.resolve("missing"));
    assertNotNull(none.problem());
    assertTrue(none.problem().contains("not readable"), none.problem());
    Files.writeString(dir.resolve("netstat"), "IpExt: A\nIpExt: 1\n");
    assertTrue(new HostCounterSampler(dir).problem().contains("no TcpExt ListenOverflows"));
  }

  @Test
  void theRealProcNetReadsWhereThereIsOne() throws IOException {
    HostCounterSampler real = new HostCounterSampler();
    if (real.problem() == null) {
      HostSample s = real.sample(System.currentTimeMillis());
      assertTrue(s.get("TcpExtListenOverflows") >= 0);
      assertTrue(s.get("TcpActiveOpens") >= 0);
    }
  }
}
