import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Adversarial capture generator for synscope's bounded-memory checks.
 *
 * <pre>
 *   java bench/GenerateAdversarial.java --shape flood --syns 10M [--answer-every K] [--legit M] -o FILE
 *   java bench/GenerateAdversarial.java --shape scan --syns 2M -o FILE
 *   java bench/GenerateAdversarial.java --shape open --connections 1M -o FILE
 *   common: [--seed S] [--rate R]  (R = SYNs, or connections, per second of packet time; default 100000)
 * </pre>
 *
 * <p>Writes a classic little-endian microsecond pcap (magic 0xa1b2c3d4, linktype 1 Ethernet,
 * IPv4, correct IP and TCP checksums). The file is a pure function of the arguments. Packet
 * time starts at 2026-01-01T00:00:00Z. See bench/README.md, "Adversarial captures".
 *
 * <p>The primary stream (one SYN every 1/R s) is written straight from a reused packet; the
 * replies (and the legitimate clients' segments) wait in a small time-ordered heap and are
 * merged in, so timestamps never go backwards.
 */
public final class GenerateAdversarial {

    private GenerateAdversarial() {}

    static final String USAGE = "usage: java bench/GenerateAdversarial.java --shape flood|scan|open -o FILE"
            + " (--syns N | --connections N) [--seed S] [--rate R] [--answer-every K] [--legit M]";

    static final long START_US = 1_767_225_600L * 1_000_000L; // 2026-01-01T00:00:00Z
    static final int SNAPLEN = 65535;

    static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;
    /** Option layouts. */
    static final int OPT_NONE = 0, OPT_SYN = 1, OPT_TS = 2; // SYN: MSS,SACK_PERM,TS,NOP,WS; TS: NOP,NOP,TS

    static final int NET_18 = 0xC6120000; // 198.18.0.0
    static final int NET_19 = 0xC6130000; // 198.19.0.0
    static final int VICTIM = 0xC613FF01; // 198.19.255.1
    static final int SCANNER = 0xC6120001; // 198.18.0.1

    // ------------------------------------------------------------------ main

    public static void main(String[] args) throws IOException {
        String shape = null, out = null;
        long syns = -1, conns = -1, seed = 1, answerEvery = 0, legit = 0;
        double rate = 100_000;
        boolean sawAnswer = false, sawLegit = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--shape" -> shape = need(args, ++i, a);
                case "-o", "--output" -> out = need(args, ++i, a);
                case "--syns" -> syns = count(need(args, ++i, a), a);
                case "--connections" -> conns = count(need(args, ++i, a), a);
                case "--seed" -> seed = number(need(args, ++i, a), a);
                case "--rate" -> rate = real(need(args, ++i, a), a);
                case "--answer-every" -> { answerEvery = count(need(args, ++i, a), a); sawAnswer = true; }
                case "--legit" -> { legit = count(need(args, ++i, a), a); sawLegit = true; }
                case "-h", "--help" -> {
                    System.out.println(USAGE);
                    return;
                }
                default -> fail("unknown argument: " + a);
            }
        }
        if (shape == null) fail("missing --shape flood|scan|open");
        if (out == null) fail("missing -o FILE");
        if (!(rate > 0 && rate <= 1e9)) fail("--rate must be > 0 and <= 1e9");
        Gen g;
        switch (shape) {
            case "flood", "scan" -> {
                if (syns < 1) fail("--shape " + shape + " needs --syns N (N >= 1)");
                if (conns >= 0) fail("--connections is for --shape open; use --syns");
                if (shape.equals("scan") && (sawAnswer || sawLegit)) fail("--answer-every and --legit are for --shape flood");
                if (shape.equals("flood") && syns > (long) FLOOD_IPS * 64512) fail("--syns at most " + (long) FLOOD_IPS * 64512 + " for flood");
                if (shape.equals("scan") && syns > 4_000_000_000L) fail("--syns at most 4000000000 for scan");
                if (legit > 253) fail("--legit at most 253 (clients 198.18.0.2-198.18.0.254)");
            }
            case "open" -> {
                if (conns < 1) fail("--shape open needs --connections N (N >= 1)");
                if (syns >= 0 || sawAnswer || sawLegit) fail("--syns, --answer-every and --legit are not for --shape open");
                if (conns > 65534L * 28232) fail("--connections at most " + 65534L * 28232);
            }
            default -> fail("--shape must be flood, scan or open, not " + shape);
        }
        try (OutputStream os = new BufferedOutputStream(new FileOutputStream(out), 1 << 20)) {
            g = new Gen(os, seed, rate);
            switch (shape) {
                case "flood" -> g.flood(syns, answerEvery, (int) legit);
                case "scan" -> g.scan(syns);
                default -> g.open(conns);
            }
        }
        System.out.println(out + ": shape=" + shape + " seed=" + seed + " rate=" + fmtRate(rate) + " " + g.summary());
    }

    static void fail(String msg) {
        System.err.println("GenerateAdversarial: " + msg + "; " + USAGE);
        System.exit(2);
    }

    static String need(String[] args, int i, String opt) {
        if (i >= args.length) fail(opt + " needs a value");
        return args[i];
    }

    /** Non-negative count: 2000000, 2_000_000, 2M, 500k. */
    static long count(String s, String opt) {
        String t = s.replace("_", "").trim().toLowerCase(Locale.ROOT);
        long mul = 1;
        if (t.endsWith("k")) { mul = 1_000; t = t.substring(0, t.length() - 1); }
        else if (t.endsWith("m")) { mul = 1_000_000; t = t.substring(0, t.length() - 1); }
        try {
            long v = Long.parseLong(t);
            if (v < 0 || v > Long.MAX_VALUE / mul) throw new NumberFormatException();
            return v * mul;
        } catch (NumberFormatException e) {
            fail(opt + " needs a non-negative count, not '" + s + "'");
            return 0;
        }
    }

    static long number(String s, String opt) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            fail(opt + " needs an integer, not '" + s + "'");
            return 0;
        }
    }

    static double real(String s, String opt) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            return (double) count(s, opt); // 100k, 1M
        }
    }

    static String fmtRate(double r) {
        return r == Math.rint(r) ? Long.toString((long) r) : Double.toString(r);
    }

    // ------------------------------------------------------------------ address permutations

    /** Spoofed sources: the 2^17 addresses of 198.18.0.0/15 minus 198.18.0.0/24 and 198.19.255.0/24. */
    static final int FLOOD_IPS = (1 << 17) - 512;

    /** A bijection of [0, 2^17), keyed by the seed. */
    static final class Perm17 {
        final int a, b, c;

        Perm17(SplittableRandom r) {
            a = r.nextInt() | 1;
            b = r.nextInt() | 1;
            c = r.nextInt();
        }

        int apply(int x) {
            x = (x * a + c) & 0x1FFFF;
            x ^= x >>> 9;
            x = (x * b) & 0x1FFFF;
            x ^= x >>> 7;
            return x;
        }
    }

    /** A bijection of the 32-bit integers, keyed by the seed. */
    static final class Perm32 {
        final int a, b, c, d;

        Perm32(SplittableRandom r) {
            a = r.nextInt() | 1;
            b = r.nextInt() | 1;
            c = r.nextInt();
            d = r.nextInt();
        }

        int apply(int x) {
            x = x * a + c;
            x ^= x >>> 16;
            x *= b;
            x ^= x >>> 13;
            return x + d;
        }
    }

    static int mix32(int x) {
        x ^= x >>> 16;
        x *= 0x7feb352d;
        x ^= x >>> 15;
        x *= 0x846ca68b;
        x ^= x >>> 16;
        return x & 0x7FFFFFFF;
    }

    // ------------------------------------------------------------------ packets

    /** One segment, fully described. */
    static final class Pkt {
        long time; // microseconds since START_US
        long order; // heap tie-break
        int src, dst, sport, dport, seq, ack, flags, win, ttl, ipId, opts, tsval, tsecr, len;
        boolean df = true;
        boolean fromServer;

        Pkt set(int src, int sport, int dst, int dport, int seq, int ack, int flags, int win) {
            this.src = src;
            this.sport = sport;
            this.dst = dst;
            this.dport = dport;
            this.seq = seq;
            this.ack = ack;
            this.flags = flags;
            this.win = win;
            return this;
        }
    }

    static final class Gen {
        final OutputStream os;
        final SplittableRandom rnd;
        final double rate;
        final byte[] rec = new byte[16 + SNAPLEN];
        final Pkt cur = new Pkt();
        final PriorityQueue<Pkt> heap = new PriorityQueue<>(1024, (x, y) ->
                x.time != y.time ? Long.compare(x.time, y.time) : Long.compare(x.order, y.order));
        long order;

        long packets, connections, syns, synacks, rsts, fins, completed;
        long firstT = -1, lastT = -1;
        String sources = "", targets = "", extra = "";

        Gen(OutputStream os, long seed, double rate) throws IOException {
            this.os = os;
            this.rnd = new SplittableRandom(seed);
            this.rate = rate;
            byte[] h = new byte[24];
            putLe32(h, 0, 0xa1b2c3d4);
            putLe16(h, 4, 2);
            putLe16(h, 6, 4);
            putLe32(h, 16, SNAPLEN);
            putLe32(h, 20, 1); // LINKTYPE_ETHERNET
            os.write(h);
        }

        /** Time of the i-th primary SYN. */
        long at(long i) {
            return (long) Math.floor(i * 1e6 / rate);
        }

        void later(Pkt p, long time) {
            p.time = time;
            p.order = order++;
            heap.add(p);
        }

        /** Writes every queued packet due at or before {@code t}. */
        void drain(long t) throws IOException {
            while (!heap.isEmpty() && heap.peek().time <= t) write(heap.poll());
        }

        /** A Linux SYN or SYN-ACK: MSS 1460, SACK_PERM, TS, NOP, WS 7. */
        Pkt syn(Pkt p, int ttl, int ipId, int tsval, int tsecr) {
            p.opts = OPT_SYN;
            p.ttl = ttl;
            p.ipId = ipId;
            p.tsval = tsval;
            p.tsecr = tsecr;
            p.len = 0;
            p.df = true;
            return p;
        }

        // ---------------------------------------------------------- flood

        void flood(long n, long answerEvery, int legit) throws IOException {
            Perm17 perm = new Perm17(rnd);
            int portKey = rnd.nextInt();
            int victimTs = rnd.nextInt();
            long end = at(n);
            // legitimate clients: planned up front, spread evenly through the capture
            for (int j = 0; j < legit; j++) {
                long t0 = (long) ((j + 0.5) * end / legit);
                legitConnection(t0, NET_18 + 2 + j, 32768 + rnd.nextInt(28232), victimTs);
            }
            BitSet seen = new BitSet(1 << 17);
            long k = 0;
            for (long i = 0; i < n; i++) {
                int ip, idx;
                long round;
                do { // skip the reserved /24s (legit clients, scanner, victim)
                    idx = perm.apply((int) (k & 0x1FFFF));
                    round = k >>> 17;
                    ip = NET_18 | idx;
                    k++;
                } while ((ip & 0xFFFFFF00) == NET_18 || (ip & 0xFFFFFF00) == (VICTIM & 0xFFFFFF00));
                seen.set(idx);
                int sport = 1024 + (int) ((round + mix32(idx ^ portKey)) % 64512);
                long t = at(i);
                drain(t);
                int isn = rnd.nextInt();
                int tsval = rnd.nextInt();
                Pkt p = syn(cur, 40 + rnd.nextInt(215), rnd.nextInt(65536), tsval, 0)
                        .set(ip, sport, VICTIM, 80, isn, 0, SYN, 64240);
                p.time = t;
                p.fromServer = false;
                write(p);
                if (answerEvery > 0 && (i + 1) % answerEvery == 0) {
                    long ts = t + 20 + rnd.nextInt(80);
                    Pkt a = syn(new Pkt(), 64, 0, victimTs + (int) (ts / 1000), tsval)
                            .set(VICTIM, 80, ip, sport, rnd.nextInt(), isn + 1, SYN | ACK, 65160);
                    a.fromServer = true;
                    later(a, ts);
                }
            }
            drain(Long.MAX_VALUE);
            connections = n + legit;
            sources = "sources=" + (seen.cardinality() + legit) + " (spoofed " + seen.cardinality() + ", legit " + legit + ")";
            targets = "targets=1 (198.19.255.1:80)";
            extra = "answer_every=" + answerEvery + " attempts=" + (n + legit) + " completed=" + legit;
        }

        /** SYN, SYN-ACK, ACK, request, response, ACK, FIN, FIN, ACK: nine segments. */
        void legitConnection(long t, int client, int cport, int victimTs) {
            int ci = rnd.nextInt(), si = rnd.nextInt();
            int cTs = rnd.nextInt(), cId = rnd.nextInt(65536), sId = rnd.nextInt(65536);
            long ds = 30 + rnd.nextInt(70); // server's reply time
            long rc = 500 + rnd.nextInt(4500); // round trip to the client
            int q = 64 + rnd.nextInt(448), r = 200 + rnd.nextInt(1200);
            long[] tt = new long[9];
            tt[0] = t;
            tt[1] = tt[0] + ds;
            tt[2] = tt[1] + rc;
            tt[3] = tt[2] + 20;
            tt[4] = tt[3] + ds + 200;
            tt[5] = tt[4] + rc;
            tt[6] = tt[5] + 1000 + rnd.nextInt(50_000);
            tt[7] = tt[6] + ds;
            tt[8] = tt[7] + rc;
            int[] lastTs = new int[2];
            for (int s = 0; s < 9; s++) {
                boolean server = s == 1 || s == 4 || s == 7;
                Pkt p = new Pkt();
                p.fromServer = server;
                int tsv = (server ? victimTs : cTs) + (int) (tt[s] / 1000);
                int ecr = lastTs[server ? 0 : 1];
                lastTs[server ? 1 : 0] = tsv;
                p.ttl = 64;
                p.ipId = server ? (s == 1 ? 0 : sId + s) : cId + s;
                p.opts = s <= 1 ? OPT_SYN : OPT_TS;
                p.tsval = tsv;
                p.tsecr = ecr;
                int w = server ? 509 : 502;
                switch (s) {
                    case 0 -> p.set(client, cport, VICTIM, 80, ci, 0, SYN, 64240);
                    case 1 -> p.set(VICTIM, 80, client, cport, si, ci + 1, SYN | ACK, 65160);
                    case 2 -> p.set(client, cport, VICTIM, 80, ci + 1, si + 1, ACK, w);
                    case 3 -> { p.set(client, cport, VICTIM, 80, ci + 1, si + 1, PSH | ACK, w); p.len = q; }
                    case 4 -> { p.set(VICTIM, 80, client, cport, si + 1, ci + 1 + q, PSH | ACK, w); p.len = r; }
                    case 5 -> p.set(client, cport, VICTIM, 80, ci + 1 + q, si + 1 + r, ACK, w);
                    case 6 -> p.set(client, cport, VICTIM, 80, ci + 1 + q, si + 1 + r, FIN | ACK, w);
                    case 7 -> p.set(VICTIM, 80, client, cport, si + 1 + r, ci + 2 + q, FIN | ACK, w);
                    default -> p.set(client, cport, VICTIM, 80, ci + 2 + q, si + 2 + r, ACK, w);
                }
                p.ipId &= 0xFFFF;
                later(p, tt[s]);
            }
        }

        // ---------------------------------------------------------- scan

        void scan(long n) throws IOException {
            Perm32 perm = new Perm32(rnd);
            int scannerTs = rnd.nextInt();
            int ipId = rnd.nextInt(65536);
            BitSet hosts = new BitSet(1 << 16);
            long k = 0;
            for (long i = 0; i < n; i++) {
                int v, host, port;
                do { // skip port 0 and 198.19.0.0 / 198.19.255.255
                    v = perm.apply((int) k++);
                    host = v >>> 16;
                    port = v & 0xFFFF;
                } while (port == 0 || host == 0 || host == 0xFFFF);
                hosts.set(host);
                long t = at(i);
                drain(t);
                int isn = rnd.nextInt();
                int sport = 32768 + (int) (i % 28232);
                int target = NET_19 | host;
                Pkt p = syn(cur, 64, ipId, scannerTs + (int) (t / 1000), 0)
                        .set(SCANNER, sport, target, port, isn, 0, SYN, 64240);
                ipId = (ipId + 1) & 0xFFFF;
                p.time = t;
                p.fromServer = false;
                write(p);
                Pkt r = new Pkt().set(target, port, SCANNER, sport, 0, isn + 1, RST | ACK, 0);
                r.opts = OPT_NONE;
                r.ttl = 64;
                r.ipId = 0;
                r.fromServer = true;
                later(r, t + 100 + rnd.nextInt(901));
            }
            drain(Long.MAX_VALUE);
            connections = n;
            sources = "sources=1 (198.18.0.1)";
            targets = "targets=" + n + " ip:port on " + hosts.cardinality() + " hosts";
        }

        // ---------------------------------------------------------- open

        void open(long n) throws IOException {
            Perm17 perm = new Perm17(rnd);
            int portKey = rnd.nextInt();
            int[] serverTs = {rnd.nextInt(), rnd.nextInt(), rnd.nextInt(), rnd.nextInt()};
            BitSet clients = new BitSet(1 << 16);
            long k = 0;
            for (long i = 0; i < n; i++) {
                int c;
                long round;
                do { // 198.18.0.1 - 198.18.255.254
                    int x = perm.apply((int) (k & 0x1FFFF)); // walk 2^17 and keep the 2^16 below
                    c = x;
                    round = k >>> 17;
                    k++;
                } while (c == 0 || c >= 0xFFFF);
                clients.set(c);
                int client = NET_18 | c;
                int cport = 32768 + (int) ((round + mix32(c ^ portKey)) % 28232);
                int srv = rnd.nextInt(4);
                int server = NET_19 | (1 + srv);
                long t = at(i);
                drain(t);
                int ci = rnd.nextInt(), si = rnd.nextInt();
                int cTs = rnd.nextInt();
                int cId = rnd.nextInt(65536);
                int cTtl = 64 - 1 - rnd.nextInt(20);
                Pkt p = syn(cur, cTtl, cId, cTs + (int) (t / 1000), 0)
                        .set(client, cport, server, 443, ci, 0, SYN, 64240);
                p.time = t;
                p.fromServer = false;
                write(p);
                long t1 = t + 20 + rnd.nextInt(180);
                long t2 = t1 + 100 + rnd.nextInt(4900);
                int sTs = serverTs[srv] + (int) (t1 / 1000);
                Pkt sa = syn(new Pkt(), 64, 0, sTs, p.tsval)
                        .set(server, 443, client, cport, si, ci + 1, SYN | ACK, 65160);
                sa.fromServer = true;
                later(sa, t1);
                Pkt a = new Pkt().set(client, cport, server, 443, ci + 1, si + 1, ACK, 502);
                a.opts = OPT_TS;
                a.ttl = cTtl;
                a.ipId = (cId + 1) & 0xFFFF;
                a.tsval = cTs + (int) (t2 / 1000);
                a.tsecr = sTs;
                later(a, t2);
            }
            drain(Long.MAX_VALUE);
            connections = n;
            completed = n;
            sources = "sources=" + clients.cardinality() + " clients";
            targets = "targets=4 (198.19.0.1-4:443)";
            extra = "completed=" + n + " left_open=" + n;
        }

        // ---------------------------------------------------------- writer

        void write(Pkt p) throws IOException {
            long t = p.time;
            if (t < lastT) throw new IllegalStateException("time went backwards: " + t + " < " + lastT);
            if (firstT < 0) firstT = t;
            lastT = t;
            byte[] b = rec;
            final int eth = 16, l3 = eth + 14, l4 = l3 + 20;
            // Ethernet: server side 02:00:00:00:00:01, client side 02:00:00:00:00:02
            Arrays.fill(b, eth, eth + 12, (byte) 0);
            b[eth] = 0x02;
            b[eth + 5] = (byte) (p.fromServer ? 2 : 1);
            b[eth + 6] = 0x02;
            b[eth + 11] = (byte) (p.fromServer ? 1 : 2);
            putBe16(b, eth + 12, 0x0800);
            // TCP options
            int o = l4 + 20;
            if (p.opts == OPT_SYN) {
                b[o] = 2; b[o + 1] = 4; putBe16(b, o + 2, 1460); // MSS
                b[o + 4] = 4; b[o + 5] = 2; // SACK_PERM
                b[o + 6] = 8; b[o + 7] = 10; putBe32(b, o + 8, p.tsval); putBe32(b, o + 12, p.tsecr);
                b[o + 16] = 1; // NOP
                b[o + 17] = 3; b[o + 18] = 3; b[o + 19] = 7; // WS 7
                o += 20;
            } else if (p.opts == OPT_TS) {
                b[o] = 1; b[o + 1] = 1;
                b[o + 2] = 8; b[o + 3] = 10; putBe32(b, o + 4, p.tsval); putBe32(b, o + 8, p.tsecr);
                o += 12;
            }
            int tcpHdr = o - l4;
            int tcpLen = tcpHdr + p.len;
            int ipLen = 20 + tcpLen;
            int frame = 14 + ipLen;
            int origLen = Math.max(frame, 60); // Ethernet minimum without FCS, zero pad after IP
            Arrays.fill(b, o, eth + origLen, (byte) 0); // payload and pad are zeros
            // TCP header
            putBe16(b, l4, p.sport);
            putBe16(b, l4 + 2, p.dport);
            putBe32(b, l4 + 4, p.seq);
            putBe32(b, l4 + 8, p.ack);
            b[l4 + 12] = (byte) ((tcpHdr / 4) << 4);
            b[l4 + 13] = (byte) p.flags;
            putBe16(b, l4 + 14, p.win);
            putBe16(b, l4 + 16, 0); // checksum
            putBe16(b, l4 + 18, 0); // urgent
            // IPv4 header
            b[l3] = 0x45;
            b[l3 + 1] = 0;
            putBe16(b, l3 + 2, ipLen);
            putBe16(b, l3 + 4, p.ipId);
            putBe16(b, l3 + 6, p.df ? 0x4000 : 0);
            b[l3 + 8] = (byte) p.ttl;
            b[l3 + 9] = 6;
            putBe16(b, l3 + 10, 0);
            putBe32(b, l3 + 12, p.src);
            putBe32(b, l3 + 16, p.dst);
            putBe16(b, l3 + 10, ~fold(sum16(b, l3, 20)) & 0xFFFF);
            // TCP checksum: pseudo-header + header (the payload is zeros and adds nothing)
            long sum = sum16(b, l3 + 12, 8) + 6 + tcpLen + sum16(b, l4, tcpHdr);
            putBe16(b, l4 + 16, ~fold(sum) & 0xFFFF);
            // record header
            long abs = START_US + t;
            putLe32(b, 0, (int) (abs / 1_000_000));
            putLe32(b, 4, (int) (abs % 1_000_000));
            putLe32(b, 8, origLen);
            putLe32(b, 12, origLen);
            os.write(b, 0, 16 + origLen);
            packets++;
            int f = p.flags;
            if ((f & SYN) != 0) {
                if ((f & ACK) != 0) synacks++; else syns++;
            }
            if ((f & RST) != 0) rsts++;
            if ((f & FIN) != 0) fins++;
        }

        String summary() {
            return String.format(Locale.ROOT, "packets=%d connections=%d syn=%d synack=%d rst=%d fin=%d %s %s%s first=%s last=%s",
                    packets, connections, syns, synacks, rsts, fins, sources, targets,
                    extra.isEmpty() ? "" : " " + extra, iso(firstT), iso(lastT));
        }

        static final DateTimeFormatter ISO =
                DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

        static String iso(long t) {
            if (t < 0) return "-";
            long abs = START_US + t;
            return ISO.format(Instant.ofEpochSecond(abs / 1_000_000, (abs % 1_000_000) * 1000));
        }
    }

    // ------------------------------------------------------------------ byte helpers

    static long sum16(byte[] b, int o, int n) {
        long s = 0;
        for (int i = 0; i < n; i += 2) s += ((b[o + i] & 0xFF) << 8) | (b[o + i + 1] & 0xFF);
        return s;
    }

    static int fold(long s) {
        while ((s >>> 16) != 0) s = (s & 0xFFFF) + (s >>> 16);
        return (int) s;
    }

    static void putBe16(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 8);
        b[o + 1] = (byte) v;
    }

    static void putBe32(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 24);
        b[o + 1] = (byte) (v >>> 16);
        b[o + 2] = (byte) (v >>> 8);
        b[o + 3] = (byte) v;
    }

    static void putLe16(byte[] b, int o, int v) {
        b[o] = (byte) v;
        b[o + 1] = (byte) (v >>> 8);
    }

    static void putLe32(byte[] b, int o, int v) {
        b[o] = (byte) v;
        b[o + 1] = (byte) (v >>> 8);
        b[o + 2] = (byte) (v >>> 16);
        b[o + 3] = (byte) (v >>> 24);
    }
}
