package dev.punctual.secret;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the secret keys come from, first found wins: {@code PUNCTUAL_SECRET_KEY} (base64 keys,
 * comma-separated, the current one first), {@code PUNCTUAL_SECRET_KEY_FILE} (one base64 key per
 * line, the current one first), or {@code <data dir>/secret.key}, generated at the first start
 * (mode 0600) like the admin key. Keys are never logged; their ids are.
 */
final class SecretKeySource {
  private static final Logger log = LoggerFactory.getLogger(SecretKeySource.class);
  static final String FILE_NAME = "secret.key";

  private SecretKeySource() {}

  static List<byte[]> load(String keys, Path keyFile, Path dataDir) {
    if (keys != null && !keys.isBlank()) {
      return parse(List.of(keys.split(",")), "PUNCTUAL_SECRET_KEY");
    }
    if (keyFile != null && !keyFile.toString().isBlank()) {
      return parse(read(keyFile), "PUNCTUAL_SECRET_KEY_FILE " + keyFile);
    }
    Path file = dataDir.resolve(FILE_NAME).toAbsolutePath();
    if (!Files.exists(file)) {
      generate(file);
    }
    return parse(read(file), file.toString());
  }

  private static List<byte[]> parse(List<String> texts, String source) {
    List<byte[]> keys = new ArrayList<>();
    for (String text : texts) {
      String trimmed = text.trim();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      byte[] raw;
      try {
        raw = Base64.getDecoder().decode(trimmed.replace('-', '+').replace('_', '/'));
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException("A secret key in " + source + " is not base64");
      }
      if (raw.length != 32) {
        throw new IllegalStateException(
            "A secret key in "
                + source
                + " is "
                + raw.length
                + " bytes; it must be 32 (openssl rand -base64 32)");
      }
      keys.add(raw);
    }
    if (keys.isEmpty()) {
      throw new IllegalStateException("No secret key in " + source);
    }
    return keys;
  }

  private static List<String> read(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read the secret key file " + file, e);
    }
  }

  private static void generate(Path file) {
    byte[] raw = new byte[32];
    new SecureRandom().nextBytes(raw);
    try {
      if (!PrivateFile.writeNew(
          file, Base64.getEncoder().encodeToString(raw) + System.lineSeparator())) {
        return; // another process starting on the same data dir wrote it first: that one is read
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write " + file, e);
    }
    log.warn(
        "Generated the secret key {} into {} (readable by this user only): back it up with the"
            + " database; nodes sharing a database need the same key (PUNCTUAL_SECRET_KEY)",
        SecretBox.keyId(raw),
        file);
  }
}
