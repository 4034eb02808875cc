package birdbath.provider.linode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import birdbath.Birdbath;
import birdbath.BirdbathException;
import birdbath.sim.NodeBackend;
import birdbath.sim.SimOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No trust on first use on Linode: each new instance is created with a host key of birdbath's making in its
 * user data (a cloud-config for the image's cloud-init), whose public half is pinned in .birdbath/known_hosts
 * before the create request, and whose private half is kept nowhere. Against linode-sim with a backend that
 * records what each machine is given (what the real-node twin applies, see LinodeTwinTest).
 */
class LinodeHostKeysTest {

    private static final List<String> PROVISION = List.of("provision");

    @TempDir
    Path dir;

    /** NONE's behaviour, keeping the last account the simulator handed over. */
    static final class Recording implements NodeBackend {
        volatile Account last;

        public List<String> publicPools() {
            return NONE.publicPools();
        }

        public String privateRange() {
            return NONE.privateRange();
        }

        public int privatePrefix() {
            return NONE.privatePrefix();
        }

        public String vpcSubnetProblem(String cidr) {
            return NONE.vpcSubnetProblem(cidr);
        }

        public void sync(Account account) {
            last = account;
        }

        public String status(long linodeId) {
            return null;
        }

        public void close() { }

        Map<String, Machine> machines() {
            Map<String, Machine> byLabel = new HashMap<>();
            last.machines().forEach(m -> byLabel.put(m.label(), m));
            return byLabel;
        }
    }

    @Test
    void eachNewInstanceGetsAHostKeyPinnedBeforeItsCreationAndARecreatedOneANewKey() throws Exception {
        Recording backend = new Recording();
        try (SimFixture f = new SimFixture(dir, SimOptions.defaults(), backend)) {
            Path config = f.config("demo", 2, "");
            Birdbath b = f.birdbath(config);
            b.up(PROVISION, null, false);
            Path knownHosts = config.getParent().resolve(".birdbath/known_hosts");
            Map<String, String> pins = pins(knownHosts);
            for (String node : List.of("demo-1", "demo-2")) {
                NodeBackend.Machine m = backend.machines().get(node);
                JsonNode cloudConfig = cloudConfig(m.userData());
                assertThat(cloudConfig.path("ssh_deletekeys").asBoolean()).isTrue();
                List<String> keys = fieldNames(cloudConfig.path("ssh_keys"));
                assertThat(keys).containsExactlyInAnyOrder("ecdsa_private", "ecdsa_public");
                String pub = cloudConfig.at("/ssh_keys/ecdsa_public").asText();
                assertThat(pins).containsEntry(node, pub);
                // the private key is the pinned key's other half
                KeyPair pair = privateKey(cloudConfig.at("/ssh_keys/ecdsa_private").asText());
                assertThat(PublicKeyEntry.toString(pair.getPublic())).isEqualTo(pub);
            }
            assertThat(pins.get("demo-1")).isNotEqualTo(pins.get("demo-2"));
            // write-only in the API: an instance shows only that it has user data
            JsonNode listed = f.api("GET", "/linode/instances", null).path("data");
            listed.forEach(i -> {
                assertThat(i.path("has_user_data").asBoolean()).isTrue();
                assertThat(i.has("user_data")).isFalse();
            });
            // kept nowhere: no private key under .birdbath but birdbath's own, none in the output
            try (Stream<Path> files = Files.walk(config.getParent().resolve(".birdbath"))) {
                for (Path p : files.filter(Files::isRegularFile).toList()) {
                    if (!p.endsWith("ssh/id_ecdsa")) {
                        assertThat(Files.readString(p)).as(p.toString()).doesNotContain("PRIVATE KEY");
                    }
                }
            }
            assertThat(String.join("\n", f.output)).doesNotContain("PRIVATE KEY").doesNotContain("user_data");

            // a node removed behind birdbath's back comes back with a new key, pinned the same way
            long id = listed.get(1).path("id").asLong();
            String label = listed.get(1).path("label").asText();
            f.api("DELETE", "/linode/instances/" + id, null);
            b.up(PROVISION, null, false);
            Map<String, String> after = pins(knownHosts);
            assertThat(after.get(label)).isNotEqualTo(pins.get(label)).isEqualTo(
                    cloudConfig(backend.machines().get(label).userData()).at("/ssh_keys/ecdsa_public").asText());
        }
    }

    @Test
    void anImageWithoutCloudInitIsRefusedBeforeAnythingIsMade() throws Exception {
        try (SimFixture f = new SimFixture(dir)) {
            Path config = f.config("demo", 2, "linode:\n  image: linode/slackware15.0\n");
            f.sim.stats().reset();
            assertThatThrownBy(() -> f.birdbath(config).up(PROVISION, null, false))
                    .isInstanceOf(BirdbathException.class)
                    .hasMessageContaining(config + ": linode.image: 'linode/slackware15.0' has no cloud-init")
                    .hasMessageNotContaining("\n");
            assertThat(f.sim.stats().mutating()).isEmpty();
        }
    }

    private static JsonNode cloudConfig(String userData) throws Exception {
        assertThat(userData).startsWith("#cloud-config\n");
        return new YAMLMapper().readTree(userData);
    }

    private static KeyPair privateKey(String openSsh) throws Exception {
        var pairs = SecurityUtils.loadKeyPairIdentities(null, () -> "user data",
                new ByteArrayInputStream(openSsh.getBytes(StandardCharsets.US_ASCII)), null);
        return pairs.iterator().next();
    }

    private static Map<String, String> pins(Path knownHosts) throws Exception {
        Map<String, String> pins = new HashMap<>();
        for (String line : Files.readAllLines(knownHosts)) {
            String[] parts = line.split(" ", 2);
            if (!line.startsWith("#") && parts.length == 2) {
                pins.put(parts[0], parts[1]);
            }
        }
        return pins;
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
