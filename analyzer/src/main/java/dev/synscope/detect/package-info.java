/**
 * Detection: the {@link dev.synscope.detect.Detector} interface, the explicit registry, and the
 * findings they return. Detectors consume {@code flow} events only (and the address values of
 * {@code decode}); they never see packets, bytes or mutable connections.
 */
package dev.synscope.detect;
