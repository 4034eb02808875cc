package birdbath.stage.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import birdbath.config.ClusterSpec;
import birdbath.config.ConfigLoader;
import birdbath.pki.KubernetesPki;
import birdbath.provider.Node;
import birdbath.testing.KeyPathFields;
import birdbath.testing.KubernetesModelFields;
import birdbath.testing.UpstreamConfigFields;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the kubernetes stage renders for kubeadm and kubelet meets upstream's field names and types (Kubernetes
 * 1.34: kubeadm v1beta4, kubelet v1beta1), as recorded in src/test/resources/upstream/: a misspelt or unknown key,
 * or a number where kubeadm wants a string, fails here instead of on a real node.
 */
class KubernetesConfigFieldsTest {

    private static final UpstreamConfigFields UPSTREAM = new UpstreamConfigFields();

    @TempDir
    Path dir;

    private ClusterSpec spec;
    private List<Node> nodes;

    @BeforeEach
    void cluster() throws Exception {
        Path file = dir.resolve("birdbath.yaml");
        Files.writeString(file, "provider: linode\ncluster:\n  name: demo\n  nodes: 4\n  domain: example.com\n"
                + "kubernetes:\n  control_plane: 3\nnetworking:\n  vpc_subnet: 198.18.5.0/24\n");
        spec = new ConfigLoader(Map.of()).load(file, w -> { });
        nodes = new ArrayList<>();
        for (int n = 1; n <= 4; n++) {
            nodes.add(new Node(spec.nodeLabel(n), n, spec.roles(n), "203.0.113." + (10 + n), "198.18.5." + (10 + n),
                    spec.fqdn(n), null, new Node.Ssh("203.0.113." + (10 + n), 22, "birdbath"), String.valueOf(n)));
        }
    }

    @Test
    void initConfigurationClusterConfigurationAndKubeletConfigurationUseOnlyUpstreamFields() {
        String init = KubeadmConfigs.init(spec, nodes);
        assertThat(init).contains("kind: InitConfiguration", "kind: ClusterConfiguration", "kind: KubeletConfiguration");
        assertThat(UPSTREAM.problems(init)).isEmpty();
    }

    @Test
    void joinConfigurationsOfAWorkerAndOfAControlPlaneNodeUseOnlyUpstreamFields() {
        String hash = "sha256:" + "ab".repeat(32);
        String worker = KubeadmConfigs.join(spec, nodes.get(3), "abcdef.0123456789abcdef", hash, false);
        String controlPlane = KubeadmConfigs.join(spec, nodes.get(1), "abcdef.0123456789abcdef", hash, true);
        assertThat(controlPlane).contains("controlPlane:");
        assertThat(UPSTREAM.problems(worker)).isEmpty();
        assertThat(UPSTREAM.problems(controlPlane)).isEmpty();
    }

    @Test
    void theEncryptionConfigurationAndTheAuditPolicyUseOnlyUpstreamFields() throws Exception {
        KubernetesPki pki = new KubernetesPki(spec);
        pki.ensure();
        String encryption = KubeadmConfigs.encryptionConfig(pki);
        assertThat(encryption).contains("kind: EncryptionConfiguration", "secretbox:");
        assertThat(UPSTREAM.problems(encryption)).isEmpty();
        // secretbox takes exactly 32 bytes (apiserver's validation_encryption.go)
        assertThat(java.util.Base64.getDecoder().decode(pki.encryptionKey().reveal())).hasSize(32);
        assertThat(Files.getPosixFilePermissions(spec.stateDir().resolve("secrets/kubernetes-encryption.key")))
                .extracting(Object::toString).containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
        assertThat(UPSTREAM.problems(KubeadmConfigs.auditPolicy())).isEmpty();
    }

    @Test
    void theCheckFindsAMisspeltKeyAWrongTypeAndAnUnknownKind() {
        String wrong = """
                apiVersion: kubeadm.k8s.io/v1beta4
                kind: InitConfiguration
                nodeRegistration:
                  criSoket: unix:///run/containerd/containerd.sock
                  kubeletExtraArgs:
                    - name: max-pods
                      value: 110
                localAPIEndpoint:
                  bindPort: "6443"
                timeouts:
                  discovery: 5 minutes
                ---
                apiVersion: kubeadm.k8s.io/v1beta3
                kind: ClusterConfiguration
                """;
        assertThat(UPSTREAM.problems(wrong)).containsExactly(
                "InitConfiguration.nodeRegistration.criSoket: NodeRegistrationOptions has no field criSoket",
                "InitConfiguration.nodeRegistration.kubeletExtraArgs[0].value: expected a string, got Integer 110",
                "InitConfiguration.localAPIEndpoint.bindPort: expected an integer, got String 6443",
                "InitConfiguration.timeouts.discovery: expected a Go duration such as 4m0s, got String 5 minutes",
                "ClusterConfiguration: apiVersion kubeadm.k8s.io/v1beta3, expected kubeadm.k8s.io/v1beta4");
    }

    /**
     * flannel's manifest, a template: every key of every object is one its Kubernetes type has (fabric8's model,
     * generated from the API's schema), and a misspelt key is caught (the check can fail).
     */
    @Test
    void flannelsManifestUsesOnlyFieldsOfTheKubernetesTypes() {
        String flannel = KubeadmConfigs.flannel(spec);
        assertThat(KubernetesModelFields.problems(flannel)).isEmpty();
        assertThat(KubernetesModelFields.problems(flannel.replace("operator: Exists", "operatr: Exists")))
                .containsExactly("DaemonSet kube-flannel-ds: spec.template.spec.tolerations[0].operatr is no field of"
                        + " Toleration");
    }

    /**
     * flannel's own two files in that manifest use only the keys flannel v0.26.1 and its CNI plugins read, as
     * recorded from their source; flannel itself ignores an unknown or miscased key, so here it is caught.
     */
    @Test
    void flannelsNetConfAndCniConfUseOnlyKeysFlannelReads() throws Exception {
        KeyPathFields flannel = new KeyPathFields("/upstream/flannel-v0.26.1-config-fields.txt");
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        io.fabric8.kubernetes.api.model.ConfigMap cm = ((List<?>) new io.fabric8.kubernetes.client.utils
                .KubernetesSerialization().unmarshal(KubeadmConfigs.flannel(spec))).stream()
                .filter(o -> o instanceof io.fabric8.kubernetes.api.model.ConfigMap)
                .map(o -> (io.fabric8.kubernetes.api.model.ConfigMap) o).findFirst().orElseThrow();
        String netConf = cm.getData().get("net-conf.json");
        assertThat(flannel.problems("netconf.", json.readTree(netConf))).isEmpty();
        assertThat(flannel.problems("cniconf.", json.readTree(cm.getData().get("cni-conf.json")))).isEmpty();
        assertThat(flannel.problems("netconf.", json.readTree(netConf.replace("\"MTU\"", "\"Mtu\""))))
                .containsExactly("netconf.Backend.Mtu: no such key upstream");
    }
}
