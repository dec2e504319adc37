package dev.punctual.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.zone.ZoneOffsetTransition;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The fast cron search against the brute-force oracle, over random expressions, zones and start
 * instants chosen mostly within a day of a DST transition.
 */
class CronSchedulePropertyTest {
  private static final Duration HORIZON = Duration.ofDays(9);

  /** Zones with DST and odd shapes: 30-minute shifts, midnight gaps, southern hemisphere. */
  private static final List<String> ZONES =
      List.of(
          "Europe/Berlin",
          "America/New_York",
          "Africa/Cairo",
          "Australia/Lord_Howe",
          "America/Santiago",
          "Asia/Tehran",
          "Pacific/Auckland",
          "America/Havana",
          "Europe/London",
          "Asia/Kolkata",
          "Pacific/Chatham",
          "America/St_Johns",
          "UTC");

  @Property(tries = 3000)
  void nextFireTimesMatchTheOracle(
      @ForAll("crons") String expression, @ForAll("zones") String zoneId, @ForAll long seed) {
    ZoneId zone = ZoneId.of(zoneId);
    Instant start = startNearTransition(zone, seed);
    CronExpression cron = CronExpression.parse(expression);
    CronSchedule fast = new CronSchedule(cron, zone, Schedule.Bounds.NONE);
    BruteForceOracle oracle = new BruteForceOracle(cron, zone);

    Instant t = start;
    for (int i = 0; i < 4; i++) {
      Optional<Instant> expected = oracle.nextAfter(t, HORIZON);
      Optional<Instant> actual = fast.nextAfter(t);
      if (expected.isEmpty()) {
        // Nothing within the horizon: the fast code must agree there is nothing that early.
        Instant horizonEnd = t.plus(HORIZON);
        assertThat(actual.filter(a -> !a.isAfter(horizonEnd)))
            .as("%s in %s after %s", expression, zone, t)
            .isEmpty();
        return;
      }
      assertThat(actual).as("%s in %s after %s", expression, zone, t).isEqualTo(expected);
      t = expected.get();
    }
  }

  /** A start instant within a day of a DST transition (or anywhere, a quarter of the time). */
  private static Instant startNearTransition(ZoneId zone, long seed) {
    Random random = new Random(seed);
    Instant base =
        Instant.parse("2000-01-01T00:00:00Z")
            .plusSeconds((long) (random.nextDouble() * 40 * 365 * 86400L));
    ZoneOffsetTransition transition = zone.getRules().nextTransition(base);
    if (transition == null || random.nextInt(4) == 0) {
      return base.plusNanos(random.nextInt(1_000_000_000));
    }
    long jitter = (long) ((random.nextDouble() - 0.5) * 2 * 86400);
    return transition.getInstant().plusSeconds(jitter).plusMillis(random.nextInt(1000));
  }

  @Provide
  Arbitrary<String> zones() {
    return Arbitraries.of(ZONES);
  }

  @Provide
  Arbitrary<String> crons() {
    Arbitrary<String> seconds =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(3, Arbitraries.just("")),
            net.jqwik.api.Tuple.of(1, field(0, 59).map(f -> f + " ")));
    return Combinators.combine(
            seconds, field(0, 59), field(0, 23), dayField(1, 31), field(1, 12), dayField(0, 7))
        .as((s, m, h, dom, mon, dow) -> s + m + " " + h + " " + dom + " " + mon + " " + dow);
  }

  private static Arbitrary<String> dayField(int min, int max) {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, Arbitraries.just("*")),
        net.jqwik.api.Tuple.of(1, field(min, max)));
  }

  /** A field biased towards dense sets, so that most expressions fire within the horizon. */
  private static Arbitrary<String> field(int min, int max) {
    Arbitrary<Integer> value = Arbitraries.integers().between(min, max);
    Arbitrary<String> single = value.map(String::valueOf);
    Arbitrary<String> range =
        Combinators.combine(value, value).as((a, b) -> Math.min(a, b) + "-" + Math.max(a, b));
    Arbitrary<String> step =
        Arbitraries.integers().between(1, Math.max(1, (max - min) / 2)).map(n -> "*/" + n);
    Arbitrary<String> list =
        value
            .list()
            .ofMinSize(2)
            .ofMaxSize(5)
            .map(l -> l.stream().map(String::valueOf).collect(Collectors.joining(",")));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, Arbitraries.just("*")),
        net.jqwik.api.Tuple.of(2, single),
        net.jqwik.api.Tuple.of(2, range),
        net.jqwik.api.Tuple.of(2, step),
        net.jqwik.api.Tuple.of(1, list));
  }

  @Property(tries = 200)
  void previewIsStrictlyIncreasing(@ForAll("crons") String expression, @ForAll("zones") String z) {
    CronSchedule schedule =
        new CronSchedule(CronExpression.parse(expression), ZoneId.of(z), Schedule.Bounds.NONE);
    List<Instant> times = schedule.preview(Instant.parse("2026-03-28T00:00:00Z"), 20);
    assertThat(IntStream.range(1, times.size()))
        .allSatisfy(i -> assertThat(times.get(i)).isAfter(times.get(i - 1)));
  }
}
