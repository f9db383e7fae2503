/**
 * Capture sources: the built-in streaming reader of pcap, pcapng and gzip files (no native code),
 * and the libpcap (pcap4j) reader and live capture. The only package that imports org.pcap4j;
 * depends on {@code decode} for link-type names only.
 */
package dev.synscope.capture;
