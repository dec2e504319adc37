package dev.punctual.secret;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated key files: written whole or not at all, readable by the owner only, never written
 * twice; two processes starting at once on one data dir read the same secret key.
 */
class PrivateFileTest {
  private static final int RACERS = 8;

  @TempDir Path dir;

  @Test
  void aNewFileIsWrittenWholeForItsOwnerOnlyAndLeavesNothingElse() throws Exception {
    Path file = dir.resolve("sub").resolve("secret.key");
    assertThat(PrivateFile.writeNew(file, "text\n")).isTrue();
    assertThat(Files.readString(file)).isEqualTo("text\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(Files.list(file.getParent())).containsExactly(file);
  }

  @Test
  void anExistingFileIsLeftAsItIs() throws Exception {
    Path file = dir.resolve("admin.key");
    Files.writeString(file, "first\n");
    assertThat(PrivateFile.writeNew(file, "second\n")).isFalse();
    assertThat(Files.readString(file)).isEqualTo("first\n");
    assertThat(Files.list(dir)).containsExactly(file);
  }

  @Test
  void nodesStartingAtOnceOnOneDataDirReadTheSameSecretKey() throws Exception {
    // Repeated: the window between "no key file yet" and "written" is small.
    for (int round = 0; round < 20; round++) {
      Path data = Files.createDirectory(dir.resolve("data-" + round));
      CyclicBarrier start = new CyclicBarrier(RACERS);
      ExecutorService pool = Executors.newFixedThreadPool(RACERS);
      try {
        List<Future<List<byte[]>>> loads = new ArrayList<>();
        for (int i = 0; i < RACERS; i++) {
          loads.add(
              pool.submit(
                  () -> {
                    start.await();
                    return SecretKeySource.load(null, null, data);
                  }));
        }
        byte[] first = loads.get(0).get().get(0);
        for (Future<List<byte[]>> load : loads) {
          assertThat(Arrays.equals(load.get().get(0), first)).as("round %d", round).isTrue();
        }
        assertThat(Files.list(data)).containsExactly(data.resolve(SecretKeySource.FILE_NAME));
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
