package io.ihsm.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OCI image tarball, run without a container engine: its layers unpacked in order into a root
 * filesystem, and its entrypoint run there as the image's user (chroot, with a /proc of its own)
 * for `--version` and the demo. Needs root (CI runs as root).
 */
class OciImageIT {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  JsonNode blob(Path layout, String digest) throws Exception {
    return JSON.readTree(
        layout.resolve("blobs/sha256/" + digest.substring("sha256:".length())).toFile());
  }

  @Test
  void theImageRunsTheCommandAsItsUserFromItsOwnFilesOnly() throws Exception {
    assumeTrue(
        "root".equals(System.getProperty("user.name")), "chroot needs root (CI runs as root)");
    Path tar = DebianPackageIT.TARGET.resolve("ihsm-image.tar");
    assertThat(tar).exists();
    Path layout = Files.createDirectories(tmp.resolve("layout"));
    assertThat(DebianPackageIT.run("tar", "-xf", tar.toString(), "-C", layout.toString()).code())
        .isZero();

    JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
    JsonNode manifest = blob(layout, index.get("manifests").get(0).get("digest").asText());
    JsonNode config = blob(layout, manifest.get("config").get("digest").asText()).get("config");
    assertThat(config.get("User").asText()).isEqualTo("10001:10001");
    List<String> entrypoint = new ArrayList<>();
    config.get("Entrypoint").forEach(e -> entrypoint.add(e.asText()));
    assertThat(entrypoint.get(0)).isEqualTo("/opt/java/bin/java");
    assertThat(config.get("Cmd").get(0).asText()).isEqualTo("daemon");

    Path root = Files.createDirectories(tmp.resolve("root"));
    for (JsonNode layer : manifest.get("layers")) {
      String digest = layer.get("digest").asText().substring("sha256:".length());
      assertThat(
              DebianPackageIT.run(
                      "tar",
                      "-xzf",
                      layout.resolve("blobs/sha256/" + digest).toString(),
                      "-C",
                      root.toString())
                  .code())
          .isZero();
    }
    assertThat(root.resolve("usr/share/doc/ihsm/bom.json")).exists();
    assertThat(root.resolve("app/libs"))
        .isDirectoryContaining(p -> p.getFileName().toString().startsWith("ihsm-cli"));

    DebianPackageIT.Run version = inImage(root, entrypoint, "--version");
    assertThat(version.code()).as(version.out()).isZero();
    assertThat(version.out()).contains("0.1.0");
    DebianPackageIT.Run demo = inImage(root, entrypoint, "demo");
    assertThat(demo.code()).as(demo.out()).isZero();
  }

  DebianPackageIT.Run inImage(Path root, List<String> entrypoint, String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "unshare",
                "--mount",
                "--pid",
                "--fork",
                "--mount-proc=" + root.resolve("proc"),
                "chroot",
                "--userspec=10001:10001",
                root.toString()));
    cmd.addAll(entrypoint);
    cmd.addAll(List.of(args));
    return DebianPackageIT.run(
        Map.of("IHSM_HOME", "/tmp/ihsm-home", "IHSM_PIN", "image-pin-1234"),
        null,
        cmd.toArray(String[]::new));
  }
}
