package dev.synscope.detect;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;

/**
 * Detectors' state as bytes, as a stream engine checkpoints it: Java serialisation of one object
 * graph, taken between events. Put everything that refers to the same objects in one graph (the
 * detectors and the ids of the connections they wait on, as a list or a record): ids made outside
 * a table equal only themselves, and only one graph keeps them one object.
 *
 * <p>The bytes are for the build that wrote them: a class that has changed since refuses them
 * ({@link InvalidClassException}) rather than being misread.
 */
public final class DetectorState {
  /** "SYDS": tells detector state from any other bytes before Java serialisation reads them. */
  private static final int MAGIC = 0x53594453;
  private static final int VERSION = 1;
  /** What a checkpoint holds: synscope's classes, the JDK's values and collections, and lambdas. */
  private static final ObjectInputFilter CLASSES = ObjectInputFilter.Config.createFilter(
      "dev.synscope.**;java.lang.*;java.util.**;java.lang.invoke.SerializedLambda;!*");

  private DetectorState() {}

  /**
   * The bytes of {@code graph} and everything it refers to.
   *
   * @throws IllegalArgumentException when something in it is not Serializable (a bug: the message
   *     names the class)
   */
  public static byte[] save(Object graph) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream header = new DataOutputStream(bytes)) {
      header.writeInt(MAGIC);
      header.writeInt(VERSION);
      header.flush();
      try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
        out.writeObject(graph);
      }
    } catch (NotSerializableException e) {
      throw new IllegalArgumentException("detector state holds an object that is not Serializable: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
    return bytes.toByteArray();
  }

  /**
   * The graph {@link #save} wrote, whose root is a {@code type}.
   *
   * @throws IOException for bytes that are not detector state, of another format version or
   *     build, cut short or damaged, or whose root is not a {@code type}
   */
  public static <T> T load(byte[] bytes, Class<T> type) throws IOException {
    ByteArrayInputStream in = new ByteArrayInputStream(bytes);
    DataInputStream header = new DataInputStream(in);
    if (bytes.length < 8 || header.readInt() != MAGIC) {
      throw new IOException("not synscope detector state");
    }
    int version = header.readInt();
    if (version != VERSION) {
      throw new IOException("detector state format " + version + ", this build reads " + VERSION);
    }
    Object root;
    try (ObjectInputStream objects = new ObjectInputStream(in)) {
      objects.setObjectInputFilter(CLASSES);
      root = objects.readObject();
    } catch (ClassNotFoundException e) {
      throw new IOException("detector state of another build: no class " + e.getMessage(), e);
    } catch (ClassCastException e) {
      throw new IOException("damaged detector state: " + e.getMessage(), e); // from a class's own readObject
    }
    if (!type.isInstance(root)) {
      throw new IOException("detector state holds a " + (root == null ? "null" : root.getClass().getName())
          + ", not a " + type.getName());
    }
    return type.cast(root);
  }
}
