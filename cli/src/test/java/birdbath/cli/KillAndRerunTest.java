package birdbath.cli;

import birdbath.host.Host;

import static org.assertj.core.api.Assertions.assertThat;

import birdbath.sim.LinodeSim;
import birdbath.sim.SimOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * `up` killed (SIGKILL) after a random number of API requests, then run again: the cluster converges with no
 * duplicate and no orphaned instance, volume, record, firewall or VPC.
 */
class KillAndRerunTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void killedUpConvergesOnRerun(long seed) throws Exception {
        try (LinodeSim sim = LinodeSim.start(SimOptions.defaults().withBootMs(300).withLatencyMs(15)
                .withDomains(List.of("example.com")))) {
            Map<String, String> env = Map.of("LINODE_API_URL", sim.baseUrl(), "LINODE_TOKEN", "tok-kill");
            Files.writeString(dir.resolve("birdbath.yaml"),
                    "cluster:\n  name: demo\n  nodes: 4\n  domain: example.com\n");
            // a full `up` of 4 nodes takes about 33 requests; kill somewhere in the first 25
            int killAfter = 1 + new Random(seed).nextInt(25);
            Process up = CliProcess.start(dir, env, "up", "--only", "provision");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (sim.stats().total() < killAfter && up.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            assertThat(up.isAlive()).as("up still running when killed after %d requests", killAfter).isTrue();
            up.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

            Host.Result rerun = CliProcess.run(dir, env, "up", "--only", "provision");
            assertThat(rerun.exit()).as("killed after %d requests; rerun said:%n%s%s", killAfter, rerun.out(),
                    rerun.err()).isZero();
            assertThat(CliProcess.run(dir, env, "plan", "--exit-code").exit()).isZero();

            JsonNode instances = get(sim, "/linode/instances");
            JsonNode volumes = get(sim, "/volumes");
            assertThat(labels(instances)).containsExactlyInAnyOrder("demo-1", "demo-2", "demo-3", "demo-4");
            assertThat(labels(volumes)).containsExactlyInAnyOrder("demo-1", "demo-2", "demo-3", "demo-4");
            Set<Long> instanceIds = new HashSet<>(instances.findValuesAsText("id").stream().map(Long::valueOf).toList());
            for (JsonNode v : volumes.path("data")) {
                assertThat(instanceIds).as("volume %s attached to a cluster instance", v.get("label"))
                        .contains(v.get("linode_id").asLong());
            }
            long domain = get(sim, "/domains").at("/data/0/id").asLong();
            assertThat(get(sim, "/domains/" + domain + "/records").path("data").findValuesAsText("name"))
                    .containsExactlyInAnyOrder("demo-1", "demo-2", "demo-3", "demo-4", "demo-api");
            assertThat(sim.counts()).containsEntry("firewalls", 1).containsEntry("vpcs", 1);
        }
    }

    private static List<String> labels(JsonNode list) {
        return list.path("data").findValuesAsText("label");
    }

    private static JsonNode get(LinodeSim sim, String path) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(sim.baseUrl() + path + "?page_size=500"))
                .header("Authorization", "Bearer tok-kill").build();
        return JSON.readTree(HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.ofString()).body());
    }
}
