package dev.punctual.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README and the docs of a fresh clone link only to what the clone holds: every relative link
 * (and image) resolves to a file inside the repository, every {@code #anchor} to a heading of its
 * file. Nothing links out: not a path that climbs out of the repository ({@code ../shared/API.md}),
 * not a web page ({@code https://…}; name a standard in the text instead), so what a reader of a
 * clone follows is what the clone holds.
 */
class DocumentationLinksTest {
  private static final Path ROOT = Path.of("").toAbsolutePath().normalize();
  // [text](target) and ![alt](target); the target ends at whitespace or the closing parenthesis.
  private static final Pattern LINK =
      Pattern.compile("!?\\[[^\\]]*]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
  private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6}\\s+(.+?)\\s*$");

  @Test
  void everyLinkOfTheDocsStaysInsideTheRepositoryAndResolves() throws IOException {
    List<Path> files = documentation();
    assertThat(files)
        .extracting(f -> ROOT.relativize(f).toString())
        .contains("README.md", "docs/api.md");
    List<String> broken = new ArrayList<>();
    for (Path file : files) {
      String text = Files.readString(file);
      if (text.contains("../shared")) {
        broken.add(ROOT.relativize(file) + ": mentions ../shared");
      }
      Matcher m = LINK.matcher(text);
      while (m.find()) {
        String problem = check(file, m.group(1));
        if (problem != null) {
          broken.add(ROOT.relativize(file) + ": " + m.group(1) + " " + problem);
        }
      }
    }
    assertThat(broken).as("links that leave the repository or lead nowhere").isEmpty();
  }

  private static List<Path> documentation() throws IOException {
    try (Stream<Path> walk = Files.walk(ROOT)) {
      return walk.filter(p -> p.toString().endsWith(".md"))
          .filter(p -> !isBuildOutput(ROOT.relativize(p)))
          .sorted()
          .toList();
    }
  }

  /** Build output and fetched packages are not the repository's documentation. */
  private static boolean isBuildOutput(Path relative) {
    for (Path part : relative) {
      String name = part.toString();
      if (name.equals("target") || name.equals("node_modules") || name.equals(".git")) {
        return true;
      }
    }
    return false;
  }

  private static String check(Path file, String target) throws IOException {
    if (target.matches("(?i)[a-z][a-z0-9+.-]*:.*")) {
      return "leaves the repository (a web or other URL)";
    }
    int hash = target.indexOf('#');
    String pathPart = hash < 0 ? target : target.substring(0, hash);
    String anchor = hash < 0 ? null : target.substring(hash + 1);
    Path resolved = pathPart.isEmpty() ? file : file.getParent().resolve(pathPart).normalize();
    if (!resolved.startsWith(ROOT)) {
      return "leaves the repository";
    }
    if (!Files.exists(resolved)) {
      return "does not exist";
    }
    if (anchor != null && resolved.toString().endsWith(".md")) {
      List<String> anchors = new ArrayList<>();
      Matcher h = HEADING.matcher(Files.readString(resolved));
      while (h.find()) {
        anchors.add(slug(h.group(1)));
      }
      if (!anchors.contains(anchor)) {
        return "names no heading of " + ROOT.relativize(resolved);
      }
    }
    return null;
  }

  /** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens. */
  static String slug(String heading) {
    return heading
        .toLowerCase(Locale.ROOT)
        .replaceAll("[`*_]", "")
        .replaceAll("[^\\p{L}\\p{N} -]", "")
        .replace(' ', '-');
  }
}
