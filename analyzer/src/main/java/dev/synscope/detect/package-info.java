/**
 * Detection: the {@link dev.synscope.detect.Detector} interface, the explicit registry, and the
 * findings they return. Detectors consume {@code flow} events only; nothing here decodes.
 */
package dev.synscope.detect;
