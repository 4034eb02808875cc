package birdbath.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The simulator over real HTTP: Linode's shapes, errors, paging, filters, limits, statuses and faults. */
class LinodeSimTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private LinodeSim sim;

    private SimHttp api() {
        return new SimHttp(sim);
    }

    @AfterEach
    void stop() {
        if (sim != null) {
            sim.close();
        }
    }



    private static String instance(String label) {
        return "{\"type\":\"g6-nanode-1\",\"region\":\"us-east\",\"image\":\"linode/debian12\",\"label\":\"" + label
                + "\",\"root_pass\":\"Correct-Horse-9-battery\",\"tags\":[\"t1\"]}";
    }

    @Test
    void createsInstancesWhoseStatusMovesToRunning() throws Exception {
        sim = LinodeSim.start(SimOptions.defaults().withBootMs(300));
        JsonNode created = api().ok("POST", "/linode/instances", instance("web-1"));
        assertThat(created.get("status").asText()).isEqualTo("provisioning");
        assertThat(created.get("ipv4").get(0).asText()).startsWith("203.0.113.");
        long id = created.get("id").asLong();
        long deadline = System.currentTimeMillis() + 5000;
        String status = "";
        while (!status.equals("running") && System.currentTimeMillis() < deadline) {
            status = api().ok("GET", "/linode/instances/" + id, null).get("status").asText();
        }
        assertThat(status).isEqualTo("running");
    }

    /**
     * Power actions answer {} and move the status (shutdown: offline); the root password and keys given at
     * create are never part of an answer; volumes resize only up (Linode's OpenAPI: "Volumes can only be resized
     * up").
     */
    @Test
    void powerActionsVolumeResizeAndNoSecretInAnswers() throws Exception {
        sim = LinodeSim.start(SimOptions.defaults().withBootMs(0));
        JsonNode created = api().ok("POST", "/linode/instances", instance("web-1").replace("\"tags\"",
                "\"authorized_keys\":[\"ssh-ed25519 AAAAkey\"],\"tags\""));
        long id = created.get("id").asLong();
        assertThat(created.toString()).doesNotContain("Correct-Horse", "AAAAkey");
        assertThat(api().ok("POST", "/linode/instances/" + id + "/shutdown", null).size()).isZero();
        assertThat(api().ok("GET", "/linode/instances/" + id, null).get("status").asText()).isEqualTo("offline");
        api().ok("POST", "/linode/instances/" + id + "/boot", null);
        assertThat(api().ok("GET", "/linode/instances/" + id, null).get("status").asText()).isEqualTo("running");
        api().ok("POST", "/linode/instances/" + id + "/reboot", null);
        assertThat(api().ok("GET", "/linode/instances", null).toString()).doesNotContain("Correct-Horse", "AAAAkey");

        long volume = api().ok("POST", "/volumes", "{\"label\":\"data\",\"size\":20,\"region\":\"us-east\"}")
                .get("id").asLong();
        assertThat(api().ok("POST", "/volumes/" + volume + "/resize", "{\"size\":30}").get("size").asInt()).isEqualTo(30);
        HttpResponse<String> down = api().call("POST", "/volumes/" + volume + "/resize", "{\"size\":20}", null);
        assertThat(down.statusCode()).isEqualTo(400);
        assertThat(down.body()).contains("\"field\":\"size\"", "Volumes can only be resized up");
    }

    @Test
    void refusesBadInputsWithLinodesErrorModel() throws Exception {
        sim = LinodeSim.start(SimOptions.defaults());
        api().ok("POST", "/linode/instances", instance("web-1"));
        HttpResponse<String> dup = api().call("POST", "/linode/instances", instance("web-1"), null);
        assertThat(dup.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(dup.body()).at("/errors/0/field").asText()).isEqualTo("label");
        HttpResponse<String> badLabel = api().call("POST", "/linode/instances", instance("1bad--label"), null);
        assertThat(JSON.readTree(badLabel.body()).at("/errors/0/field").asText()).isEqualTo("label");
        HttpResponse<String> weak = api().call("POST", "/linode/instances",
                instance("web-2").replace("Correct-Horse-9-battery", "password"), null);
        assertThat(JSON.readTree(weak.body()).at("/errors/0/field").asText()).isEqualTo("root_pass");
        HttpResponse<String> noType = api().call("POST", "/linode/instances", "{\"region\":\"us-east\"}", null);
        assertThat(JSON.readTree(noType.body()).at("/errors/0/field").asText()).isEqualTo("type");
        HttpResponse<String> esp = api().call("POST", "/networking/firewalls", "{\"label\":\"fw1\",\"rules\":{"
                + "\"inbound_policy\":\"DROP\",\"outbound_policy\":\"ACCEPT\",\"inbound\":[{\"action\":\"ACCEPT\","
                + "\"protocol\":\"ESP\",\"addresses\":{\"ipv4\":[\"10.0.0.0/8\"]}}]}}", null);
        assertThat(esp.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(esp.body()).at("/errors/0/field").asText()).isEqualTo("rules.inbound[0].protocol");
        assertThat(api().call("GET", "/linode/instances/999999", null, null).statusCode()).isEqualTo(404);
    }

    @Test
    void refusesMissingOrUnknownTokens() throws Exception {
        sim = LinodeSim.start(SimOptions.defaults().withTokens(Set.of("good")));
        HttpResponse<String> r = api().call("GET", "/linode/instances", null, null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(r.body()).at("/errors/0/reason").asText()).isEqualTo("Invalid Token");
    }

    @Test
    void pagesAndFilters() throws Exception {
        sim = LinodeSim.start(SimOptions.defaults().withRateLimits(false));
        for (int i = 1; i <= 30; i++) {
            String body = "{\"label\":\"vol-" + i + "\",\"region\":\"us-east\",\"tags\":[\"" + (i % 2 == 0 ? "even" : "odd")
                    + "\"]}";
            api().ok("POST", "/volumes", body);
        }
        JsonNode page2 = JSON.readTree(api().call("GET", "/volumes?page=2&page_size=25", null, null).body());
        assertThat(page2.get("pages").asInt()).isEqualTo(2);
        assertThat(page2.get("results").asInt()).isEqualTo(30);
        assertThat(page2.get("data").size()).isEqualTo(5);
        assertThat(api().call("GET", "/volumes?page_size=10", null, null).statusCode()).isEqualTo(400);
        JsonNode even = JSON.readTree(api().call("GET", "/volumes", null, "{\"tags\":\"even\"}").body());
        assertThat(even.get("results").asInt()).isEqualTo(15);
        JsonNode or = JSON.readTree(api().call("GET", "/volumes", null,
                "{\"+or\":[{\"label\":\"vol-1\"},{\"label\":\"vol-2\"}],\"+order_by\":\"label\",\"+order\":\"desc\"}")
                .body());
        assertThat(or.get("data").get(0).get("label").asText()).isEqualTo("vol-2");
        JsonNode contains = JSON.readTree(api().call("GET", "/volumes", null, "{\"label\":{\"+contains\":\"vol-2\"}}").body());
        assertThat(contains.get("results").asInt()).isEqualTo(11); // vol-2 and vol-20 .. vol-29
    }

    @Test
    void limitsInstanceCreationTo20Per15Seconds() throws Exception {
        sim = LinodeSim.start(SimOptions.defaults());
        for (int i = 1; i <= 20; i++) {
            api().ok("POST", "/linode/instances", instance("n-" + i));
        }
        HttpResponse<String> limited = api().call("POST", "/linode/instances", instance("n-21"), null);
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 15L);
        assertThat(limited.headers().firstValue("X-RateLimit-Remaining")).hasValue("0");
        assertThat(sim.counts().get("instances")).isEqualTo(20);
    }

    @Test
    void injectsFaults() throws Exception {
        sim = LinodeSim.start(SimOptions.defaults().withFaults(
                "status:503,nth=2; drop,method=POST,path=/volumes,nth=1; drop-after,method=POST,path=/linode/instances"));
        assertThat(api().call("GET", "/regions", null, null).statusCode()).isEqualTo(200);
        assertThat(api().call("GET", "/regions", null, null).statusCode()).isEqualTo(503);
        assertThatThrownBy(() -> api().call("POST", "/volumes", "{\"label\":\"v1\",\"region\":\"us-east\"}", null))
                .isInstanceOf(IOException.class);
        assertThat(sim.counts().get("volumes")).isZero();
        assertThatThrownBy(() -> api().call("POST", "/linode/instances", instance("amb-1"), null))
                .isInstanceOf(IOException.class);
        assertThat(sim.counts().get("instances")).as("drop-after handles the request first").isEqualTo(1);
    }

    @Test
    void rejectsMalformedFaultSpecsWithAHint() {
        assertThatThrownBy(() -> Fault.parseAll("explode")).hasMessageContaining("status:CODE, drop, drop-after");
        assertThatThrownBy(() -> Fault.parseAll("status:500,nth=x")).hasMessageContaining("needs a number");
        assertThatThrownBy(() -> Fault.parseAll("delay")).hasMessageContaining("delay needs a number");
    }

    @Test
    void vpcSubnetsAssignAddressesAndBlockDeletionWhileUsed() throws Exception {
        sim = LinodeSim.start(SimOptions.defaults());
        JsonNode vpc = api().ok("POST", "/vpcs", "{\"label\":\"v\",\"region\":\"us-east\",\"subnets\":[{\"label\":\"s\","
                + "\"ipv4\":\"10.9.0.0/24\"}]}");
        long subnet = vpc.at("/subnets/0/id").asLong();
        HttpResponse<String> overlap = api().call("POST", "/vpcs", "{\"label\":\"w\",\"region\":\"us-east\",\"subnets\":"
                + "[{\"label\":\"s\",\"ipv4\":\"192.168.130.0/24\"}]}", null);
        assertThat(overlap.statusCode()).isEqualTo(400);
        String body = instance("in-vpc").replace("}", ",\"interfaces\":[{\"purpose\":\"public\"},{\"purpose\":\"vpc\","
                + "\"subnet_id\":" + subnet + ",\"ipv4\":{\"vpc\":\"10.9.0.7\"}}]}");
        JsonNode created = api().ok("POST", "/linode/instances", body.replace("}]}}", "}}]}"));
        JsonNode ips = api().ok("GET", "/linode/instances/" + created.get("id").asLong() + "/ips", null);
        assertThat(ips.at("/ipv4/vpc/0/address").asText()).isEqualTo("10.9.0.7");
        assertThat(api().call("DELETE", "/vpcs/" + vpc.get("id").asLong(), null, null).statusCode()).isEqualTo(400);
        api().ok("DELETE", "/linode/instances/" + created.get("id").asLong(), null);
        api().ok("DELETE", "/vpcs/" + vpc.get("id").asLong(), null);
    }

    /**
     * metadata.user_data at create (the spec: base64, at most 65535 bytes unencoded, write-only): kept, answered
     * only as has_user_data; not base64 or too large is a 400 naming the field.
     */
    @Test
    void userDataIsTakenAsBase64UpToItsLimitAndNeverAnswered() throws Exception {
        sim = LinodeSim.start(SimOptions.defaults().withBootMs(0));
        String cloudConfig = java.util.Base64.getEncoder().encodeToString("#cloud-config\nssh_deletekeys: true\n"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        JsonNode with = api().ok("POST", "/linode/instances", instance("with-data").replace("\"tags\"",
                "\"metadata\":{\"user_data\":\"" + cloudConfig + "\"},\"tags\""));
        assertThat(with.get("has_user_data").asBoolean()).isTrue();
        assertThat(with.toString()).doesNotContain(cloudConfig).doesNotContain("\"user_data\"");
        assertThat(api().ok("GET", "/linode/instances/" + with.get("id").asLong(), null).toString())
                .doesNotContain(cloudConfig);
        assertThat(api().ok("POST", "/linode/instances", instance("without")).get("has_user_data").asBoolean())
                .isFalse();
        HttpResponse<String> notBase64 = api().call("POST", "/linode/instances", instance("bad-data").replace(
                "\"tags\"", "\"metadata\":{\"user_data\":\"not base64!\"},\"tags\""), null);
        assertThat(notBase64.statusCode()).isEqualTo(400);
        assertThat(notBase64.body()).contains("\"field\":\"metadata.user_data\"", "base64");
        String tooLarge = java.util.Base64.getEncoder().encodeToString(new byte[65536]);
        HttpResponse<String> large = api().call("POST", "/linode/instances", instance("big-data").replace("\"tags\"",
                "\"metadata\":{\"user_data\":\"" + tooLarge + "\"},\"tags\""), null);
        assertThat(large.statusCode()).isEqualTo(400);
        assertThat(large.body()).contains("65535");
    }
}
