package dev.synscope.decode;

import static dev.synscope.testing.FrameBuilder.ACK;
import static dev.synscope.testing.FrameBuilder.AE;
import static dev.synscope.testing.FrameBuilder.CWR;
import static dev.synscope.testing.FrameBuilder.ECE;
import static dev.synscope.testing.FrameBuilder.FIN;
import static dev.synscope.testing.FrameBuilder.PSH;
import static dev.synscope.testing.FrameBuilder.RST;
import static dev.synscope.testing.FrameBuilder.SYN;
import static dev.synscope.testing.FrameBuilder.URG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synscope.testing.FrameBuilder;
import dev.synscope.testing.SegmentScript;
import java.util.Arrays;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class FrameDecoderTest {
  private final FrameDecoder decoder = new FrameDecoder();
  private final Segment segment = new Segment();

  private boolean decode(byte[] frame, int linkType) {
    return decoder.decode(frame, 0, frame.length, frame.length, linkType, segment);
  }

  private boolean decode(FrameBuilder b) {
    return decode(b.build(), b.linkType());
  }

  /** Exactly one anomaly, of this kind, and no segment. */
  private void assertAnomaly(Anomaly expected, boolean decoded) {
    assertFalse(decoded, "a " + expected + " frame must not yield a segment");
    assertEquals(Map.of(expected.label(), 1L), decoder.counters().anomalyCounts());
    assertEquals(0, decoder.counters().tcpSegments());
    assertEquals(Map.of(), decoder.counters().skipCounts());
  }

  private void assertSkip(Skip expected, boolean decoded) {
    assertFalse(decoded);
    assertEquals(Map.of(expected.label(), 1L), decoder.counters().skipCounts());
    assertEquals(Map.of(), decoder.counters().anomalyCounts());
  }

  private static long[] addr(String text) {
    return SegmentScript.address(text);
  }

  // ---- fields -------------------------------------------------------------------------------

  @Test
  void ipv4SynWithEveryOptionOverEthernet() {
    FrameBuilder b = FrameBuilder.tcp().ipv4("192.0.2.10", "198.51.100.7").ports(51514, 443)
        .seq(0xfffffff0L).ack(0x80000001L).flags(SYN | ECE | CWR).window(65535).ttl(57)
        .mss(1460).sackPermitted().timestamps(0xdeadbeefL, 7).nop().windowScale(7).fastOpen();
    assertTrue(decode(b));
    assertEquals(4, segment.ipVersion);
    assertEquals(0, segment.srcHi);
    assertEquals(addr("192.0.2.10")[1], segment.srcLo);
    assertEquals(addr("198.51.100.7")[1], segment.dstLo);
    assertEquals(51514, segment.srcPort);
    assertEquals(443, segment.dstPort);
    assertEquals(0xfffffff0L, segment.seq, "seq is unsigned");
    assertEquals(0x80000001L, segment.ack, "ack is unsigned");
    assertEquals(SYN | ECE | CWR, segment.flags);
    assertTrue(segment.isSyn());
    assertFalse(segment.isSynAck());
    assertEquals(65535, segment.window);
    assertEquals(57, segment.ttl);
    assertEquals(1460, segment.mss);
    assertEquals(7, segment.windowScale);
    assertTrue(segment.sackPermitted);
    assertTrue(segment.hasTimestamps);
    assertEquals(0xdeadbeefL, segment.tsVal);
    assertEquals(7, segment.tsEcr);
    assertEquals(0, segment.tfoCookieLength, "an empty TFO option is a cookie request");
    assertEquals(5, segment.optionCount, "MSS, SACK-permitted, TS, WS, TFO; NOPs are not options");
    assertEquals(0, segment.payloadLength);
    assertEquals(1, decoder.counters().tcpSegments());
    assertEquals(1, decoder.counters().synSegments());
  }

  @Test
  void ipv6AddressesAndPayloadLength() {
    FrameBuilder b = FrameBuilder.tcp().ipv6("2001:db8::1", "2001:db8:ffff::abcd:2").ports(80, 40000)
        .flags(ACK | PSH).seq(5).ack(6).ttl(3).payload(321);
    assertTrue(decode(b));
    long[] src = addr("2001:db8::1");
    long[] dst = addr("2001:db8:ffff::abcd:2");
    assertEquals(6, segment.ipVersion);
    assertEquals(src[0], segment.srcHi);
    assertEquals(src[1], segment.srcLo);
    assertEquals(dst[0], segment.dstHi);
    assertEquals(dst[1], segment.dstLo);
    assertEquals(3, segment.ttl, "hop limit");
    assertEquals(321, segment.payloadLength);
    assertEquals(-1, segment.mss);
    assertEquals(-1, segment.windowScale);
    assertEquals(-1, segment.tfoCookieLength);
    assertEquals(0, segment.optionCount);
  }

  @Test
  void everyFlagBitIncludingAccurateEcn() {
    int all = FIN | SYN | RST | PSH | ACK | URG | ECE | CWR | AE;
    assertTrue(decode(FrameBuilder.tcp().flags(all)));
    assertEquals(0x1ff, segment.flags);
    assertTrue(segment.has(TcpFlags.AE));
    assertTrue(decode(FrameBuilder.tcp().flags(AE | ACK)));
    assertEquals(TcpFlags.AE | TcpFlags.ACK, segment.flags);
  }

  @Test
  void flagCountersFollowTsharkFilters() {
    decode(FrameBuilder.tcp().flags(SYN));
    decode(FrameBuilder.tcp().flags(SYN | ECE | CWR));
    decode(FrameBuilder.tcp().flags(SYN | FIN));
    decode(FrameBuilder.tcp().flags(SYN | ACK));
    decode(FrameBuilder.tcp().flags(RST | ACK));
    decode(FrameBuilder.tcp().flags(RST));
    decode(FrameBuilder.tcp().flags(FIN | ACK));
    decode(FrameBuilder.tcp().flags(ACK));
    DecodeCounters c = decoder.counters();
    assertEquals(8, c.tcpSegments());
    assertEquals(3, c.synSegments(), "SYN without ACK, other bits allowed");
    assertEquals(1, c.synAckSegments());
    assertEquals(2, c.rstSegments());
    assertEquals(2, c.finSegments(), "FIN with any other flag, SYN+FIN included");
  }

  @Test
  void optionsOfOneSegmentDoNotLeakIntoTheNext() {
    assertTrue(decode(FrameBuilder.tcp().mss(1400).windowScale(2).sackPermitted().timestamps(1, 2).fastOpen(1, 2, 3, 4)));
    assertEquals(4, segment.tfoCookieLength);
    assertTrue(decode(FrameBuilder.tcp().flags(ACK)));
    assertEquals(-1, segment.mss);
    assertEquals(-1, segment.windowScale);
    assertFalse(segment.sackPermitted);
    assertFalse(segment.hasTimestamps);
    assertEquals(-1, segment.tfoCookieLength);
    assertEquals(0, segment.optionCount);
  }

  @Test
  void experimentalFastOpenOptionWithMagic() {
    assertTrue(decode(FrameBuilder.tcp().option(254, 12, 0xF9, 0x89, 1, 2, 3, 4, 5, 6, 7, 8)));
    assertEquals(8, segment.tfoCookieLength);
    assertTrue(decode(FrameBuilder.tcp().option(254, 6, 0x12, 0x34, 1, 2)));
    assertEquals(-1, segment.tfoCookieLength, "kind 254 without the TFO magic is another experiment");
  }

  @Test
  void frameInsideALargerBufferIsReadFromItsOffset() {
    byte[] frame = FrameBuilder.tcp().ports(1111, 2222).seq(99).flags(SYN | ACK).build();
    byte[] buffer = new byte[frame.length + 37];
    Arrays.fill(buffer, (byte) 0xee);
    System.arraycopy(frame, 0, buffer, 13, frame.length);
    assertTrue(decoder.decode(buffer, 13, frame.length, frame.length, LinkTypes.ETHERNET, segment));
    assertEquals(1111, segment.srcPort);
    assertEquals(99, segment.seq);
    assertEquals(0, segment.payloadLength, "bytes after the frame are not payload");
  }

  // ---- link types ---------------------------------------------------------------------------

  static Stream<Arguments> linkLayers() {
    return Stream.of(
        Arguments.of("ethernet", (UnaryOperator<FrameBuilder>) FrameBuilder::ethernet, LinkTypes.ETHERNET),
        Arguments.of("802.1Q", (UnaryOperator<FrameBuilder>) b -> b.vlan(100), LinkTypes.ETHERNET),
        Arguments.of("QinQ 88a8+8100", (UnaryOperator<FrameBuilder>) b -> b.vlanTag(0x88A8, 10).vlan(20), LinkTypes.ETHERNET),
        Arguments.of("QinQ 9100+8100", (UnaryOperator<FrameBuilder>) b -> b.vlanTag(0x9100, 10).vlan(20), LinkTypes.ETHERNET),
        Arguments.of("three tags", (UnaryOperator<FrameBuilder>) b -> b.vlanTag(0x88A8, 1).vlan(2).vlan(3), LinkTypes.ETHERNET),
        Arguments.of("SLL", (UnaryOperator<FrameBuilder>) FrameBuilder::sll, LinkTypes.LINUX_SLL),
        Arguments.of("SLL2", (UnaryOperator<FrameBuilder>) FrameBuilder::sll2, LinkTypes.LINUX_SLL2),
        Arguments.of("NULL little-endian", (UnaryOperator<FrameBuilder>) FrameBuilder::nullLinkLittleEndian, LinkTypes.NULL),
        Arguments.of("NULL big-endian", (UnaryOperator<FrameBuilder>) FrameBuilder::nullLinkBigEndian, LinkTypes.NULL),
        Arguments.of("LOOP", (UnaryOperator<FrameBuilder>) FrameBuilder::loop, LinkTypes.LOOP),
        Arguments.of("RAW 101", (UnaryOperator<FrameBuilder>) FrameBuilder::raw, LinkTypes.RAW),
        Arguments.of("RAW 12", (UnaryOperator<FrameBuilder>) FrameBuilder::raw, LinkTypes.RAW_BSD12),
        Arguments.of("RAW 14", (UnaryOperator<FrameBuilder>) FrameBuilder::raw, LinkTypes.RAW_BSD14));
  }

  @ParameterizedTest(name = "{0} IPv4")
  @MethodSource("linkLayers")
  void ipv4OverEachLinkType(String name, UnaryOperator<FrameBuilder> link, int linkType) {
    FrameBuilder b = link.apply(FrameBuilder.tcp().ipv4("10.1.2.3", "10.4.5.6").ports(1234, 5678)
        .seq(42).flags(ACK | PSH).ack(43).payload(17));
    assertTrue(decode(b.build(), linkType), name);
    assertEquals(4, segment.ipVersion);
    assertEquals(addr("10.1.2.3")[1], segment.srcLo);
    assertEquals(addr("10.4.5.6")[1], segment.dstLo);
    assertEquals(1234, segment.srcPort);
    assertEquals(5678, segment.dstPort);
    assertEquals(42, segment.seq);
    assertEquals(43, segment.ack);
    assertEquals(17, segment.payloadLength);
  }

  @ParameterizedTest(name = "{0} IPv6")
  @MethodSource("linkLayers")
  void ipv6OverEachLinkType(String name, UnaryOperator<FrameBuilder> link, int linkType) {
    FrameBuilder b = link.apply(FrameBuilder.tcp().ipv6("fe80::1", "fe80::2").ports(1234, 5678)
        .seq(42).flags(SYN | ACK).ack(43).mss(1220));
    assertTrue(decode(b.build(), linkType), name);
    assertEquals(6, segment.ipVersion);
    assertEquals(addr("fe80::1")[0], segment.srcHi);
    assertEquals(addr("fe80::2")[1], segment.dstLo);
    assertEquals(1234, segment.srcPort);
    assertEquals(1220, segment.mss);
    assertTrue(segment.isSynAck());
  }

  @Test
  void linkTypes228And229CarryIpDirectly() {
    assertTrue(decode(FrameBuilder.tcp().ipv4("1.1.1.1", "2.2.2.2").raw().build(), LinkTypes.IPV4));
    assertEquals(4, segment.ipVersion);
    assertTrue(decode(FrameBuilder.tcp().ipv6("::1", "::2").raw().build(), LinkTypes.IPV6));
    assertEquals(6, segment.ipVersion);
  }

  @ParameterizedTest(name = "NULL family {0} is IPv6")
  @ValueSource(ints = {10, 24, 28, 30})
  void nullLinkIpv6FamiliesOfEachBsd(int family) {
    assertTrue(decode(FrameBuilder.tcp().ipv6("::1", "::1").nullFamily(family).nullLinkLittleEndian()));
    assertEquals(6, segment.ipVersion);
    assertTrue(decode(FrameBuilder.tcp().ipv6("::1", "::1").nullFamily(family).nullLinkBigEndian()));
    assertEquals(6, segment.ipVersion);
  }

  @Test
  void nullLinkUnknownFamilyIsNotIp() {
    assertSkip(Skip.NOT_IP, decode(FrameBuilder.tcp().nullFamily(7).nullLinkLittleEndian()));
  }

  @Test
  void nonIpEtherTypeIsSkipped() {
    byte[] arp = FrameBuilder.tcp().build();
    arp[12] = 0x08;
    arp[13] = 0x06;
    assertSkip(Skip.NOT_IP, decode(arp, LinkTypes.ETHERNET));
  }

  @Test
  void rawFrameWithBadVersionIsAnAnomaly() {
    assertAnomaly(Anomaly.BAD_IP_VERSION, decode(FrameBuilder.tcp().raw().ipVersionNibble(5)));
  }

  @Test
  void ipv4EtherTypeWithAnotherVersionIsAnAnomaly() {
    assertAnomaly(Anomaly.BAD_IP_VERSION, decode(FrameBuilder.tcp().ipVersionNibble(6)));
  }

  @Test
  void unsupportedLinkTypeIsSkippedAndNamed() {
    byte[] frame = FrameBuilder.tcp().build();
    assertSkip(Skip.UNSUPPORTED_LINK_TYPE, decode(frame, 160));
    assertEquals(Map.of("DLT_160", 1L), decoder.counters().unsupportedLinkTypes());
  }

  // ---- IP -----------------------------------------------------------------------------------

  @Test
  void ipv4OptionsAreSkippedToReachTcp() {
    // Record Route (7) with room for 2 addresses, then NOP, padded to 12 bytes: IHL 8.
    FrameBuilder b = FrameBuilder.tcp().ipv4Options(7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 1)
        .ports(7777, 8888).seq(1).payload(10).flags(ACK);
    byte[] frame = b.build();
    assertEquals(0x48, frame[14] & 0xff, "builder wrote IHL 8");
    assertTrue(decode(frame, LinkTypes.ETHERNET));
    assertEquals(7777, segment.srcPort);
    assertEquals(8888, segment.dstPort);
    assertEquals(10, segment.payloadLength);
  }

  @Test
  void ipv4FirstFragmentIsDecodedLaterOnesAreSkipped() {
    assertTrue(decode(FrameBuilder.tcp().fragment(0, true).payload(8)));
    assertEquals(8, segment.payloadLength);
    assertSkip(Skip.IPV4_NON_FIRST_FRAGMENT, decode(FrameBuilder.tcp().fragment(185, false)));
  }

  @Test
  void ipv6ExtensionHeadersAreWalked() {
    FrameBuilder b = FrameBuilder.tcp().ipv6("2001:db8::1", "2001:db8::2").ports(3000, 4000)
        .ipv6Extension(0, 6)    // hop-by-hop, 8 bytes
        .ipv6Extension(60, 14)  // destination options, 16 bytes
        .ipv6Extension(43, 22)  // routing, 24 bytes
        .ipv6Fragment(0, true)  // first fragment, 8 bytes
        .ipv6Extension(51, 14)  // AH, 16 bytes
        .flags(ACK).seq(10).ack(20).payload(33);
    assertTrue(decode(b));
    assertEquals(3000, segment.srcPort);
    assertEquals(4000, segment.dstPort);
    assertEquals(10, segment.seq);
    assertEquals(33, segment.payloadLength, "IPv6 payload length less 72 bytes of extension headers");
  }

  @Test
  void ipv6NonFirstFragmentIsSkipped() {
    assertSkip(Skip.IPV6_NON_FIRST_FRAGMENT,
        decode(FrameBuilder.tcp().ipv6("::1", "::2").ipv6Extension(0, 6).ipv6Fragment(100, false)));
  }

  @Test
  void otherProtocolsAreSkippedByKind() {
    byte[] udp = new byte[8];
    assertSkip(Skip.UDP, decode(FrameBuilder.tcp().protocol(17).transport(udp)));
  }

  @Test
  void icmpAndIcmpv6AreSkippedAsIcmp() {
    assertFalse(decode(FrameBuilder.tcp().protocol(1).transport(new byte[8])));
    assertFalse(decode(FrameBuilder.tcp().ipv6("::1", "::2").protocol(58).transport(new byte[8])));
    assertFalse(decode(FrameBuilder.tcp().ipv6("::1", "::2").ipv6Extension(0, 6).protocol(58).transport(new byte[8])));
    assertEquals(Map.of("icmp", 3L), decoder.counters().skipCounts());
  }

  @Test
  void unknownIpProtocolIsOther() {
    assertSkip(Skip.OTHER_IP_PROTOCOL, decode(FrameBuilder.tcp().protocol(47).transport(new byte[4])));
  }

  @Test
  void zeroIpv4TotalLengthFallsBackToTheWireLength() {
    // Segmentation offload: the kernel captured the frame before filling the length in.
    byte[] frame = FrameBuilder.tcp().ipLength(0).flags(ACK).payload(500).build();
    assertTrue(decoder.decode(frame, 0, frame.length, frame.length, LinkTypes.ETHERNET, segment));
    assertEquals(500, segment.payloadLength);
  }

  // ---- truncation and damage ----------------------------------------------------------------

  @Test
  void snaplenCutFrameKeepsHeaderFieldsAndIpPayloadLength() {
    byte[] full = FrameBuilder.tcp().flags(ACK | PSH).seq(1000).ack(2000).timestamps(5, 6).payload(1400).build();
    byte[] cut = FrameBuilder.cut(full, 14 + 20 + 32 + 10);
    assertTrue(decoder.decode(cut, 0, cut.length, full.length, LinkTypes.ETHERNET, segment));
    assertEquals(1000, segment.seq);
    assertEquals(2000, segment.ack);
    assertTrue(segment.hasTimestamps);
    assertEquals(1400, segment.payloadLength, "payload length comes from the IP length, not the snaplen");
    assertEquals(Map.of(), decoder.counters().anomalyCounts(), "a frame cut after its TCP header is not damaged");
  }

  @Test
  void snaplenCutInsideTcpOptionsStillYieldsTheSegment() {
    byte[] full = FrameBuilder.tcp().mss(1460).nop().nop().timestamps(5, 6).payload(100).build();
    byte[] cut = FrameBuilder.cut(full, 14 + 20 + 20 + 6); // MSS and 2 NOPs kept, TS cut
    assertTrue(decoder.decode(cut, 0, cut.length, full.length, LinkTypes.ETHERNET, segment));
    assertEquals(1460, segment.mss);
    assertFalse(segment.hasTimestamps);
    assertEquals(100, segment.payloadLength);
    assertEquals(1, decoder.counters().count(Anomaly.TCP_OPTIONS_CUT_BY_SNAPLEN));
    assertEquals(1, decoder.counters().tcpSegments());
  }

  @Test
  void optionCutBySnaplenIsNotAlsoAnOverrun() {
    // A SYN captured with snaplen 64: the cut falls inside the timestamps option.
    byte[] full = FrameBuilder.tcp().mss(1460).sackPermitted().timestamps(5, 0).nop().windowScale(7).build();
    byte[] cut = FrameBuilder.cut(full, 64);
    assertTrue(decoder.decode(cut, 0, cut.length, full.length, LinkTypes.ETHERNET, segment));
    assertEquals(Map.of(Anomaly.TCP_OPTIONS_CUT_BY_SNAPLEN.label(), 1L), decoder.counters().anomalyCounts());
    assertEquals(1460, segment.mss);
    assertTrue(segment.sackPermitted);
    assertFalse(segment.hasTimestamps);
  }

  @Test
  void optionCutJustAfterItsKindIsNotAnOverrun() {
    byte[] full = FrameBuilder.tcp().mss(1460).windowScale(7).nop().build(); // 8 bytes of options
    byte[] cut = FrameBuilder.cut(full, 14 + 20 + 20 + 5); // MSS and the WS kind byte
    assertTrue(decoder.decode(cut, 0, cut.length, full.length, LinkTypes.ETHERNET, segment));
    assertEquals(Map.of(Anomaly.TCP_OPTIONS_CUT_BY_SNAPLEN.label(), 1L), decoder.counters().anomalyCounts());
    assertEquals(-1, segment.windowScale);
  }

  @Test
  void optionOverrunningTheHeaderIsCountedEvenInACutFrame() {
    // tcpdump's heapoverflow-tcp_print: an option claims more than the header holds.
    byte[] full = FrameBuilder.tcp().option(1, 1, 1, 1, 5, 40, 0, 0).payload(100).build();
    byte[] cut = FrameBuilder.cut(full, 14 + 20 + 20 + 6);
    assertTrue(decoder.decode(cut, 0, cut.length, full.length, LinkTypes.ETHERNET, segment));
    assertEquals(
        Map.of(Anomaly.TCP_OPTIONS_CUT_BY_SNAPLEN.label(), 1L, Anomaly.TCP_OPTION_OVERRUN.label(), 1L),
        decoder.counters().anomalyCounts());
  }

  static Stream<Arguments> truncatedLinkHeaders() {
    return Stream.of(
        Arguments.of(LinkTypes.ETHERNET, 13),
        Arguments.of(LinkTypes.ETHERNET, 16), // cut inside the VLAN tag below
        Arguments.of(LinkTypes.LINUX_SLL, 15),
        Arguments.of(LinkTypes.LINUX_SLL2, 19),
        Arguments.of(LinkTypes.NULL, 3),
        Arguments.of(LinkTypes.RAW, 0));
  }

  @ParameterizedTest(name = "link type {0} cut to {1} bytes")
  @MethodSource("truncatedLinkHeaders")
  void truncatedLinkHeader(int linkType, int length) {
    FrameBuilder b = switch (linkType) {
      case LinkTypes.ETHERNET -> FrameBuilder.tcp().vlan(5);
      case LinkTypes.LINUX_SLL -> FrameBuilder.tcp().sll();
      case LinkTypes.LINUX_SLL2 -> FrameBuilder.tcp().sll2();
      case LinkTypes.NULL -> FrameBuilder.tcp().nullLinkLittleEndian();
      default -> FrameBuilder.tcp().raw();
    };
    byte[] cut = FrameBuilder.cut(b.build(), length);
    assertAnomaly(Anomaly.TRUNCATED_LINK_HEADER, decoder.decode(cut, 0, cut.length, 60, linkType, segment));
  }

  @Test
  void truncatedIpv4Header() {
    byte[] cut = FrameBuilder.cut(FrameBuilder.tcp().build(), 14 + 19);
    assertAnomaly(Anomaly.TRUNCATED_IPV4_HEADER, decode(cut, LinkTypes.ETHERNET));
  }

  @Test
  void ipv4OptionsCutBySnaplen() {
    byte[] cut = FrameBuilder.cut(FrameBuilder.tcp().ipv4Options(1, 1, 1, 1, 1, 1, 1, 0).build(), 14 + 24);
    assertAnomaly(Anomaly.TRUNCATED_IPV4_HEADER, decode(cut, LinkTypes.ETHERNET));
  }

  @Test
  void ipv4HeaderLengthBelowFiveWords() {
    assertAnomaly(Anomaly.BAD_IPV4_IHL, decode(FrameBuilder.tcp().ihl(4)));
  }

  @Test
  void ipv4TotalLengthShorterThanItsHeader() {
    assertAnomaly(Anomaly.IPV4_TOTAL_LENGTH_SHORT, decode(FrameBuilder.tcp().ipLength(19)));
  }

  @Test
  void truncatedIpv6Header() {
    byte[] cut = FrameBuilder.cut(FrameBuilder.tcp().ipv6("::1", "::2").build(), 14 + 39);
    assertAnomaly(Anomaly.TRUNCATED_IPV6_HEADER, decode(cut, LinkTypes.ETHERNET));
  }

  @Test
  void truncatedIpv6ExtensionHeader() {
    byte[] cut = FrameBuilder.cut(
        FrameBuilder.tcp().ipv6("::1", "::2").ipv6Extension(0, 6).ipv6Extension(60, 6).build(), 14 + 40 + 8 + 4);
    assertAnomaly(Anomaly.TRUNCATED_IPV6_EXTENSION, decode(cut, LinkTypes.ETHERNET));
  }

  @Test
  void truncatedTcpHeader() {
    // tcpdump's tcp_header_heapoverflow: the TCP header stops after 12 bytes.
    byte[] cut = FrameBuilder.cut(FrameBuilder.tcp().build(), 14 + 20 + 12);
    assertAnomaly(Anomaly.TRUNCATED_TCP_HEADER, decode(cut, LinkTypes.ETHERNET));
  }

  @ParameterizedTest(name = "data offset {0}")
  @ValueSource(ints = {0, 1, 4})
  void tcpDataOffsetBelowFiveWords(int words) {
    assertAnomaly(Anomaly.BAD_TCP_DATA_OFFSET, decode(FrameBuilder.tcp().dataOffset(words)));
  }

  @Test
  void tcpHeaderLongerThanTheIpPayload() {
    assertAnomaly(Anomaly.TCP_HEADER_BEYOND_IP_LENGTH, decode(FrameBuilder.tcp().dataOffset(15)));
  }

  @Test
  void optionRunningPastTheHeaderIsAnOverrun() {
    // MSS claims 10 bytes but only 4 bytes of options follow.
    assertTrue(decode(FrameBuilder.tcp().option(2, 10, 5, 0xb4)));
    assertEquals(Map.of(Anomaly.TCP_OPTION_OVERRUN.label(), 1L), decoder.counters().anomalyCounts());
    assertEquals(-1, segment.mss);
    assertEquals(1, decoder.counters().tcpSegments(), "the header itself is fine: the segment counts");
  }

  @Test
  void optionKindWithoutLengthByteIsAnOverrun() {
    assertTrue(decode(FrameBuilder.tcp().option(1, 1, 1, 8)));
    assertEquals(Map.of(Anomaly.TCP_OPTION_OVERRUN.label(), 1L), decoder.counters().anomalyCounts());
  }

  @Test
  void optionLengthBelowTwoStopsTheWalk() {
    assertTrue(decode(FrameBuilder.tcp().option(3, 1, 0, 0, 2, 4, 5, 0xb4)));
    assertEquals(Map.of(Anomaly.TCP_OPTION_BAD_LENGTH.label(), 1L), decoder.counters().anomalyCounts());
    assertEquals(-1, segment.mss, "options after a zero-progress option cannot be trusted");
  }

  @Test
  void knownOptionWithWrongLengthIsCountedAndIgnored() {
    assertTrue(decode(FrameBuilder.tcp().option(2, 3, 5, 1, 3, 3, 9, 0)));
    assertEquals(Map.of(Anomaly.TCP_OPTION_BAD_LENGTH.label(), 1L), decoder.counters().anomalyCounts());
    assertEquals(-1, segment.mss);
    assertEquals(9, segment.windowScale, "the walk goes on after a wrong but well-framed length");
  }

  @Test
  void endOfOptionListStopsTheWalk() {
    assertTrue(decode(FrameBuilder.tcp().option(0, 2, 4, 5, 0xb4)));
    assertEquals(-1, segment.mss);
    assertEquals(Map.of(), decoder.counters().anomalyCounts());
  }

  @Test
  void framesAndOutcomesAreCounted() {
    decode(FrameBuilder.tcp());
    decode(FrameBuilder.tcp().protocol(17).transport(new byte[8]));
    decode(FrameBuilder.cut(FrameBuilder.tcp().build(), 20), LinkTypes.ETHERNET);
    assertEquals(3, decoder.counters().frames());
    assertEquals(1, decoder.counters().tcpSegments());
    assertEquals(1, decoder.counters().count(Skip.UDP));
    assertEquals(1, decoder.counters().count(Anomaly.TRUNCATED_IPV4_HEADER));
  }
}
