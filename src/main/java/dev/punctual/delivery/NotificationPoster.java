package dev.punctual.delivery;

import java.util.concurrent.CompletableFuture;

/** Sends notification events; {@link HttpDelivery} over HTTP, on a pool of its own. */
public interface NotificationPoster {
  CompletableFuture<AttemptResult> post(Notification notification);
}
