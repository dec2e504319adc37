package dev.punctual.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The service as users run it: the real jar in a process of its own, on its embedded PostgreSQL (a
 * fresh data dir) or on the loopback server, jobs created through the API ahead of their time by a
 * keep-alive client, delivered over HTTP to a {@link BenchTarget} in a third process and measured
 * there. Beside it, in the same run, the engine bench's figures ({@link Bench}): these machines are
 * noisy, so only ratios within one run compare.
 *
 * <ul>
 *   <li>{@code burst <embedded|server> <n>}: n one-shot jobs due at one instant.
 *   <li>{@code steady <embedded|server> <rate> <cold seconds> <warm seconds> [fresh|restart]}: rate
 *       jobs every second, phases spread over the second; the lag of the first {@code cold} seconds
 *       of fires after a start apart from the {@code warm} seconds after them. {@code fresh} (the
 *       default): the jobs are created just after a first start on a new database; {@code restart}:
 *       after they are created the service is stopped and started again on the same data, as a
 *       deploy does, and the first seconds are that start's.
 *   <li>{@code api <embedded|server> <seconds>}: requests per second of a trivial endpoint, a
 *       {@code GET} by id and a create, 32 keep-alive clients.
 *   <li>{@code ready <embedded|server>}: start to readiness on a fresh data dir (or database), then
 *       again on the same one.
 *   <li>{@code suite <quick|full>}: all of it with the engine bench beside; result lines in {@code
 *       bench/results/service-<mode>.txt}.
 * </ul>
 *
 * Run from the repository root through {@code bench/service-bench.sh}.
 */
public final class ServiceBench {
  private static final Path JAR = Path.of("target/punctual-0.1.0-SNAPSHOT.jar");
  private static final String ADMIN = "bench-admin-key";
  private static final String SERVER_DB = "punctual_service_bench";
  private static final int CLIENTS = 32;
  private static final Path DIR = Path.of("target", "bench-runs", "service");

  private ServiceBench() {}

  enum Db {
    EMBEDDED,
    SERVER;

    String system() {
      return "service-" + name().toLowerCase(Locale.ROOT);
    }
  }

  public static void main(String[] args) throws Exception {
    Files.createDirectories(DIR);
    switch (args[0]) {
      case "burst" -> print(burst(db(args[1]), Integer.parseInt(args[2])));
      case "steady" ->
          print(
              steady(
                  db(args[1]),
                  Double.parseDouble(args[2]),
                  Integer.parseInt(args[3]),
                  Integer.parseInt(args[4]),
                  args.length > 5 ? Start.valueOf(args[5].toUpperCase(Locale.ROOT)) : Start.FRESH));
      case "api" -> System.out.println(api(db(args[1]), Integer.parseInt(args[2])));
      case "ready" -> System.out.println(ready(db(args[1])));
      case "suite" -> suite(args.length < 2 || args[1].equals("quick"));
      default -> throw new IllegalArgumentException("burst, steady, api, ready or suite");
    }
    System.exit(0); // the HTTP clients' threads would keep the JVM alive
  }

  private static Db db(String name) {
    return Db.valueOf(name.toUpperCase(Locale.ROOT));
  }

  private static void print(Bench.Result r) {
    System.out.println(r.line());
  }

  // ---------------------------------------------------------------- the measurements

  static Bench.Result burst(Db db, int n) throws Exception {
    Path targetOut = DIR.resolve("burst-" + db.system() + "-" + n + "-target.txt");
    Files.deleteIfExists(targetOut);
    Process target = Bench.startTarget(targetOut, DIR.resolve("burst-target.log"));
    String hook = System.getProperty(PunctualSystem.TARGET_URL) + "hook";
    try (Service service = Service.start(db, "burst-" + n)) {
      String key = service.tenant("bench");
      // Two rounds of creates (far in the future, never due in the run) size the wait: all n jobs
      // must exist before their instant, or the run measures creates, not fires. The first warms
      // the API up; the second's rate, from a warmer JVM, sets the instant.
      int pilotJobs = Math.min(2_000, Math.max(500, n / 10));
      Instant never = Instant.now().plus(Duration.ofDays(1));
      service.create(key, pilotJobs, i -> once("warm-" + i, hook, never));
      double pilot = service.create(key, pilotJobs, i -> once("pilot-" + i, hook, never));
      Instant due =
          Instant.now()
              .plusMillis((long) (n / pilot * 1_300) + 5_000)
              .truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
      double creates = service.create(key, n, i -> once("burst-" + i, hook, due));
      if (Instant.now().isAfter(due.minusSeconds(1))) {
        throw new IllegalStateException(
            "creating took until " + Instant.now() + ", past the jobs' instant " + due);
      }
      double targetCpuBefore = Bench.cpuSeconds(target);
      double serviceCpuBefore = Bench.cpuSeconds(service.process);
      waitFor(service, n, due.plusSeconds(600));
      double targetCpu = Bench.cpuSeconds(target) - targetCpuBefore;
      double serviceCpu = Bench.cpuSeconds(service.process) - serviceCpuBefore;
      String fired = service.firedStats(due, due.plusMillis(1));
      String metrics = service.metrics();
      service.stop();
      Bench.stop(List.of(target));
      Bench.Tally t = Bench.Tally.of(List.of(targetOut), Long.MAX_VALUE);
      double seconds = t.executions < 2 ? 0 : (t.last - t.first) / 1e6;
      return new Bench.Result(
          "burst",
          db.system(),
          n,
          0,
          1,
          t.executions,
          n - t.distinct(),
          t.executions - t.distinct(),
          seconds,
          seconds == 0 ? 0 : (t.distinct() - 1) / seconds,
          t.lagMs(50),
          t.lagMs(99),
          t.lag.getMaxValue() / 1000.0,
          targetCpu,
          String.format(
              Locale.ROOT,
              "creates_per_s=%.0f ready_ms=%d service_cpu_s=%.1f %s %s",
              creates,
              service.readyMillis,
              serviceCpu,
              fired,
              metrics));
    } finally {
      target.destroy();
    }
  }

  /** How the measured start begins: on a fresh data dir, or restarted on the jobs' own. */
  enum Start {
    /** A first start: jobs created through the API just after it, on a new database. */
    FRESH,
    /**
     * A deploy: the jobs created through a first start, which is stopped; the measured start is the
     * next one, on the same data dir (or database), with a cold JVM and a database that has been in
     * use.
     */
    RESTART
  }

  static Bench.Result steady(Db db, double rate, int coldSeconds, int warmSeconds)
      throws Exception {
    return steady(db, rate, coldSeconds, warmSeconds, Start.FRESH);
  }

  static Bench.Result steady(Db db, double rate, int coldSeconds, int warmSeconds, Start startKind)
      throws Exception {
    int jobs = (int) Math.round(rate);
    Path targetOut = DIR.resolve("steady-" + db.system() + "-" + jobs + "-target.txt");
    Files.deleteIfExists(targetOut);
    Process target = Bench.startTarget(targetOut, DIR.resolve("steady-target.log"));
    String hook = System.getProperty(PunctualSystem.TARGET_URL) + "hook";
    Service initial = Service.start(db, "steady-" + jobs);
    Service service = initial;
    try {
      String key = service.tenant("bench");
      double pilot =
          service.create(
              key, 500, i -> once("pilot-" + i, hook, Instant.now().plus(Duration.ofDays(1))));
      // A restart needs the time to stop and to get ready again before the first fire.
      long restartMillis = startKind == Start.RESTART ? initial.readyMillis * 2 + 10_000 : 0;
      Instant start =
          Instant.now()
              .plusMillis((long) (jobs / pilot * 1_300) + 3_000 + restartMillis)
              .truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
      double creates =
          service.create(
              key,
              jobs,
              i -> everySecond("steady-" + i, hook, start.plusNanos((long) (i * 1e9 / rate))));
      if (startKind == Start.RESTART) {
        initial.stop();
        service = Service.again(db, "steady-" + jobs);
      }
      if (Instant.now().isAfter(start.minusMillis(500))) {
        throw new IllegalStateException(
            "creating (and restarting) took until " + Instant.now() + ", past " + start);
      }
      Instant cold = start.plusSeconds(coldSeconds);
      Instant end = cold.plusSeconds(warmSeconds);
      while (Instant.now().isBefore(end.plusSeconds(3))) {
        if (!service.process.isAlive()) {
          throw new IllegalStateException("the service exited; see " + service.log);
        }
        Thread.sleep(200);
      }
      String fired =
          service.firedStats(cold, end)
              + " "
              + service.firstSeconds(start, Math.min(5, coldSeconds))
              + " "
              + service.warmParts(cold, end);
      service.stop();
      Bench.stop(List.of(target));
      Bench.Tally first =
          Bench.Tally.of(List.of(targetOut), Recorder.micros(start), Recorder.micros(cold));
      Bench.Tally warm =
          Bench.Tally.of(List.of(targetOut), Recorder.micros(cold), Recorder.micros(end));
      // Where the first window's lag is: the p50 of each of its first five seconds.
      StringBuilder seconds = new StringBuilder();
      for (int second = 0; second < Math.min(5, coldSeconds); second++) {
        Bench.Tally one =
            Bench.Tally.of(
                List.of(targetOut),
                Recorder.micros(start.plusSeconds(second)),
                Recorder.micros(start.plusSeconds(second + 1)));
        seconds.append(second == 0 ? "" : "/").append(Math.round(one.lagMs(50)));
      }
      long expected = Math.round(rate * warmSeconds);
      return new Bench.Result(
          "lag",
          db.system(),
          (int) expected,
          rate,
          1,
          warm.executions,
          expected - warm.distinct(),
          warm.executions - warm.distinct(),
          warmSeconds,
          warm.distinct() / (double) warmSeconds,
          warm.lagMs(50),
          warm.lagMs(99),
          warm.lag.getMaxValue() / 1000.0,
          0,
          String.format(
              Locale.ROOT,
              "start=%s cold_s=%d cold_p50_ms=%.1f cold_p99_ms=%.1f cold_max_ms=%.1f"
                  + " cold_missing=%d first_seconds_p50_ms=%s creates_per_s=%.0f ready_ms=%d %s",
              startKind.name().toLowerCase(Locale.ROOT),
              coldSeconds,
              first.lagMs(50),
              first.lagMs(99),
              first.lag.getMaxValue() / 1000.0,
              Math.round(rate * coldSeconds) - first.distinct(),
              seconds,
              creates,
              service.readyMillis,
              fired));
    } finally {
      initial.close();
      service.close();
      target.destroy();
    }
  }

  static String api(Db db, int seconds) throws Exception {
    try (Service service = Service.start(db, "api")) {
      String key = service.tenant("bench");
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 1_000; i++) {
        String body =
            service.send(
                "POST",
                "/api/v1/jobs",
                key,
                "{\"name\":\"api-%d\",\"schedule\":{\"cron\":\"0 0 1 1 *\"},\"target\":{\"url\":\"https://svc.example.com/hook\"}}"
                    .formatted(i),
                201);
        ids.add(field(body, "id"));
      }
      AtomicInteger counter = new AtomicInteger();
      Map<String, RequestFactory> endpoints =
          new java.util.LinkedHashMap<>(
              Map.of(
                  "whoami",
                  () -> new Call("GET", "/api/v1/whoami", null, 200),
                  "get",
                  () ->
                      new Call(
                          "GET",
                          "/api/v1/jobs/"
                              + ids.get(ThreadLocalRandom.current().nextInt(ids.size())),
                          null,
                          200),
                  "create",
                  () ->
                      new Call(
                          "POST",
                          "/api/v1/jobs",
                          "{\"name\":\"c-%d\",\"schedule\":{\"cron\":\"0 0 1 1 *\"},\"target\":{\"url\":\"https://svc.example.com/hook\"}}"
                              .formatted(counter.incrementAndGet()),
                          201)));
      StringBuilder line = new StringBuilder("service-api system=" + db.system());
      double trivial = 0;
      for (String name : List.of("whoami", "get", "create")) {
        service.load(key, endpoints.get(name), 3); // warm-up, not reported
        double perSecond = service.load(key, endpoints.get(name), seconds);
        if (name.equals("whoami")) {
          trivial = perSecond;
        }
        line.append(String.format(Locale.ROOT, " %s_per_s=%.0f", name, perSecond));
        if (!name.equals("whoami")) {
          line.append(String.format(Locale.ROOT, " %s_ratio=%.2f", name, perSecond / trivial));
        }
      }
      return line.toString();
    }
  }

  static String ready(Db db) throws Exception {
    long fresh;
    long warm;
    try (Service service = Service.start(db, "ready")) {
      fresh = service.readyMillis;
      service.stop();
    }
    try (Service service = Service.again(db, "ready")) {
      warm = service.readyMillis;
    }
    return "service-ready system=%s fresh_ms=%d warm_ms=%d".formatted(db.system(), fresh, warm);
  }

  // ---------------------------------------------------------------- the suite

  private static void suite(boolean quick) throws Exception {
    List<String> lines = new ArrayList<>();
    List<Integer> bursts = quick ? List.of(5_000) : List.of(20_000, 100_000);
    for (int n : bursts) {
      Bench.Result http = attempt(lines, () -> Bench.throughput("punctual-http", n, 1));
      Bench.Result noop = attempt(lines, () -> Bench.throughput("punctual", n, 1));
      ratio(lines, "punctual-http/punctual burst " + n, http, noop, Bench.Result::perSecond);
      for (Db db : Db.values()) {
        Bench.Result service = attempt(lines, () -> burst(db, n));
        ratio(
            lines,
            db.system() + "/punctual-http burst " + n,
            service,
            http,
            Bench.Result::perSecond);
      }
    }
    int cold = quick ? 20 : 60;
    int warm = quick ? 20 : 30;
    for (double rate : quick ? List.of(1_000.0) : List.of(1_000.0, 5_000.0)) {
      // The engine's lag run, same rate, as long as the service's cold and warm windows.
      Bench.Result engine = attempt(lines, () -> Bench.lag("punctual-http", rate, cold + warm, 1));
      for (Db db : Db.values()) {
        Bench.Result service = attempt(lines, () -> steady(db, rate, cold, warm));
        if (service != null && engine != null) {
          add(
              lines,
              String.format(
                  Locale.ROOT,
                  "ratio %s/punctual-http lag %.0f/s: warm p99 %.2f (%.1f ms vs the engine's warm"
                      + " %.1f ms); first %d s p99 / warm p99 %.2f",
                  db.system(),
                  rate,
                  service.lagP99Ms() / engine.stat("warm_p99_ms"),
                  service.lagP99Ms(),
                  engine.stat("warm_p99_ms"),
                  cold,
                  service.stat("cold_p99_ms") / service.lagP99Ms()));
        }
      }
    }
    for (Db db : Db.values()) {
      attemptLine(lines, () -> api(db, quick ? 5 : 15));
      attemptLine(lines, () -> ready(db));
    }
    Files.createDirectories(Path.of("bench/results"));
    Path file = Path.of("bench/results/service-" + (quick ? "quick" : "full") + ".txt");
    lines.add(
        0, "# " + Instant.now() + ", " + Runtime.getRuntime().availableProcessors() + " cores");
    Files.write(file, lines);
    System.out.println("written to " + file);
  }

  interface Measurement<T> {
    T run() throws Exception;
  }

  private static Bench.Result attempt(List<String> lines, Measurement<Bench.Result> m) {
    try {
      Bench.Result r = m.run();
      add(lines, r.line());
      return r;
    } catch (Exception e) {
      add(lines, "bench failed: " + e);
      return null;
    }
  }

  private static void attemptLine(List<String> lines, Measurement<String> m) {
    try {
      add(lines, m.run());
    } catch (Exception e) {
      add(lines, "bench failed: " + e);
    }
  }

  private static void ratio(
      List<String> lines,
      String label,
      Bench.Result a,
      Bench.Result b,
      java.util.function.ToDoubleFunction<Bench.Result> figure) {
    if (a != null && b != null) {
      add(
          lines,
          String.format(
              Locale.ROOT,
              "ratio %s: %.2f (%.0f vs %.0f)",
              label,
              figure.applyAsDouble(a) / figure.applyAsDouble(b),
              figure.applyAsDouble(a),
              figure.applyAsDouble(b)));
    }
  }

  private static void add(List<String> lines, String line) {
    System.out.println(line);
    lines.add(line);
  }

  // ---------------------------------------------------------------- job bodies

  private static String once(String name, String url, Instant at) {
    return "{\"name\":\"%s\",\"schedule\":{\"at\":\"%s\"},\"target\":{\"url\":\"%s\"}}"
        .formatted(name, at, url);
  }

  private static String everySecond(String name, String url, Instant startAt) {
    return ("{\"name\":\"%s\",\"schedule\":{\"interval\":\"PT1S\",\"startAt\":\"%s\"},"
            + "\"target\":{\"url\":\"%s\"},\"overlap\":\"ALLOW\"}")
        .formatted(name, startAt, url);
  }

  private static final Pattern FIELD = Pattern.compile("\"(\\w+)\"\\s*:\\s*\"([^\"]*)\"");

  /** The first string field of that name in a JSON text (the bench needs ids and keys only). */
  static String field(String json, String name) {
    Matcher m = FIELD.matcher(json);
    while (m.find()) {
      if (m.group(1).equals(name)) {
        return m.group(2);
      }
    }
    throw new IllegalStateException("no " + name + " in " + json);
  }

  private static void waitFor(Service service, int deliveries, Instant deadline) throws Exception {
    while (service.delivered() < deliveries) {
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("not all delivered by " + deadline);
      }
      if (!service.process.isAlive()) {
        throw new IllegalStateException("the service exited; see " + service.log);
      }
      Thread.sleep(100);
    }
    Thread.sleep(500); // a duplicate would arrive now
  }

  record Call(String method, String path, String body, int status) {}

  interface RequestFactory {
    Call next();
  }

  // ---------------------------------------------------------------- the service process

  /** The jar, started as users start it, with the bench's limits lifted. */
  static final class Service implements AutoCloseable {
    final Process process;
    final String base;
    final long readyMillis;
    final Path log;
    final Db db;
    private final HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .executor(Executors.newFixedThreadPool(4))
            .build();

    private Service(Process process, String base, long readyMillis, Path log, Db db) {
      this.process = process;
      this.base = base;
      this.readyMillis = readyMillis;
      this.log = log;
      this.db = db;
    }

    static Service start(Db db, String name) throws Exception {
      Path data = DIR.resolve("data-" + name);
      deleteTree(data);
      if (db == Db.SERVER) {
        try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "")) {
          c.createStatement().execute("drop database if exists " + SERVER_DB + " with (force)");
          c.createStatement().execute("create database " + SERVER_DB);
        }
      }
      return launch(db, name, data);
    }

    /** Again on the data dir (or database) of an earlier start. */
    static Service again(Db db, String name) throws Exception {
      return launch(db, name, DIR.resolve("data-" + name));
    }

    private static Service launch(Db db, String name, Path data) throws Exception {
      if (!Files.exists(JAR)) {
        throw new IllegalStateException(JAR + " is missing: ./mvnw package -DskipTests");
      }
      int port = Bench.freePort();
      List<String> command = new ArrayList<>(List.of(Bench.java(), "-Xmx1g"));
      String extra = System.getenv().getOrDefault("BENCH_SERVICE_OPTS", "").trim();
      if (!extra.isEmpty()) {
        command.addAll(List.of(extra.split("\\s+")));
      }
      command.addAll(List.of("-jar", JAR.toString()));
      ProcessBuilder builder = new ProcessBuilder(command);
      Map<String, String> env = builder.environment();
      env.put("SERVER_PORT", Integer.toString(port));
      env.put("PUNCTUAL_ADMIN_KEY", ADMIN);
      // One tenant creates and fires thousands of jobs a second: its limits are lifted, and its
      // target is on loopback, which the egress guard denies unless told.
      env.put("PUNCTUAL_RATE_LIMIT", "0");
      env.put("PUNCTUAL_TENANT_FIRE_RATE", "0");
      env.put("PUNCTUAL_MAX_JOBS_PER_TENANT", "0");
      env.put("PUNCTUAL_TENANT_MAX_IN_FLIGHT", "256");
      env.put("PUNCTUAL_EGRESS_ALLOW", "127.0.0.0/8");
      env.put("PUNCTUAL_DATA_DIR", data.toString());
      if (db == Db.SERVER) {
        env.put("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/" + SERVER_DB);
      } else {
        env.remove("DATABASE_URL");
      }
      Path log = DIR.resolve(name + "-" + db.system() + ".log");
      long started = System.nanoTime();
      Process process =
          builder
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      String base = "http://127.0.0.1:" + port;
      HttpClient probe = HttpClient.newHttpClient();
      while (true) {
        try {
          HttpResponse<String> r =
              probe.send(
                  HttpRequest.newBuilder(URI.create(base + "/actuator/health/readiness")).build(),
                  HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200) {
            break;
          }
        } catch (IOException notYet) {
          // not listening yet
        }
        if (!process.isAlive() || System.nanoTime() - started > TimeUnit.SECONDS.toNanos(120)) {
          process.destroyForcibly();
          throw new IllegalStateException("the service did not get ready; see " + log);
        }
        Thread.sleep(20);
      }
      long ready = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      return new Service(process, base, ready, log, db);
    }

    String tenant(String name) throws Exception {
      String body =
          send("POST", "/api/v1/tenants", ADMIN, "{\"name\":\"%s\"}".formatted(name), 201);
      return field(body.substring(body.indexOf("\"apiKey\"")), "key");
    }

    /** Creates n jobs with {@link #CLIENTS} keep-alive clients; returns creates per second. */
    double create(String key, int n, IntFunction<String> body) throws Exception {
      AtomicInteger next = new AtomicInteger();
      long started = System.nanoTime();
      clients(
          () -> {
            for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
              send("POST", "/api/v1/jobs", key, body.apply(i), 201);
            }
          });
      return n / ((System.nanoTime() - started) / 1e9);
    }

    /** Requests per second of one kind of call for that many seconds, {@link #CLIENTS} clients. */
    double load(String key, RequestFactory calls, int seconds) throws Exception {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      AtomicLong done = new AtomicLong();
      long started = System.nanoTime();
      clients(
          () -> {
            while (System.nanoTime() < end) {
              Call call = calls.next();
              send(call.method(), call.path(), key, call.body(), call.status());
              done.incrementAndGet();
            }
          });
      return done.get() / ((System.nanoTime() - started) / 1e9);
    }

    interface Client {
      void run() throws Exception;
    }

    /** Runs {@link #CLIENTS} copies of a client at once and waits for them all. */
    private static void clients(Client client) throws Exception {
      ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
      try {
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
          running.add(
              pool.submit(
                  () -> {
                    client.run();
                    return null;
                  }));
        }
        for (Future<?> f : running) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
    }

    String send(String method, String path, String key, String body, int expected)
        throws IOException, InterruptedException {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(base + path))
              .header("Authorization", "Bearer " + key)
              .timeout(Duration.ofSeconds(60));
      if (body == null) {
        request.method(method, HttpRequest.BodyPublishers.noBody());
      } else {
        request
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(body));
      }
      HttpResponse<String> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != expected) {
        throw new IllegalStateException(
            method + " " + path + " answered " + response.statusCode() + ": " + response.body());
      }
      return response.body();
    }

    /** Deliveries the target has counted. */
    long delivered() throws Exception {
      String target = System.getProperty(PunctualSystem.TARGET_URL);
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(target + "count")).build(),
              HttpResponse.BodyHandlers.ofString());
      return Long.parseLong(r.body().trim());
    }

    /**
     * From the service's database: schedule runs in [from, to), the distinct fire times among them,
     * and their fire lag (the run row's creation, i.e. the fire's commit, behind its time).
     */
    String firedStats(Instant from, Instant to) throws Exception {
      try (Connection c = DriverManager.getConnection(jdbcUrl(), "postgres", "");
          ResultSet rs =
              c.createStatement()
                  .executeQuery(
                      """
                      select count(*), count(distinct (job_id, scheduled_for)),
                             coalesce(percentile_cont(0.99) within group (order by lag), 0),
                             coalesce(max(lag), 0)
                      from (select job_id, scheduled_for,
                                   extract(epoch from created_at - scheduled_for) * 1000 as lag
                            from runs
                            where trigger = 'SCHEDULE'
                              and scheduled_for >= '%s' and scheduled_for < '%s') r
                      """
                          .formatted(from, to))) {
        rs.next();
        return String.format(
            Locale.ROOT,
            "runs=%d run_duplicates=%d fired_p99_ms=%.0f fired_max_ms=%.0f",
            rs.getLong(1),
            rs.getLong(1) - rs.getLong(2),
            rs.getDouble(3),
            rs.getDouble(4));
      }
    }

    /**
     * Where each of the first {@code n} seconds' lag is: the two medians of {@link #medians},
     * second by second of scheduled time.
     */
    String firstSeconds(Instant start, int n) throws Exception {
      List<String> fired = new ArrayList<>();
      List<String> sent = new ArrayList<>();
      for (double[] m : medians(start, start.plusSeconds(n), 1)) {
        fired.add(Long.toString(Math.round(m[0])));
        sent.add(Long.toString(Math.round(m[1])));
      }
      return "first_seconds_fired_p50_ms=%s first_seconds_sent_p50_ms=%s"
          .formatted(String.join("/", fired), String.join("/", sent));
    }

    /**
     * The same two medians over a whole window (the warm one): what the first seconds compare to.
     */
    String warmParts(Instant from, Instant to) throws Exception {
      List<double[]> all = medians(from, to, Duration.between(from, to).toSeconds());
      double[] m = all.isEmpty() ? new double[2] : all.get(0);
      return String.format(Locale.ROOT, "warm_fired_p50_ms=%.1f warm_sent_p50_ms=%.1f", m[0], m[1]);
    }

    /**
     * The runs' median lag from the scheduled time to the fire's transaction ({@code created_at},
     * its start) and to the attempt's request ({@code attempt_started_at}, the node's clock), for
     * each slice of {@code sliceSeconds} of scheduled time from {@code from} until {@code to}, in
     * order; a slice without runs is left out.
     */
    List<double[]> medians(Instant from, Instant to, long sliceSeconds) throws Exception {
      try (Connection c = DriverManager.getConnection(jdbcUrl(), "postgres", "");
          ResultSet rs =
              c.createStatement()
                  .executeQuery(
                      """
                      select floor(extract(epoch from scheduled_for - '%1$s'::timestamptz) / %3$d),
                             percentile_cont(0.5) within group (order by
                               extract(epoch from created_at - scheduled_for) * 1000),
                             percentile_cont(0.5) within group (order by
                               extract(epoch from attempt_started_at - scheduled_for) * 1000)
                      from runs
                      where trigger = 'SCHEDULE' and scheduled_for >= '%1$s'
                        and scheduled_for < '%2$s'
                      group by 1 order by 1
                      """
                          .formatted(from, to, Math.max(1, sliceSeconds)))) {
        List<double[]> medians = new ArrayList<>();
        while (rs.next()) {
          medians.add(new double[] {rs.getDouble(2), rs.getDouble(3)});
        }
        return medians;
      }
    }

    /** The engine's own figures of the run, from its Prometheus endpoint. */
    String metrics() throws Exception {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/actuator/prometheus")).build(),
              HttpResponse.BodyHandlers.ofString());
      StringBuilder out = new StringBuilder();
      for (String line : r.body().split("\n")) {
        if (line.startsWith("punctual_fire_duration_seconds_max")) {
          out.append(
              String.format(
                  Locale.ROOT,
                  "fire_batch_max_ms=%.0f",
                  Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)) * 1000));
        }
      }
      return out.toString();
    }

    private String jdbcUrl() throws IOException {
      if (db == Db.SERVER) {
        return "jdbc:postgresql://127.0.0.1:5432/" + SERVER_DB;
      }
      Matcher m =
          Pattern.compile("Embedded PostgreSQL started in \\d+ ms on port (\\d+)")
              .matcher(Files.readString(log));
      String port = null;
      while (m.find()) {
        port = m.group(1); // the latest start's
      }
      return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** SIGTERM, then waits for the node to drain and its embedded database to stop. */
    void stop() throws InterruptedException {
      if (process.isAlive()) {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
    }

    @Override
    public void close() throws InterruptedException {
      stop();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
