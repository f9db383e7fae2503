import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Benign traffic that stresses every detector's chance rates: ordinary server stacks, each on its
 * own listeners, and nothing a detector should report at low or above. Deterministic for a seed.
 *
 * <pre>
 * java bench/GenerateBenign.java [--connections N] [--listeners L] [--seconds S] [--seed X] -o FILE
 * </pre>
 *
 * <p>Classic little-endian microsecond pcap, Ethernet, IPv4, snaplen 128 (headers and options in
 * full, payload cut). The capture point is next to the servers (server round trip 30-80 us,
 * client round trips 1-100 ms). Listeners 10.100.0.0/16, clients 10.50.0.0/16. Each listener
 * runs one stack (round robin over the listeners), see {@link Stack}. With many listeners and few
 * connections each, a detector that decides by counts instead of evidence fires by chance.
 *
 * <p>It prints one line per stack ({@code stack=connections}) and the totals.
 */
public final class GenerateBenign {
  private GenerateBenign() {}

  /** How a listener's host and its clients behave. */
  enum Stack {
    /** Linux options, timestamps with a random offset per connection (RFC 7323's advice). */
    TS_RANDOM,
    /** Linux options, timestamps with an offset per address pair (Linux since 4.11). */
    TS_PAIR,
    /** No timestamps anywhere (Windows-style MSS, NOP, WS, NOP, NOP, SACK_PERM). */
    NO_TS,
    /** Clients without timestamps behind a load balancer whose nodes differ: 30 % of SYN-ACKs carry only MSS. */
    MSS_ONLY_SOME,
    /** Random loss: 3 % of SYN-ACKs lost before the client (resent after 1 s), 1 % of 3rd ACKs lost after the tap, 2 % of SYNs lost after the tap. */
    LOSSY,
    /** TCP Fast Open: SYN with a cookie and 100 bytes of data. */
    FAST_OPEN,
    /** ECN negotiated: SYN with ECE|CWR, SYN-ACK with ECE. */
    ECN,
    /** Short requests the server closes first: a steady TIME_WAIT load on the server, not a pileup. */
    SERVER_CLOSE,
    /** Clients cycling through 20 source ports: a 4-tuple reused while it is still in TIME_WAIT. */
    PORT_REUSE
  }

  static final int SYN = 0x02;
  static final int RST = 0x04;
  static final int PSH = 0x08;
  static final int ACK = 0x10;
  static final int FIN = 0x01;
  static final int ECE = 0x40;
  static final int CWR = 0x80;
  static final int SNAPLEN = 128;

  /** One packet: time, then the frame's bytes up to the snaplen, and its full length. */
  record Packet(long micros, byte[] frame, int wireLength) {}

  public static void main(String[] args) throws IOException {
    int connections = 50_000;
    int listeners = 5_000;
    int seconds = 120;
    long seed = 1;
    Path out = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--connections" -> connections = Integer.parseInt(args[++i]);
        case "--listeners" -> listeners = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--seed" -> seed = Long.parseLong(args[++i]);
        case "-o" -> out = Path.of(args[++i]);
        default -> {
          System.err.println("usage: java bench/GenerateBenign.java [--connections N] [--listeners L] [--seconds S] [--seed X] -o FILE");
          System.exit(2);
        }
      }
    }
    if (out == null || connections < 1 || listeners < Stack.values().length || seconds < 1) {
      System.err.println("GenerateBenign: -o FILE is required; --listeners at least " + Stack.values().length);
      System.exit(2);
    }
    Generator g = new Generator(new SplittableRandom(seed), listeners);
    // Starts in time order, so that a client cycling through its ports reuses one only after the
    // connection that last used it has ended.
    long[] starts = new long[connections];
    for (int i = 0; i < connections; i++) {
      starts[i] = 1_700_000_000_000_000L + (long) (g.rnd.nextDouble() * seconds * 1_000_000L);
    }
    Arrays.sort(starts);
    for (long start : starts) {
      g.connection(start);
    }
    List<Packet> packets = g.packets;
    packets.sort((a, b) -> Long.compare(a.micros(), b.micros()));
    try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(out), 1 << 20)) {
      ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
      h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(SNAPLEN).putInt(1);
      o.write(h.array());
      ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
      for (Packet p : packets) {
        r.clear();
        r.putInt((int) (p.micros() / 1_000_000)).putInt((int) (p.micros() % 1_000_000)).putInt(p.frame().length)
            .putInt(p.wireLength());
        o.write(r.array());
        o.write(p.frame());
      }
    }
    StringBuilder sb = new StringBuilder();
    g.byStack.forEach((s, n) -> sb.append(s.name().toLowerCase(Locale.ROOT).replace('_', '-')).append('=').append(n).append(' '));
    System.out.println(out + ": " + sb + "connections=" + connections + " listeners=" + listeners + " packets=" + packets.size());
  }

  static final class Generator {
    final SplittableRandom rnd;
    final int listeners;
    final List<Packet> packets = new ArrayList<>();
    final Map<Stack, Integer> byStack = new EnumMap<>(Stack.class);
    /** PORT_REUSE clients: the next of their 20 ports. */
    final Map<Integer, Integer> nextPort = new java.util.HashMap<>();

    Generator(SplittableRandom rnd, int listeners) {
      this.rnd = rnd;
      this.listeners = listeners;
    }

    /** A TCP endpoint's view while writing one connection. */
    final class Side {
      final int ip;
      final int port;
      long next;
      long clockOffset;
      boolean timestamps;
      long lastPeerTs;

      Side(int ip, int port, long isn, boolean timestamps, long clockOffset) {
        this.ip = ip;
        this.port = port;
        this.next = isn;
        this.timestamps = timestamps;
        this.clockOffset = clockOffset;
      }

      long tsVal(long micros) {
        return (micros / 1000 + clockOffset) & 0xffffffffL;
      }
    }

    void connection(long t) {
      int l = rnd.nextInt(listeners);
      Stack stack = Stack.values()[l % Stack.values().length];
      byStack.merge(stack, 1, Integer::sum);
      int serverIp = 0x0a640000 | (l / 4 + 1); // 10.100.x.y, four ports per host
      int serverPort = new int[] {443, 80, 8080, 5432}[l % 4];
      int clientIndex = rnd.nextInt(60_000);
      int clientIp = 0x0a320000 | (clientIndex + 1);
      int clientPort;
      if (stack == Stack.PORT_REUSE) {
        clientIndex %= 50; // a few busy clients
        clientIp = 0x0a320000 | (clientIndex + 1);
        int k = nextPort.merge(clientIndex * 100_000 + l, 1, Integer::sum);
        clientPort = 50_000 + k % 20;
      } else {
        clientPort = 32_768 + rnd.nextInt(28_232);
      }
      boolean ts = stack != Stack.NO_TS && stack != Stack.MSS_ONLY_SOME;
      long pairOffset = ((long) clientIp * 0x9E3779B1L ^ (long) serverIp * 0x85EBCA77L) & 0xffffffffL;
      long serverOffset = stack == Stack.TS_RANDOM ? rnd.nextLong(1L << 32) : pairOffset;
      long clientOffset = rnd.nextLong(1L << 32);
      Side c = new Side(clientIp, clientPort, rnd.nextLong(1L << 32), ts, clientOffset);
      Side s = new Side(serverIp, serverPort, rnd.nextLong(1L << 32), ts, serverOffset);
      long srv = 30 + rnd.nextInt(50); // us, tap to server and back
      long rtt = 1_000 + (long) (rnd.nextDouble() * rnd.nextDouble() * 99_000); // us, tap to client and back
      boolean lossy = stack == Stack.LOSSY;

      // SYN (lost after the tap 2 % of the time on lossy paths: resent after 1 s).
      int synFlags = SYN | (stack == Stack.ECN ? ECE | CWR : 0);
      int tfoData = stack == Stack.FAST_OPEN ? 100 : 0;
      byte[] synOpts = synOptions(stack, c, t);
      if (lossy && rnd.nextDouble() < 0.02) {
        emit(t, c, s, synFlags, c.next, 0, synOpts, tfoData);
        t += 1_000_000;
        synOpts = synOptions(stack, c, t);
      }
      emit(t, c, s, synFlags, c.next, 0, synOpts, tfoData);
      long cIsn = c.next;
      c.next = (c.next + 1 + tfoData) & 0xffffffffL;
      // SYN-ACK
      long sa = t + srv;
      int saFlags = SYN | ACK | (stack == Stack.ECN ? ECE : 0);
      boolean stripped = stack == Stack.MSS_ONLY_SOME && rnd.nextDouble() < 0.3;
      c.lastPeerTs = 0;
      s.lastPeerTs = c.tsVal(t);
      emit(sa, s, c, saFlags, s.next, c.next, synAckOptions(stack, s, sa, stripped), 0);
      long sIsn = s.next;
      if (lossy && rnd.nextDouble() < 0.03) {
        sa += 1_000_000; // lost on the way to the client: the server's timer resends it
        emit(sa, s, c, saFlags, sIsn, c.next, synAckOptions(stack, s, sa, stripped), 0);
      }
      s.next = (s.next + 1) & 0xffffffffL;
      // 3rd ACK (lost after the tap 1 % of the time on lossy paths: the SYN-ACK is resent after 1 s)
      long ack = sa + rtt;
      c.lastPeerTs = s.tsVal(sa);
      emit(ack, c, s, ACK, c.next, s.next, later(c, ack), 0);
      if (lossy && rnd.nextDouble() < 0.01) {
        long again = sa + 1_000_000;
        s.lastPeerTs = c.tsVal(ack);
        emit(again, s, c, saFlags, sIsn, c.next, synAckOptions(stack, s, again, stripped), 0);
        ack = again + rtt;
        emit(ack, c, s, ACK, c.next, s.next, later(c, ack), 0);
      }
      // A request and a response or two.
      long now = ack + 100;
      int request = 100 + rnd.nextInt(400);
      emit(now, c, s, ACK | PSH, c.next, s.next, later(c, now), request);
      c.next = (c.next + request) & 0xffffffffL;
      now += srv + 200 + rnd.nextInt(5_000);
      int responses = 1 + rnd.nextInt(3);
      for (int i = 0; i < responses; i++) {
        s.lastPeerTs = c.tsVal(now);
        int len = 500 + rnd.nextInt(1000);
        emit(now, s, c, ACK | PSH, s.next, c.next, later(s, now), len);
        s.next = (s.next + len) & 0xffffffffL;
        now += 50;
      }
      now += rtt;
      c.lastPeerTs = s.tsVal(now);
      emit(now, c, s, ACK, c.next, s.next, later(c, now), 0);
      // Close: the server first on SERVER_CLOSE listeners, else the client.
      boolean serverFirst = stack == Stack.SERVER_CLOSE;
      Side first = serverFirst ? s : c;
      Side second = serverFirst ? c : s;
      now += serverFirst ? 100 : 1_000 + rnd.nextInt(50_000);
      emit(now, first, second, FIN | ACK, first.next, second.next, later(first, now), 0);
      first.next = (first.next + 1) & 0xffffffffL;
      now += serverFirst ? rtt : srv;
      emit(now, second, first, FIN | ACK, second.next, first.next, later(second, now), 0);
      second.next = (second.next + 1) & 0xffffffffL;
      now += serverFirst ? srv : rtt;
      emit(now, first, second, ACK, first.next, second.next, later(first, now), 0);
    }

    byte[] synOptions(Stack stack, Side c, long t) {
      ByteBuffer b = ByteBuffer.allocate(40);
      b.put((byte) 2).put((byte) 4).putShort((short) 1460);
      if (c.timestamps) {
        b.put((byte) 4).put((byte) 2); // SACK_PERM
        b.put((byte) 8).put((byte) 10).putInt((int) c.tsVal(t)).putInt(0);
        b.put((byte) 1).put((byte) 3).put((byte) 3).put((byte) 7);
      } else {
        b.put((byte) 1).put((byte) 3).put((byte) 3).put((byte) 8).put((byte) 1).put((byte) 1).put((byte) 4).put((byte) 2);
      }
      if (stack == Stack.FAST_OPEN) {
        b.put((byte) 34).put((byte) 10).putLong(rnd.nextLong()).put((byte) 1).put((byte) 1);
      }
      return Arrays.copyOf(b.array(), b.position());
    }

    byte[] synAckOptions(Stack stack, Side s, long t, boolean stripped) {
      ByteBuffer b = ByteBuffer.allocate(40);
      b.put((byte) 2).put((byte) 4).putShort((short) 1460);
      if (stripped) {
        return Arrays.copyOf(b.array(), b.position());
      }
      if (s.timestamps) {
        b.put((byte) 4).put((byte) 2);
        b.put((byte) 8).put((byte) 10).putInt((int) s.tsVal(t)).putInt((int) s.lastPeerTs);
        b.put((byte) 1).put((byte) 3).put((byte) 3).put((byte) 9);
      } else {
        b.put((byte) 1).put((byte) 3).put((byte) 3).put((byte) 8).put((byte) 1).put((byte) 1).put((byte) 4).put((byte) 2);
      }
      return Arrays.copyOf(b.array(), b.position());
    }

    /** Options of a segment after the handshake: NOP, NOP, TS when timestamps are on. */
    byte[] later(Side from, long t) {
      if (!from.timestamps) {
        return new byte[0];
      }
      ByteBuffer b = ByteBuffer.allocate(12);
      b.put((byte) 1).put((byte) 1).put((byte) 8).put((byte) 10).putInt((int) from.tsVal(t)).putInt((int) from.lastPeerTs);
      return b.array();
    }

    void emit(long micros, Side from, Side to, int flags, long seq, long ack, byte[] options, int payload) {
      int tcpLength = 20 + options.length;
      int ipLength = 20 + tcpLength + payload;
      int wire = 14 + ipLength;
      ByteBuffer b = ByteBuffer.allocate(Math.min(SNAPLEN, wire)); // network order
      byte[] full = new byte[14 + 20 + tcpLength];
      ByteBuffer f = ByteBuffer.wrap(full);
      f.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
      f.put((byte) 0x45).put((byte) 0).putShort((short) ipLength).putShort((short) 0).putShort((short) 0x4000)
          .put((byte) 64).put((byte) 6).putShort((short) 0).putInt(from.ip).putInt(to.ip);
      f.putShort((short) from.port).putShort((short) to.port).putInt((int) seq).putInt((int) ack)
          .put((byte) ((tcpLength / 4) << 4)).put((byte) flags).putShort((short) 64240).putShort((short) 0)
          .putShort((short) 0).put(options);
      b.put(full, 0, Math.min(full.length, b.capacity()));
      byte[] frame = b.array();
      if (frame.length > full.length) {
        frame = Arrays.copyOf(frame, full.length); // headers only: the payload is cut by the snaplen
      }
      packets.add(new Packet(micros, frame, wire));
    }
  }
}
