package birdbath.haircolor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import birdbath.testkit.Commands;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image tarball `mvn package` wrote (Jib, on the offline JRE base) runs: its layers unpacked in order, its
 * entrypoint started with its environment and user in a chroot with its own /proc, and it answers over HTTP.
 * Not a container runtime (that is `birdbath image load`'s business); this proves the image's contents.
 */
class HaircolorImageIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void theImageRunsAsItsEntrypointAndServesThePage() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root (chroot, unshare)");
        Path tar = Path.of("target/haircolor-image.tar");
        assertThat(tar).exists();
        Path image = Files.createDirectories(dir.resolve("image"));
        Commands.run("tar", "-xf", tar.toString(), "-C", image.toString());
        JsonNode manifest = JSON.readTree(image.resolve("manifest.json").toFile()).get(0);
        assertThat(manifest.path("RepoTags").get(0).asText()).startsWith("birdbath/haircolor:");
        Path root = Files.createDirectories(dir.resolve("rootfs"));
        // the image's user must be able to walk its own root (JUnit's temp dirs are 0700)
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(root, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        for (JsonNode layer : manifest.path("Layers")) {
            Commands.run("tar", "--warning=no-unknown-keyword", "-xzf", image.resolve(layer.asText()).toString(), "-C",
                    root.toString());
        }
        JsonNode config = JSON.readTree(image.resolve(manifest.path("Config").asText()).toFile()).path("config");
        assertThat(config.path("User").asText()).isEqualTo("65532");
        Files.createDirectories(root.resolve("proc"));
        Files.createDirectories(root.resolve("dev"));
        Files.createDirectories(root.resolve("data"));
        Commands.run("chown", "65532:65532", root.resolve("data").toString());

        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of("unshare", "--mount", "--pid", "--fork", "--kill-child",
                "--mount-proc=" + root.resolve("proc"), "sh", "-c",
                "mount --rbind /dev \"$0/dev\" && shift && exec env -i \"$@\"", root.toString()));
        config.path("Env").forEach(e -> cmd.add(e.asText()));
        cmd.addAll(List.of("HAIRCOLOR_PORT=" + port, "HAIRCOLOR_ADMIN_TOKEN=image-test", "/usr/sbin/chroot",
                "--userspec=65532:65532", root.toString()));
        // as a container runtime does: the entrypoint's program looked up on the image's own PATH
        List<String> entrypoint = new ArrayList<>();
        config.path("Entrypoint").forEach(e -> entrypoint.add(e.asText()));
        String path = "";
        for (JsonNode e : config.path("Env")) {
            if (e.asText().startsWith("PATH=")) {
                path = e.asText().substring(5);
            }
        }
        String program = entrypoint.get(0);
        for (String d : path.split(":")) {
            if (!program.contains("/") && Files.isExecutable(root.resolve(d.substring(1)).resolve(program))) {
                program = d + "/" + program;
            }
        }
        cmd.add(program);
        cmd.addAll(entrypoint.subList(1, entrypoint.size()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile())
                .start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + port;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try {
                    if (http.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                        break;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                assertThat(p.isAlive()).as(Files.readString(dir.resolve("out.log"))).isTrue();
                assertThat(System.nanoTime()).as("the image's service answers within 60 s").isLessThan(deadline);
                Thread.sleep(200);
            }
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(base + "/api/color"))
                    .header("Authorization", "Bearer image-test")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"background\": \"#D51F6F\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).isEqualTo(200);
            assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).contains("background: #d51f6f;");
            assertThat(Files.readString(root.resolve("data/history.json"))).contains("#d51f6f");
        } finally {
            // the service is PID 1 of its PID namespace: ending it ends the namespace; it runs as another user, so
            // unshare's --kill-child (a parent-death signal) no longer reaches it
            p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
