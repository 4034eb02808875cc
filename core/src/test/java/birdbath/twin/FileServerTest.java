package birdbath.twin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The twin's download server: the longest mounted prefix wins, and nothing outside a mount is served. */
class FileServerTest {

    @Test
    void servesFilesUnderTheLongestPrefixAndNothingOutside(@TempDir Path dir) throws Exception {
        Path repo = Files.createDirectories(dir.resolve("repo"));
        Path releases = Files.createDirectories(dir.resolve("releases"));
        Files.writeString(repo.resolve("Packages"), "from the mirror");
        Files.writeString(releases.resolve("etcd.tar.gz"), "a release");
        Files.writeString(dir.resolve("secret"), "outside");
        HttpClient http = HttpClient.newHttpClient();
        try (FileServer server = new FileServer("127.0.0.1")) {
            server.mount("/", releases);
            server.mount("/debian/", repo);
            assertThat(get(http, server.url() + "/debian/Packages")).isEqualTo("200 from the mirror");
            assertThat(get(http, server.url() + "/etcd.tar.gz")).isEqualTo("200 a release");
            assertThat(get(http, server.url() + "/debian/../../secret")).startsWith("404");
            assertThat(get(http, server.url() + "/%2e%2e/secret")).startsWith("404");
            assertThat(get(http, server.url() + "/missing")).startsWith("404");
        }
    }

    private static String get(HttpClient http, String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }
}
