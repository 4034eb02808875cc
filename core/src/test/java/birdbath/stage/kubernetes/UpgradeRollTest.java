package birdbath.stage.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import birdbath.BirdbathException;
import birdbath.Reporter;
import birdbath.config.ClusterSpec.Role;
import birdbath.provider.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The upgrade roll, and a leaving node's removal (both drain through NodeDrain), against fabric8's mock API server
 * in CRUD mode. The mock stores objects but has no eviction
 * subresource (a POST there is refused as a duplicate create), so each pod's eviction is answered as the API
 * server does (201) and the pod deleted shortly after, as its kubelet would once it stopped. The node upgrade
 * itself (upgrade-node.sh over SSH) is a recorder that sees the node's state at that moment.
 */
@EnableKubernetesMockClient(crud = true)
class UpgradeRollTest {

    static KubernetesClient client;
    static KubernetesMockServer server;

    private final List<String> events = Collections.synchronizedList(new ArrayList<>());

    private static Node node(int n, boolean controlPlane) {
        return new Node("demo-" + n, n, controlPlane ? EnumSet.of(Role.CONTROL_PLANE) : EnumSet.of(Role.WORKER),
                "203.0.113." + n, "198.18.5." + n, null, null, new Node.Ssh("203.0.113." + n, 22, "birdbath"), null);
    }

    private final List<Node> nodes = List.of(node(1, true), node(2, true), node(3, false), node(4, false));
    private final List<Node> controlPlane = nodes.subList(0, 2);

    @BeforeEach
    void cluster() {
        client.pods().inAnyNamespace().delete();
        client.nodes().delete();
        for (Node n : nodes) {
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName(n.name()).endMetadata().build())
                    .create();
            // flannel on every node: a DaemonSet's pod, which draining leaves alone
            pod("kube-flannel", "kube-flannel-ds-" + n.index(), n.name(), "DaemonSet", null);
        }
        // a static pod (the kubelet's own) and two pods that move
        pod("kube-system", "kube-apiserver-demo-1", "demo-1", null, "mirror");
        pod("birdbath", "haircolor-abc", "demo-3", "ReplicaSet", null);
        pod("birdbath", "postgres-0", "demo-4", "StatefulSet", null);
    }

    private static void pod(String namespace, String name, String node, String ownerKind, String mirror) {
        PodBuilder b = new PodBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("main").endContainer().endSpec();
        if (ownerKind != null) {
            b.editMetadata().addNewOwnerReference().withKind(ownerKind).withName("owner").withApiVersion("apps/v1")
                    .withUid("u-" + name).endOwnerReference().endMetadata();
        }
        if (mirror != null) {
            b.editMetadata().addToAnnotations("kubernetes.io/config.mirror", "hash").endMetadata();
        }
        Pod pod = b.build();
        client.pods().inNamespace(namespace).resource(pod).create();
        if (name.equals("stubborn")) {
            return;
        }
        // the API server's answer to an eviction; the pod goes once it has stopped
        server.expect().post().withPath("/api/v1/namespaces/" + namespace + "/pods/" + name + "/eviction")
                .andReply(201, request -> {
                    CompletableFuture.runAsync(() -> client.pods().inNamespace(namespace).withName(name).delete());
                    return "{\"kind\":\"Status\",\"status\":\"Success\"}";
                }).always();
    }

    private boolean cordoned(String node) {
        Boolean u = client.nodes().withName(node).get().getSpec() == null ? null
                : client.nodes().withName(node).get().getSpec().getUnschedulable();
        return Boolean.TRUE.equals(u);
    }

    private List<String> podsOn(String node) {
        return client.pods().inAnyNamespace().list().getItems().stream()
                .filter(p -> node.equals(p.getSpec().getNodeName())).map(p -> p.getMetadata().getName()).toList();
    }

    private UpgradeRoll roll() {
        return new UpgradeRoll(client, Duration.ofSeconds(10), Duration.ofMillis(50), Reporter.silent());
    }

    /** What the node's upgrade sees: the node cordoned, nothing but DaemonSet and static pods left on it. */
    private void record(Node n, boolean apply) {
        events.add(n.name() + (apply ? " apply" : " node") + (cordoned(n.name()) ? " cordoned " : " SCHEDULABLE ")
                + podsOn(n.name()));
    }

    /** Before `up --yes` removes demo-4: drained (its StatefulSet's pod evicted) and deleted; unknown names skipped. */
    @Test
    void aLeavingNodeIsDrainedThenDeletedAndTheOthersAreUntouched() {
        KubernetesLeaving.remove(client, List.of("demo-4", "demo-9"), new NodeDrain(client, Duration.ofSeconds(10),
                Duration.ofMillis(50)), Reporter.silent());
        assertThat(client.nodes().withName("demo-4").get()).isNull();
        assertThat(podsOn("demo-4")).as("what was left: the DaemonSet's pod, the API's garbage collector's")
                .containsExactly("kube-flannel-ds-4");
        assertThat(client.nodes().list().getItems()).extracting(n -> n.getMetadata().getName())
                .containsExactlyInAnyOrder("demo-1", "demo-2", "demo-3");
        assertThat(nodes.subList(0, 3)).noneMatch(n -> cordoned(n.name()));
        assertThat(podsOn("demo-3")).contains("haircolor-abc");
    }

    @Test
    void controlPlaneFirstOneAtATimeThenWorkersEachDrainedAndUncordoned() {
        Map<String, String> installed = Map.of("demo-1", "1.35.2", "demo-2", "1.35.2", "demo-3", "1.35.2",
                "demo-4", "1.35.2");
        List<String> done = roll().run(controlPlane, nodes, installed, "1.36.1", this::record);
        assertThat(done).containsExactly("demo-1", "demo-2", "demo-3", "demo-4");
        assertThat(events).containsExactly(
                "demo-1 apply cordoned [kube-flannel-ds-1, kube-apiserver-demo-1]",
                "demo-2 node cordoned [kube-flannel-ds-2]",
                "demo-3 node cordoned [kube-flannel-ds-3]",
                "demo-4 node cordoned [kube-flannel-ds-4]");
        assertThat(nodes).noneMatch(n -> cordoned(n.name()));
        // what draining moved is gone (its controllers start it elsewhere); the rest stayed
        assertThat(podsOn("demo-3")).containsExactly("kube-flannel-ds-3");
        assertThat(podsOn("demo-1")).contains("kube-apiserver-demo-1");
    }

    @Test
    void aFailedNodeStopsTheRollLeftCordonedAndTheRestUntouched() {
        Map<String, String> installed = Map.of("demo-1", "1.36.1", "demo-2", "1.35.2", "demo-3", "1.35.2",
                "demo-4", "1.35.2");
        assertThatThrownBy(() -> roll().run(controlPlane, nodes, installed, "1.36.1", (n, apply) -> {
            record(n, apply);
            if (n.name().equals("demo-3")) {
                throw new BirdbathException("demo-3: kubernetes: apt-get install failed (exit 100)");
            }
        })).isInstanceOf(BirdbathException.class).hasMessage("kubernetes: upgrading demo-3 to 1.36.1 failed: demo-3:"
                + " kubernetes: apt-get install failed (exit 100). Upgraded: demo-2; demo-3 is left cordoned; not"
                + " touched: demo-4. Fix demo-3 and run `birdbath up` again: it goes on from there");
        // demo-1 runs the release already: skipped, and demo-2 is then no `apply`
        assertThat(events).containsExactly("demo-2 node cordoned [kube-flannel-ds-2]",
                "demo-3 node cordoned [kube-flannel-ds-3]");
        assertThat(cordoned("demo-3")).isTrue();
        assertThat(cordoned("demo-4")).isFalse();
        assertThat(podsOn("demo-4")).contains("postgres-0");
    }

    @Test
    void skippingAMinorReleaseTouchesNothing() {
        Map<String, String> installed = Map.of("demo-1", "1.35.2", "demo-2", "1.35.2", "demo-3", "1.35.2",
                "demo-4", "1.34.9");
        assertThatThrownBy(() -> roll().run(controlPlane, nodes, installed, "1.36.1", this::record))
                .hasMessageStartingWith("kubernetes: no node was upgraded: demo-4 runs Kubernetes 1.34.9");
        assertThat(events).isEmpty();
        assertThat(nodes).noneMatch(n -> cordoned(n.name()));
        assertThat(podsOn("demo-3")).contains("haircolor-abc");
    }

    @Test
    void podsThatDoNotLeaveStopTheRollBeforeTheNodeIsUpgraded() {
        // a pod whose eviction is refused (as for a PodDisruptionBudget): the mock answers 429 for it
        pod("birdbath", "stubborn", "demo-2", "ReplicaSet", null);
        server.expect().post().withPath("/api/v1/namespaces/birdbath/pods/stubborn/eviction").andReturn(429,
                "{\"kind\":\"Status\",\"status\":\"Failure\",\"code\":429}").always();
        Map<String, String> installed = Map.of("demo-1", "1.36.1", "demo-2", "1.35.2", "demo-3", "1.36.1",
                "demo-4", "1.36.1");
        // retries as birdbath's own client makes them (KubernetesStage.client): one, soon
        try (KubernetesClient ours = new KubernetesClientBuilder().withConfig(new ConfigBuilder(client
                .getConfiguration()).withRequestRetryBackoffLimit(1).withRequestRetryBackoffInterval(50).build())
                .build()) {
            UpgradeRoll roll = new UpgradeRoll(ours, Duration.ofMillis(600), Duration.ofMillis(50), Reporter.silent());
            assertThatThrownBy(() -> roll.run(controlPlane, nodes, installed, "1.36.1", this::record))
                    .hasMessageContaining("upgrading demo-2 to 1.36.1 failed: the pods [birdbath/stubborn] did not"
                            + " leave demo-2");
        }
        assertThat(events).isEmpty();
        assertThat(cordoned("demo-2")).isTrue();
    }
}
