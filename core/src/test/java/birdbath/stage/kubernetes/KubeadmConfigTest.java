package birdbath.stage.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import birdbath.config.ClusterSpec;
import birdbath.config.ConfigLoader;
import birdbath.provider.Node;
import birdbath.secrets.ClusterCredentials;
import birdbath.stage.StageContext;
import birdbath.stage.baseline.BaselineStage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The kubeadm configuration of 1-, 3- and 5-node clusters: parsed back and checked field by field, and compared
 * with a golden file (src/test/resources/golden/kubernetes/; rewrite with -Dbirdbath.golden.update=true and
 * review the diff). On 2026-11-30 the files were changed by hand instead, then compared: the API server's
 * encryption and audit extraArgs and extraVolumes, flannel's Backend.MTU 1420, and no certificateKey in the
 * control-plane joins of the 5-node cluster; later kubernetesVersion v1.36.4 (the new pinned release) by hand.
 */
class KubeadmConfigTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String TOKEN = "abcdef.0123456789abcdef";
    private static final String HASH = "sha256:" + "ab".repeat(32);

    @TempDir
    Path dir;

    private ClusterSpec spec(int nodes, int controlPlane) throws Exception {
        Path file = dir.resolve("birdbath.yaml");
        Files.writeString(file, "cluster:\n  name: demo\n  nodes: " + nodes + "\n  domain: example.com\n"
                + "kubernetes:\n  control_plane: " + controlPlane + "\n");
        return new ConfigLoader(Map.of()).load(file, w -> { });
    }

    private static List<Node> nodes(ClusterSpec spec) {
        List<Node> out = new ArrayList<>();
        for (int n = 1; n <= spec.nodes(); n++) {
            out.add(new Node(spec.nodeLabel(n), n, spec.roles(n), "203.0.113." + (10 + n), "10.42.0." + (1 + n),
                    spec.fqdn(n), "/dev/disk/by-id/scsi-0Linode_Volume_" + spec.nodeLabel(n),
                    new Node.Ssh("203.0.113." + (10 + n), 22, "birdbath"), String.valueOf(1000 + n)));
        }
        return out;
    }

    private static List<JsonNode> docs(String yaml) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml).forEachRemaining(out::add);
        return out;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @ParameterizedTest(name = "{0} nodes, {1} control-plane")
    @CsvSource({"1, 1, 1", "3, 1, 3", "5, 3, 3"})
    void renderedConfigsParseBackAndMatchTheGoldenFile(int count, int controlPlane, int etcdMembers)
            throws Exception {
        ClusterSpec spec = spec(count, controlPlane);
        List<Node> nodes = nodes(spec);
        String init = KubeadmConfigs.init(spec, nodes);
        List<JsonNode> d = docs(init);
        assertThat(d).extracting(n -> n.path("apiVersion").asText() + " " + n.path("kind").asText()).containsExactly(
                "kubeadm.k8s.io/v1beta4 InitConfiguration", "kubeadm.k8s.io/v1beta4 ClusterConfiguration",
                "kubelet.config.k8s.io/v1beta1 KubeletConfiguration");
        JsonNode initCfg = d.get(0);
        assertThat(initCfg.at("/nodeRegistration/name").asText()).isEqualTo("demo-1");
        assertThat(initCfg.at("/localAPIEndpoint/advertiseAddress").asText()).isEqualTo("10.42.0.2");
        assertThat(initCfg.at("/nodeRegistration/kubeletExtraArgs/0/name").asText()).isEqualTo("node-ip");
        assertThat(initCfg.at("/nodeRegistration/kubeletExtraArgs/0/value").asText()).isEqualTo("10.42.0.2");
        JsonNode cluster = d.get(1);
        assertThat(cluster.path("controlPlaneEndpoint").asText()).isEqualTo("demo-api.example.com:6443");
        assertThat(cluster.path("kubernetesVersion").asText()).isEqualTo("v" + spec.kubernetes().version());
        assertThat(cluster.at("/networking/podSubnet").asText()).isEqualTo("10.244.0.0/16");
        assertThat(cluster.at("/networking/serviceSubnet").asText()).isEqualTo("10.96.0.0/12");
        List<String> etcd = texts(cluster.at("/etcd/external/endpoints"));
        assertThat(etcd).hasSize(etcdMembers).allMatch(e -> e.matches("https://10\\.42\\.0\\.\\d+:2379"));
        assertThat(cluster.at("/etcd/external/caFile").asText()).isEqualTo("/etc/kubernetes/pki/etcd/ca.crt");
        assertThat(cluster.at("/etcd/external/certFile").asText())
                .isEqualTo("/etc/kubernetes/pki/apiserver-etcd-client.crt");
        assertThat(cluster.at("/etcd/external/keyFile").asText())
                .isEqualTo("/etc/kubernetes/pki/apiserver-etcd-client.key");
        List<String> sans = texts(cluster.at("/apiServer/certSANs"));
        assertThat(sans).contains("demo-api.example.com");
        for (Node n : nodes.subList(0, controlPlane)) {
            assertThat(sans).contains(n.publicIp(), n.privateIp(), n.fqdn());
        }
        for (Node worker : nodes.subList(controlPlane, count)) {
            assertThat(sans).as("a worker's address").doesNotContain(worker.privateIp(), worker.publicIp());
        }
        assertThat(d.get(2).path("cgroupDriver").asText()).isEqualTo("systemd");

        StringBuilder golden = new StringBuilder(init);
        for (Node n : nodes.subList(1, count)) {
            boolean cp = n.index() <= controlPlane;
            String join = KubeadmConfigs.join(spec, n, TOKEN, HASH, cp);
            JsonNode j = docs(join).get(0);
            assertThat(j.path("apiVersion").asText() + " " + j.path("kind").asText())
                    .isEqualTo("kubeadm.k8s.io/v1beta4 JoinConfiguration");
            assertThat(j.at("/discovery/bootstrapToken/apiServerEndpoint").asText())
                    .isEqualTo("demo-api.example.com:6443");
            assertThat(texts(j.at("/discovery/bootstrapToken/caCertHashes"))).containsExactly(HASH);
            assertThat(j.at("/discovery/bootstrapToken/unsafeSkipCAVerification").isMissingNode()).isTrue();
            assertThat(j.at("/nodeRegistration/kubeletExtraArgs/0/value").asText()).isEqualTo(n.privateIp());
            // a control-plane node joins with the shared keys birdbath placed: no certificate key, no upload
            assertThat(j.at("/controlPlane/certificateKey").isMissingNode()).isTrue();
            assertThat(j.at("/controlPlane/localAPIEndpoint/advertiseAddress").asText())
                    .isEqualTo(cp ? n.privateIp() : "");
            golden.append("---\n").append(join);
        }
        String flannel = KubeadmConfigs.flannel(spec);
        List<JsonNode> f = docs(flannel);
        JsonNode cm = f.stream().filter(x -> x.path("kind").asText().equals("ConfigMap")).findFirst().orElseThrow();
        JsonNode cni = YAML.readTree(cm.at("/data/cni-conf.json").asText());
        assertThat(cni.at("/plugins/0/delegate/mtu").asInt()).isEqualTo(1370);
        assertThat(YAML.readTree(cm.at("/data/net-conf.json").asText()).path("Network").asText())
                .isEqualTo("10.244.0.0/16");
        JsonNode ds = f.stream().filter(x -> x.path("kind").asText().equals("DaemonSet")).findFirst().orElseThrow();
        assertThat(texts(ds.at("/spec/template/spec/containers/0/args"))).contains("--iface-can-reach=10.42.0.1");
        golden.append("---\n").append(flannel);

        Path file = Path.of("src/test/resources/golden/kubernetes/nodes-" + count + ".yaml");
        if (Boolean.getBoolean("birdbath.golden.update")) {
            Files.writeString(file, golden.toString());
        }
        assertThat(golden.toString()).as("golden file " + file).isEqualTo(Files.readString(file));
    }

    /**
     * The API on the private network: kubeadm writes the API's name into every kubeconfig on the nodes (init's
     * controlPlaneEndpoint, the join's endpoint), and every node's /etc/hosts, as baseline writes it, gives that
     * name only control-plane private addresses. So nothing inside the cluster takes the public path that
     * networking.allowed_cidrs may close.
     */
    @Test
    void everyNodeReachesTheApiByItsNameAtControlPlanePrivateAddressesOnly() throws Exception {
        ClusterSpec spec = spec(5, 3);
        List<Node> nodes = nodes(spec);
        Files.createDirectories(spec.stateDir().resolve("ssh"));
        Files.writeString(spec.stateDir().resolve("ssh/id_ecdsa"), "(not read)\n");
        Files.writeString(spec.stateDir().resolve("ssh/id_ecdsa.pub"), "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKey b\n");
        StageContext context = new StageContext(spec, nodes, new ClusterCredentials(spec.stateDir()));
        List<String> controlPlanePrivate = nodes.subList(0, 3).stream().map(Node::privateIp).toList();
        assertThat(docs(KubeadmConfigs.init(spec, nodes)).get(1).path("controlPlaneEndpoint").asText())
                .isEqualTo(spec.apiName() + ":6443");
        for (Node n : nodes) {
            String hosts = new BaselineStage().files(context, n).stream().filter(f -> f.path().equals("/etc/hosts"))
                    .findFirst().orElseThrow().text();
            List<String> api = hosts.lines().map(l -> l.split("\\s+")).filter(p -> p.length > 1
                    && List.of(p).subList(1, p.length).contains(spec.apiName())).map(p -> p[0]).toList();
            assertThat(api).as(n.name() + "'s /etc/hosts").containsExactlyInAnyOrderElementsOf(controlPlanePrivate);
            assertThat(api.get(0)).as(n.name() + " tries first").isEqualTo(n.index() <= 3 ? n.privateIp()
                    : controlPlanePrivate.get(n.index() % 3));
            assertThat(docs(KubeadmConfigs.join(spec, n, TOKEN, HASH, n.index() <= 3)).get(0)
                    .at("/discovery/bootstrapToken/apiServerEndpoint").asText()).isEqualTo(spec.apiName() + ":6443");
        }
    }
}
