package birdbath.stage.kubernetes;

import birdbath.provider.Node;
import birdbath.stage.CheckResult;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What the API server says: every node Ready, the control-plane pods of every control-plane node running, and
 * the API server's own view of its etcd (/readyz/etcd).
 */
final class KubernetesCheck {

    static final String STAGE = "kubernetes";
    static final List<String> CONTROL_PLANE_PODS = List.of("kube-apiserver", "kube-controller-manager",
            "kube-scheduler");

    private KubernetesCheck() { }

    static List<CheckResult> check(KubernetesClient client, List<Node> nodes) {
        List<CheckResult> results = new ArrayList<>();
        Map<String, io.fabric8.kubernetes.api.model.Node> registered;
        Map<String, Pod> pods;
        try {
            registered = client.nodes().list().getItems().stream().collect(Collectors.toMap(
                    n -> n.getMetadata().getName(), Function.identity()));
            pods = client.pods().inNamespace("kube-system").list().getItems().stream().collect(Collectors.toMap(
                    p -> p.getMetadata().getName(), Function.identity()));
        } catch (KubernetesClientException e) {
            String why = "the API server did not answer: " + e.getMessage();
            nodes.forEach(n -> results.add(CheckResult.failed(STAGE, n.name(), "Ready", why)));
            return results;
        }
        for (Node n : nodes) {
            var k = registered.get(n.name());
            if (k == null) {
                results.add(CheckResult.failed(STAGE, n.name(), "Ready", "not registered with the API server"));
                continue;
            }
            List<NodeCondition> conditions = k.getStatus() == null || k.getStatus().getConditions() == null
                    ? List.of() : k.getStatus().getConditions();
            NodeCondition ready = conditions.stream().filter(c -> "Ready".equals(c.getType())).findFirst()
                    .orElse(null);
            results.add(CheckResult.of(STAGE, n.name(), "Ready", ready != null && "True".equals(ready.getStatus()),
                    ready == null ? "no Ready condition yet"
                    : "Ready is " + ready.getStatus() + (ready.getMessage() == null ? "" : ": " + ready.getMessage())));
        }
        for (Node n : KubeadmConfigs.controlPlane(nodes)) {
            List<String> notRunning = new ArrayList<>();
            for (String component : CONTROL_PLANE_PODS) {
                Pod p = pods.get(component + "-" + n.name());
                String phase = p == null || p.getStatus() == null ? "missing" : p.getStatus().getPhase();
                if (!"Running".equals(phase)) {
                    notRunning.add(component + " " + phase);
                }
            }
            results.add(CheckResult.of(STAGE, n.name(), "control-plane pods running", notRunning.isEmpty(),
                    String.join(", ", notRunning)));
            results.add(apiServerFlags(n, pods.get("kube-apiserver-" + n.name())));
        }
        Node first = KubeadmConfigs.controlPlane(nodes).get(0);
        String etcd;
        try {
            etcd = client.raw("/readyz/etcd");
        } catch (KubernetesClientException e) {
            etcd = null;
        }
        boolean reaches = "ok".equals(etcd == null ? null : etcd.strip());
        results.add(CheckResult.of(STAGE, first.name(), "API server reaches etcd", reaches, "/readyz/etcd answered "
                + (etcd == null ? "nothing" : "'" + etcd.strip() + "'")));
        return results;
    }

    /** The API server runs with Secrets encrypted at rest and the audit log (its mirror pod's command says so). */
    private static CheckResult apiServerFlags(Node n, Pod apiServer) {
        String probe = "API server encrypts Secrets and audits";
        if (apiServer == null || apiServer.getSpec() == null || apiServer.getSpec().getContainers().isEmpty()) {
            return CheckResult.failed(STAGE, n.name(), probe, "no kube-apiserver pod to read its flags from");
        }
        List<String> command = new ArrayList<>();
        var container = apiServer.getSpec().getContainers().get(0);
        command.addAll(container.getCommand() == null ? List.of() : container.getCommand());
        command.addAll(container.getArgs() == null ? List.of() : container.getArgs());
        List<String> missing = KubeadmConfigs.apiServerFlags().stream().filter(f -> !command.contains(f)).toList();
        return CheckResult.of(STAGE, n.name(), probe, missing.isEmpty(), "kube-apiserver runs without "
                + String.join(" ", missing));
    }
}
