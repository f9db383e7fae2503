package dev.synscope.detect;

/** A packet named by its input (index into the report's inputs) and its number in that input. */
public record InputFrame(int input, long frame) implements java.io.Serializable {}
