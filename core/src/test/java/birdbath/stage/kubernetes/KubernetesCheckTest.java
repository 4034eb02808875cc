package birdbath.stage.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import birdbath.Reporter;
import birdbath.config.ClusterSpec;
import birdbath.config.ConfigLoader;
import birdbath.provider.Node;
import birdbath.stage.CheckResult;
import birdbath.stage.StageRun;
import birdbath.testing.MockKubeconfig;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kubernetes check against fabric8's mock API server in CRUD mode, through a kubeconfig file as in use. */
@EnableKubernetesMockClient(crud = true)
class KubernetesCheckTest {

    static KubernetesClient client;
    static KubernetesMockServer server;

    @TempDir
    Path dir;

    private StageRun run(int nodes) throws Exception {
        Path config = dir.resolve("birdbath.yaml");
        Files.writeString(config, "cluster:\n  name: demo\n  nodes: " + nodes + "\n  domain: example.com\n");
        ClusterSpec spec = new ConfigLoader(Map.of()).load(config, w -> { });
        List<Node> list = new ArrayList<>();
        for (int n = 1; n <= nodes; n++) {
            list.add(new Node(spec.nodeLabel(n), n, spec.roles(n), "203.0.113." + n, "10.42.0." + (n + 1),
                    spec.fqdn(n), null, new Node.Ssh("203.0.113." + n, 22, "birdbath"), null));
        }
        return new StageRun(spec, list, null, null, null, Reporter.silent(), false);
    }

    private void kubeconfig(StageRun run, String server) throws Exception {
        MockKubeconfig.write(KubernetesStage.kubeconfig(run.spec()), server);
    }

    private static void node(String name, String ready, String message) {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata().withNewStatus()
                .addNewCondition().withType("Ready").withStatus(ready).withMessage(message).endCondition()
                .endStatus().build()).create();
    }

    private static void pod(String name, String phase, String... command) {
        client.pods().inNamespace("kube-system").resource(new PodBuilder().withNewMetadata().withName(name)
                .withNamespace("kube-system").endMetadata().withNewSpec().addNewContainer().withName("main")
                .withCommand(command).endContainer().endSpec().withNewStatus().withPhase(phase).endStatus().build())
                .create();
    }

    @Test
    void readyNodesRunningControlPlaneAndEtcdAreOkAndEachProblemIsNamed() throws Exception {
        StageRun run = run(3);
        kubeconfig(run, client.getMasterUrl().toString());
        node("demo-1", "True", null);
        node("demo-2", "False", "container runtime network not ready: cni plugin not initialized");
        for (String c : KubernetesCheck.CONTROL_PLANE_PODS) {
            pod(c + "-demo-1", c.equals("kube-scheduler") ? "Pending" : "Running");
        }
        // the flags as kubeadm writes them into the static pod from the ClusterConfiguration, the audit log's missing
        client.pods().inNamespace("kube-system").withName("kube-apiserver-demo-1").delete();
        pod("kube-apiserver-demo-1", "Running", "kube-apiserver", "--advertise-address=198.18.5.11",
                "--encryption-provider-config=/etc/kubernetes/birdbath/encryption-config.yaml",
                "--audit-policy-file=/etc/kubernetes/birdbath/audit-policy.yaml", "--audit-log-maxage=7",
                "--audit-log-maxbackup=5", "--audit-log-maxsize=100");
        server.expect().get().withPath("/readyz/etcd").andReturn(200, "ok").always();

        List<CheckResult> results = new KubernetesStage().check(run);
        assertThat(results).extracting(r -> r.node() + " " + r.probe() + " " + (r.ok() ? "ok" : r.detail()))
                .containsExactly(
                        "demo-1 Ready ok",
                        "demo-2 Ready Ready is False: container runtime network not ready: cni plugin not initialized",
                        "demo-3 Ready not registered with the API server",
                        "demo-1 control-plane pods running kube-scheduler Pending",
                        "demo-1 API server encrypts Secrets and audits kube-apiserver runs without"
                                + " --audit-log-path=/var/log/kubernetes/audit/audit.log",
                        "demo-1 API server reaches etcd ok");

        node("demo-3", "True", null);
        client.nodes().withName("demo-2").edit(n -> new NodeBuilder(n).editStatus().editFirstCondition()
                .withStatus("True").withMessage(null).endCondition().endStatus().build());
        client.pods().inNamespace("kube-system").withName("kube-scheduler-demo-1").edit(p -> new PodBuilder(p)
                .editStatus().withPhase("Running").endStatus().build());
        client.pods().inNamespace("kube-system").withName("kube-apiserver-demo-1").edit(p -> new PodBuilder(p)
                .editSpec().editFirstContainer().addToCommand("--audit-log-path=/var/log/kubernetes/audit/audit.log")
                .endContainer().endSpec().build());
        assertThat(new KubernetesStage().check(run)).hasSize(6).allMatch(CheckResult::ok);
    }

    @Test
    void withoutAKubeconfigOrAnAnsweringApiServerEveryNodeFails() throws Exception {
        StageRun run = run(2);
        assertThat(new KubernetesStage().check(run)).hasSize(2).allSatisfy(r -> {
            assertThat(r.ok()).isFalse();
            assertThat(r.detail()).contains("kubeconfig yet");
        });
        kubeconfig(run, "https://127.0.0.1:1");
        assertThat(new KubernetesStage().check(run)).hasSize(2).allSatisfy(r -> {
            assertThat(r.ok()).isFalse();
            assertThat(r.detail()).startsWith("the API server did not answer");
        });
    }
}
