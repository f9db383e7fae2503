package dev.synscope.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** ByteInput reads what DataOutputStream writes, as DataInputStream would, and refuses to read past the end. */
class ByteInputTest {
  private static byte[] written() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeBoolean(true);
    out.writeByte(-7);
    out.writeByte(200);
    out.writeShort(-2);
    out.writeShort(65000);
    out.writeChar('é');
    out.writeInt(0x80000001);
    out.writeLong(0x8000000000000001L);
    out.writeLong(-1L);
    out.writeFloat(1.5f);
    out.writeDouble(-2.25);
    out.writeUTF("10.0.0.1:80 → ünïcode");
    out.write(new byte[] {1, 2, 3});
    return bytes.toByteArray();
  }

  @Test
  void readsWhatDataOutputWrites() throws IOException {
    ByteInput in = new ByteInput(written());
    assertEquals(true, in.readBoolean());
    assertEquals(-7, in.readByte());
    assertEquals(200, in.readUnsignedByte());
    assertEquals(-2, in.readShort());
    assertEquals(65000, in.readUnsignedShort());
    assertEquals('é', in.readChar());
    assertEquals(0x80000001, in.readInt());
    assertEquals(0x8000000000000001L, in.readLong());
    assertEquals(-1L, in.readLong());
    assertEquals(1.5f, in.readFloat());
    assertEquals(-2.25, in.readDouble());
    assertEquals("10.0.0.1:80 → ünïcode", in.readUTF());
    byte[] tail = new byte[3];
    in.readFully(tail);
    assertArrayEquals(new byte[] {1, 2, 3}, tail);
    assertEquals(0, in.remaining());
  }

  @Test
  void everyCutIsAnEofNeverAWrongValue() throws IOException {
    byte[] all = written();
    for (int n = 0; n < all.length; n++) {
      ByteInput in = new ByteInput(java.util.Arrays.copyOf(all, n));
      assertThrows(EOFException.class, () -> {
        in.readBoolean();
        in.readByte();
        in.readUnsignedByte();
        in.readShort();
        in.readUnsignedShort();
        in.readChar();
        in.readInt();
        in.readLong();
        in.readLong();
        in.readFloat();
        in.readDouble();
        in.readUTF();
        in.readFully(new byte[3]);
      }, "cut at " + n);
    }
  }

  @Test
  void skipStopsAtTheEnd() {
    ByteInput in = new ByteInput(new byte[5]);
    assertEquals(3, in.skipBytes(3));
    assertEquals(2, in.skipBytes(10));
    assertEquals(0, in.remaining());
  }
}
