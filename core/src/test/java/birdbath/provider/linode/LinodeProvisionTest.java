package birdbath.provider.linode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import birdbath.Birdbath;
import birdbath.BirdbathException;
import birdbath.linode.LinodeApiException;
import birdbath.plan.Plan;
import birdbath.provider.Node;
import birdbath.sim.SimOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provision stage against linode-sim over real HTTP. */
class LinodeProvisionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Only the provision stage: the simulator's addresses are documentation ranges nobody may connect to. */
    private static final List<String> PROVISION = List.of("provision");

    @TempDir
    Path dir;


    private static List<String> labels(SimFixture f, String path) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        f.api("GET", path + "?page_size=500", null).path("data").forEach(n -> out.add(n.get("label").asText()));
        return out;
    }

    private static List<String> recordNames(SimFixture f) throws Exception {
        long domain = f.api("GET", "/domains", null).at("/data/0/id").asLong();
        List<String> out = new java.util.ArrayList<>();
        f.api("GET", "/domains/" + domain + "/records?page_size=500", null).path("data")
                .forEach(n -> out.add(n.get("name").asText()));
        return out;
    }

    @Test
    void secondUpMakesNoMutatingCallAndPlanIsEmpty() throws Exception {
        try (SimFixture f = new SimFixture(dir)) {
            Birdbath b = f.birdbath(f.config("demo", 3, ""));
            assertThat(b.plan().count('+')).isEqualTo(12);
            List<Node> nodes = b.up(PROVISION, null, false);
            assertThat(nodes).extracting(Node::name).containsExactly("demo-1", "demo-2", "demo-3");
            assertThat(nodes).extracting(Node::privateIp).containsExactly("10.42.0.2", "10.42.0.3", "10.42.0.4");
            assertThat(f.sim.counts()).containsEntry("instances", 3).containsEntry("volumes", 3)
                    .containsEntry("records", 4).containsEntry("firewalls", 1).containsEntry("vpcs", 1);

            f.sim.stats().reset();
            b.up(PROVISION, null, false);
            assertThat(f.sim.stats().mutating()).isEmpty();
            Plan plan = b.plan();
            assertThat(plan.isEmpty()).isTrue();
            assertThat(plan.monthlyAfter()).isEqualTo(3 * 24 + 3 * 20 * 0.1, org.assertj.core.data.Offset.offset(0.001));
            assertThat(f.sim.stats().mutating()).isEmpty();
            assertThat(f.output).contains("provision: ok, nothing to change (3 nodes)");
        }
    }

    @Test
    void theAppsHostsGetRecordsToTheIngressNodeAndTheBrokerItsPortWhichDownRemoves() throws Exception {
        try (SimFixture f = new SimFixture(dir)) {
            // only one address may administer; the apps stay open to everyone (public_cidrs' default)
            Path config = f.config("demo", 3, "apps:\n  acme_email: me@example.com\n  ingress_node: 2\n"
                    + "  haircolor:\n    host: hair\nnetworking:\n  allowed_cidrs: [198.51.100.7/32]\n");
            Birdbath b = f.birdbath(config);
            Plan plan = b.plan();
            assertThat(plan.changes().stream().map(Object::toString).filter(c -> c.contains("hair.example.com")))
                    .hasSize(1);
            List<Node> nodes = b.up(PROVISION, null, false);
            String ingress = nodes.get(1).publicIp();
            long domain = f.api("GET", "/domains", null).at("/data/0/id").asLong();
            java.util.Map<String, String> targets = new java.util.TreeMap<>();
            f.api("GET", "/domains/" + domain + "/records?page_size=500", null).path("data")
                    .forEach(n -> targets.put(n.get("name").asText(), n.get("target").asText()));
            assertThat(targets).containsEntry("traefik", ingress).containsEntry("mqtt", ingress)
                    .containsEntry("hair", ingress).containsEntry("demo-api", nodes.get(0).publicIp()).hasSize(7);
            long fw = f.api("GET", "/networking/firewalls", null).at("/data/0/id").asLong();
            JsonNode rules = f.api("GET", "/networking/firewalls/" + fw + "/rules", null);
            assertThat(rules.path("inbound").findValuesAsText("label")).contains("mqtts", "web");
            assertThat(rules.toString()).contains("\"ports\":\"8883\"", "\"ports\":\"80, 443\"");
            java.util.Map<String, String> sources = new java.util.TreeMap<>();
            rules.path("inbound").forEach(r -> sources.put(r.get("label").asText(), r.at("/addresses/ipv4").toString()));
            assertThat(sources).containsEntry("ssh", "[\"198.51.100.7/32\"]")
                    .containsEntry("kube-api", "[\"198.51.100.7/32\"]").containsEntry("web", "[\"0.0.0.0/0\"]")
                    .containsEntry("mqtts", "[\"0.0.0.0/0\"]");

            f.sim.stats().reset();
            b.up(PROVISION, null, false);
            assertThat(f.sim.stats().mutating()).isEmpty();
            assertThat(b.downListing()).contains("dns       hair.example.com A " + ingress);
            b.down();
            assertThat(recordNames(f)).isEmpty();
        }
    }

    @Test
    void writesStateInventoryTopologyAndHosts() throws Exception {
        try (SimFixture f = new SimFixture(dir)) {
            Path config = f.config("demo", 4, "storage:\n  nodes: 3\n");
            f.birdbath(config).up(PROVISION, null, false);
            Path state = config.getParent().resolve(".birdbath");
            JsonNode topology = JSON.readTree(state.resolve("topology.json").toFile());
            JsonNode nodes = topology.at("/clusters/0/nodes");
            assertThat(nodes.size()).isEqualTo(3);
            assertThat(nodes.get(0).at("/node/hostnames/manage/0").asText()).isEqualTo("demo-1.example.com");
            assertThat(nodes.get(0).at("/node/hostnames/storage/0").asText()).isEqualTo("10.42.0.2");
            assertThat(nodes.get(0).at("/devices/0").asText()).isEqualTo("/dev/disk/by-id/scsi-0Linode_Volume_demo-1");
            assertThat(nodes.get(0).at("/node/zone").asInt()).isEqualTo(1);
            String inventory = Files.readString(state.resolve("inventory"));
            assertThat(inventory).contains("[kubenodes]\ndemo-1 ansible_host=203.0.113.")
                    .contains("[kubeadm-masters]\ndemo-1\n\n").contains("[kubeadm-clients]\ndemo-2\ndemo-3\ndemo-4\n")
                    .contains("[etcd]\ndemo-1\ndemo-2\ndemo-3\n\n");
            assertThat(Files.readAllLines(state.resolve("hosts"))).containsExactly(
                    "10.42.0.2 demo-1.example.com demo-1", "10.42.0.3 demo-2.example.com demo-2",
                    "10.42.0.4 demo-3.example.com demo-3", "10.42.0.5 demo-4.example.com demo-4");
            assertThat(f.birdbath(config).nodes()).hasSize(4);
            for (Path secret : List.of(state.resolve("secrets/root_pass"), state.resolve("ssh/id_ecdsa"))) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret))).isEqualTo("rw-------");
            }
        }
    }

    @Test
    void addsNodesAndRemovesTheHighestOnlyWithYes() throws Exception {
        try (SimFixture f = new SimFixture(dir)) {
            f.birdbath(f.config("demo", 3, "")).up(PROVISION, null, false);
            f.birdbath(f.config("demo", 5, "")).up(PROVISION, null, false);
            assertThat(labels(f, "/linode/instances")).containsExactlyInAnyOrder("demo-1", "demo-2", "demo-3",
                    "demo-4", "demo-5");
            Birdbath smaller = f.birdbath(f.config("demo", 2, ""));
            f.sim.stats().reset();
            assertThatThrownBy(() -> smaller.up(PROVISION, null, false)).isInstanceOf(BirdbathException.class)
                    .hasMessageContaining("would remove instance demo-3, instance demo-4, instance demo-5")
                    .hasMessageContaining("--yes");
            assertThat(f.sim.stats().mutating()).isEmpty();
            smaller.up(PROVISION, null, true);
            assertThat(labels(f, "/linode/instances")).containsExactlyInAnyOrder("demo-1", "demo-2");
            assertThat(labels(f, "/volumes")).containsExactlyInAnyOrder("demo-1", "demo-2");
            assertThat(recordNames(f)).containsExactlyInAnyOrder("demo-1", "demo-2", "demo-api");
            assertThat(smaller.plan().isEmpty()).isTrue();
        }
    }

    @Test
    void downRemovesTheClusterAndNothingElse() throws Exception {
        try (SimFixture f = new SimFixture(dir)) {
            Path other = f.config("other", 2, "networking:\n  vpc_subnet: 10.43.0.0/24\n");
            f.birdbath(other).up(PROVISION, null, false);
            long domain = f.api("GET", "/domains", null).at("/data/0/id").asLong();
            f.api("POST", "/domains/" + domain + "/records", "{\"type\":\"A\",\"name\":\"www\",\"target\":\"203.0.113.250\"}");
            f.api("POST", "/linode/instances", "{\"type\":\"g6-nanode-1\",\"region\":\"us-east\",\"label\":\"bystander\"}");
            f.api("POST", "/volumes", "{\"label\":\"demo-99\",\"region\":\"us-east\"}");
            var before = f.sim.counts();

            Path demo = f.config("demo", 3, "");
            Birdbath b = f.birdbath(demo);
            b.up(PROVISION, null, false);
            assertThat(b.downListing()).hasSize(3 + 3 + 3 + 1 + 2);
            b.down();
            assertThat(f.sim.counts()).isEqualTo(before);
            assertThat(labels(f, "/linode/instances")).containsExactlyInAnyOrder("other-1", "other-2", "bystander");
            assertThat(labels(f, "/volumes")).containsExactlyInAnyOrder("other-1", "other-2", "demo-99");
            assertThat(labels(f, "/networking/firewalls")).containsExactly("other-fw");
            assertThat(labels(f, "/vpcs")).containsExactly("other-vpc");
            assertThat(recordNames(f)).containsExactlyInAnyOrder("other-1", "other-2", "other-api", "www");
            assertThat(demo.getParent().resolve(".birdbath/state.json")).doesNotExist();
            assertThat(b.downListing()).isEmpty();
        }
    }

    @Test
    void privateIpModeUsesLegacyAddressesAndOpensTheFirewallToMembersOnly() throws Exception {
        try (SimFixture f = new SimFixture(dir)) {
            Birdbath b = f.birdbath(f.config("demo", 3, "networking:\n  mode: private-ip\n  allowed_cidrs: [198.51.100.0/24]\n"));
            List<Node> nodes = b.up(PROVISION, null, false);
            assertThat(nodes).allSatisfy(n -> assertThat(n.privateIp()).startsWith("192.168.128."));
            JsonNode rules = f.api("GET", "/networking/firewalls", null).at("/data/0/rules");
            assertThat(rules.get("inbound_policy").asText()).isEqualTo("DROP");
            JsonNode members = rules.get("inbound").findParents("label").stream()
                    .filter(r -> r.get("label").asText().equals("members-udp")).findFirst().orElseThrow();
            assertThat(JSON.convertValue(members.at("/addresses/ipv4"), List.class)).containsExactlyInAnyOrderElementsOf(
                    nodes.stream().map(n -> n.privateIp() + "/32").toList());
            JsonNode ssh = rules.get("inbound").get(0);
            assertThat(ssh.get("ports").asText()).isEqualTo("22");
            // no apps, no Traefik: nothing listens on 80 and 443, so the firewall does not open them
            assertThat(rules.path("inbound").findValuesAsText("label")).doesNotContain("web").contains("kube-api");
            assertThat(ssh.at("/addresses/ipv4/0").asText()).isEqualTo("198.51.100.0/24");
            assertThat(labels(f, "/vpcs")).isEmpty();
            f.sim.stats().reset();
            b.up(PROVISION, null, false);
            assertThat(f.sim.stats().mutating()).isEmpty();
        }
    }

    @Test
    void ridesOutRateLimitStormsServerErrorsAndDroppedConnections() throws Exception {
        String faults = "status:429,p=0.25,times=8,seed=3; status:500,p=0.1,times=8,seed=5;"
                + " drop,p=0.05,times=4,seed=9; drop-after,method=POST,path=/linode/instances,nth=2;"
                + " drop-after,method=POST,path=/volumes,nth=1; status:503,method=POST,path=/networking/firewalls,nth=1";
        try (SimFixture f = new SimFixture(dir, SimOptions.defaults().withFaults(faults))) {
            Birdbath b = f.birdbath(f.config("demo", 3, ""));
            b.up(PROVISION, null, false);
            f.sim.faults("");
            assertThat(labels(f, "/linode/instances")).containsExactlyInAnyOrder("demo-1", "demo-2", "demo-3");
            assertThat(labels(f, "/volumes")).containsExactlyInAnyOrder("demo-1", "demo-2", "demo-3");
            assertThat(recordNames(f)).containsExactlyInAnyOrder("demo-1", "demo-2", "demo-3", "demo-api");
            assertThat(labels(f, "/networking/firewalls")).containsExactly("demo-fw");
            long instancePosts = f.sim.stats().requests().stream()
                    // carried out: answered, or done with the answer lost (-2); -1, 429 and 5xx did nothing
                    .filter(r -> r.startsWith("POST /linode/instances ") && (r.endsWith(" 200") || r.endsWith(" -2")))
                    .count();
            assertThat(instancePosts).as("the create whose answer was lost is looked up, not sent again: "
                    + f.sim.stats().requests().stream().filter(r -> r.startsWith("POST /linode/instances")).toList())
                    .isEqualTo(3);
            assertThat(f.sim.stats().requests()).anyMatch(r -> r.endsWith(" 429")).anyMatch(r -> r.endsWith(" 500"));
        }
    }

    @Test
    void permanentErrorsFailFastWithLinodesReason() throws Exception {
        try (SimFixture f = new SimFixture(dir, SimOptions.defaults().withTokens(Set.of("only-this-one")))) {
            f.sim.stats().reset();
            assertThatThrownBy(() -> f.birdbath(f.config("demo", 3, "")).plan())
                    .isInstanceOfSatisfying(LinodeApiException.class, e -> assertThat(e.status()).isEqualTo(401))
                    .hasMessageContaining("(401): Invalid Token");
            assertThat(f.sim.stats().total()).isEqualTo(1);
        }
        try (SimFixture f = new SimFixture(dir)) {
            assertThatThrownBy(() -> f.birdbath(f.config("demo", 3, "linode:\n  region: xx-nowhere\n"))
                    .up(PROVISION, null, false)).hasMessageContaining("linode.region: 'xx-nowhere' is not a Linode region");
            assertThatThrownBy(() -> f.birdbath(f.config("demo", 3, "linode:\n  type: g6-huge-99\n")).plan())
                    .hasMessageContaining("linode.type: 'g6-huge-99' is not a Linode instance type");
            assertThatThrownBy(() -> f.birdbath(f.config("demo", 3, "linode:\n  root_pass: aaaaaaaaaaaa\n"))
                    .up(PROVISION, null, false))
                    .hasMessageContaining("POST /linode/instances failed (400): root_pass: Password does not meet"
                            + " strength requirement.")
                    .hasMessageNotContaining("aaaaaaaaaaaa");
            assertThatThrownBy(() -> f.birdbath(Files.writeString(dir.resolve("nodomain.yaml"),
                    "cluster:\n  name: demo\n  domain: elsewhere.org\n")).plan())
                    .hasMessageContaining("cluster.domain: 'elsewhere.org' is not a domain in this Linode account");
        }
    }

    @Test
    void theTokenAppearsInNoOutputLogOrFile() throws Exception {
        try (SimFixture f = new SimFixture(dir, SimOptions.defaults().withFaults("status:500,p=0.2,times=5,seed=1"))) {
            Path config = f.config("demo", 2, "");
            StringBuilder seen = new StringBuilder();
            Birdbath b = f.birdbath(config);
            seen.append(b.plan().render());
            b.up(PROVISION, null, false);
            try {
                f.birdbath(f.config("demo", 2, "linode:\n  root_pass: aaaaaaaaaaaa\n")).up(PROVISION, null, false);
            } catch (BirdbathException e) {
                seen.append(e.getMessage());
            }
            b.down();
            seen.append(String.join("\n", f.output));
            try (Stream<Path> files = Files.walk(config.getParent())) {
                for (Path p : files.filter(Files::isRegularFile).toList()) {
                    seen.append(Files.readString(p));
                }
            }
            assertThat(seen.toString()).contains("demo-1").doesNotContain(f.token);
        }
    }

    @Test
    void repairsDetachedVolumesAndLostRecordsAndWarnsAboutDrift() throws Exception {
        try (SimFixture f = new SimFixture(dir)) {
            Path config = f.config("demo", 2, "");
            f.birdbath(config).up(PROVISION, null, false);
            JsonNode volume = f.api("GET", "/volumes", null).at("/data/0");
            f.api("POST", "/volumes/" + volume.get("id").asLong() + "/detach", "{}");
            long domain = f.api("GET", "/domains", null).at("/data/0/id").asLong();
            JsonNode record = f.api("GET", "/domains/" + domain + "/records", null).at("/data/1");
            f.api("DELETE", "/domains/" + domain + "/records/" + record.get("id").asLong(), null);

            Birdbath b = f.birdbath(f.config("demo", 2, "linode:\n  type: g6-standard-4\n"));
            Plan plan = b.plan();
            String label = volume.get("label").asText();
            assertThat(plan.render()).contains("~ volume  " + label, "attach to " + label)
                    .contains("+ dns     " + record.get("name").asText() + ".example.com");
            assertThat(f.output).anyMatch(l -> l.startsWith("warning: demo-1 has type g6-standard-2 (config:"
                    + " g6-standard-4)"));
            b.up(PROVISION, null, false);
            assertThat(f.api("GET", "/volumes/" + volume.get("id").asLong(), null).get("linode_id").asLong())
                    .isEqualTo(volume.get("linode_id").asLong());
            assertThat(recordNames(f)).containsExactlyInAnyOrder("demo-1", "demo-2", "demo-api");
            assertThat(b.plan().isEmpty()).isTrue();
        }
    }

    @Test
    void stagesAfterProvisionRefuseTheSimulatorsDocumentationAddresses() throws IOException {
        try (SimFixture f = new SimFixture(dir)) {
            Birdbath b = f.birdbath(f.config("demo", 1, ""));
            assertThatThrownBy(() -> b.up(List.of(), null, false))
                    .hasMessageContaining("demo-1 has a documentation address (203.0.113.")
                    .hasMessageContaining("run `up --only provision`");
        }
    }

    @Test
    void unknownStagesAreRefused() throws IOException {
        try (SimFixture f = new SimFixture(dir)) {
            assertThatThrownBy(() -> f.birdbath(f.config("demo", 1, "")).up(List.of("etcdd"), null, false))
                    .hasMessage("unknown stage 'etcdd'; stages in this version: " + String.join(", ", Birdbath.STAGES));
            assertThat(Birdbath.STAGES).startsWith("provision", "machine-id", "baseline", "pki");
        }
    }
}
