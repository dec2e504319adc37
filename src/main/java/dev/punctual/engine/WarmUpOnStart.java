package dev.punctual.engine;

import dev.punctual.config.ClockConfig;
import dev.punctual.config.EngineProperties;
import dev.punctual.config.PunctualProperties;
import dev.punctual.config.Version;
import dev.punctual.delivery.DeliveryWarmUp;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts the delivery warm-up ({@link DeliveryWarmUp}) of a worker node as soon as its settings are
 * known, before the application context is built, so that it runs on the second core while the
 * start (embedded database, migrations, Spring) keeps the first busy. The engine waits for it
 * before it takes its first fires ({@code EngineConfig.engineLifecycle}), and so does the node's
 * readiness, which follows the engine's start.
 *
 * <p>Registered in {@code META-INF/spring.factories}. Settings it cannot read are left to the
 * engine's own binding, which stops the start naming them; the warm-up then does not run.
 */
public class WarmUpOnStart
    implements ApplicationContextInitializer<ConfigurableApplicationContext> {
  private static final Logger log = LoggerFactory.getLogger(WarmUpOnStart.class);

  /** Past this the warm-up stops where it is: a slow machine must not hold the start for long. */
  static final Duration LIMIT = Duration.ofSeconds(15);

  @Override
  public void initialize(ConfigurableApplicationContext context) {
    int requests;
    try {
      Binder binder = Binder.get(context.getEnvironment());
      PunctualProperties punctual =
          binder.bindOrCreate("punctual", Bindable.of(PunctualProperties.class));
      EngineProperties engine =
          binder.bindOrCreate("punctual.engine", Bindable.of(EngineProperties.class));
      EngineSettings settings = EngineSettings.from(punctual.roleSet(), engine);
      requests = settings.delivers() ? settings.warmUpRequests() : 0;
    } catch (RuntimeException e) {
      requests = 0; // the engine's binding reports it
    }
    context.getBeanFactory().registerSingleton("deliveryWarmUp", Running.start(requests));
  }

  /** The warm-up in progress (or none); {@link #await} returns once it has ended. */
  static final class Running {
    private final CompletableFuture<DeliveryWarmUp.Result> done;

    private Running(CompletableFuture<DeliveryWarmUp.Result> done) {
      this.done = done;
    }

    static Running start(int requests) {
      CompletableFuture<DeliveryWarmUp.Result> done = new CompletableFuture<>();
      if (requests == 0) {
        done.complete(null);
        return new Running(done);
      }
      Thread thread =
          new Thread(
              () -> {
                try {
                  done.complete(
                      DeliveryWarmUp.run(requests, LIMIT, Version.current(), ClockConfig.SYSTEM));
                } catch (Exception | Error e) {
                  done.completeExceptionally(e);
                }
              },
              "punctual-warm-up");
      thread.setDaemon(true);
      thread.start();
      return new Running(done);
    }

    /** What the warm-up did, once it has ended; empty while it runs, when none ran or it failed. */
    Optional<DeliveryWarmUp.Result> result() {
      return done.isDone() && !done.isCompletedExceptionally()
          ? Optional.ofNullable(done.join())
          : Optional.empty();
    }

    /**
     * Waits for the warm-up's end; a warm-up that failed, or that outlives its limit by far, is
     * logged, and the start goes on.
     */
    void await() {
      long waitStarted = System.nanoTime();
      try {
        // Its own limit ends it; the margin covers the last requests' timeouts (5 s).
        DeliveryWarmUp.Result r = done.get(LIMIT.plusSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
        if (r != null) {
          log.info(
              "Delivery path warmed up: {} requests to a loopback sink in {} ms ({} failed);"
                  + " the start waited {} ms for it",
              r.delivered(),
              r.took().toMillis(),
              r.failed(),
              (System.nanoTime() - waitStarted) / 1_000_000);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException e) {
        log.warn("Delivery warm-up failed, the engine starts cold: {}", e.getCause().toString());
      } catch (TimeoutException e) {
        log.warn("Delivery warm-up still running past its limit, the engine starts anyway");
      }
    }
  }
}
