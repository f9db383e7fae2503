package dev.synscope.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live capture on the loopback interface: real TCP connections between sockets of this JVM on
 * 127.0.0.1, isolated by a BPF filter on a port this test listens on. Nothing leaves the host;
 * every wait is bounded. Needs CAP_NET_RAW (root) and libpcap, else skipped.
 */
class LiveCaptureTest {
  private static final int ETHERNET = 1;
  private static final int SYN = 0x02;
  private static final int ACK = 0x10;

  private static ScheduledExecutorService timer;
  @TempDir Path dir;

  @BeforeAll
  static void setUp() {
    String problem = LibpcapFileSource.libpcapProblem();
    assumeTrue(problem == null, () -> "live capture tests skipped: " + problem);
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "live-capture-test-timer");
      t.setDaemon(true);
      return t;
    });
  }

  @AfterAll
  static void tearDown() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }

  private static void assumeCanCapture() {
    assumeTrue(hasNetRaw(), "live capture tests need CAP_NET_RAW (run as root): skipped");
  }

  /** CAP_NET_RAW (bit 13) in this process's effective capabilities. */
  private static boolean hasNetRaw() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("CapEff:")) {
          long caps = Long.parseUnsignedLong(line.substring(7).strip(), 16);
          return (caps & (1L << 13)) != 0;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return "root".equals(System.getProperty("user.name"));
  }

  record Seen(int flags, int sourcePort, int destinationPort, RawFrame frame) {}

  @Test
  void capturesTheHandshakesOfRealConnections() throws Exception {
    assumeCanCapture();
    try (ServerSocket server = listen()) {
      int port = server.getLocalPort();
      Path written = dir.resolve("live.pcap");
      LiveOptions o = LiveOptions.of("lo").withFilter("tcp port " + port).withWriteFile(written.toString());
      List<Seen> seen = new ArrayList<>();
      CaptureStats stats;
      List<InputSummary> inputs;
      try (LiveCaptureSource source = LiveCaptureSource.open(o)) {
        var safety = timer.schedule(source::stop, 20, TimeUnit.SECONDS);
        int connections = 3;
        CompletableFuture<Void> traffic = CompletableFuture.runAsync(() -> connect(server, connections));
        RawFrame f = new RawFrame();
        int synAcks = 0;
        while (synAcks < connections && source.next(f)) {
          Seen s = parse(f);
          seen.add(s);
          if ((s.flags() & (SYN | ACK)) == (SYN | ACK)) {
            synAcks++;
          }
        }
        traffic.get(20, TimeUnit.SECONDS);
        // Let the closes through, then stop and drain.
        Thread.sleep(300);
        source.stop();
        while (source.next(f)) {
          seen.add(parse(f));
        }
        safety.cancel(false);
        stats = source.stats();
        inputs = source.inputs();
      }
      long syns = seen.stream().filter(s -> (s.flags() & (SYN | ACK)) == SYN).count();
      long synAcks = seen.stream().filter(s -> (s.flags() & (SYN | ACK)) == (SYN | ACK)).count();
      assertEquals(3, syns, "SYNs to port " + port);
      assertEquals(3, synAcks, "SYN-ACKs from port " + port);
      for (Seen s : seen) {
        assertTrue(s.sourcePort() == port || s.destinationPort() == port, "filter let through " + s);
        assertEquals(ETHERNET, s.frame().linkType);
        assertTrue(s.frame().capturedLength <= LiveOptions.DEFAULT_SNAPLEN);
        assertTrue(s.frame().originalLength >= s.frame().capturedLength);
      }
      Seen firstSyn = seen.stream().filter(s -> (s.flags() & (SYN | ACK)) == SYN).findFirst().orElseThrow();
      long now = System.currentTimeMillis() * 1_000_000L;
      assertTrue(Math.abs(now - firstSyn.frame().timestampNanos) < 60_000_000_000L, "timestamp near now");

      assertTrue(stats.received() >= seen.size(), stats.toString());
      assertEquals(0, stats.handoffDropped(), stats.toString());
      assertEquals("lo", inputs.get(0).path());
      assertEquals(seen.size(), inputs.get(0).packets());
      assertEquals(List.of(), inputs.get(0).warnings());

      // -w wrote the same frames, with original lengths and nanosecond timestamps.
      List<RawFrame> fromFile;
      try (CaptureSource file = FileCaptureSource.open(List.of(written.toString()), InputStream.nullInputStream())) {
        fromFile = LibpcapFileSourceTest.readAll(file);
        assertEquals("pcap-ns", file.inputs().get(0).format());
      }
      assertEquals(seen.size(), fromFile.size());
      for (int i = 0; i < seen.size(); i++) {
        RawFrame a = seen.get(i).frame();
        RawFrame b = fromFile.get(i);
        assertEquals(a.timestampNanos, b.timestampNanos);
        assertEquals(a.originalLength, b.originalLength);
        assertEquals(a.linkType, b.linkType);
        assertEquals(a.frameNumber, b.frameNumber);
        assertArrayEquals(Arrays.copyOfRange(a.data, a.offset, a.offset + a.capturedLength),
            Arrays.copyOfRange(b.data, b.offset, b.offset + b.capturedLength));
      }
    }
  }

  @Test
  void stopEndsNextWithinOneSecondOnAnIdleInterface() throws Exception {
    assumeCanCapture();
    try (ServerSocket unused = listen()) {
      // Nothing ever connects to this port: libpcap sees an idle interface.
      LiveOptions o = LiveOptions.of("lo").withFilter("tcp port " + unused.getLocalPort());
      try (LiveCaptureSource source = LiveCaptureSource.open(o)) {
        CompletableFuture<Boolean> reader = CompletableFuture.supplyAsync(() -> source.next(new RawFrame()));
        Thread.sleep(700); // blocked in next(), libpcap polled in vain meanwhile
        assertFalse(reader.isDone(), "next() returned without a frame or a stop");
        long stoppedAt = System.nanoTime();
        timer.execute(source::stop); // from another thread, as a timer or a shutdown hook would
        assertFalse(reader.get(1, TimeUnit.SECONDS), "next() after stop() on an idle interface");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
        assertTrue(millis < 1000, millis + " ms");
        for (int i = 0; i < 100 && !source.isDone(); i++) {
          Thread.sleep(10);
        }
        assertTrue(source.isDone());
        CaptureStats stats = source.stats();
        assertNotNull(stats);
        assertEquals(new CaptureStats(0, 0, 0, 0), stats);
        assertFalse(source.next(new RawFrame()), "stays at the end");
      }
    }
  }

  @Test
  void countLimitEndsTheCaptureByItself() throws Exception {
    assumeCanCapture();
    try (ServerSocket server = listen()) {
      LiveOptions o = LiveOptions.of("lo").withFilter("tcp port " + server.getLocalPort()).withCount(2);
      try (LiveCaptureSource source = LiveCaptureSource.open(o)) {
        var safety = timer.schedule(source::stop, 20, TimeUnit.SECONDS);
        CompletableFuture<Void> traffic = CompletableFuture.runAsync(() -> connect(server, 2));
        RawFrame f = new RawFrame();
        int n = 0;
        while (source.next(f)) {
          n++;
          assertEquals(n, f.frameNumber);
        }
        assertFalse(safety.isDone(), "ended by the safety stop, not the count");
        safety.cancel(false);
        traffic.get(20, TimeUnit.SECONDS);
        assertEquals(2, n);
        assertEquals(2, source.inputs().get(0).packets());
      }
    }
  }

  /**
   * With the largest snaplen the ring has its minimum of 256 slots; a consumer that reads nothing
   * while 60 connections run must not slow the capture: the overflow is counted, the -w file still
   * gets every frame, and the ring's frames are delivered afterwards.
   */
  @Test
  void aSlowConsumerCostsCountedHandoffDropsNotCaptureStalls() throws Exception {
    assumeCanCapture();
    try (ServerSocket server = listen()) {
      Path written = dir.resolve("all.pcap");
      LiveOptions o = new LiveOptions("lo", "tcp port " + server.getLocalPort(), LiveOptions.MAX_SNAPLEN,
          false, 0, 0, written.toString());
      int delivered = 0;
      CaptureStats stats;
      List<String> warnings;
      try (LiveCaptureSource source = LiveCaptureSource.open(o)) {
        connect(server, 60); // about 600 frames, nobody reading
        Thread.sleep(300);
        source.stop();
        RawFrame f = new RawFrame();
        long last = 0;
        while (source.next(f)) {
          delivered++;
          assertTrue(f.frameNumber > last);
          last = f.frameNumber;
        }
        stats = source.stats();
        warnings = source.inputs().get(0).warnings();
      }
      assertEquals(256, delivered);
      long inFile;
      try (CaptureSource file = FileCaptureSource.open(List.of(written.toString()), InputStream.nullInputStream())) {
        inFile = LibpcapFileSourceTest.readAll(file).size();
      }
      assertTrue(inFile >= 60 * 7, "frames written " + inFile);
      assertEquals(inFile - 256, stats.handoffDropped(), stats.toString());
      assertTrue(warnings.contains(stats.handoffDropped()
          + " captured frame(s) dropped because the analysis fell behind"), warnings.toString());
    }
  }

  @Test
  void unknownInterfaceListsTheValidOnes() throws IOException {
    List<Interfaces.Device> devices = Interfaces.list();
    assertTrue(devices.stream().anyMatch(d -> d.name().equals("lo") && d.loopback()), devices.toString());
    assertTrue(devices.stream().filter(d -> d.name().equals("lo")).findFirst().orElseThrow()
        .addresses().contains("127.0.0.1"), devices.toString());
    InputException e = assertThrows(InputException.class,
        () -> LiveCaptureSource.open(LiveOptions.of("sstest-no-such0")));
    assertEquals("sstest-no-such0", e.path());
    assertTrue(e.getMessage().startsWith("sstest-no-such0: no such capture interface; valid interfaces: "), e.getMessage());
    assertTrue(e.getMessage().contains("lo"), e.getMessage());
  }

  @Test
  void ipv6AddressesInTheShortForm() throws IOException {
    assertEquals("::1", Interfaces.format(InetAddress.getByName("::1")));
    assertEquals("::", Interfaces.format(InetAddress.getByName("::")));
    assertEquals("fe80::fc:ff:fe00:1", Interfaces.format(InetAddress.getByName("fe80:0:0:0:fc:ff:fe00:1")));
    assertEquals("fd00::2", Interfaces.format(InetAddress.getByName("fd00:0:0:0:0:0:0:2")));
    assertEquals("2001:db8:0:1:1:1:1:1", Interfaces.format(InetAddress.getByName("2001:db8:0:1:1:1:1:1")));
    assertEquals("2001:db8::1:0:0:1", Interfaces.format(InetAddress.getByName("2001:db8:0:0:1:0:0:1")));
    assertEquals("1::", Interfaces.format(InetAddress.getByName("1:0:0:0:0:0:0:0")));
    assertEquals("10.231.0.1", Interfaces.format(InetAddress.getByName("10.231.0.1")));
  }

  @Test
  void badFilterIsAnInputProblem() {
    assumeCanCapture();
    InputException e = assertThrows(InputException.class,
        () -> LiveCaptureSource.open(LiveOptions.of("lo").withFilter("tcp and nonsense(")));
    assertTrue(e.getMessage().startsWith("lo: invalid capture filter \"tcp and nonsense(\": "), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
  }

  @Test
  void permissionProblemSaysHowToGrantIt() {
    String m = LiveCaptureSource.openProblem(-8, "socket: Operation not permitted", List.of("lo"));
    assertTrue(m.startsWith("no permission to capture (needs CAP_NET_RAW"), m);
    assertTrue(m.contains("sudo") && m.contains("setcap"), m);
    assertTrue(LiveCaptureSource.openProblem(-5, "No such device exists", List.of("lo", "eth0"))
        .endsWith("valid interfaces: lo, eth0"));
  }

  @Test
  void optionsDefaults() {
    LiveOptions o = LiveOptions.of("eth0");
    assertEquals("tcp", o.filter());
    assertEquals(160, o.snaplen());
    assertTrue(o.promiscuous());
    assertEquals(0, o.count());
    assertEquals(null, o.writeFile());
    assertEquals("tcp", new LiveOptions("eth0", null, 160, false, 0, 0, null).filter());
    assertThrows(IllegalArgumentException.class, () -> new LiveOptions("eth0", "tcp", 0, false, 0, 0, null));
  }

  // ------------------------------------------------------------ helpers

  private static ServerSocket listen() throws IOException {
    ServerSocket s = new ServerSocket();
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    s.setSoTimeout(10_000);
    return s;
  }

  /** {@code n} complete connections to the server, each sending one byte, then closed. */
  private static void connect(ServerSocket server, int n) {
    try {
      for (int i = 0; i < n; i++) {
        try (Socket client = new Socket()) {
          client.connect(server.getLocalSocketAddress(), 5_000);
          try (Socket accepted = server.accept()) {
            client.getOutputStream().write(i);
            assertEquals(i, accepted.getInputStream().read());
          }
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** TCP flags and ports of an Ethernet/IPv4 (loopback) frame; the frame is copied. */
  private static Seen parse(RawFrame f) {
    RawFrame copy = new RawFrame();
    copy.copyFrom(f.data, f.offset, f.capturedLength);
    copy.originalLength = f.originalLength;
    copy.linkType = f.linkType;
    copy.timestampNanos = f.timestampNanos;
    copy.frameNumber = f.frameNumber;
    byte[] b = copy.data;
    int ip = 14;
    assertEquals(0x0800, ((b[12] & 0xff) << 8) | (b[13] & 0xff), "IPv4 ethertype");
    int tcp = ip + (b[ip] & 0x0f) * 4;
    int sport = ((b[tcp] & 0xff) << 8) | (b[tcp + 1] & 0xff);
    int dport = ((b[tcp + 2] & 0xff) << 8) | (b[tcp + 3] & 0xff);
    return new Seen(b[tcp + 13] & 0xff, sport, dport, copy);
  }
}
