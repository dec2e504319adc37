package dev.punctual.tenant;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The format of API keys: {@code pk_<id>_<secret>}, where {@code id} (16 hex digits) is the public,
 * indexed part and {@code secret} is 256 random bits in base64url. Only the SHA-256 of the secret
 * is stored: with 256 random bits, a slow password hash would add cost and no safety.
 */
record ApiKey(String id, String secret) {
  private static final String PREFIX = "pk_";
  private static final int ID_LENGTH = 16;
  private static final SecureRandom RANDOM = new SecureRandom();

  static ApiKey generate() {
    byte[] id = new byte[ID_LENGTH / 2];
    byte[] secret = new byte[32];
    RANDOM.nextBytes(id);
    RANDOM.nextBytes(secret);
    return new ApiKey(
        HexFormat.of().formatHex(id),
        Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
  }

  /** Splits a presented key; empty if it cannot be one of ours. */
  static Optional<ApiKey> parse(String presented) {
    if (presented == null
        || presented.length() < PREFIX.length() + ID_LENGTH + 2
        || presented.length() > 200
        || !presented.startsWith(PREFIX)
        || presented.charAt(PREFIX.length() + ID_LENGTH) != '_') {
      return Optional.empty();
    }
    String id = presented.substring(PREFIX.length(), PREFIX.length() + ID_LENGTH);
    if (!id.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return Optional.empty();
    }
    return Optional.of(new ApiKey(id, presented.substring(PREFIX.length() + ID_LENGTH + 1)));
  }

  String text() {
    return PREFIX + id + "_" + secret;
  }

  byte[] hash() {
    return sha256(secret);
  }

  /** Constant-time comparison, so response times leak nothing about the stored hash. */
  boolean matches(byte[] storedHash) {
    return MessageDigest.isEqual(hash(), storedHash);
  }

  static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }

  @Override
  public String toString() {
    return "ApiKey[" + id + "]"; // never the secret
  }
}
