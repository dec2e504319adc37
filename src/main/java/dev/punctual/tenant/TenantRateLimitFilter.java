package dev.punctual.tenant;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.punctual.config.PunctualProperties;
import dev.punctual.identity.Caller;
import dev.punctual.node.LiveNodes;
import dev.punctual.web.ApiProblem;
import dev.punctual.web.ProblemWriter;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The per-tenant request rate limit of the whole cluster ({@code PUNCTUAL_RATE_LIMIT} per second,
 * {@code PUNCTUAL_RATE_LIMIT_BURST} at once): a token bucket per tenant on each node holding its
 * share, the rate and the burst divided by the live API nodes of the last heartbeat ({@link
 * LiveNodes}). A load balancer that spreads requests evenly gives a tenant the configured figures;
 * a client pinned to one node gets that node's share. Past it, {@code 429} with {@code Retry-After}
 * (whole seconds, rounded up). The admin key is not limited: it is one operator, not a calling
 * service.
 *
 * <p>Every tenant answer says where the bucket stands: {@code X-RateLimit-Limit} is its size (the
 * requests that may be made at once, the burst), {@code X-RateLimit-Remaining} what is left of it
 * after this request, {@code X-RateLimit-Reset} the seconds until it is full again. The IETF
 * RateLimit draft is not followed: it states a quota per time window, which a token bucket is not,
 * and it is still a draft.
 *
 * <p>Buckets live in this node's memory, each with its share: a bucket shared in the database would
 * cost a round trip per request, more than the request itself. Bucket4j because its buckets are
 * lock-free, refill lazily with no timer thread, and take a new configuration (a new share) in
 * place.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 30)
class TenantRateLimitFilter extends OncePerRequestFilter {
  static final String LIMIT_HEADER = "X-RateLimit-Limit";
  static final String REMAINING_HEADER = "X-RateLimit-Remaining";
  static final String RESET_HEADER = "X-RateLimit-Reset";

  private final int rate;
  private final int burst;
  private final ProblemWriter problems;
  private final Counter limited;
  private final LiveNodes liveNodes;
  // Idle tenants' buckets are full again after burst/rate seconds; forgetting them is the same.
  private final Cache<Long, Shared> buckets =
      Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(10)).build();

  /** A tenant's bucket and the node count its configuration was made for. */
  private record Shared(Bucket bucket, int nodes) {}

  TenantRateLimitFilter(
      PunctualProperties properties,
      ProblemWriter problems,
      MeterRegistry registry,
      LiveNodes liveNodes) {
    this.liveNodes = liveNodes;
    this.rate = properties.rateLimit();
    this.burst = Math.max(properties.rateLimitBurst(), 1);
    this.problems = problems;
    this.limited =
        Counter.builder("punctual.api.rate.limited")
            .description("API requests refused with 429 by the per-tenant rate limit")
            .register(registry);
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return rate == 0 || !request.getRequestURI().startsWith("/api/");
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (!(request.getAttribute(Caller.ATTRIBUTE) instanceof Caller caller)
        || caller.kind() != Caller.Kind.TENANT) {
      chain.doFilter(request, response);
      return;
    }
    int nodes = liveNodes.api();
    ConsumptionProbe probe = bucket(caller.tenantId(), nodes).tryConsumeAndReturnRemaining(1);
    long remaining = probe.getRemainingTokens();
    response.setHeader(LIMIT_HEADER, Integer.toString(share(burst, nodes)));
    response.setHeader(REMAINING_HEADER, Long.toString(remaining));
    response.setHeader(RESET_HEADER, Long.toString(secondsToFull(remaining, nodes)));
    if (probe.isConsumed()) {
      chain.doFilter(request, response);
      return;
    }
    limited.increment();
    long retryAfter = Math.max(1, (probe.getNanosToWaitForRefill() + 999_999_999) / 1_000_000_000);
    problems.write(
        response,
        new ApiProblem(
            HttpStatus.TOO_MANY_REQUESTS,
            "Too many requests",
            "This tenant exceeded its rate limit of %d requests per second; retry after %d s"
                .formatted(rate, retryAfter),
            List.of(),
            Map.of(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter))));
  }

  /** Whole seconds, rounded up, until a bucket with {@code remaining} tokens is full. */
  private long secondsToFull(long remaining, int nodes) {
    long missing = share(burst, nodes) - remaining;
    // The share refills rate/nodes tokens a second.
    return missing <= 0 ? 0 : (missing * nodes + rate - 1) / rate;
  }

  private Bucket bucket(long tenantId, int nodes) {
    Shared shared =
        buckets.get(
            tenantId, id -> new Shared(Bucket.builder().addLimit(limit(nodes)).build(), nodes));
    if (shared.nodes() != nodes) {
      // The cluster grew or shrank: the same bucket, its tokens scaled to the new share.
      shared
          .bucket()
          .replaceConfiguration(
              BucketConfiguration.builder().addLimit(limit(nodes)).build(),
              TokensInheritanceStrategy.PROPORTIONALLY);
      buckets.put(tenantId, new Shared(shared.bucket(), nodes));
    }
    return shared.bucket();
  }

  /** This node's share: the burst and the rate divided by the live API nodes. */
  private Bandwidth limit(int nodes) {
    return Bandwidth.builder()
        .capacity(share(burst, nodes))
        .refillGreedy(rate, Duration.ofSeconds(nodes))
        .build();
  }

  /** A figure divided by the nodes, rounded up, at least one. */
  private static int share(int figure, int nodes) {
    return Math.max(1, (figure + nodes - 1) / nodes);
  }
}
