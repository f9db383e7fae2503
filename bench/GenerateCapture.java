import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Synthetic TCP capture generator for the synscope benchmark.
 *
 * <p>Run with Java's single-file source launcher, no dependencies:
 *
 * <pre>
 *   java bench/GenerateCapture.java --packets 10000000 --connections 1000000 --seed 1 -o /tmp/big.pcap
 * </pre>
 *
 * <p>Writes a classic little-endian microsecond pcap (magic 0xa1b2c3d4, linktype 1 Ethernet,
 * snaplen 128) with exactly {@code --packets} packets and about {@code --connections}
 * connections. The output is a pure function of the arguments. See bench/README.md for the
 * traffic mix.
 *
 * <p>How it works: connection arrivals (Poisson over {@code --duration} seconds) and SYN-flood
 * bursts are events in a time-ordered heap. Each connection is planned up front as a script of
 * segments (direction, flags, payload length, delay after the previous segment); the heap
 * interleaves the scripts of all in-flight connections, so thousands are open at once.
 * Sequence, acknowledgment and TCP-timestamp values are computed when a segment is written.
 * Per-connection sizes are steered so that the planned total lands exactly on --packets.
 */
public final class GenerateCapture {

    private GenerateCapture() {}

    // ------------------------------------------------------------------ constants

    static final int SNAPLEN = 128;

    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int PSH = 0x08;
    static final int ACK = 0x10;
    /** Step flag: sequence number 0 (RST answering a SYN to a closed port). */
    static final int SEQ_ZERO = 1 << 9;
    /** Step flag: no TCP options on this segment. */
    static final int NO_OPTS = 1 << 10;

    static final int CLIENT = 0;
    static final int SERVER = 1;

    // option styles, per side
    static final int OPT_NONE = 0;
    static final int OPT_MSS = 1;
    static final int OPT_LINUX = 2; // MSS, SACK_PERM, TS, NOP, WS; data segments carry TS
    static final int OPT_WINDOWS = 3; // MSS, NOP, WS, NOP, NOP, SACK_PERM; no TS

    // connection shapes
    static final int NORMAL = 0;
    static final int CLOSED_PORT = 1;
    static final int ABORT = 2;
    static final int APP_RST = 3;
    static final int SYN_RETRY_LOST = 4;
    static final int SYN_RETRY_OK = 5;
    static final int SYNACK_RETRY = 6;
    static final int HALF_CLOSED = 7;
    static final int MIDSTREAM = 8;
    static final int FLOOD = 9;
    static final String[] SHAPE_NAMES = {
        "normal", "reset-closed-port", "reset-abort", "reset-app", "syn-retrans-unanswered",
        "syn-retrans-answered", "synack-retrans", "half-closed", "midstream", "syn-flood"
    };

    /** Relative weights of non-flood shapes (flood is 15% of all connections, set separately). */
    static final double[] WEIGHT = {70, 4, 3, 3, 1.25, 1.25, 1.0, 0.75, 0.75};
    /** Expected fixed packets per shape (everything but the variable data part). */
    static final double[] OVERHEAD = {6.6, 2, 4, 5, 3, 8.1, 7.6, 7, 2.8};
    /** Whether a shape has a variable data part. */
    static final boolean[] VARIABLE = {true, false, false, true, false, true, true, true, true};

    static final double FLOOD_SHARE = 0.15;
    static final double IPV6_SHARE = 10.0 / 85.0; // of non-flood connections: ~10% overall
    static final double VLAN_SHARE = 0.05; // of IPv4 non-flood connections

    static final int[] SERVICE_PORTS = {443, 80, 443, 22, 5432, 443, 8080, 6379, 443, 25, 80, 993};
    static final int[] CLOSED_PORTS = {23, 81, 135, 139, 445, 1433, 3389, 5900, 8443, 9000, 9200, 11211};
    static final int[] FLOOD_PORTS = {80, 443, 22, 25, 8080};
    static final int N_SERVERS = 64;
    static final int N_CLIENTS = 1 << 16;

    // ------------------------------------------------------------------ main

    public static void main(String[] args) throws IOException {
        long packets = 10_000_000L;
        long connections = 1_000_000L;
        long seed = 1;
        double duration = 600;
        long startEpoch = 1_700_000_000L;
        String out = null;
        boolean quiet = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--packets" -> packets = parseCount(need(args, ++i, a));
                case "--connections" -> connections = parseCount(need(args, ++i, a));
                case "--seed" -> seed = Long.parseLong(need(args, ++i, a));
                case "--duration" -> duration = Double.parseDouble(need(args, ++i, a));
                case "--start" -> startEpoch = Long.parseLong(need(args, ++i, a));
                case "-o", "--output" -> out = need(args, ++i, a);
                case "-q", "--quiet" -> quiet = true;
                case "-h", "--help" -> {
                    usage();
                    return;
                }
                default -> {
                    System.err.println("unknown argument: " + a);
                    usage();
                    System.exit(2);
                }
            }
        }
        if (out == null) {
            System.err.println("missing -o FILE");
            usage();
            System.exit(2);
        }
        if (packets < 1 || connections < 1 || duration <= 0) {
            System.err.println("--packets, --connections and --duration must be positive");
            System.exit(2);
        }
        long t0 = System.nanoTime();
        Generator g;
        try (OutputStream os = new FileOutputStream(out)) {
            g = new Generator(packets, connections, seed, duration, startEpoch, os, quiet);
            g.run();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        g.report(out, secs);
    }

    static String need(String[] args, int i, String opt) {
        if (i >= args.length) {
            System.err.println(opt + " needs a value");
            System.exit(2);
        }
        return args[i];
    }

    /** Accepts 10000000, 10_000_000, 10M, 500k. */
    static long parseCount(String s) {
        String t = s.replace("_", "").trim().toLowerCase(Locale.ROOT);
        long mul = 1;
        if (t.endsWith("k")) {
            mul = 1_000;
            t = t.substring(0, t.length() - 1);
        } else if (t.endsWith("m")) {
            mul = 1_000_000;
            t = t.substring(0, t.length() - 1);
        }
        return Long.parseLong(t) * mul;
    }

    static void usage() {
        System.err.println("usage: java bench/GenerateCapture.java [--packets N] [--connections N] [--seed S]");
        System.err.println("           [--duration SECONDS] [--start EPOCH_SECONDS] [-q] -o FILE.pcap");
        System.err.println("defaults: --packets 10000000 --connections 1000000 --seed 1 --duration 600");
    }

    // ------------------------------------------------------------------ events

    abstract static class Event {
        long time; // microseconds since capture start
        long order; // tie-break, keeps the heap order deterministic

        abstract void fire(Generator g, long now) throws IOException;
    }

    /** One TCP connection: a planned script of segments plus the live TCP state. */
    static final class Conn extends Event {
        int shape;
        boolean v6;
        int vlan; // 0 = untagged
        int cIp4, sIp4;
        long cIp6, sIp6; // interface ids under fd00:0:0:1::/64 and fd00:0:0:200::/64
        int cPort, sPort;
        int flowLabel;
        final int[] isn = new int[2];
        final int[] nxt = new int[2];
        final int[] tsBase = new int[2];
        final int[] lastTs = new int[2]; // last TS value sent by each side
        final int[] opt = new int[2];
        final int[] mss = new int[2];
        final int[] wscale = new int[2];
        final int[] synWin = new int[2];
        final int[] win = new int[2];
        final int[] ttl = new int[2];
        final int[] ipId = new int[2];
        boolean ipDf = true;
        int[] steps; // dir | flags << 1 | len << 16 (flags include SEQ_ZERO / NO_OPTS)
        int[] delays; // microseconds after the previous step
        int step;
        boolean started;

        boolean ts() {
            return opt[CLIENT] == OPT_LINUX && opt[SERVER] == OPT_LINUX;
        }

        int srcPort(int d) {
            return d == CLIENT ? cPort : sPort;
        }

        int dstPort(int d) {
            return d == CLIENT ? sPort : cPort;
        }

        /** Payload of a full-sized segment. */
        int segment() {
            return Math.min(mss[CLIENT], mss[SERVER]) - (ts() ? 12 : 0);
        }

        @Override
        void fire(Generator g, long now) throws IOException {
            long t = g.emit(this, steps[step], now);
            if (!started) {
                started = true;
                g.connStarted(this);
            }
            step++;
            if (step < steps.length) {
                g.schedule(this, t + delays[step]);
            } else {
                g.connFinished(this);
            }
        }
    }

    /** Connection arrivals (all non-flood connections). */
    static final class Arrivals extends Event {
        @Override
        void fire(Generator g, long now) {
            g.arrive(now);
        }
    }

    /** A SYN-flood burst: one SYN per spoofed source, some answered by a SYN-ACK never ACKed. */
    static final class Burst extends Event {
        int count;
        int done;
        BitSet answered;
        int server;
        int[] ports;
        int style;
        double gapMean;
        int synAckDelayMean;

        @Override
        void fire(Generator g, long now) {
            g.burstSyn(this, now);
        }
    }

    // ------------------------------------------------------------------ plan builder

    static final class Plan {
        int[] st = new int[64];
        int[] dl = new int[64];
        int n;

        void reset() {
            n = 0;
        }

        void add(int dir, int flags, int len, long delayUs) {
            if (n == st.length) {
                st = Arrays.copyOf(st, n * 2);
                dl = Arrays.copyOf(dl, n * 2);
            }
            if (len > 0xFFFF) throw new IllegalArgumentException("len " + len);
            st[n] = dir | (flags << 1) | (len << 16);
            dl[n] = (int) Math.min(Integer.MAX_VALUE, Math.max(0, delayUs));
            n++;
        }
    }

    // ------------------------------------------------------------------ generator

    static final class Generator {
        final long targetPackets;
        final long targetConns;
        final double durationUs;
        final long startUs;
        final OutputStream os;
        final boolean quiet;
        final SplittableRandom rnd;

        final PriorityQueue<Event> heap = new PriorityQueue<>(1 << 16, (a, b) ->
                a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.order, b.order));
        long orderSeq;

        final byte[] buf = new byte[8 << 20];
        int pos;

        long written; // packets
        long bytesWritten;
        long lastTime = -1;

        // planning
        long floodConns;
        long floodPackets;
        long nonFloodPlanned; // connections planned so far
        long nonFloodTarget; // non-flood connections to plan
        long packetsUnplanned; // packets left to distribute
        long connIndex; // unique (client, port) counter
        long floodIndex; // unique spoofed (source, port) counter
        double arrivalGapUs;
        final Plan plan = new Plan();

        // stats
        long live;
        long peakLive;
        final long[] shapePlanned = new long[10];
        final long[] shapeStarted = new long[10];
        long v6Conns;
        long vlanConns;
        long connsStarted;
        int bursts;
        final long[] flagCount = new long[4]; // syn, synack, rst, fin

        Generator(long packets, long conns, long seed, double durationSec, long startEpoch,
                OutputStream os, boolean quiet) {
            this.targetPackets = packets;
            this.targetConns = conns;
            this.durationUs = durationSec * 1e6;
            this.startUs = startEpoch * 1_000_000L;
            this.os = os;
            this.quiet = quiet;
            this.rnd = new SplittableRandom(seed);
        }

        void run() throws IOException {
            writeGlobalHeader();
            planFloods();
            nonFloodTarget = Math.max(1, targetConns - floodConns);
            packetsUnplanned = targetPackets - floodPackets;
            arrivalGapUs = durationUs / nonFloodTarget;
            schedule(arrivals, 0);
            long nextProgress = 1_000_000;
            while (written < targetPackets) {
                Event e = heap.poll();
                if (e == null) break;
                e.fire(this, e.time);
                if (!quiet && written >= nextProgress) {
                    System.err.printf(Locale.ROOT, "\r%,d / %,d packets", written, targetPackets);
                    nextProgress += 1_000_000;
                }
            }
            if (!quiet && targetPackets >= 1_000_000) System.err.println();
            flush();
            if (written != targetPackets) {
                throw new IllegalStateException("wrote " + written + " packets, wanted " + targetPackets);
            }
        }

        void schedule(Event e, long time) {
            e.time = time;
            e.order = orderSeq++;
            heap.add(e);
        }

        // ---------------------------------------------------------- floods

        void planFloods() {
            floodConns = Math.round(targetConns * FLOOD_SHARE);
            // Keep floods to at most ~1/3 of the packets when packets per connection is tiny.
            floodConns = Math.min(floodConns, targetPackets / 3);
            if (floodConns <= 0) return;
            int nb = (int) Math.max(1, Math.min(40, floodConns / 4000));
            long perBurst = floodConns / nb;
            long rest = floodConns - perBurst * nb;
            double[] starts = new double[nb];
            for (int i = 0; i < nb; i++) starts[i] = durationUs * (0.02 + 0.88 * rnd.nextDouble());
            Arrays.sort(starts);
            for (int i = 0; i < nb; i++) {
                Burst b = new Burst();
                b.count = (int) Math.min(1 << 17, perBurst + (i < rest ? 1 : 0));
                b.server = rnd.nextInt(8); // the busy front-end servers
                int p0 = FLOOD_PORTS[rnd.nextInt(FLOOD_PORTS.length)];
                if (rnd.nextDouble() < 0.3) {
                    int p1;
                    do {
                        p1 = FLOOD_PORTS[rnd.nextInt(FLOOD_PORTS.length)];
                    } while (p1 == p0);
                    b.ports = new int[] {p0, p1};
                } else {
                    b.ports = new int[] {p0};
                }
                double r = rnd.nextDouble();
                b.style = r < 0.45 ? OPT_NONE : r < 0.8 ? OPT_MSS : OPT_LINUX;
                double pps = 5_000 + rnd.nextDouble() * 45_000;
                b.gapMean = 1e6 / pps;
                b.synAckDelayMean = 40 + rnd.nextInt(300);
                double answer = rnd.nextDouble() < 0.3 ? 0.0 : 0.2 + 0.7 * rnd.nextDouble();
                b.answered = new BitSet(b.count);
                for (int k = 0; k < b.count; k++) {
                    if (rnd.nextDouble() < answer) b.answered.set(k);
                }
                floodPackets += b.count + b.answered.cardinality();
                shapePlanned[FLOOD] += b.count;
                schedule(b, (long) starts[i]);
                bursts++;
            }
            floodConns = shapePlanned[FLOOD];
        }

        void burstSyn(Burst b, long now) {
            Conn c = new Conn();
            c.shape = FLOOD;
            long k = floodIndex++;
            int idx = (int) ((k * 0x9E3779B1L + 0x5A5A) & 0x1FFFF); // permutation of 2^17
            int round = (int) (k >>> 17);
            c.cIp4 = 0xC6120000 | idx; // 198.18.0.0/15
            c.sIp4 = serverIp4(b.server);
            c.cPort = 1024 + (int) ((mix32(idx) + (long) round * 1021) % 64512);
            c.sPort = b.ports[b.done % b.ports.length];
            c.isn[CLIENT] = rnd.nextInt();
            c.isn[SERVER] = rnd.nextInt();
            c.nxt[CLIENT] = c.isn[CLIENT];
            c.nxt[SERVER] = c.isn[SERVER];
            c.opt[CLIENT] = b.style;
            c.opt[SERVER] = b.style == OPT_NONE ? OPT_MSS : b.style;
            c.mss[CLIENT] = b.style == OPT_LINUX ? 1460 : 1400 + rnd.nextInt(61);
            c.mss[SERVER] = 1460;
            c.wscale[CLIENT] = 7;
            c.wscale[SERVER] = 7;
            c.synWin[CLIENT] = b.style == OPT_NONE ? 512 * (1 + rnd.nextInt(128)) : 1024 + rnd.nextInt(64000);
            c.synWin[SERVER] = 65160;
            c.ttl[CLIENT] = 40 + rnd.nextInt(210);
            c.ttl[SERVER] = 64;
            c.ipId[CLIENT] = rnd.nextInt(65536);
            c.ipId[SERVER] = 0;
            c.ipDf = b.style == OPT_LINUX;
            c.tsBase[CLIENT] = rnd.nextInt();
            c.tsBase[SERVER] = rnd.nextInt();
            plan.reset();
            plan.add(CLIENT, SYN, 0, 0);
            if (b.answered.get(b.done)) {
                plan.add(SERVER, SYN | ACK, 0, 10 + expInt(b.synAckDelayMean));
            }
            c.steps = Arrays.copyOf(plan.st, plan.n);
            c.delays = Arrays.copyOf(plan.dl, plan.n);
            schedule(c, now);
            b.done++;
            if (b.done < b.count) schedule(b, now + 1 + expInt(b.gapMean));
        }

        // ---------------------------------------------------------- normal arrivals

        void arrive(long now) {
            long connsLeft = nonFloodTarget - nonFloodPlanned;
            if (connsLeft <= 0 && packetsUnplanned <= 0) return; // no more arrivals
            Conn c = newConnection(now, connsLeft);
            schedule(c, now);
            nonFloodPlanned++;
            if (nonFloodPlanned < nonFloodTarget || packetsUnplanned > 0) {
                schedule(arrivals, now + 1 + expInt(arrivalGapUs));
            }
        }

        private final Arrivals arrivals = new Arrivals();

        int pickShape(boolean last) {
            if (last) return NORMAL;
            double total = 0;
            for (double w : WEIGHT) total += w;
            double r = rnd.nextDouble() * total;
            for (int s = 0; s < WEIGHT.length; s++) {
                r -= WEIGHT[s];
                if (r < 0) return s;
            }
            return NORMAL;
        }

        /** Mean size of the variable (data) part that keeps the packet total on target. */
        double dataMean(long connsLeft) {
            double target = (double) packetsUnplanned / Math.max(1, connsLeft);
            double total = 0, fixed = 0, var = 0;
            for (int s = 0; s < WEIGHT.length; s++) {
                total += WEIGHT[s];
                fixed += WEIGHT[s] * OVERHEAD[s];
                if (VARIABLE[s]) var += WEIGHT[s];
            }
            return Math.max(0, (target - fixed / total) / (var / total));
        }

        int drawData(double mean, long connsLeft, int overhead) {
            if (connsLeft <= 1) {
                // the last planned connection takes up the slack exactly (bounded)
                long rest = packetsUnplanned - overhead;
                return (int) Math.max(0, Math.min(rest, 20_000));
            }
            if (mean <= 0) return 0;
            double m = rnd.nextDouble() < 0.7 ? 0.5 * mean : (0.65 / 0.3) * mean;
            long d = Math.round(-m * Math.log(1 - rnd.nextDouble()));
            return (int) Math.min(d, Math.max(200, (long) (40 * mean)));
        }

        Conn newConnection(long now, long connsLeft) {
            boolean last = connsLeft <= 1;
            int shape = pickShape(last);
            Conn c = new Conn();
            c.shape = shape;
            long i = connIndex++;
            int client = (int) (i % N_CLIENTS);
            int k = (int) (i / N_CLIENTS);
            int server = skewedServer();
            c.v6 = rnd.nextDouble() < IPV6_SHARE;
            if (c.v6) {
                c.cIp6 = 0x1000L + ((client * 0x9E3779B1L) & 0xFFFFFL);
                c.sIp6 = server + 1;
                c.flowLabel = rnd.nextInt(1 << 20);
            } else {
                c.cIp4 = 0x0A010000 + (int) ((client * 0x9E3779B1L) & 0x3FFFFF); // 10.1.0.0 - 10.64.255.255
                c.sIp4 = serverIp4(server);
                if (rnd.nextDouble() < VLAN_SHARE) c.vlan = 100 + (server % 8);
            }
            c.cPort = 32768 + (int) ((k + mix32(client)) % 28232);
            c.sPort = shape == CLOSED_PORT
                    ? CLOSED_PORTS[rnd.nextInt(CLOSED_PORTS.length)]
                    : SERVICE_PORTS[server % SERVICE_PORTS.length];
            boolean windows = rnd.nextDouble() < 0.15;
            c.opt[CLIENT] = windows ? OPT_WINDOWS : OPT_LINUX;
            c.opt[SERVER] = windows ? OPT_WINDOWS : OPT_LINUX;
            int baseMss = c.v6 ? 1440 : 1460;
            c.mss[CLIENT] = rnd.nextDouble() < 0.1 ? baseMss - 40 * (1 + rnd.nextInt(3)) : baseMss;
            c.mss[SERVER] = baseMss;
            c.wscale[CLIENT] = windows ? 8 : 7;
            c.wscale[SERVER] = 7;
            c.synWin[CLIENT] = windows ? 65535 : 64240;
            c.synWin[SERVER] = windows ? 65535 : 65160;
            c.win[CLIENT] = windows ? 1026 : 502 + rnd.nextInt(12);
            c.win[SERVER] = 501 + rnd.nextInt(20);
            c.ttl[CLIENT] = (windows ? 128 : 64) - 1 - rnd.nextInt(20);
            c.ttl[SERVER] = 64;
            c.ipId[CLIENT] = rnd.nextInt(65536);
            c.ipId[SERVER] = rnd.nextInt(65536);
            c.isn[CLIENT] = rnd.nextInt();
            c.isn[SERVER] = rnd.nextInt();
            c.nxt[CLIENT] = c.isn[CLIENT];
            c.nxt[SERVER] = c.isn[SERVER];
            c.tsBase[CLIENT] = rnd.nextInt() - (int) (now / 1000);
            c.tsBase[SERVER] = rnd.nextInt() - (int) (now / 1000);

            // path timing: capture point sits near the servers
            long rttC = 300 + (long) Math.min(400_000, Math.exp(7 + 2.2 * rnd.nextDouble() + rnd.nextDouble() * 1.5));
            long rttS = 30 + expInt(150);
            double mean = dataMean(connsLeft);
            Plan p = plan;
            p.reset();
            switch (shape) {
                case NORMAL -> {
                    int close = rnd.nextDouble() < 0.6 ? 4 : 3;
                    int data = drawData(mean, connsLeft, 3 + close);
                    handshake(p, rttC, rttS);
                    fillData(p, c, data, rttC, rttS);
                    close(p, close, rttC, rttS);
                }
                case CLOSED_PORT -> {
                    p.add(CLIENT, SYN, 0, 0);
                    p.add(SERVER, RST | ACK | SEQ_ZERO | NO_OPTS, 0, rttS);
                }
                case ABORT -> {
                    handshake(p, rttC, rttS);
                    p.add(SERVER, RST | NO_OPTS, 0, 1000 + expInt(50_000));
                }
                case APP_RST -> {
                    int data = 1 + drawData(mean, connsLeft, 5);
                    handshake(p, rttC, rttS);
                    fillData(p, c, data, rttC, rttS);
                    int who = rnd.nextBoolean() ? CLIENT : SERVER;
                    p.add(who, RST | ACK | NO_OPTS, 0, 1000 + expInt(200_000));
                }
                case SYN_RETRY_LOST -> {
                    int n = 2 + rnd.nextInt(3);
                    for (int j = 0; j < n; j++) p.add(CLIENT, SYN, 0, j == 0 ? 0 : 1_000_000 + rnd.nextInt(2000));
                }
                case SYN_RETRY_OK -> {
                    int n = 2 + rnd.nextInt(2);
                    int close = rnd.nextDouble() < 0.6 ? 4 : 3;
                    int data = drawData(mean, connsLeft, n + 2 + close);
                    for (int j = 0; j < n; j++) p.add(CLIENT, SYN, 0, j == 0 ? 0 : 1_000_000 + rnd.nextInt(2000));
                    p.add(SERVER, SYN | ACK, 0, rttS);
                    p.add(CLIENT, ACK, 0, rttC);
                    fillData(p, c, data, rttC, rttS);
                    close(p, close, rttC, rttS);
                }
                case SYNACK_RETRY -> {
                    int close = rnd.nextDouble() < 0.6 ? 4 : 3;
                    int data = drawData(mean, connsLeft, 4 + close);
                    p.add(CLIENT, SYN, 0, 0);
                    p.add(SERVER, SYN | ACK, 0, rttS);
                    p.add(SERVER, SYN | ACK, 0, 1_000_000 + rnd.nextInt(2000));
                    p.add(CLIENT, ACK, 0, rttC);
                    fillData(p, c, data, rttC, rttS);
                    close(p, close, rttC, rttS);
                }
                case HALF_CLOSED -> {
                    boolean finish = rnd.nextBoolean();
                    int data = 1 + drawData(mean, connsLeft, 7 + (finish ? 2 : 0));
                    handshake(p, rttC, rttS);
                    p.add(CLIENT, PSH | ACK, 20 + rnd.nextInt(600), 200 + expInt(2000));
                    p.add(CLIENT, FIN | ACK, 0, 50 + expInt(500));
                    p.add(SERVER, ACK, 0, rttS);
                    serverStream(p, c, data, rttC, rttS, 1000 + expInt(20_000));
                    if (finish) {
                        p.add(SERVER, FIN | ACK, 0, 100 + expInt(100_000));
                        p.add(CLIENT, ACK, 0, rttC);
                    }
                }
                case MIDSTREAM -> {
                    boolean finish = rnd.nextBoolean();
                    int close = rnd.nextDouble() < 0.6 ? 4 : 3;
                    int data = 1 + drawData(mean, connsLeft, 1 + (finish ? close : 0));
                    c.nxt[CLIENT] = c.isn[CLIENT];
                    c.nxt[SERVER] = c.isn[SERVER];
                    c.lastTs[CLIENT] = c.tsBase[CLIENT] + (int) (now / 1000) - rnd.nextInt(100_000);
                    c.lastTs[SERVER] = c.tsBase[SERVER] + (int) (now / 1000) - rnd.nextInt(100_000);
                    fillData(p, c, data, rttC, rttS);
                    if (finish) close(p, close, rttC, rttS);
                }
                default -> throw new IllegalStateException();
            }
            c.steps = Arrays.copyOf(p.st, p.n);
            c.delays = Arrays.copyOf(p.dl, p.n);
            c.delays[0] = 0;
            packetsUnplanned -= p.n;
            shapePlanned[shape]++;
            return c;
        }

        int skewedServer() {
            double u = rnd.nextDouble();
            return (int) (N_SERVERS * u * u);
        }

        void handshake(Plan p, long rttC, long rttS) {
            p.add(CLIENT, SYN, 0, 0);
            p.add(SERVER, SYN | ACK, 0, rttS);
            p.add(CLIENT, ACK, 0, rttC);
        }

        /** FIN exchange, initiated by either side: 4 segments (FIN, ACK, FIN, ACK) or 3 (FIN, FIN+ACK, ACK). */
        void close(Plan p, int segments, long rttC, long rttS) {
            int x = rnd.nextBoolean() ? CLIENT : SERVER;
            int y = 1 - x;
            long rttY = y == CLIENT ? rttC : rttS;
            long rttX = x == CLIENT ? rttC : rttS;
            long idle = 1000 + expInt(rnd.nextDouble() < 0.5 ? 3_000_000 : 25_000_000);
            p.add(x, FIN | ACK, 0, idle);
            if (segments == 4) {
                p.add(y, ACK, 0, rttY);
                p.add(y, FIN | ACK, 0, 20 + expInt(2000));
            } else {
                p.add(y, FIN | ACK, 0, rttY);
            }
            p.add(x, ACK, 0, rttX);
        }

        static int costDownload(int m) {
            return 1 + m + (m + 1) / 2;
        }

        static int costUpload(int m) {
            return m + (m - 1) / 2 + 2;
        }

        int drawSegments() {
            if (rnd.nextDouble() < 0.1) return 1 + (int) Math.min(2000, expInt(40));
            return 1 + (int) Math.min(2000, expInt(3));
        }

        /** Request/response rounds using exactly {@code budget} segments. */
        void fillData(Plan p, Conn c, int budget, long rttC, long rttS) {
            boolean first = true;
            int mssC = c.segment(), mssS = c.segment(); // payload per full segment
            while (budget > 0) {
                long think = first ? 100 + expInt(3000) : 1000 + expInt(rnd.nextDouble() < 0.8 ? 200_000 : 3_000_000);
                first = false;
                int req = 40 + rnd.nextInt(900);
                if (budget == 1) {
                    p.add(CLIENT, PSH | ACK, req, think);
                    return;
                }
                if (budget == 2) {
                    p.add(CLIENT, PSH | ACK, req, think);
                    p.add(SERVER, PSH | ACK, 1 + rnd.nextInt(1400), rttS + expInt(5000));
                    return;
                }
                int m = drawSegments();
                if (rnd.nextDouble() < 0.2 && budget >= 4) {
                    while (m > 1 && costUpload(m) > budget) m--;
                    if (costUpload(m) > budget) m = 1;
                    for (int j = 1; j <= m; j++) {
                        int len = j == m ? 1 + rnd.nextInt(mssC) : mssC;
                        p.add(CLIENT, j == m ? PSH | ACK : ACK, len, j == 1 ? think : 10 + expInt(150));
                        if (j % 2 == 0 && j < m) p.add(SERVER, ACK, 0, rttS);
                    }
                    p.add(SERVER, PSH | ACK, 20 + rnd.nextInt(400), rttS + expInt(20_000));
                    p.add(CLIENT, ACK, 0, rttC);
                    budget -= costUpload(m);
                } else {
                    while (m > 1 && costDownload(m) > budget) m--;
                    p.add(CLIENT, PSH | ACK, req, think);
                    for (int j = 1; j <= m; j++) {
                        int len = j == m ? 1 + rnd.nextInt(mssS) : mssS;
                        p.add(SERVER, j == m ? PSH | ACK : ACK, len, j == 1 ? rttS + expInt(20_000) : 10 + expInt(100));
                        if (j % 2 == 0 || j == m) p.add(CLIENT, ACK, 0, rttC / 2 + expInt(rttC / 2.0 + 1));
                    }
                    budget -= costDownload(m);
                }
            }
        }

        /** Server-to-client data with client ACKs, exactly {@code budget} segments. */
        void serverStream(Plan p, Conn c, int budget, long rttC, long rttS, long firstDelay) {
            int j = 0;
            while (budget > 0) {
                j++;
                boolean lastSeg = budget <= 2;
                int len = lastSeg ? 1 + rnd.nextInt(c.segment()) : c.segment();
                p.add(SERVER, lastSeg ? PSH | ACK : ACK, len, j == 1 ? firstDelay : 10 + expInt(100));
                budget--;
                if (budget > 0 && (j % 2 == 0 || budget == 1)) {
                    p.add(CLIENT, ACK, 0, rttC / 2 + expInt(rttC / 2.0 + 1));
                    budget--;
                }
            }
        }

        long expInt(double mean) {
            return (long) (-mean * Math.log(1 - rnd.nextDouble()));
        }

        static int serverIp4(int server) {
            return 0x0AC80000 | ((server / 200) << 8) | (1 + server % 200); // 10.200.0.x
        }

        static int mix32(int x) {
            x ^= x >>> 16;
            x *= 0x7feb352d;
            x ^= x >>> 15;
            x *= 0x846ca68b;
            x ^= x >>> 16;
            return x & 0x7FFFFFFF;
        }

        void connStarted(Conn c) {
            connsStarted++;
            shapeStarted[c.shape]++;
            if (c.shape != FLOOD) {
                live++;
                if (live > peakLive) peakLive = live;
                if (c.v6) v6Conns++;
                if (c.vlan != 0) vlanConns++;
            }
        }

        void connFinished(Conn c) {
            if (c.shape != FLOOD) live--;
        }

        // ---------------------------------------------------------- packet writer

        void writeGlobalHeader() throws IOException {
            byte[] h = new byte[24];
            putLe32(h, 0, 0xa1b2c3d4);
            putLe16(h, 4, 2);
            putLe16(h, 6, 4);
            putLe32(h, 8, 0); // thiszone
            putLe32(h, 12, 0); // sigfigs
            putLe32(h, 16, SNAPLEN);
            putLe32(h, 20, 1); // LINKTYPE_ETHERNET
            os.write(h);
            bytesWritten += 24;
        }

        void flush() throws IOException {
            os.write(buf, 0, pos);
            bytesWritten += pos;
            pos = 0;
        }

        /** Writes one segment; returns the timestamp used (strictly increasing across the file). */
        long emit(Conn c, int step, long when) throws IOException {
            long t = Math.max(when, lastTime + 1);
            lastTime = t;
            if (pos + 16 + SNAPLEN > buf.length) flush();
            byte[] b = buf;
            int d = step & 1;
            int all = (step >>> 1) & 0x7FFF;
            int flags = all & 0xFF;
            int extra = all & ~0xFF;
            boolean seqZero = (extra & SEQ_ZERO) != 0;
            boolean noOpts = (extra & NO_OPTS) != 0;
            int len = step >>> 16;
            boolean syn = (flags & SYN) != 0;
            boolean rst = (flags & RST) != 0;

            int rec = pos;
            int eth = rec + 16;
            int l3 = eth + (c.vlan != 0 ? 18 : 14);
            int l4 = l3 + (c.v6 ? 40 : 20);

            // TCP state
            int seq;
            if (seqZero) {
                seq = 0;
            } else if (syn) {
                seq = c.isn[d];
            } else {
                seq = c.nxt[d];
            }
            int ack = (flags & ACK) != 0 ? c.nxt[1 - d] : 0;
            int tsval = c.tsBase[d] + (int) (t / 1000);

            // options
            int o = l4 + 20;
            int style = c.opt[d];
            if (!noOpts) {
                if (syn) {
                    switch (style) {
                        case OPT_MSS -> o = optMss(b, o, c.mss[d]);
                        case OPT_LINUX -> {
                            o = optMss(b, o, c.mss[d]);
                            b[o++] = 4;
                            b[o++] = 2; // SACK_PERM
                            o = optTs(b, o, tsval, d == SERVER ? c.lastTs[CLIENT] : 0);
                            b[o++] = 1;
                            b[o++] = 3;
                            b[o++] = 3;
                            b[o++] = (byte) c.wscale[d];
                        }
                        case OPT_WINDOWS -> {
                            o = optMss(b, o, c.mss[d]);
                            b[o++] = 1;
                            b[o++] = 3;
                            b[o++] = 3;
                            b[o++] = (byte) c.wscale[d];
                            b[o++] = 1;
                            b[o++] = 1;
                            b[o++] = 4;
                            b[o++] = 2;
                        }
                        default -> { }
                    }
                } else if (c.ts()) {
                    b[o++] = 1;
                    b[o++] = 1;
                    o = optTs(b, o, tsval, c.lastTs[1 - d]);
                }
            }
            if (style == OPT_LINUX && !noOpts && (syn || c.ts())) c.lastTs[d] = tsval;
            int tcpHdr = o - l4;
            int tcpLen = tcpHdr + len;

            // advance sequence space
            if (syn) {
                c.nxt[d] = c.isn[d] + 1;
            } else if (!rst) {
                c.nxt[d] = seq + len + ((flags & FIN) != 0 ? 1 : 0);
            }

            // TCP header
            putBe16(b, l4, c.srcPort(d));
            putBe16(b, l4 + 2, c.dstPort(d));
            putBe32(b, l4 + 4, seq);
            putBe32(b, l4 + 8, ack);
            b[l4 + 12] = (byte) ((tcpHdr / 4) << 4);
            b[l4 + 13] = (byte) flags;
            int window = rst ? 0 : syn ? c.synWin[d] : c.win[d];
            putBe16(b, l4 + 14, window);
            putBe16(b, l4 + 16, 0);
            putBe16(b, l4 + 18, 0);

            int ipLen;
            long sum;
            if (c.v6) {
                ipLen = 40 + tcpLen;
                putBe32(b, l3, 0x60000000 | c.flowLabel);
                putBe16(b, l3 + 4, tcpLen);
                b[l3 + 6] = 6;
                b[l3 + 7] = (byte) c.ttl[d];
                long sIid = d == CLIENT ? c.cIp6 : c.sIp6;
                long dIid = d == CLIENT ? c.sIp6 : c.cIp6;
                int sNet = d == CLIENT ? 0x0001 : 0x0200;
                int dNet = d == CLIENT ? 0x0200 : 0x0001;
                putIp6(b, l3 + 8, sNet, sIid);
                putIp6(b, l3 + 24, dNet, dIid);
                sum = sum16(b, l3 + 8, 32) + 6 + tcpLen;
            } else {
                ipLen = 20 + tcpLen;
                b[l3] = 0x45;
                b[l3 + 1] = 0;
                putBe16(b, l3 + 2, ipLen);
                putBe16(b, l3 + 4, c.ipId[d]);
                c.ipId[d] = (c.ipId[d] + 1) & 0xFFFF;
                putBe16(b, l3 + 6, c.ipDf ? 0x4000 : 0);
                b[l3 + 8] = (byte) c.ttl[d];
                b[l3 + 9] = 6;
                putBe16(b, l3 + 10, 0);
                putBe32(b, l3 + 12, d == CLIENT ? c.cIp4 : c.sIp4);
                putBe32(b, l3 + 16, d == CLIENT ? c.sIp4 : c.cIp4);
                putBe16(b, l3 + 10, ~fold(sum16(b, l3, 20)) & 0xFFFF);
                sum = sum16(b, l3 + 12, 8) + 6 + tcpLen;
            }
            // payload is all zeros, so it adds nothing to the checksum
            sum += sum16(b, l4, tcpHdr);
            putBe16(b, l4 + 16, ~fold(sum) & 0xFFFF);

            // Ethernet
            b[eth] = 0x02;
            b[eth + 1] = 0;
            b[eth + 2] = 0;
            b[eth + 3] = 0;
            b[eth + 4] = 0;
            b[eth + 5] = (byte) (d == CLIENT ? 2 : 1);
            b[eth + 6] = 0x02;
            b[eth + 7] = 0;
            b[eth + 8] = 0;
            b[eth + 9] = 0;
            b[eth + 10] = 0;
            b[eth + 11] = (byte) (d == CLIENT ? 1 : 2);
            int etherType = c.v6 ? 0x86DD : 0x0800;
            if (c.vlan != 0) {
                putBe16(b, eth + 12, 0x8100);
                putBe16(b, eth + 14, c.vlan);
                putBe16(b, eth + 16, etherType);
            } else {
                putBe16(b, eth + 12, etherType);
            }
            int frameLen = (l3 - eth) + ipLen;
            int minFrame = c.vlan != 0 ? 64 : 60; // Ethernet minimum (no FCS); the pad is not part of IP
            int origLen = Math.max(frameLen, minFrame);
            int capLen = Math.min(origLen, SNAPLEN);
            int hdrEnd = l4 + tcpHdr;
            if (eth + capLen > hdrEnd) Arrays.fill(b, hdrEnd, eth + capLen, (byte) 0);

            long abs = startUs + t;
            putLe32(b, rec, (int) (abs / 1_000_000));
            putLe32(b, rec + 4, (int) (abs % 1_000_000));
            putLe32(b, rec + 8, capLen);
            putLe32(b, rec + 12, origLen);
            pos = eth + capLen;
            written++;
            if (syn) flagCount[(flags & ACK) != 0 ? 1 : 0]++;
            if (rst) flagCount[2]++;
            if ((flags & FIN) != 0) flagCount[3]++;
            return t;
        }

        static int optMss(byte[] b, int o, int mss) {
            b[o] = 2;
            b[o + 1] = 4;
            b[o + 2] = (byte) (mss >>> 8);
            b[o + 3] = (byte) mss;
            return o + 4;
        }

        static int optTs(byte[] b, int o, int val, int ecr) {
            b[o] = 8;
            b[o + 1] = 10;
            putBe32(b, o + 2, val);
            putBe32(b, o + 6, ecr);
            return o + 10;
        }

        static void putIp6(byte[] b, int o, int subnet, long iid) {
            b[o] = (byte) 0xfd;
            b[o + 1] = 0;
            b[o + 2] = 0;
            b[o + 3] = 0;
            b[o + 4] = 0;
            b[o + 5] = 0;
            b[o + 6] = (byte) (subnet >>> 8);
            b[o + 7] = (byte) subnet;
            putBe32(b, o + 8, (int) (iid >>> 32));
            putBe32(b, o + 12, (int) iid);
        }

        static long sum16(byte[] b, int o, int n) {
            long s = 0;
            for (int i = 0; i < n; i += 2) s += ((b[o + i] & 0xFF) << 8) | (b[o + i + 1] & 0xFF);
            return s;
        }

        static int fold(long s) {
            while ((s >>> 16) != 0) s = (s & 0xFFFF) + (s >>> 16);
            return (int) s;
        }

        // ---------------------------------------------------------- report

        void report(String out, double secs) {
            long conns = connsStarted;
            System.out.printf(Locale.ROOT, "wrote %s: %,d packets, %,d connections, %,d bytes in %.1f s (%,.0f packets/s)%n",
                    out, written, conns, bytesWritten, secs, written / secs);
            System.out.printf(Locale.ROOT, "capture time %.1f s; peak open connections %,d (not counting floods); %d flood bursts%n",
                    (lastTime + 1) / 1e6, peakLive, bursts);
            StringBuilder sb = new StringBuilder("connections by shape:");
            for (int s = 0; s < SHAPE_NAMES.length; s++) {
                sb.append(String.format(Locale.ROOT, " %s=%,d", SHAPE_NAMES[s], shapeStarted[s]));
            }
            System.out.println(sb);
            System.out.printf(Locale.ROOT, "ipv6=%,d vlan=%,d; segments: SYN=%,d SYN-ACK=%,d RST=%,d FIN=%,d%n",
                    v6Conns, vlanConns, flagCount[0], flagCount[1], flagCount[2], flagCount[3]);
            System.out.printf(Locale.ROOT, "connections=%d packets=%d%n", conns, written);
        }
    }

    // ------------------------------------------------------------------ byte helpers

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
