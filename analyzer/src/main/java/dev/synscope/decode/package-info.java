/**
 * Decoding: link (Ethernet with VLAN tags, SLL, SLL2, NULL/LOOP, RAW), IPv4, IPv6 and TCP headers
 * into a reused {@link dev.synscope.decode.Segment}. Depends on nothing but the JDK; bad input is
 * counted, never thrown.
 */
package dev.synscope.decode;
