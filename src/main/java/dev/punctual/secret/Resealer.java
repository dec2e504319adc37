package dev.punctual.secret;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * After a start on the newest key, walks every {@link SealedStore} once, in batches, and re-seals
 * what is sealed under an older key or not sealed at all (values written before encryption). One
 * pass per start is enough: from then on every writer seals under this key, and the rolling restart
 * that finishes a rotation starts a pass on every node after the last one has the key.
 */
@Component
class Resealer implements SmartLifecycle {
  private static final Logger log = LoggerFactory.getLogger(Resealer.class);
  private static final int BATCH = 200;

  private final SecretBox box;
  private final SecretKeyRegistry registry;
  private final List<SealedStore> stores;
  private volatile boolean running;
  private Thread thread;

  Resealer(SecretBox box, SecretKeyRegistry registry, List<SealedStore> stores) {
    this.box = box;
    this.registry = registry;
    this.stores = stores;
  }

  /** One pass over every store, until done or stopped; true when done. */
  boolean pass() {
    for (SealedStore store : stores) {
      long after = 0;
      while (after >= 0) {
        if (!running) {
          return false;
        }
        after = store.resealBatch(box, after, BATCH);
      }
    }
    return true;
  }

  private void run() {
    try {
      if (pass()) {
        log.info("Secrets: every stored secret is sealed under key {}", box.currentKeyId());
      }
    } catch (RuntimeException e) {
      log.warn("Secrets: re-sealing stopped ({}); the next start tries again", e.toString());
    }
  }

  @Override
  public synchronized void start() {
    running = true;
    if (registry.currentIsNewest()) {
      thread = new Thread(this::run, "punctual-reseal");
      thread.setDaemon(true);
      thread.start();
    }
  }

  @Override
  public synchronized void stop() {
    running = false;
  }

  @Override
  public synchronized boolean isRunning() {
    return running;
  }
}
