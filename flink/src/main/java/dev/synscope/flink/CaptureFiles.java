package dev.synscope.flink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.impl.StreamFormatAdapter;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * The job's capture files, numbered: the files the arguments name, directories walked as Flink's
 * file source walks them (hidden files skipped), in path order. A file's number puts its frames in
 * a range of their own ({@link CaptureFormat#FILE_SHIFT}), so connection serials and places never
 * meet across files; the first file's are the CLI's. A bulk format over {@link CaptureFormat}
 * that tells it the number of the file it opens.
 */
final class CaptureFiles implements BulkFormat<PacketRecord, FileSourceSplit> {
  private final StreamFormatAdapter<PacketRecord> reader = new StreamFormatAdapter<>(new CaptureFormat());
  /** File number by path (the URI's path part, as the splits name them). */
  private final Map<String, Integer> numbers;

  private CaptureFiles(Map<String, Integer> numbers) {
    this.numbers = numbers;
  }

  /** Lists the captures ({@link UncheckedIOException} when one cannot be read). */
  static CaptureFiles of(List<String> captures) {
    List<String> files = new ArrayList<>();
    try {
      for (String capture : captures) {
        Path path = new Path(capture);
        FileSystem fs = path.getFileSystem();
        walk(fs, fs.getFileStatus(path), files);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    files.sort(null);
    if (files.size() > CaptureFormat.MAX_FILES) {
      throw new IllegalArgumentException(files.size() + " capture files: at most " + CaptureFormat.MAX_FILES + " a job");
    }
    Map<String, Integer> numbers = new HashMap<>();
    for (String f : files) {
      numbers.putIfAbsent(f, numbers.size());
    }
    return new CaptureFiles(numbers);
  }

  private static void walk(FileSystem fs, FileStatus status, List<String> out) throws IOException {
    String name = status.getPath().getName();
    if (name.startsWith(".") || name.startsWith("_")) {
      return;
    }
    if (!status.isDir()) {
      out.add(status.getPath().toUri().getPath());
      return;
    }
    for (FileStatus child : fs.listStatus(status.getPath())) {
      walk(fs, child, out);
    }
  }

  int count() {
    return numbers.size();
  }

  @Override
  public Reader<PacketRecord> createReader(Configuration config, FileSourceSplit split) throws IOException {
    return opening(split, () -> reader.createReader(config, split));
  }

  @Override
  public Reader<PacketRecord> restoreReader(Configuration config, FileSourceSplit split) throws IOException {
    return opening(split, () -> reader.restoreReader(config, split));
  }

  private interface Open {
    Reader<PacketRecord> open() throws IOException;
  }

  private Reader<PacketRecord> opening(FileSourceSplit split, Open open) throws IOException {
    Integer number = numbers.get(split.path().toUri().getPath());
    if (number == null) {
      throw new IOException(split.path() + ": not among the job's capture files");
    }
    String scheme = split.path().toUri().getScheme();
    String name = scheme == null || scheme.equals("file") ? split.path().toUri().getPath() : split.path().toString();
    CaptureFormat.OPENING.set(new CaptureFormat.Opening(number, name));
    try {
      return open.open();
    } finally {
      CaptureFormat.OPENING.remove();
    }
  }

  @Override
  public boolean isSplittable() {
    return false;
  }

  @Override
  public TypeInformation<PacketRecord> getProducedType() {
    return TypeInformation.of(PacketRecord.class);
  }
}
