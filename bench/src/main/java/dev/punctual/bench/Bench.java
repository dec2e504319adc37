package dev.punctual.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * One measurement: seeds a system's table with one-shot no-op jobs on the shared PostgreSQL server,
 * starts {@code instances} worker processes, waits until every job was executed, stops them, and
 * prints one line of results.
 *
 * <ul>
 *   <li>{@code throughput <system> <n> <instances>}: n jobs all due now; executions per second from
 *       the first start to the last.
 *   <li>{@code lag <system> <rate> <seconds> <instances>}: rate × seconds jobs due at a steady
 *       rate; the lag of each start behind its due time, p50, p99 and max.
 * </ul>
 */
public final class Bench {
  private Bench() {}

  /** One result; {@code line()} is the machine-readable form. */
  public record Result(
      String kind,
      String system,
      int n,
      double rate,
      int instances,
      long executions,
      long missing,
      long duplicates,
      double seconds,
      double perSecond,
      double lagP50Ms,
      double lagP99Ms,
      double lagMaxMs) {
    public String line() {
      return String.format(
          Locale.ROOT,
          "bench kind=%s system=%s n=%d rate=%.0f instances=%d executions=%d missing=%d"
              + " duplicates=%d seconds=%.2f per_second=%.0f lag_p50_ms=%.1f lag_p99_ms=%.1f"
              + " lag_max_ms=%.1f",
          kind,
          system,
          n,
          rate,
          instances,
          executions,
          missing,
          duplicates,
          seconds,
          perSecond,
          lagP50Ms,
          lagP99Ms,
          lagMaxMs);
    }
  }

  public static void main(String[] args) throws Exception {
    Result result =
        switch (args[0]) {
          case "throughput" ->
              throughput(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
          case "lag" ->
              lag(
                  args[1],
                  Double.parseDouble(args[2]),
                  Integer.parseInt(args[3]),
                  Integer.parseInt(args[4]));
          default -> throw new IllegalArgumentException("throughput or lag, not " + args[0]);
        };
    System.out.println(result.line());
  }

  static Result throughput(String system, int n, int instances) throws Exception {
    return run("throughput", BenchSystem.named(system), n, 0, instances);
  }

  static Result lag(String system, double rate, int seconds, int instances) throws Exception {
    return run("lag", BenchSystem.named(system), (int) Math.round(rate * seconds), rate, instances);
  }

  private static Result run(String kind, BenchSystem system, int n, double rate, int instances)
      throws Exception {
    BenchDb db = BenchDb.fromEnvironment();
    db.resetSchema();
    system.prepare(db);
    boolean lag = kind.equals("lag");
    // Lag runs start when every worker is surely up; throughput jobs are all due already.
    Instant start = lag ? Instant.now().plusSeconds(20) : Instant.now().minusSeconds(1);
    system.seed(db, n, start, rate);
    if (lag && Instant.now().isAfter(start.minusSeconds(8))) {
      throw new IllegalStateException("seeding took too long for the workers to start in time");
    }
    Path dir = Files.createDirectories(Path.of("target", "bench-runs", system.name()));
    List<Process> workers = new ArrayList<>();
    List<Path> outputs = new ArrayList<>();
    String java = ProcessHandle.current().info().command().orElse("java");
    for (int i = 1; i <= instances; i++) {
      Path out = dir.resolve(kind + "-" + n + "-w" + i + ".txt");
      Files.deleteIfExists(out);
      outputs.add(out);
      workers.add(
          new ProcessBuilder(
                  java,
                  "-Xmx1g",
                  "-cp",
                  System.getProperty("java.class.path"),
                  Worker.class.getName(),
                  system.name(),
                  system.name().replace("-", "") + "w" + i,
                  out.toString(),
                  lag ? "low-latency" : "throughput")
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve(kind + "-" + n + "-w" + i + ".log").toFile())
              .start());
    }
    long limitNanos =
        TimeUnit.SECONDS.toNanos(lag ? Math.round(n / rate) + 120 : 600) + System.nanoTime();
    while (system.remaining(db) > 0 && System.nanoTime() < limitNanos) {
      if (workers.stream().noneMatch(Process::isAlive)) {
        throw new IllegalStateException("every worker exited; see their logs in " + dir);
      }
      Thread.sleep(100);
    }
    Thread.sleep(500);
    for (Process worker : workers) {
      worker.destroy(); // SIGTERM: the worker writes its file, then stops
    }
    for (Process worker : workers) {
      if (!worker.waitFor(60, TimeUnit.SECONDS)) {
        worker.destroyForcibly();
      }
    }
    return summarize(kind, system.name(), n, rate, instances, outputs);
  }

  private static Result summarize(
      String kind, String system, int n, double rate, int instances, List<Path> outputs)
      throws IOException {
    Map<String, Integer> perJob = new HashMap<>();
    Histogram lag = new Histogram(3_600_000_000L, 3);
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    long executions = 0;
    for (Path out : outputs) {
      if (!Files.exists(out)) {
        continue;
      }
      for (String line : Files.readAllLines(out)) {
        String[] f = line.split(" ");
        long scheduled = Long.parseLong(f[1]);
        long started = Long.parseLong(f[2]);
        perJob.merge(f[0], 1, Integer::sum);
        executions++;
        first = Math.min(first, started);
        last = Math.max(last, started);
        lag.recordValue(Math.max(0, Math.min(started - scheduled, 3_600_000_000L)));
      }
    }
    double seconds = executions < 2 ? 0 : (last - first) / 1e6;
    double perSecond = seconds == 0 ? 0 : (perJob.size() - 1) / seconds;
    boolean lagRun = kind.equals("lag");
    return new Result(
        kind,
        system,
        n,
        rate,
        instances,
        executions,
        n - perJob.size(),
        executions - perJob.size(),
        seconds,
        perSecond,
        lagRun ? lag.getValueAtPercentile(50) / 1000.0 : 0,
        lagRun ? lag.getValueAtPercentile(99) / 1000.0 : 0,
        lagRun ? lag.getMaxValue() / 1000.0 : 0);
  }
}
