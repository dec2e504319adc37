package dev.punctual.engine;

import dev.punctual.delivery.AttemptResult;
import dev.punctual.delivery.Notification;
import dev.punctual.delivery.NotificationPoster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends notification events (docs/api.md, "Notifications") apart from the runs: its own loop, its
 * own HTTP pool, a few requests at a time, so that notifications never slow the firing of jobs.
 * Events are claimed from their table like runs; an endpoint failing lately is left alone for a
 * while (its events wait without spending attempts), each tenant has at most {@link
 * #TENANT_IN_FLIGHT} requests out, and an event is retried on a widening schedule for about five
 * hours, then failed, as is any event still undelivered after a day: a dead endpoint costs a probe
 * now and then, never a growing stream of requests.
 */
final class NotificationStage {
  private static final Logger log = LoggerFactory.getLogger(NotificationStage.class);
  static final int MAX_IN_FLIGHT = 16;
  static final int TENANT_IN_FLIGHT = 2;
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  static final Duration LEASE = TIMEOUT.plusSeconds(25);
  static final Duration MAX_AGE = Duration.ofHours(24);

  /** The wait after failed attempt n (1-based); past the last, the event fails. */
  static final List<Duration> RETRY_AFTER =
      List.of(
          Duration.ofSeconds(5),
          Duration.ofSeconds(30),
          Duration.ofMinutes(2),
          Duration.ofMinutes(10),
          Duration.ofMinutes(30),
          Duration.ofHours(1),
          Duration.ofHours(2));

  private final String nodeId;
  private final EventStore events;
  private final NotificationPoster poster;
  private final EngineMetrics metrics;
  private final EngineThreads threads;
  private final Ticker ticker;
  private final DatabaseClock clock;
  private final Duration pollInterval;
  private final EndpointBreaker breaker;
  private final BlockingQueue<Sent> sent = new LinkedBlockingQueue<>();
  private final Map<Long, Integer> tenantInFlight = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean running;
  private Future<?> loop;

  private record Sent(EventStore.OwnedEvent event, AttemptResult result) {}

  NotificationStage(
      NodeContext node, EventStore events, NotificationPoster poster, Duration pollInterval) {
    this.nodeId = node.nodeId();
    this.metrics = node.metrics();
    this.threads = node.threads();
    this.ticker = node.ticker();
    this.clock = node.clock();
    this.events = events;
    this.poster = poster;
    this.pollInterval = pollInterval;
    this.breaker = new EndpointBreaker(ticker);
  }

  void start() {
    running = true;
    loop = threads.start("notify", new Loop("notify", this::turn, () -> running, metrics, ticker));
  }

  /**
   * Stops sending: the loop ends its turn first (a claim committing after the hand-back would send
   * events this node no longer tracks), outcomes of requests already out are written if they come
   * within the wait, and events still out after it keep their attempt: their lease ends, so another
   * node sends them again at once as the next attempt (their request may have arrived).
   */
  void stop(Duration wait) {
    running = false;
    long deadline = ticker.nanoTime() + wait.toNanos();
    EngineThreads.awaitEnd(wait.plus(pollInterval), loop);
    // The loop has ended: outcomes are written from here (each one written leaves inFlight).
    writeOutcomes();
    while (inFlight.get() > 0 && ticker.nanoTime() < deadline) {
      try {
        ticker.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      writeOutcomes();
    }
    try {
      events.handBack(nodeId);
    } catch (RuntimeException e) {
      log.warn("Could not hand back notification events: {}", e.toString());
    }
  }

  void kill() {
    running = false;
    sent.clear();
  }

  private void turn() throws InterruptedException {
    writeOutcomes();
    int room = MAX_IN_FLIGHT - inFlight.get();
    if (room > 0) {
      for (EventStore.OwnedEvent event :
          events.claim(
              nodeId,
              room,
              LEASE,
              TENANT_IN_FLIGHT,
              Map.copyOf(tenantInFlight),
              breaker.closed())) {
        send(event);
      }
    }
    Sent first = sent.poll(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    if (first != null) {
      sent.add(first); // written at the start of the next turn, with any others
    }
  }

  private void send(EventStore.OwnedEvent event) {
    inFlight.incrementAndGet();
    tenantInFlight.merge(event.tenantId(), 1, Integer::sum);
    poster
        .post(
            new Notification(
                "evt_" + event.id(),
                event.url(),
                event.body(),
                event.secrets(),
                TIMEOUT,
                clock.now()))
        .whenComplete(
            (result, error) ->
                sent.add(
                    new Sent(
                        event,
                        result != null
                            ? result
                            : new AttemptResult(
                                AttemptResult.Outcome.FAILURE,
                                null,
                                String.valueOf(error),
                                null,
                                0,
                                null))));
  }

  private void writeOutcomes() {
    List<Sent> batch = new ArrayList<>();
    sent.drainTo(batch);
    for (Sent s : batch) {
      EventStore.OwnedEvent event = s.event();
      try {
        if (s.result().succeeded()) {
          breaker.succeeded(event.url());
          events.delivered(nodeId, event);
          metrics.notification("delivered");
        } else {
          breaker.failed(event.url());
          Duration retryIn =
              event.attempt() <= RETRY_AFTER.size() ? RETRY_AFTER.get(event.attempt() - 1) : null;
          events.failed(nodeId, event, describe(s.result()), retryIn);
          metrics.notification(retryIn == null ? "failed" : "retrying");
        }
      } catch (RuntimeException e) {
        // Not lost: the event's lease lapses and it is sent again (at least once).
        metrics.loopError("notify");
        log.warn("Could not record the outcome of event {}: {}", event.id(), e.toString());
      } finally {
        inFlight.decrementAndGet();
        tenantInFlight.computeIfPresent(event.tenantId(), (t, n) -> n <= 1 ? null : n - 1);
      }
    }
  }

  private static String describe(AttemptResult result) {
    String error = result.error() == null ? "failed" : result.error();
    return result.responseSnippet() == null || result.responseSnippet().isBlank()
        ? error
        : error + ": " + abbreviate(result.responseSnippet());
  }

  private static String abbreviate(String text) {
    return text.length() <= 200 ? text : text.substring(0, 200) + "…";
  }

  /**
   * Endpoints that failed lately, per node: after 3 failures in a row an endpoint is left alone for
   * 30 s, doubling with each further failure up to 10 min; a success resets it.
   */
  static final class EndpointBreaker {
    private static final int THRESHOLD = 3;
    private static final Duration FIRST_PAUSE = Duration.ofSeconds(30);
    private static final Duration MAX_PAUSE = Duration.ofMinutes(10);

    private record State(int failures, long closedUntilNanos) {}

    private final Map<String, State> states = new ConcurrentHashMap<>();
    private final Ticker ticker;

    EndpointBreaker(Ticker ticker) {
      this.ticker = ticker;
    }

    void failed(String url) {
      states.compute(
          url,
          (u, s) -> {
            int failures = s == null ? 1 : s.failures() + 1;
            if (failures < THRESHOLD) {
              return new State(failures, 0);
            }
            long pause =
                Math.min(
                    MAX_PAUSE.toNanos(),
                    FIRST_PAUSE.toNanos() << Math.min(20, failures - THRESHOLD));
            return new State(failures, ticker.nanoTime() + pause);
          });
    }

    void succeeded(String url) {
      states.remove(url);
    }

    /** The endpoints to leave alone now. */
    List<String> closed() {
      long now = ticker.nanoTime();
      List<String> closed = new ArrayList<>();
      states.forEach(
          (url, s) -> {
            if (s.closedUntilNanos() - now > 0) {
              closed.add(url);
            }
          });
      return closed;
    }
  }
}
