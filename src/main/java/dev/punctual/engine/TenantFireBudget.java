package dev.punctual.engine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Each tenant's fires per second on this node: a token bucket per tenant, one second's worth deep.
 * A fire spends a token when its job enters this node's timer (claimed, or kept for its next fire).
 * A claim may overdraw a bucket by the claim's batch; an overdrawn tenant is left out of the next
 * claims, and its fired jobs are not kept, until it is back in credit. Its jobs then wait in the
 * table (any node with budget may take them); other tenants' jobs are claimed as before.
 */
final class TenantFireBudget {
  private final int rate;
  // A bucket idle for a minute is full again; forgetting it is the same.
  private final Cache<Long, Bucket> buckets =
      Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(1)).build();

  /**
   * @param rate fires per second per tenant; 0 for no cap
   */
  TenantFireBudget(int rate) {
    this.rate = rate;
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
            (tenant, bucket) -> {
              if (bucket.getAvailableTokens() <= 0) {
                out.add(tenant);
              }
            });
    return out;
  }

  private Bucket bucket(long tenantId) {
    return buckets.get(
        tenantId,
        id ->
            Bucket.builder()
                .addLimit(limit -> limit.capacity(rate).refillGreedy(rate, Duration.ofSeconds(1)))
                .build());
  }
}
