package dev.punctual.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What a worker saw: one line per execution (the job's key, its scheduled and its actual start in
 * epoch microseconds), written to a file when the worker stops.
 */
final class Recorder {
  private record Execution(String key, long scheduledMicros, long startedMicros) {}

  private final ConcurrentLinkedQueue<Execution> executions = new ConcurrentLinkedQueue<>();

  void record(String key, Instant scheduled) {
    executions.add(new Execution(key, micros(scheduled), micros(Instant.now())));
  }

  void writeTo(Path file) throws IOException {
    try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file))) {
      for (Execution e : executions) {
        out.println(e.key() + " " + e.scheduledMicros() + " " + e.startedMicros());
      }
    }
  }

  static long micros(Instant instant) {
    return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;
  }
}
