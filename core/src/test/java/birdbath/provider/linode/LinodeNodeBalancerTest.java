package birdbath.provider.linode;

import static org.assertj.core.api.Assertions.assertThat;

import birdbath.Birdbath;
import birdbath.plan.Plan;
import birdbath.provider.Node;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API's NodeBalancer against linode-sim over real HTTP: made with three control-plane nodes (TCP 6443, a
 * connection check, the control-plane nodes' private addresses as backends, inside the cluster's firewall, the
 * API's name pointing at it), left alone by a second `up`, its backends corrected when one is wrong, gone with
 * one control-plane node and with `down`.
 */
class LinodeNodeBalancerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> PROVISION = List.of("provision");
    private static final String HA = "kubernetes:\n  control_plane: 3\n";

    @TempDir
    Path dir;


    private static String apiRecord(SimFixture f) throws Exception {
        long domain = f.api("GET", "/domains", null).at("/data/0/id").asLong();
        for (JsonNode r : f.api("GET", "/domains/" + domain + "/records?page_size=500", null).path("data")) {
            if (r.get("name").asText().equals("demo-api")) {
                return r.get("target").asText();
            }
        }
        return null;
    }

    private static List<String> backends(SimFixture f, long balancer, long config) throws Exception {
        List<String> out = new ArrayList<>();
        f.api("GET", "/nodebalancers/" + balancer + "/configs/" + config + "/nodes", null).path("data")
                .forEach(n -> out.add(n.get("label").asText() + " " + n.get("address").asText()));
        return out;
    }

    @Test
    void threeApiServersGetANodeBalancerOverTheirVpcAddressesThatASecondUpLeavesAlone() throws Exception {
        try (SimFixture f = new SimFixture(dir)) {
            Birdbath b = f.birdbath(f.config("demo", 4, HA));
            Plan plan = b.plan();
            assertThat(plan.render()).containsPattern("\\+ nodebalancer +demo-api +TCP").contains("TCP 6443 to demo-1 10.42.0.2, demo-2"
                    + " 10.42.0.3, demo-3 10.42.0.4, connection check");
            // four g6-standard-2 at $24, four 20 GB volumes at $0.10 a GB, and the NodeBalancer's $10
            assertThat(plan.monthlyAfter()).isEqualTo(4 * 24 + 4 * 20 * 0.1 + 10, org.assertj.core.data.Offset.offset(0.001));
            List<Node> nodes = b.up(PROVISION, null, false);

            JsonNode balancer = f.api("GET", "/nodebalancers", null).at("/data/0");
            long id = balancer.get("id").asLong();
            assertThat(balancer.get("label").asText()).isEqualTo("demo-api");
            assertThat(apiRecord(f)).as("the API's name").isEqualTo(balancer.get("ipv4").asText());
            JsonNode config = f.api("GET", "/nodebalancers/" + id + "/configs", null).at("/data/0");
            assertThat(config.get("port").asInt()).isEqualTo(6443);
            assertThat(config.get("protocol").asText()).isEqualTo("tcp");
            assertThat(config.get("check").asText()).isEqualTo("connection");
            assertThat(backends(f, id, config.get("id").asLong())).containsExactly(
                    "demo-1 " + nodes.get(0).privateIp() + ":6443", "demo-2 " + nodes.get(1).privateIp() + ":6443",
                    "demo-3 " + nodes.get(2).privateIp() + ":6443");
            // its block of the subnet is birdbath's choice, far above where nodes are planned
            assertThat(f.api("GET", "/nodebalancers/" + id + "/vpcs", null).at("/data/0/ipv4_range").asText())
                    .isEqualTo("10.42.0.248/30");
            long fw = f.api("GET", "/networking/firewalls", null).at("/data/0/id").asLong();
            assertThat(f.api("GET", "/nodebalancers/" + id + "/firewalls", null).at("/data/0/id").asLong())
                    .isEqualTo(fw);

            f.sim.stats().reset();
            b.up(PROVISION, null, false);
            assertThat(f.sim.stats().mutating()).isEmpty();
            assertThat(b.plan().isEmpty()).isTrue();

            // a backend removed by hand comes back with the next `up`, the others untouched
            long configId = config.get("id").asLong();
            JsonNode first = f.api("GET", "/nodebalancers/" + id + "/configs/" + configId + "/nodes", null)
                    .at("/data/0");
            f.api("DELETE", "/nodebalancers/" + id + "/configs/" + configId + "/nodes/" + first.get("id").asLong(),
                    null);
            List<Long> before = new ArrayList<>();
            f.api("GET", "/nodebalancers/" + id + "/configs/" + configId + "/nodes", null).path("data")
                    .forEach(n -> before.add(n.get("id").asLong()));
            b.up(PROVISION, null, false);
            assertThat(backends(f, id, configId)).hasSize(3).contains("demo-1 " + nodes.get(0).privateIp() + ":6443");
            List<Long> after = new ArrayList<>();
            f.api("GET", "/nodebalancers/" + id + "/configs/" + configId + "/nodes", null).path("data")
                    .forEach(n -> after.add(n.get("id").asLong()));
            assertThat(after).containsAll(before);

            assertThat(b.downListing()).contains("nodebalancer demo-api (" + balancer.get("ipv4").asText() + ")");
            b.down();
            assertThat(f.sim.counts()).containsEntry("nodebalancers", 0).containsEntry("vpcs", 0);
        }
    }

    @Test
    void withPrivateIpsTheBackendsAreTheLegacyAddressesAndTheFirewallLetsTheBalancerIn() throws Exception {
        try (SimFixture f = new SimFixture(dir)) {
            Birdbath b = f.birdbath(f.config("demo", 3, HA + "networking:\n  mode: private-ip\n"
                    + "  allowed_cidrs: [198.51.100.7/32]\n"));
            List<Node> nodes = b.up(PROVISION, null, false);
            long id = f.api("GET", "/nodebalancers", null).at("/data/0/id").asLong();
            long configId = f.api("GET", "/nodebalancers/" + id + "/configs", null).at("/data/0/id").asLong();
            assertThat(backends(f, id, configId)).containsExactly("demo-1 " + nodes.get(0).privateIp() + ":6443",
                    "demo-2 " + nodes.get(1).privateIp() + ":6443", "demo-3 " + nodes.get(2).privateIp() + ":6443");
            long fw = f.api("GET", "/networking/firewalls", null).at("/data/0/id").asLong();
            JsonNode rule = null;
            for (JsonNode r : f.api("GET", "/networking/firewalls/" + fw + "/rules", null).path("inbound")) {
                if (r.get("label").asText().equals("kube-api-nodebalancer")) {
                    rule = r;
                }
            }
            assertThat(rule).as("the NodeBalancer's way in").isNotNull();
            assertThat(rule.get("ports").asText()).isEqualTo("6443");
            assertThat(rule.at("/addresses/ipv4").toString()).isEqualTo("[\"192.168.255.0/24\"]");
        }
    }

    /** Found by its label but without the cluster's tag: someone else's, refused by name, never touched. */
    @Test
    void aNodeBalancerBirdbathDidNotMakeIsNeitherAdoptedNorRemoved() throws Exception {
        try (SimFixture f = new SimFixture(dir)) {
            f.api("POST", "/nodebalancers", "{\"region\":\"us-east\",\"label\":\"demo-api\"}");
            Birdbath b = f.birdbath(f.config("demo", 3, HA));
            org.assertj.core.api.Assertions.assertThatThrownBy(b::plan)
                    .hasMessageContaining("a NodeBalancer labelled demo-api exists without the tag birdbath-demo");
            f.birdbath(f.config("demo", 3, "")).down();
            assertThat(f.sim.counts()).containsEntry("nodebalancers", 1);
        }
    }

    @Test
    void oneApiServerHasNoNodeBalancerAndTheNameGoesBackToNodeOne() throws Exception {
        try (SimFixture f = new SimFixture(dir)) {
            f.birdbath(f.config("demo", 3, HA)).up(PROVISION, null, false);
            assertThat(f.sim.counts()).containsEntry("nodebalancers", 1);
            Birdbath single = f.birdbath(f.config("demo", 3, ""));
            List<Node> nodes = single.up(PROVISION, null, false);
            assertThat(f.sim.counts()).containsEntry("nodebalancers", 0);
            assertThat(apiRecord(f)).isEqualTo(nodes.get(0).publicIp());
            long fw = f.api("GET", "/networking/firewalls", null).at("/data/0/id").asLong();
            assertThat(f.api("GET", "/networking/firewalls/" + fw + "/rules", null).toString())
                    .doesNotContain("kube-api-nodebalancer");
        }
    }
}
