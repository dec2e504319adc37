package dev.punctual.secret;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;

/**
 * A file only its owner may read (mode 0600), written once, durably and whole: the generated secret
 * key and admin key.
 *
 * <p>Why not {@code createFile} then {@code writeString}: a process stopped between the two leaves
 * an empty file, and a machine that loses power soon after a start may keep the name and lose the
 * data (file systems flush a new file's data later than its name; ext4 delays it). The embedded
 * database is durable (fsync on), so it could keep secrets sealed under a key whose file came back
 * empty: they could never be opened again. So the text is written to a temporary file in the same
 * directory, flushed to disk, linked under its name (which fails if the name exists: two processes
 * starting at once cannot both write it, and the later one keeps the first one's), and the
 * directory is flushed too.
 */
public final class PrivateFile {
  private PrivateFile() {}

  /**
   * Writes {@code text} to {@code file} unless it exists; returns false (writing nothing) when it
   * does.
   */
  public static boolean writeNew(Path file, String text) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path temporary = dir.resolve("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
    Files.createFile(
        temporary,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
        channel.force(true);
      }
      try {
        Files.createLink(file, temporary);
      } catch (FileAlreadyExistsException e) {
        return false;
      }
      syncDirectory(dir);
      return true;
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  /** Makes the directory's entries durable (a new name lives in its directory). */
  private static void syncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}
