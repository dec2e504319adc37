package dev.punctual.bench;

import java.nio.file.Path;

/**
 * One instance of a system under test, in a process of its own (as in production): starts it, runs
 * until SIGTERM, then writes what it executed to a file for the coordinator ({@link Bench}).
 *
 * <p>Arguments: system, instance name, output file, {@code low-latency} or {@code throughput}.
 */
public final class Worker {
  private Worker() {}

  public static void main(String[] args) throws Exception {
    BenchSystem system = BenchSystem.named(args[0]);
    Recorder recorder = new Recorder();
    AutoCloseable running =
        system.start(BenchDb.fromEnvironment(), args[1], recorder, "low-latency".equals(args[3]));
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    recorder.writeTo(Path.of(args[2]));
                    java.nio.file.Files.writeString(Path.of(args[2] + ".stats"), system.stats());
                    running.close();
                  } catch (Exception e) {
                    e.printStackTrace();
                  }
                }));
    exitWithCoordinator();
  }

  /**
   * Returns never: a process of the bench whose coordinator is gone (killed, crashed) exits too,
   * instead of holding database connections or a port.
   */
  static void exitWithCoordinator() throws InterruptedException {
    ProcessHandle parent = ProcessHandle.current().parent().orElseThrow();
    while (parent.isAlive()) {
      Thread.sleep(1000);
    }
    System.exit(1);
  }
}
