package dev.punctual.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/**
 * The whole comparison: engine throughput and steady lag for Punctual, db-scheduler and Quartz on
 * the same PostgreSQL server, one after the other. Prints every result line, keeps them in {@code
 * bench/results/<mode>.txt}, draws the charts into {@code docs/bench/} and rewrites the suite's
 * section of {@code docs/benchmarks.md}. Run from the repository root through {@code
 * bench/run-suite.sh [quick|full]}.
 */
public final class Suite {
  private static final List<String> SYSTEMS = List.of("punctual", "db-scheduler", "quartz");
  private static final String BEGIN = "<!-- suite:begin -->";
  private static final String END = "<!-- suite:end -->";
  private static final List<String> STAT_KEYS =
      List.of("claims", "claim_mean_ms", "claim_max_ms", "heap_live_mb", "heap_committed_mb");

  private Suite() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("java.awt.headless", "true");
    if (args.length == 3 && args[0].equals("report")) {
      // Charts and docs again from result lines kept earlier (bench/results/<mode>.txt, a log).
      List<Bench.Result> kept =
          Files.readAllLines(Path.of(args[1])).stream()
              .filter(l -> l.startsWith("bench kind="))
              .map(Suite::parse)
              .toList();
      report(kept, args[2], args[2].equals("quick") ? 10 : 60);
      return;
    }
    boolean quick = args.length == 0 || args[0].equals("quick");
    List<Bench.Result> results = new ArrayList<>();
    List<int[]> throughputRuns =
        quick
            ? List.of(new int[] {5_000, 1})
            : List.of(
                new int[] {20_000, 1},
                new int[] {20_000, 2},
                new int[] {100_000, 1},
                new int[] {100_000, 2});
    for (int[] run : throughputRuns) {
      for (String system : SYSTEMS) {
        if (system.equals("quartz") && run[0] > 20_000) {
          continue; // at a few hundred a second, 100,000 would take most of an hour
        }
        attempt(results, () -> Bench.throughput(system, run[0], run[1]));
      }
    }
    int seconds = quick ? 10 : 60;
    for (double rate : quick ? List.of(100.0) : List.of(100.0, 1_000.0, 5_000.0)) {
      for (String system : SYSTEMS) {
        if (system.equals("quartz") && rate > 100) {
          continue; // it executes ~150/s, and seeding its tables with rate × 60 jobs is slow
        }
        attempt(results, () -> Bench.lag(system, rate, seconds, 1));
      }
    }
    // End to end: the service's HTTP delivery to a minimal target on loopback.
    // 20,000 is mostly the first second of cold JVMs and new connections; 100,000 runs warm.
    for (int e2eJobs : quick ? List.of(5_000) : List.of(20_000, 100_000)) {
      attempt(results, () -> Bench.throughput("punctual-http", e2eJobs, 1));
    }
    attempt(results, () -> Bench.lag("punctual-http", quick ? 100.0 : 1_000.0, seconds, 1));
    // Broker targets, beside HTTP: publications confirmed per second at 20,000 due.
    for (String broker : List.of("punctual-amqp", "punctual-redis", "punctual-nats")) {
      attempt(results, () -> Bench.throughput(broker, quick ? 5_000 : 20_000, 1));
    }
    // Scale: the same fire rate over a small and a big table of schedules.
    for (int schedules : quick ? List.of(10_000, 100_000) : List.of(10_000, 1_000_000)) {
      attempt(results, () -> Bench.scale(schedules, 1_000, quick ? 20 : 60));
    }
    report(results, quick ? "quick" : "full", seconds);
  }

  private static void report(List<Bench.Result> results, String mode, int seconds)
      throws Exception {
    Files.createDirectories(Path.of("bench/results"));
    Files.write(
        Path.of("bench/results/" + mode + ".txt"),
        results.stream().map(Bench.Result::line).toList());
    Files.createDirectories(Path.of("docs/bench"));
    throughputChart(results, "docs/bench/throughput-" + mode);
    lagChart(results, "docs/bench/lag-" + mode);
    scaleChart(results, "docs/bench/scale-" + mode);
    writeDocs(results, mode, seconds);
  }

  interface Run {
    Bench.Result run() throws Exception;
  }

  /** Runs one measurement; a failure is printed and the suite goes on with the next. */
  private static void attempt(List<Bench.Result> results, Run run) {
    try {
      Bench.Result result = run.run();
      System.out.println(result.line());
      results.add(result);
    } catch (Exception e) {
      System.out.println("bench failed: " + e);
    }
  }

  /** A result back from its line ({@code key=value} pairs). */
  static Bench.Result parse(String line) {
    Map<String, String> f = new java.util.HashMap<>();
    for (String part : line.split(" ")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        f.put(part.substring(0, eq), part.substring(eq + 1));
      }
    }
    return new Bench.Result(
        f.get("kind"),
        f.get("system"),
        Integer.parseInt(f.get("n")),
        Double.parseDouble(f.get("rate")),
        Integer.parseInt(f.get("instances")),
        Long.parseLong(f.get("executions")),
        Long.parseLong(f.get("missing")),
        Long.parseLong(f.get("duplicates")),
        Double.parseDouble(f.get("seconds")),
        Double.parseDouble(f.get("per_second")),
        Double.parseDouble(f.get("lag_p50_ms")),
        Double.parseDouble(f.get("lag_p99_ms")),
        Double.parseDouble(f.get("lag_max_ms")),
        Double.parseDouble(f.getOrDefault("target_cpu_s", "0")),
        STAT_KEYS.stream()
            .filter(f::containsKey)
            .map(k -> k + "=" + f.get(k))
            .collect(java.util.stream.Collectors.joining(" ")));
  }

  private static void throughputChart(List<Bench.Result> results, String file) throws Exception {
    systemsChart(
        results,
        "throughput",
        chart(
            "Executions per second (no-op one-shot jobs, all due)",
            "jobs, instances",
            "executions/s"),
        r -> String.format(Locale.ROOT, "%,d × %d", r.n(), r.instances()),
        Bench.Result::perSecond,
        file);
  }

  private static void lagChart(List<Bench.Result> results, String file) throws Exception {
    systemsChart(
        results,
        "lag",
        chart("Lag p99 behind the due time (ms)", "jobs due per second", "p99 lag (ms)"),
        r -> String.format(Locale.ROOT, "%,.0f/s", r.rate()),
        Bench.Result::lagP99Ms,
        file);
  }

  /** One series per compared system: the results of {@code kind}, labelled and measured. */
  private static void systemsChart(
      List<Bench.Result> results,
      String kind,
      CategoryChart chart,
      java.util.function.Function<Bench.Result, String> label,
      java.util.function.Function<Bench.Result, Number> value,
      String file)
      throws Exception {
    for (String system : SYSTEMS) {
      List<Bench.Result> mine =
          results.stream().filter(r -> r.kind().equals(kind) && r.system().equals(system)).toList();
      if (!mine.isEmpty()) {
        chart.addSeries(
            system, mine.stream().map(label).toList(), mine.stream().map(value).toList());
      }
    }
    BitmapEncoder.saveBitmap(chart, file, BitmapEncoder.BitmapFormat.PNG);
  }

  private static CategoryChart chart(String title, String xTitle, String yTitle) {
    return new CategoryChartBuilder()
        .width(900)
        .height(500)
        .title(title)
        .xAxisTitle(xTitle)
        .yAxisTitle(yTitle)
        .build();
  }

  private static void scaleChart(List<Bench.Result> results, String file) throws Exception {
    List<Bench.Result> scale = results.stream().filter(r -> r.kind().equals("scale")).toList();
    if (scale.isEmpty()) {
      return;
    }
    CategoryChart chart =
        chart(
            "Scale: the same 1,000 fires/s over more schedules (ms)",
            "schedules in the table",
            "ms");
    List<String> x = scale.stream().map(r -> String.format(Locale.ROOT, "%,d", r.n())).toList();
    chart.addSeries(
        "claim statement, mean",
        x,
        scale.stream().map(r -> (Number) r.stat("claim_mean_ms")).toList());
    chart.addSeries("fire lag p50", x, scale.stream().map(r -> (Number) r.lagP50Ms()).toList());
    chart.addSeries("fire lag p99", x, scale.stream().map(r -> (Number) r.lagP99Ms()).toList());
    BitmapEncoder.saveBitmap(chart, file, BitmapEncoder.BitmapFormat.PNG);
  }

  private static Optional<Bench.Result> find(
      List<Bench.Result> results, String kind, String system, int n, int instances) {
    return results.stream()
        .filter(
            r ->
                r.kind().equals(kind)
                    && r.system().equals(system)
                    && r.n() == n
                    && r.instances() == instances)
        .findFirst();
  }

  private static void writeDocs(List<Bench.Result> results, String mode, int seconds)
      throws Exception {
    StringBuilder md = new StringBuilder();
    md.append(BEGIN).append('\n');
    md.append("### Side by side with db-scheduler and Quartz (")
        .append(mode)
        .append(" run, ")
        .append(LocalDate.now())
        .append(")\n\n");
    md.append("Written by `bench/run-suite.sh ")
        .append(mode)
        .append("` on ")
        .append(machine())
        .append(".\n\n");
    md.append(
        "**Engine throughput**: one-shot no-op jobs, all due, executions per second from the");
    md.append(" first start to the last; each instance a process of its own.\n\n");
    md.append(
        "| jobs | instances | punctual | db-scheduler | quartz | punctual / db-scheduler | punctual / quartz | duplicates, missing |\n");
    md.append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    Map<String, int[]> cases = new LinkedHashMap<>();
    for (Bench.Result r : results) {
      if (r.kind().equals("throughput")) {
        cases.putIfAbsent(r.n() + "x" + r.instances(), new int[] {r.n(), r.instances()});
      }
    }
    for (int[] c : cases.values()) {
      Optional<Bench.Result> p = find(results, "throughput", "punctual", c[0], c[1]);
      Optional<Bench.Result> d = find(results, "throughput", "db-scheduler", c[0], c[1]);
      Optional<Bench.Result> q = find(results, "throughput", "quartz", c[0], c[1]);
      long dup =
          results.stream()
              .filter(r -> r.kind().equals("throughput") && r.n() == c[0] && r.instances() == c[1])
              .mapToLong(Bench.Result::duplicates)
              .sum();
      long miss =
          results.stream()
              .filter(r -> r.kind().equals("throughput") && r.n() == c[0] && r.instances() == c[1])
              .mapToLong(Bench.Result::missing)
              .sum();
      md.append(
          String.format(
              Locale.ROOT,
              "| %,d | %d | %s | %s | %s | %s | %s | %d, %d |%n",
              c[0],
              c[1],
              rate(p),
              rate(d),
              rate(q),
              ratio(p, d),
              ratio(p, q),
              dup,
              miss));
    }
    md.append("\n![throughput](bench/throughput-").append(mode).append(".png)\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "**Steady lag**: jobs due at a steady rate for %d s, one instance;",
            seconds));
    md.append(" the lag of each start behind its due time. p99 warm leaves out the first 5 s of");
    md.append(" the run (a fresh JVM's class loading and JIT, the same for every system).\n\n");
    md.append(
        "| due per second | system | executed | missing | p50 | p99 | p99 warm | max |\n"
            + "| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (Bench.Result r : results) {
      if (r.kind().equals("lag") && SYSTEMS.contains(r.system())) {
        md.append(
            String.format(
                Locale.ROOT,
                "| %,.0f | %s | %,d | %,d | %.1f ms | %.1f ms | %s | %.1f ms |%n",
                r.rate(),
                r.system(),
                r.executions(),
                r.missing(),
                r.lagP50Ms(),
                r.lagP99Ms(),
                warm(r),
                r.lagMaxMs()));
      }
    }
    md.append("\n![lag](bench/lag-").append(mode).append(".png)\n\n");
    endToEnd(results, md);
    scale(results, md, mode);
    md.append("Raw lines: `bench/results/").append(mode).append(".txt`.\n");
    md.append(END).append('\n');
    Path docs = Path.of("docs/benchmarks.md");
    String text = Files.readString(docs);
    int begin = text.indexOf(BEGIN);
    int end = text.indexOf(END);
    String updated =
        begin >= 0 && end > begin
            ? text.substring(0, begin) + md + text.substring(end + END.length() + 1)
            : text + "\n" + md;
    Files.writeString(docs, updated);
  }

  /** The warm p99 of a result, or a dash for lines recorded before it was measured. */
  private static String warm(Bench.Result r) {
    double warm = r.stat("warm_p99_ms");
    return Double.isNaN(warm) ? "—" : String.format(Locale.ROOT, "%.1f ms", warm);
  }

  private static void endToEnd(List<Bench.Result> results, StringBuilder md) {
    List<Bench.Result> e2e =
        results.stream().filter(r -> r.system().equals("punctual-http")).toList();
    if (e2e.isEmpty()) {
      return;
    }
    md.append("**End to end**: the service's HTTP delivery (Apache HttpClient 5, async) to a");
    md.append(" minimal target on loopback (`BenchTarget`: the JDK's HTTP server in a process of");
    md.append(" its own, answering 204); the lag is the target's arrival time behind the due");
    md.append(" time; the target's CPU time is measured from `/proc`.\n\n");
    md.append(
        "| run | deliveries | missing, duplicates | per second | p50 | p99 | p99 warm | max | target"
            + " CPU |\n");
    md.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (Bench.Result r : e2e) {
      boolean lag = r.kind().equals("lag");
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d | %d, %d | %,.0f/s | %s | %s | %s | %s | %.1f s (%.0f%% of one core) |%n",
              lag
                  ? String.format(Locale.ROOT, "steady %,.0f/s", r.rate())
                  : String.format(Locale.ROOT, "%,d due at once", r.n()),
              r.executions(),
              r.missing(),
              r.duplicates(),
              r.perSecond(),
              lag ? String.format(Locale.ROOT, "%.1f ms", r.lagP50Ms()) : "—",
              lag ? String.format(Locale.ROOT, "%.1f ms", r.lagP99Ms()) : "—",
              lag ? warm(r) : "—",
              lag ? String.format(Locale.ROOT, "%.1f ms", r.lagMaxMs()) : "—",
              r.targetCpuSeconds(),
              r.seconds() == 0 ? 0 : 100 * r.targetCpuSeconds() / r.seconds()));
    }
    md.append('\n');
  }

  private static void scale(List<Bench.Result> results, StringBuilder md, String mode) {
    List<Bench.Result> scale = results.stream().filter(r -> r.kind().equals("scale")).toList();
    if (scale.isEmpty()) {
      return;
    }
    md.append("**Scale**: recurring jobs (`interval`) whose fires together fall at a steady");
    md.append(" rate, over a small and a big table; one instance with `-Xmx512m` and the no-op");
    md.append(" deliverer; claim = the job claim statement's mean time (Micrometer);");
    md.append(" heap = in use after a full GC at the end.\n\n");
    md.append(
        "| schedules | fires/s | fired | missing, duplicates | claim mean | claim max | lag p50 | lag p99 | lag max | heap |\n");
    md.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (Bench.Result r : scale) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %,d | %,.0f | %,d | %d, %d | %.2f ms | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %.0f MB |%n",
              r.n(),
              r.rate(),
              r.executions(),
              r.missing(),
              r.duplicates(),
              r.stat("claim_mean_ms"),
              r.stat("claim_max_ms"),
              r.lagP50Ms(),
              r.lagP99Ms(),
              r.lagMaxMs(),
              r.stat("heap_live_mb")));
    }
    if (scale.size() >= 2) {
      Bench.Result small = scale.get(0);
      Bench.Result big = scale.get(scale.size() - 1);
      md.append(
          String.format(
              Locale.ROOT,
              "%nBig / small: claim mean %.2f×, lag p50 %.2f×, lag p99 %.2f×.%n",
              big.stat("claim_mean_ms") / small.stat("claim_mean_ms"),
              big.lagP50Ms() / small.lagP50Ms(),
              big.lagP99Ms() / small.lagP99Ms()));
    }
    md.append("\n![scale](bench/scale-").append(mode).append(".png)\n\n");
  }

  private static String rate(Optional<Bench.Result> r) {
    return r.map(x -> String.format(Locale.ROOT, "%,.0f/s", x.perSecond())).orElse("—");
  }

  private static String ratio(Optional<Bench.Result> a, Optional<Bench.Result> b) {
    if (a.isEmpty() || b.isEmpty() || b.get().perSecond() == 0) {
      return "—";
    }
    return String.format(Locale.ROOT, "%.1f×", a.get().perSecond() / b.get().perSecond());
  }

  private static String machine() throws Exception {
    String cpu =
        Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
            .filter(l -> l.startsWith("model name"))
            .findFirst()
            .map(l -> l.substring(l.indexOf(':') + 1).trim())
            .orElse("?");
    String pg;
    try (var c = BenchDb.fromEnvironment().connect();
        var rs = c.createStatement().executeQuery("show server_version")) {
      rs.next();
      pg = rs.getString(1);
    }
    return "%d cores (%s), Java %s, PostgreSQL %s on the same machine"
        .formatted(
            Runtime.getRuntime().availableProcessors(),
            cpu,
            System.getProperty("java.version"),
            pg);
  }
}
