package birdbath.haircolor;

import static org.assertj.core.api.Assertions.assertThat;

import birdbath.testkit.Commands;
import birdbath.testkit.ImageRun;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image tarball `mvn package` wrote (Jib, on the offline JRE base) runs: its entrypoint, as its user, in a
 * chroot, answers over HTTP and keeps its history in /data. Not a container runtime (that is `birdbath image
 * load`'s business); this proves the image's contents.
 */
class HaircolorImageIT {

    @TempDir
    Path dir;

    @Test
    void theImageRunsAsItsEntrypointAndServesThePage() throws Exception {
        try (ImageRun image = new ImageRun(Path.of("target/haircolor-image.tar"), dir)) {
            assertThat(image.repoTag).startsWith("birdbath/haircolor:");
            assertThat(image.user()).isEqualTo("65532");
            Files.createDirectories(image.root.resolve("data"));
            Commands.run("chown", "65532:65532", image.root.resolve("data").toString());
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Process p = image.start(Map.of("HAIRCOLOR_PORT", String.valueOf(port), "HAIRCOLOR_ADMIN_TOKEN",
                    "image-test"));
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
                assertThat(p.isAlive()).as(Files.readString(image.log())).isTrue();
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
            assertThat(Files.readString(image.root.resolve("data/history.json"))).contains("#d51f6f");
        }
    }
}
