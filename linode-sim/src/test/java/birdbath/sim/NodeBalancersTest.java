package birdbath.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * NodeBalancers over real HTTP, against the facts in docs/upstream/linode-nodebalancer-api.md: the live API's
 * defaults and shapes, its recorded error texts (address format, http_cookie with tcp, missing label), the spec's
 * rules (unique port, check_interval above check_timeout, private backends, one NodeBalancer per firewall),
 * rebuild's update/create/delete of nodes, and the cascade on delete.
 */
class NodeBalancersTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private LinodeSim sim;

    private SimHttp api() {
        return new SimHttp(sim);
    }

    @BeforeEach
    void start() throws Exception {
        sim = LinodeSim.start(SimOptions.defaults().withBootMs(0));
    }

    @AfterEach
    void stop() {
        sim.close();
    }



    /** The one error of a 400, as "field: reason". */
    private String refused(String method, String path, String body) throws Exception {
        HttpResponse<String> r = api().call(method, path, body, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode e = JSON.readTree(r.body()).get("errors").get(0);
        return e.path("field").asText("") + ": " + e.get("reason").asText();
    }

    /** Two instances with legacy private addresses (192.168.128.0/17 in the simulator without machines). */
    private List<String> privateAddresses() throws Exception {
        List<String> out = new ArrayList<>();
        for (String label : List.of("cp-1", "cp-2")) {
            JsonNode i = api().ok("POST", "/linode/instances", "{\"type\":\"g6-nanode-1\",\"region\":\"us-east\","
                    + "\"image\":\"linode/debian12\",\"label\":\"" + label + "\",\"private_ip\":true,"
                    + "\"root_pass\":\"Correct-Horse-9-battery\"}");
            out.add(i.get("ipv4").get(1).asText());
        }
        return out;
    }

    private static String apiBalancer(List<String> backends, String extra) {
        StringBuilder nodes = new StringBuilder();
        for (int i = 0; i < backends.size(); i++) {
            nodes.append(i == 0 ? "" : ",").append("{\"label\":\"cp-").append(i + 1).append("\",\"address\":\"")
                    .append(backends.get(i)).append(":6443\"}");
        }
        return "{\"region\":\"us-east\",\"label\":\"demo-api\",\"tags\":[\"birdbath-demo\"]" + extra
                + ",\"configs\":[{\"port\":6443,\"protocol\":\"tcp\",\"check\":\"connection\",\"check_interval\":10,"
                + "\"check_timeout\":5,\"check_attempts\":3,\"nodes\":[" + nodes + "]}]}";
    }

    @Test
    void createsWithInlineConfigAndNodesWithTheLiveApisShapesAndDefaults() throws Exception {
        List<String> backends = privateAddresses();
        JsonNode b = api().ok("POST", "/nodebalancers", apiBalancer(backends, ""));
        long id = b.get("id").asLong();
        assertThat(b.has("configs")).as("the create response carries no configs").isFalse();
        assertThat(b.get("hostname").asText()).isEqualTo(b.get("ipv4").asText().replace('.', '-')
                + ".ip.linodeusercontent.com");
        assertThat(b.get("client_conn_throttle").asInt()).isZero();
        assertThat(b.get("transfer").get("total").isNull()).isTrue();
        JsonNode configs = api().ok("GET", "/nodebalancers/" + id + "/configs", null);
        assertThat(configs.get("results").asInt()).isEqualTo(1);
        JsonNode c = configs.get("data").get(0);
        assertThat(c.get("port").asInt()).isEqualTo(6443);
        assertThat(c.get("algorithm").asText()).isEqualTo("roundrobin");
        assertThat(c.get("stickiness").asText()).isEqualTo("none");
        assertThat(c.get("check_passive").asBoolean()).isTrue();
        assertThat(c.get("cipher_suite").asText()).isEqualTo("recommended");
        assertThat(c.has("nodes")).as("config responses never carry nodes").isFalse();
        JsonNode nodes = api().ok("GET", "/nodebalancers/" + id + "/configs/" + c.get("id").asLong() + "/nodes", null);
        assertThat(nodes.get("data")).extracting(n -> n.get("address").asText())
                .containsExactly(backends.get(0) + ":6443", backends.get(1) + ":6443");
        JsonNode n = nodes.get("data").get(0);
        assertThat(n.get("weight").asInt()).isEqualTo(50);
        assertThat(n.get("mode").asText()).isEqualTo("accept");
        assertThat(n.get("status").asText()).isEqualTo("Unknown");
        assertThat(n.get("vpc_config_id").isNull()).isTrue();
        // filterable by label, and a config is found only under its own NodeBalancer
        HttpResponse<String> filtered = api().call("GET", "/nodebalancers", null, "{\"label\":\"demo-api\"}");
        assertThat(JSON.readTree(filtered.body()).get("results").asInt()).isEqualTo(1);
        assertThat(api().call("GET", "/nodebalancers/" + (id + 100000) + "/configs/" + c.get("id").asLong(), null, null)
                .statusCode()).isEqualTo(404);
    }

    @Test
    void refusesWhatTheApiRefusesNamingTheField() throws Exception {
        List<String> backends = privateAddresses();
        // the live API's own wording (linode-cloud-controller-manager#160, Cloud Manager's e2e test)
        assertThat(refused("POST", "/nodebalancers", apiBalancer(List.of(backends.get(0)), "").replace(":6443\"}",
                "\"}"))).isEqualTo("configs[0].nodes[0].address: Must be in address:port format");
        assertThat(refused("POST", "/nodebalancers", apiBalancer(backends, "").replace("\"check\":",
                "\"stickiness\":\"http_cookie\",\"check\":")))
                .isEqualTo("configs[0].stickiness: Stickiness http_cookie requires protocol 'http' or 'https'");
        assertThat(refused("POST", "/nodebalancers", apiBalancer(backends, "").replace("{\"label\":\"cp-1\",", "{")))
                .isEqualTo("configs[0].nodes[0].label: label is required");
        // the spec's rules
        assertThat(refused("POST", "/nodebalancers", apiBalancer(List.of("198.51.100.7"), "")))
                .isEqualTo("configs[0].nodes[0].address: Must be a private IPv4 address");
        assertThat(refused("POST", "/nodebalancers", apiBalancer(backends, "").replace("\"check_interval\":10",
                "\"check_interval\":5"))).isEqualTo("configs[0].check_interval: Must be greater than check_timeout");
        assertThat(refused("POST", "/nodebalancers", apiBalancer(backends, "").replace("\"region\":\"us-east\"",
                "\"region\":\"mars-1\""))).isEqualTo("region: region is not valid");
        assertThat(refused("POST", "/nodebalancers", apiBalancer(backends, "").replace("demo-api", "demo.api")))
                .startsWith("label: ");
        assertThat(refused("POST", "/nodebalancers", apiBalancer(backends, "").replace("\"check\":",
                "\"algorithm\":\"ring_hash\",\"check\":")))
                .isEqualTo("configs[0].algorithm: Algorithm ring_hash is not available for protocol tcp");
        assertThat(sim.counts()).as("nothing kept from a refused create").containsEntry("nodebalancers", 0);
        api().ok("POST", "/nodebalancers", apiBalancer(backends, ""));
        assertThat(refused("POST", "/nodebalancers", apiBalancer(backends, "")))
                .isEqualTo("label: Label must be unique among your NodeBalancers");
        long id = JSON.readTree(api().call("GET", "/nodebalancers", null, null).body()).get("data").get(0).get("id").asLong();
        assertThat(refused("POST", "/nodebalancers/" + id + "/configs", "{\"port\":6443,\"protocol\":\"tcp\"}"))
                .isEqualTo("port: Port 6443 is already in use");
        assertThat(sim.counts()).containsEntry("nodebalancers", 1);
    }

    @Test
    void rebuildUpdatesNamedNodesCreatesNewOnesAndDeletesTheRest() throws Exception {
        List<String> backends = privateAddresses();
        long id = api().ok("POST", "/nodebalancers", apiBalancer(backends, "")).get("id").asLong();
        String configs = "/nodebalancers/" + id + "/configs";
        long configId = api().ok("GET", configs, null).get("data").get(0).get("id").asLong();
        JsonNode before = api().ok("GET", configs + "/" + configId + "/nodes", null).get("data");
        long kept = before.get(1).get("id").asLong();
        JsonNode rebuilt = api().ok("POST", configs + "/" + configId + "/rebuild", "{\"port\":6443,\"protocol\":\"tcp\","
                + "\"check\":\"connection\",\"check_interval\":10,\"check_timeout\":5,\"nodes\":[{\"id\":" + kept
                + ",\"weight\":100},{\"label\":\"cp-3\",\"address\":\"" + backends.get(0) + ":7443\"}]}");
        assertThat(rebuilt.has("nodes")).isFalse();
        JsonNode after = api().ok("GET", configs + "/" + configId + "/nodes", null).get("data");
        assertThat(after).extracting(n -> n.get("label").asText() + " " + n.get("weight").asInt())
                .containsExactly("cp-2 100", "cp-3 50");
        assertThat(after.get(0).get("id").asLong()).isEqualTo(kept);
    }

    @Test
    void oneNodeBalancerPerFirewallAndDeleteTakesConfigsNodesAndTheDeviceAlong() throws Exception {
        List<String> backends = privateAddresses();
        long fw = api().ok("POST", "/networking/firewalls", "{\"label\":\"demo-fw\",\"rules\":{\"inbound_policy\":\"DROP\","
                + "\"outbound_policy\":\"ACCEPT\"}}").get("id").asLong();
        long id = api().ok("POST", "/nodebalancers", apiBalancer(backends, ",\"firewall_id\":" + fw)).get("id").asLong();
        assertThat(api().ok("GET", "/nodebalancers/" + id + "/firewalls", null).get("data").get(0).get("id").asLong())
                .isEqualTo(fw);
        assertThat(api().ok("GET", "/networking/firewalls/" + fw + "/devices", null).get("data").get(0).get("entity")
                .get("type").asText()).isEqualTo("nodebalancer");
        assertThat(refused("POST", "/nodebalancers", apiBalancer(backends, ",\"firewall_id\":" + fw)
                .replace("demo-api", "other-api")))
                .isEqualTo("firewall_id: Only one NodeBalancer can be assigned to a Firewall at a time");
        long configId = api().ok("GET", "/nodebalancers/" + id + "/configs", null).get("data").get(0).get("id").asLong();
        api().ok("DELETE", "/nodebalancers/" + id, null);
        assertThat(api().call("GET", "/nodebalancers/" + id + "/configs/" + configId, null, null).statusCode())
                .isEqualTo(404);
        assertThat(api().ok("GET", "/networking/firewalls/" + fw + "/devices", null).get("results").asInt()).isZero();
        assertThat(sim.counts()).containsEntry("nodebalancers", 0).containsEntry("instances", 2);
    }

    /** VPC backends (live since 2025-06-30): a block of the subnet for the NodeBalancer, nodes named by subnet_id. */
    @Test
    void vpcBackendsTakeABlockOfTheSubnetAndMustLieInIt() throws Exception {
        JsonNode vpc = api().ok("POST", "/vpcs", "{\"label\":\"demo-vpc\",\"region\":\"us-east\",\"subnets\":[{\"label\":"
                + "\"nodes\",\"ipv4\":\"10.0.0.0/24\"}]}");
        long subnet = vpc.get("subnets").get(0).get("id").asLong();
        String body = "{\"region\":\"us-east\",\"label\":\"demo-api\",\"vpcs\":[{\"subnet_id\":" + subnet + "}],"
                + "\"configs\":[{\"port\":6443,\"protocol\":\"tcp\",\"nodes\":[{\"label\":\"cp-1\",\"address\":"
                + "\"10.0.0.10:6443\",\"subnet_id\":" + subnet + "}]}]}";
        assertThat(refused("POST", "/nodebalancers", body.replace("10.0.0.10", "10.0.1.10")))
                .isEqualTo("configs[0].nodes[0].address: Must be an address in subnet 10.0.0.0/24");
        assertThat(refused("POST", "/nodebalancers", body.replace("\"subnet_id\":" + subnet + "}],",
                "\"subnet_id\":" + subnet + ",\"ipv4_range\":\"10.0.0.9/30\"}],")))
                .isEqualTo("vpcs[0].ipv4_range: 10.0.0.9/30 is not a /30 or larger range starting at its network address");
        long id = api().ok("POST", "/nodebalancers", body).get("id").asLong();
        JsonNode v = api().ok("GET", "/nodebalancers/" + id + "/vpcs", null).get("data").get(0);
        assertThat(v.get("subnet_id").asLong()).isEqualTo(subnet);
        assertThat(v.get("ipv4_range").asText()).isEqualTo("10.0.0.4/30");
        assertThat(api().ok("GET", "/vpcs/" + vpc.get("id").asLong() + "/subnets", null).get("data").get(0)
                .get("nodebalancers").get(0).get("ipv4_range").asText()).isEqualTo("10.0.0.4/30");
        assertThat(api().call("DELETE", "/vpcs/" + vpc.get("id").asLong(), null, null).statusCode()).isEqualTo(400);
        api().ok("DELETE", "/nodebalancers/" + id, null);
        api().ok("DELETE", "/vpcs/" + vpc.get("id").asLong(), null);
    }
}
