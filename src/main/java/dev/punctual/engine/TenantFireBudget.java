package dev.punctual.engine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TokensInheritanceStrategy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * Each tenant's fires per second, shared by the live scheduler nodes: a token bucket per tenant on
 * each node, refilled at the configured rate divided by the number of scheduler nodes, one second's
 * worth deep (divided likewise), so the cluster as a whole fires a tenant's jobs at the configured
 * rate. The share follows the live-node count of the heartbeats. A fire spends a token when its job
 * enters this node's timer (claimed, or kept for its next fire). A claim may overdraw a bucket by
 * the claim's batch; an overdrawn tenant is left out of the next claims, and its fired jobs are not
 * kept, until it is back in credit. Its jobs then wait in the table (any node with budget may take
 * them); other tenants' jobs are claimed as before.
 */
final class TenantFireBudget {
  private final int rate;
  private final IntSupplier nodes;
  // A bucket idle for a minute is full again; forgetting it is the same.
  private final Cache<Long, Shared> buckets =
      Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(1)).build();

  /** A tenant's bucket and the node count its configuration was made for. */
  private record Shared(Bucket bucket, int nodes) {}

  /**
   * @param rate fires per second per tenant for the whole cluster; 0 for no cap
   * @param nodes the live scheduler nodes sharing it
   */
  TenantFireBudget(int rate, IntSupplier nodes) {
    this.rate = rate;
    this.nodes = nodes;
  }

  /** Spends one fire of the tenant's budget, even into debt (the job is claimed already). */
  void spend(long tenantId) {
    if (rate > 0) {
      bucket(tenantId).consumeIgnoringRateLimits(1);
    }
  }

  /** Spends one fire if the tenant is in credit; false (nothing spent) if it is not. */
  boolean trySpend(long tenantId) {
    return rate == 0 || bucket(tenantId).tryConsume(1);
  }

  /** The tenants out of budget now: claims leave their jobs alone. */
  List<Long> exhausted() {
    if (rate == 0) {
      return List.of();
    }
    List<Long> out = new ArrayList<>();
    buckets
        .asMap()
        .forEach(
            (tenant, shared) -> {
              if (shared.bucket().getAvailableTokens() <= 0) {
                out.add(tenant);
              }
            });
    return out;
  }

  private Bucket bucket(long tenantId) {
    int n = Math.max(1, nodes.getAsInt());
    Shared shared =
        buckets.get(tenantId, id -> new Shared(Bucket.builder().addLimit(limit(n)).build(), n));
    if (shared.nodes() != n) {
      // The cluster grew or shrank: the same bucket, its tokens scaled to the new share.
      shared
          .bucket()
          .replaceConfiguration(
              BucketConfiguration.builder().addLimit(limit(n)).build(),
              TokensInheritanceStrategy.PROPORTIONALLY);
      buckets.put(tenantId, new Shared(shared.bucket(), n));
    }
    return shared.bucket();
  }

  /** This node's share: the rate and the depth divided by {@code n} (the depth at least one). */
  private Bandwidth limit(int n) {
    return Bandwidth.builder()
        .capacity(Math.max(1, (rate + n - 1) / n))
        .refillGreedy(rate, Duration.ofSeconds(n))
        .build();
  }
}
