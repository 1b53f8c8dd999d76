package io.ihsm.ddi.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Reads Project Wycheproof vectors in place from {@code ../shared/test-vectors/wycheproof} (or
 * {@code $IHSM_TEST_VECTORS/wycheproof}); they are never copied into the project. Tests that need
 * them are skipped, with the reason, when the folder is absent.
 */
public final class Wycheproof {
  private Wycheproof() {}

  /** One test case with its group. */
  public record Case(JsonNode group, JsonNode test) {
    public int id() {
      return test.get("tcId").asInt();
    }

    public String result() {
      return test.get("result").asText();
    }

    public boolean valid() {
      return result().equals("valid");
    }

    public boolean acceptable() {
      return result().equals("acceptable");
    }

    public byte[] hex(String field) {
      return HexFormat.of().parseHex(test.get(field).asText());
    }

    public byte[] groupHex(String field) {
      return HexFormat.of().parseHex(group.get(field).asText());
    }

    @Override
    public String toString() {
      return "tcId " + id() + " (" + result() + ", " + test.get("comment").asText() + ")";
    }
  }

  public static Optional<Path> directory() {
    String env = System.getenv("IHSM_TEST_VECTORS");
    Path base =
        env != null
            ? Path.of(env)
            : Path.of(System.getProperty("ihsm.project.root", ".."))
                .resolve("../shared/test-vectors");
    Path dir = base.resolve("wycheproof");
    return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
  }

  /** All cases of a file; skips the calling test (with the reason) when the vectors are absent. */
  public static List<Case> cases(String file) throws IOException {
    Optional<Path> dir = directory();
    Assumptions.assumeTrue(
        dir.isPresent(),
        "Wycheproof vectors not found: set IHSM_TEST_VECTORS or provide ../shared/test-vectors/wycheproof");
    Path p = dir.get().resolve(file);
    Assumptions.assumeTrue(Files.exists(p), file + " is not among the shared test vectors");
    JsonNode root = new ObjectMapper().readTree(p.toFile());
    List<Case> all = new ArrayList<>();
    for (JsonNode g : root.get("testGroups")) {
      for (JsonNode t : g.get("tests")) {
        all.add(new Case(g, t));
      }
    }
    return all;
  }
}
