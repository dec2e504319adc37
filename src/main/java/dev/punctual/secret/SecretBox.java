package dev.punctual.secret;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals the secrets Punctual keeps (signing secrets, secret target header values) with AES-256-GCM
 * under the secret key, and opens them again. A sealed value is {@code enc:v1:<key id>:<base64url
 * of a 96-bit nonce, the ciphertext and the 128-bit tag>}; the key id (16 hex digits of a SHA-256
 * of the key) tells which key opens it, so values sealed under the previous key stay readable
 * during a rotation. A value without the prefix (written before encryption existed) opens as
 * itself, until the re-encryption pass seals it.
 */
public final class SecretBox {
  public static final String PREFIX = "enc:v1:";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * One cipher per thread, initialised afresh for every value: {@code Cipher.getInstance} (the
   * provider lookup) cost 3-4 µs of the 3.5-4 µs an open took, and every delivery to a tenant with
   * a signing secret opens one (the engine's dispatch thread does it, one attempt after the other).
   */
  private static final ThreadLocal<Cipher> CIPHER =
      ThreadLocal.withInitial(
          () -> {
            try {
              return Cipher.getInstance("AES/GCM/NoPadding");
            } catch (GeneralSecurityException e) {
              throw new IllegalStateException("AES-GCM is part of every JVM", e);
            }
          });

  private final Map<String, SecretKeySpec> keys = new LinkedHashMap<>();
  private final String currentId;

  /** {@code rawKeys}: 32-byte AES keys, the first the current one (it seals). */
  public SecretBox(List<byte[]> rawKeys) {
    if (rawKeys.isEmpty()) {
      throw new IllegalArgumentException("no secret key");
    }
    for (byte[] raw : rawKeys) {
      if (raw.length != 32) {
        throw new IllegalArgumentException(
            "a secret key must be 32 bytes (base64 of 32 random bytes), not " + raw.length);
      }
      keys.putIfAbsent(keyId(raw), new SecretKeySpec(raw, "AES"));
    }
    currentId = keyId(rawKeys.get(0));
  }

  /** The id of a key: public, so it may be logged and stored beside what it seals. */
  public static String keyId(byte[] raw) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update("punctual secret key id\n".getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha.digest(raw), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public String currentKeyId() {
    return currentId;
  }

  /** Every key id this node can open, the current one first. */
  public List<String> keyIds() {
    return List.copyOf(keys.keySet());
  }

  public static boolean isSealed(String value) {
    return value != null && value.startsWith(PREFIX);
  }

  /** The id of the key a value is sealed under; null for a value that is not sealed. */
  public static String keyIdOf(String value) {
    if (!isSealed(value)) {
      return null;
    }
    int end = value.indexOf(':', PREFIX.length());
    return end < 0 ? "" : value.substring(PREFIX.length(), end);
  }

  /** Whether a stored value is sealed under the current key (else the re-encryption pass does). */
  public boolean sealedUnderCurrentKey(String value) {
    return currentId.equals(keyIdOf(value));
  }

  public String seal(String plaintext) {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher cipher = CIPHER.get();
      cipher.init(Cipher.ENCRYPT_MODE, keys.get(currentId), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(aad(currentId));
      byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[nonce.length + sealed.length];
      System.arraycopy(nonce, 0, out, 0, nonce.length);
      System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
      return PREFIX + currentId + ":" + Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM failed", e);
    }
  }

  /** Seals a value unless it is sealed under the current key already. */
  public String reseal(String stored) {
    return sealedUnderCurrentKey(stored) ? stored : seal(open(stored));
  }

  /**
   * The plaintext of a stored value; a value that is not sealed is returned as it is.
   *
   * @throws SecretUnavailableException if the value is sealed under a key this node does not hold,
   *     or does not open (altered, or not one of ours)
   */
  public String open(String stored) {
    if (!isSealed(stored)) {
      return stored;
    }
    String id = keyIdOf(stored);
    SecretKeySpec key = keys.get(id);
    if (key == null) {
      throw new SecretUnavailableException(
          "a secret is sealed under key "
              + id
              + ", which this node does not hold"
              + " (PUNCTUAL_SECRET_KEY)");
    }
    try {
      byte[] in =
          Base64.getUrlDecoder().decode(stored.substring(PREFIX.length() + id.length() + 1));
      Cipher cipher = CIPHER.get();
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
      cipher.updateAAD(aad(id));
      byte[] plain = cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES);
      return new String(plain, StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new SecretUnavailableException("a secret sealed under key " + id + " does not open");
    }
  }

  // The key id and format are bound to the ciphertext: a value cannot be moved to another key id.
  private static byte[] aad(String keyId) {
    return (PREFIX + keyId).getBytes(StandardCharsets.UTF_8);
  }
}
