package dev.punctual.secret;

/**
 * A table holding sealed secrets, which the {@link Resealer} walks after a key rotation. Each owner
 * of sealed values (signing secrets, job targets) implements it beside its own SQL.
 */
public interface SealedStore {
  /** What it holds, for the log. */
  String name();

  /**
   * Re-seals under {@code box}'s current key the values of up to {@code batch} rows with ids above
   * {@code after} (in id order) that are sealed under another key or not sealed; returns the last
   * id looked at, or -1 past the last row. Each call is a transaction of its own; a row changed by
   * someone else meanwhile is left for the writer, who seals under its own current key.
   */
  long resealBatch(SecretBox box, long after, int batch);
}
