package dev.punctual.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * One measurement: seeds a system's table with jobs on the shared PostgreSQL server, starts {@code
 * instances} worker processes, waits until every job was executed, stops them, and prints one line
 * of results.
 *
 * <ul>
 *   <li>{@code throughput <system> <n> <instances>}: n one-shot jobs all due now; executions per
 *       second from the first start to the last.
 *   <li>{@code lag <system> <rate> <seconds> <instances>}: rate × seconds one-shot jobs due at a
 *       steady rate; the lag of each start behind its due time, p50, p99 and max.
 *   <li>{@code scale <schedules> <rate> <seconds>}: Punctual alone, one instance with a 512 MB
 *       heap; {@code schedules} recurring jobs whose fires fall at a steady rate; lag as above,
 *       plus the job claims' statement time and the heap after a full GC.
 * </ul>
 *
 * <p>With system {@code punctual-http} every execution is an HTTP call to a {@link BenchTarget} in
 * a process of its own, which records it: deliveries end to end, with the target's CPU time.
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
      double lagMaxMs,
      double targetCpuSeconds,
      String stats) {
    public String line() {
      return String.format(
          Locale.ROOT,
          "bench kind=%s system=%s n=%d rate=%.0f instances=%d executions=%d missing=%d"
              + " duplicates=%d seconds=%.2f per_second=%.0f lag_p50_ms=%.1f lag_p99_ms=%.1f"
              + " lag_max_ms=%.1f target_cpu_s=%.1f%s",
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
          lagMaxMs,
          targetCpuSeconds,
          stats.isEmpty() ? "" : " " + stats);
    }

    /** A figure of {@code stats} ({@code key=value}), or NaN. */
    public double stat(String key) {
      for (String part : stats.split(" ")) {
        if (part.startsWith(key + "=")) {
          return Double.parseDouble(part.substring(key.length() + 1));
        }
      }
      return Double.NaN;
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
          case "scale" ->
              scale(
                  Integer.parseInt(args[1]),
                  Double.parseDouble(args[2]),
                  Integer.parseInt(args[3]));
          default -> throw new IllegalArgumentException("throughput, lag or scale, not " + args[0]);
        };
    System.out.println(result.line());
  }

  static Result throughput(String system, int n, int instances) throws Exception {
    return run("throughput", BenchSystem.named(system), n, 0, instances);
  }

  static Result lag(String system, double rate, int seconds, int instances) throws Exception {
    return run("lag", BenchSystem.named(system), (int) Math.round(rate * seconds), rate, instances);
  }

  static Result scale(int schedules, double rate, int seconds) throws Exception {
    BenchDb db = BenchDb.fromEnvironment();
    db.resetSchema();
    PunctualSystem system = new PunctualSystem(false);
    system.prepare(db);
    // Seeding a million rows takes a while: the first fire is far enough out for it.
    Instant start = Instant.now().plusSeconds(20 + schedules / 20_000);
    system.seedRecurring(db, schedules, start, rate);
    if (Instant.now().isAfter(start.minusSeconds(8))) {
      throw new IllegalStateException("seeding took too long for the worker to start in time");
    }
    Instant end = start.plusSeconds(seconds);
    Path dir = Files.createDirectories(Path.of("target", "bench-runs", "scale"));
    Path out = dir.resolve("scale-" + schedules + ".txt");
    Files.deleteIfExists(out);
    Process worker =
        worker(system, "punctualw1", out, "low-latency", "-Xmx512m", dir.resolve("scale.log"));
    while (Instant.now().isBefore(end.plusSeconds(3))) {
      if (!worker.isAlive()) {
        throw new IllegalStateException("the worker exited; see " + dir.resolve("scale.log"));
      }
      Thread.sleep(100);
    }
    stop(List.of(worker));
    // Fires due in [start, end) form a grid of rate per second, one fire each.
    long expected = Math.round(rate * seconds);
    Tally t = Tally.of(List.of(out), Recorder.micros(end));
    return new Result(
        "scale",
        system.name(),
        schedules,
        rate,
        1,
        t.executions,
        expected - t.distinct(),
        t.executions - t.distinct(),
        seconds,
        t.distinct() / (double) seconds,
        t.lagMs(50),
        t.lagMs(99),
        t.lag.getMaxValue() / 1000.0,
        0,
        (t.warmStats() + " " + stats(out)).trim());
  }

  private static Result run(String kind, BenchSystem system, int n, double rate, int instances)
      throws Exception {
    BenchDb db = BenchDb.fromEnvironment();
    db.resetSchema();
    system.prepare(db);
    boolean lag = kind.equals("lag");
    Path dir = Files.createDirectories(Path.of("target", "bench-runs", system.name()));
    Process target = null;
    Path targetOut = dir.resolve(kind + "-" + n + "-target.txt");
    if (system.deliversOverHttp()) {
      Files.deleteIfExists(targetOut);
      target = startTarget(targetOut, dir.resolve(kind + "-" + n + "-target.log"));
    }
    // Lag runs start when every worker is surely up; throughput jobs are all due already.
    Instant start = lag ? Instant.now().plusSeconds(20) : Instant.now().minusSeconds(1);
    system.seed(db, n, start, rate);
    if (lag && Instant.now().isAfter(start.minusSeconds(8))) {
      throw new IllegalStateException("seeding took too long for the workers to start in time");
    }
    List<Process> workers = new ArrayList<>();
    List<Path> outputs = new ArrayList<>();
    for (int i = 1; i <= instances; i++) {
      Path out = dir.resolve(kind + "-" + n + "-w" + i + ".txt");
      Files.deleteIfExists(out);
      outputs.add(out);
      workers.add(
          worker(
              system,
              system.name().replace("-", "") + "w" + i,
              out,
              lag ? "low-latency" : "throughput",
              "-Xmx1g",
              dir.resolve(kind + "-" + n + "-w" + i + ".log")));
    }
    double targetCpuBefore = target == null ? 0 : cpuSeconds(target);
    long limitNanos =
        TimeUnit.SECONDS.toNanos(lag ? Math.round(n / rate) + 120 : 600) + System.nanoTime();
    while (system.remaining(db) > 0 && System.nanoTime() < limitNanos) {
      if (workers.stream().noneMatch(Process::isAlive)) {
        throw new IllegalStateException("every worker exited; see their logs in " + dir);
      }
      // Not more often: counting a 100,000-row table costs the shared server ~15 ms a time.
      Thread.sleep(500);
    }
    Thread.sleep(500);
    double targetCpu = target == null ? 0 : cpuSeconds(target) - targetCpuBefore;
    stop(workers);
    String stats = outputs.isEmpty() ? "" : stats(outputs.get(0));
    if (target != null) {
      stop(List.of(target));
      return summarize(
          kind, system.name(), n, rate, instances, List.of(targetOut), targetCpu, stats);
    }
    return summarize(kind, system.name(), n, rate, instances, outputs, 0, stats);
  }

  private static Process worker(
      BenchSystem system, String instance, Path out, String mode, String heap, Path log)
      throws IOException {
    List<String> command = new ArrayList<>(List.of(java(), heap));
    // Extra JVM options for the workers, e.g. a JFR recording to profile one system.
    String extra = System.getenv().getOrDefault("BENCH_WORKER_OPTS", "").trim();
    if (!extra.isEmpty()) {
      command.addAll(List.of(extra.split("\\s+")));
    }
    String url = System.getProperty(PunctualSystem.TARGET_URL);
    if (url != null) {
      command.add("-D" + PunctualSystem.TARGET_URL + "=" + url);
    }
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            Worker.class.getName(),
            system.name(),
            instance,
            out.toString(),
            mode));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  /**
   * A port free now for a process started next, below the kernel's ephemeral range (32768 and up
   * on Linux): a port the kernel chose would be back in that range, where a starting service's
   * delivery warm-up (dozens of loopback connections) can take it before the process binds it.
   */
  static int freePort() {
    for (int i = 0; i < 1_000; i++) {
      int port = java.util.concurrent.ThreadLocalRandom.current().nextInt(20_000, 32_768);
      try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
        probe.setReuseAddress(false);
        probe.bind(new java.net.InetSocketAddress(port));
        return port;
      } catch (java.io.IOException inUse) {
        // taken: try another
      }
    }
    throw new IllegalStateException("no free port in 20000-32767");
  }

  /** Starts a {@link BenchTarget} on a free loopback port and points the jobs at it. */
  static Process startTarget(Path out, Path log) throws Exception {
    int port = freePort();
    Process target =
        new ProcessBuilder(
                java(),
                "-Xmx256m",
                // Without it Nagle and delayed ACKs cost the JDK's server ~40 ms a request.
                "-Dsun.net.httpserver.nodelay=true",
                // Its default keeps 200 idle connections and closes the others' under a pool of
                // 256.
                "-Dsun.net.httpserver.maxIdleConnections=1024",
                "-cp",
                System.getProperty("java.class.path"),
                BenchTarget.class.getName(),
                Integer.toString(port),
                out.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try (java.net.Socket ignored = new java.net.Socket("127.0.0.1", port)) {
        break;
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline || !target.isAlive()) {
          throw new IllegalStateException("the target did not start; see " + log);
        }
        Thread.sleep(50);
      }
    }
    warmUpTarget(port);
    System.setProperty(PunctualSystem.TARGET_URL, "http://127.0.0.1:" + port + "/");
    return target;
  }

  /**
   * Requests the target answers as it answers a run's but does not record (its warm-up job id), 32
   * at a time, before any run: users' targets are long-running services, so a run measures the
   * scheduler's first seconds and not the JIT compiling the bench's own HTTP server. (Without it,
   * in a steady run of 1,000/s, the first second's deliveries arrived 1.1 s late at the median
   * instead of 0.6 s. Without a run's headers in it, parsing a run's scheduled time and building
   * its key ran for the first time on the first real deliveries.)
   */
  private static void warmUpTarget(int port) throws InterruptedException {
    HttpClient client = HttpClient.newHttpClient();
    Semaphore inFlight = new Semaphore(TARGET_WARM_UP_CONCURRENCY);
    for (int i = 0; i < TARGET_WARM_UP_REQUESTS; i++) {
      // Scheduled times as a run's header spells them: whole seconds without a fraction.
      Instant at = Instant.now().truncatedTo(i % 2 == 0 ? ChronoUnit.MILLIS : ChronoUnit.SECONDS);
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/warm-up"))
              .header("X-Punctual-Job-Id", BenchTarget.WARM_UP_JOB)
              .header("X-Punctual-Scheduled-For", at.toString())
              .POST(HttpRequest.BodyPublishers.ofString("{}"))
              .build();
      inFlight.acquire();
      client
          .sendAsync(request, HttpResponse.BodyHandlers.discarding())
          .whenComplete((response, failure) -> inFlight.release());
    }
    inFlight.acquire(TARGET_WARM_UP_CONCURRENCY);
  }

  private static final int TARGET_WARM_UP_REQUESTS = 20_000;
  private static final int TARGET_WARM_UP_CONCURRENCY = 32;

  static String java() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  /** SIGTERM (each writes its file), then waits. */
  static void stop(List<Process> processes) throws InterruptedException {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  /** User and system CPU time a process has used so far (Linux: /proc/PID/stat, 100 ticks/s). */
  static double cpuSeconds(Process p) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
  }

  private static String stats(Path out) throws IOException {
    Path file = Path.of(out + ".stats");
    return Files.exists(file) ? Files.readString(file).trim() : "";
  }

  private static Result summarize(
      String kind,
      String system,
      int n,
      double rate,
      int instances,
      List<Path> outputs,
      double targetCpu,
      String stats)
      throws IOException {
    Tally t = Tally.of(outputs, Long.MAX_VALUE);
    double seconds = t.executions < 2 ? 0 : (t.last - t.first) / 1e6;
    double perSecond = seconds == 0 ? 0 : (t.distinct() - 1) / seconds;
    boolean lagRun = kind.equals("lag");
    if (lagRun) {
      stats = (t.warmStats() + " " + stats).trim();
    }
    return new Result(
        kind,
        system,
        n,
        rate,
        instances,
        t.executions,
        n - t.distinct(),
        t.executions - t.distinct(),
        seconds,
        perSecond,
        lagRun ? t.lagMs(50) : 0,
        lagRun ? t.lagMs(99) : 0,
        lagRun ? t.lag.getMaxValue() / 1000.0 : 0,
        targetCpu,
        stats);
  }

  /**
   * What the recorded files hold: executions per key, their lag, the first and last start; only
   * executions scheduled before {@code scheduledBefore} (epoch microseconds) count.
   */
  static final class Tally {
    final Map<String, Integer> perKey = new HashMap<>();
    final Histogram lag = new Histogram(3_600_000_000L, 3);

    /**
     * The lag of executions scheduled {@link #WARM_UP_MICROS} or more after the first one: a
     * service runs warm, while the first second of a fresh JVM pays for class loading and JIT.
     */
    final Histogram warmLag = new Histogram(3_600_000_000L, 3);

    static final long WARM_UP_MICROS = 5_000_000;
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    long executions;

    static Tally of(List<Path> outputs, long scheduledBefore) throws IOException {
      return of(outputs, Long.MIN_VALUE, scheduledBefore);
    }

    /** Only executions scheduled in [{@code scheduledFrom}, {@code scheduledBefore}) count. */
    static Tally of(List<Path> outputs, long scheduledFrom, long scheduledBefore)
        throws IOException {
      Tally t = new Tally();
      List<long[]> lags = new ArrayList<>(); // scheduled, lag
      long firstScheduled = Long.MAX_VALUE;
      for (Path out : outputs) {
        if (!Files.exists(out)) {
          continue;
        }
        for (String line : Files.readAllLines(out)) {
          String[] f = line.split(" ");
          long scheduled = Long.parseLong(f[1]);
          long started = Long.parseLong(f[2]);
          if (scheduled >= scheduledBefore || scheduled < scheduledFrom) {
            continue;
          }
          t.perKey.merge(f[0], 1, Integer::sum);
          t.executions++;
          t.first = Math.min(t.first, started);
          t.last = Math.max(t.last, started);
          long lag = Math.max(0, Math.min(started - scheduled, 3_600_000_000L));
          t.lag.recordValue(lag);
          lags.add(new long[] {scheduled, lag});
          firstScheduled = Math.min(firstScheduled, scheduled);
        }
      }
      for (long[] l : lags) {
        if (l[0] >= firstScheduled + WARM_UP_MICROS) {
          t.warmLag.recordValue(l[1]);
        }
      }
      return t;
    }

    int distinct() {
      return perKey.size();
    }

    double lagMs(double percentile) {
      return lag.getValueAtPercentile(percentile) / 1000.0;
    }

    /** {@code warm_p99_ms=…}, for the result line's stats. */
    String warmStats() {
      return String.format(
          Locale.ROOT, "warm_p99_ms=%.1f", warmLag.getValueAtPercentile(99) / 1000.0);
    }
  }
}
