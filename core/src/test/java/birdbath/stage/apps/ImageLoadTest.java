package birdbath.stage.apps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import birdbath.host.Host;
import birdbath.testing.LocalTestCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `image load` on real local nodes: containerd (Debian's) in each node imports the tarball into its k8s.io
 * namespace once; a second load skips every node; a changed image under the same name is imported again.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ImageLoadTest {

    /** A one-layer image in `docker save` form, named {@code name}, whose file says {@code text}. */
    static Path image(Path dir, String name, String text) throws Exception {
        Path work = Files.createDirectories(dir.resolve("work-" + text.hashCode()));
        Path root = Files.createDirectories(work.resolve("root"));
        Files.writeString(root.resolve("hello.txt"), text);
        Host.check(Duration.ofMinutes(1), "tar", "-cf", work.resolve("layer.tar").toString(), "-C", root.toString(),
                "hello.txt");
        String diffId = sha256(Files.readAllBytes(work.resolve("layer.tar")));
        String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"/hello\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" + diffId + "\"]}}";
        Files.writeString(work.resolve("config.json"), config);
        Files.writeString(work.resolve("manifest.json"), "[{\"Config\":\"config.json\",\"RepoTags\":[\"" + name
                + "\"],\"Layers\":[\"layer.tar\"]}]");
        Path tar = dir.resolve(text + "-image.tar");
        Host.check(Duration.ofMinutes(1), "tar", "-cf", tar.toString(), "-C", work.toString(), "manifest.json",
                "config.json", "layer.tar");
        return tar;
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void theTarballsNameAndDigestAreReadAndAnythingElseIsRefused(@TempDir Path tmp) throws Exception {
        Path tar = image(tmp, "birdbath/test:1", "one");
        ImageTarball t = ImageTarball.read(tar);
        assertThat(t.reference()).isEqualTo("birdbath/test:1");
        assertThat(t.containerdReference()).isEqualTo("docker.io/birdbath/test:1");
        assertThat(t.configDigest()).isEqualTo("sha256:" + sha256(Files.readAllBytes(
                tmp.resolve("work-" + "one".hashCode()).resolve("config.json"))));
        assertThat(new ImageTarball(tar, "postgres:16", "", 0).containerdReference())
                .isEqualTo("docker.io/library/postgres:16");
        assertThat(new ImageTarball(tar, "registry.example.com:5000/x/y:1", "", 0).containerdReference())
                .isEqualTo("registry.example.com:5000/x/y:1");
        Path junk = Files.writeString(tmp.resolve("junk.tar"), "not a tarball at all");
        assertThatThrownBy(() -> ImageTarball.read(junk)).hasMessageContaining("junk.tar is not an image tarball");
    }

    @Test
    void importedOnEveryNodeOnceAndAgainWhenTheImageChanges(@TempDir Path tmp) throws Exception {
        try (LocalTestCluster cluster = new LocalTestCluster("i", "")) {
            Files.writeString(cluster.config, Files.readString(cluster.config).replace("nodes: 3", "nodes: 2"));
            cluster.birdbath().up(List.of("provision", "machine-id", "baseline"), null, false);
            Path one = image(tmp, "birdbath/test:1", "one");

            assertThat(cluster.birdbath().loadImage(one, List.of()))
                    .isEqualTo(Map.of(cluster.node(1), "imported", cluster.node(2), "imported"));
            for (int n = 1; n <= 2; n++) {
                String listed = cluster.run(cluster.node(n), "ctr -n k8s.io images ls");
                assertThat(listed).contains("docker.io/birdbath/test:1")
                        .contains(ImageLoad.LABEL + "=" + ImageTarball.read(one).configDigest());
                assertThat(cluster.run(cluster.node(n), "ls /var/tmp")).doesNotContain("birdbath-image");
            }
            assertThat(cluster.birdbath().loadImage(one, List.of()))
                    .isEqualTo(Map.of(cluster.node(1), "already there", cluster.node(2), "already there"));

            Path two = image(tmp, "birdbath/test:1", "two");
            assertThat(cluster.birdbath().loadImage(two, List.of(cluster.node(2))))
                    .isEqualTo(Map.of(cluster.node(2), "imported"));
            assertThat(cluster.run(cluster.node(2), "ctr -n k8s.io images ls"))
                    .contains(ImageLoad.LABEL + "=" + ImageTarball.read(two).configDigest());
            assertThatThrownBy(() -> cluster.birdbath().loadImage(two, List.of("nope")))
                    .hasMessageContaining("no node nope");
        }
    }
}
