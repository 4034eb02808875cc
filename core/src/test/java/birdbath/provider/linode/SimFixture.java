package birdbath.provider.linode;

import static org.assertj.core.api.Assertions.assertThat;

import birdbath.Birdbath;
import birdbath.Reporter;
import birdbath.linode.ApiSettings;
import birdbath.sim.LinodeSim;
import birdbath.sim.SimOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A simulator on loopback with one domain, and birdbath pointed at it with a token unique to the test. */
final class SimFixture implements AutoCloseable {

    static final ApiSettings FAST = ApiSettings.defaults()
            .withBackoff(Duration.ofMillis(10), Duration.ofMillis(200)).withPollInterval(Duration.ofMillis(50));

    final String token = "tok-" + UUID.randomUUID();
    final LinodeSim sim;
    final Path dir;
    final List<String> output = Collections.synchronizedList(new ArrayList<>());

    SimFixture(Path dir, SimOptions options) throws IOException {
        this(dir, options, birdbath.sim.NodeBackend.NONE);
    }

    /** With {@code backend} behind the account (such as one that records what the machines would be given). */
    SimFixture(Path dir, SimOptions options, birdbath.sim.NodeBackend backend) throws IOException {
        this.dir = dir;
        this.sim = LinodeSim.start(options.withBootMs(200).withDomains(List.of("example.com")), backend);
    }

    SimFixture(Path dir) throws IOException {
        this(dir, SimOptions.defaults());
    }

    Map<String, String> env() {
        return Map.of("LINODE_API_URL", sim.baseUrl(), "LINODE_TOKEN", token);
    }

    Path config(String name, int nodes, String extra) throws IOException {
        Path clusterDir = dir.resolve(name);
        Files.createDirectories(clusterDir);
        Path file = clusterDir.resolve("birdbath.yaml");
        Files.writeString(file, "provider: linode\ncluster:\n  name: " + name + "\n  nodes: " + nodes
                + "\n  domain: example.com\n" + extra);
        return file;
    }

    Birdbath birdbath(Path config) {
        return new Birdbath(config, env(), reporter(), FAST);
    }

    /** Reads or changes the simulator's account directly, as a second opinion on what birdbath did. */
    JsonNode api(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(sim.baseUrl() + path))
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(200);
        return new ObjectMapper().readTree(r.body());
    }

    Reporter reporter() {
        return Reporter.into(output::add);
    }

    @Override
    public void close() {
        sim.close();
    }
}
