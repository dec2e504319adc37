package dev.punctual.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;

/**
 * Tracing is off unless an OTLP endpoint is set ({@code
 * MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT}): then it is on, every request and run
 * sampled (an operator who sets an endpoint wants to see them; {@code
 * MANAGEMENT_TRACING_SAMPLING_PROBABILITY} lowers it). Without an endpoint the engine makes no
 * span, nothing is exported or propagated, and the API's request spans are not sampled (not
 * recorded), so little is paid for tracing nobody collects. An explicit {@code
 * management.tracing.export.enabled} wins.
 *
 * <p>Off, Micrometer Tracing's observation handlers are not configured at all: unsampled, they
 * still made a span, tagged it and propagated its context for every API request, about 6% of a
 * request's CPU in a profile of creates (docs/benchmarks-log.md, "Where the time goes on the user's
 * path"). The request metrics ({@code http_server_requests_seconds}) come from the meter handler,
 * which stays.
 */
public class TracingSwitch implements EnvironmentPostProcessor {
  public static final String ENDPOINT = "management.opentelemetry.tracing.export.otlp.endpoint";

  private static final String EXCLUDE = "spring.autoconfigure.exclude";

  /** The auto-configuration of the tracing observation handlers, left out when tracing is off. */
  static final String HANDLERS =
      "org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration";

  /** Whether {@code env} sets an OTLP endpoint: tracing is on. */
  public static boolean on(Environment env) {
    String endpoint = env.getProperty(ENDPOINT);
    return endpoint != null && !endpoint.isBlank();
  }

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication app) {
    boolean on = on(env);
    // Added last: every property the user set (files, environment, arguments) comes first.
    env.getPropertySources()
        .addLast(
            new MapPropertySource(
                "punctualTracingDefaults",
                Map.of(
                    "management.tracing.enabled",
                    Boolean.toString(on),
                    "management.tracing.sampling.probability",
                    "1.0")));
    if (!on) {
      // Added first, so it must carry the exclusions set elsewhere too (application.yml has one).
      List<String> excluded =
          new ArrayList<>(
              Binder.get(env).bind(EXCLUDE, Bindable.listOf(String.class)).orElse(List.of()));
      excluded.add(HANDLERS);
      env.getPropertySources()
          .addFirst(
              new MapPropertySource(
                  "punctualTracingOff", Map.of(EXCLUDE, String.join(",", excluded))));
    }
  }
}
