package birdbath.stage.kubernetes;

import birdbath.BirdbathException;
import birdbath.provider.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which nodes an upgrade to kubernetes.version touches, and in which order: the control-plane nodes one at a time
 * (the first one runs `kubeadm upgrade apply`), then the workers. Decided for every node before any is drained: a
 * node newer than the version, or one more than a minor release behind it (kubeadm upgrades one minor release at a
 * time), stops the upgrade before it starts.
 */
record UpgradePlan(List<Node> order) {

    /**
     * @param controlPlane the control-plane nodes, the first one first
     * @param installed    node name -> the release it runs ("" when it says none)
     */
    static UpgradePlan of(List<Node> controlPlane, List<Node> nodes, Map<String, String> installed, String want) {
        List<Node> all = new ArrayList<>(controlPlane);
        nodes.stream().filter(n -> !all.contains(n)).forEach(all::add);
        List<Node> order = new ArrayList<>();
        List<String> refusals = new ArrayList<>();
        for (Node n : all) {
            String have = installed.getOrDefault(n.name(), "");
            if (have.equals(want)) {
                continue;
            }
            if (have.isEmpty()) {
                refusals.add(n.name() + " does not say which Kubernetes release it runs (" + KubernetesStage.VERSION_MARK
                        + " is missing)");
            } else if (KubernetesStage.compare(have, want) > 0) {
                refusals.add(n.name() + " runs Kubernetes " + have + ", newer than kubernetes.version " + want
                        + "; kubeadm does not downgrade");
            } else if (minor(want) - minor(have) > 1) {
                refusals.add(n.name() + " runs Kubernetes " + have + "; kubeadm upgrades one minor release at a time:"
                        + " set kubernetes.version to a 1." + (minor(have) + 1) + " release first, then " + want);
            } else {
                order.add(n);
            }
        }
        if (!refusals.isEmpty()) {
            throw new BirdbathException("kubernetes: no node was upgraded: " + String.join("; ", refusals));
        }
        return new UpgradePlan(order);
    }

    private static int minor(String version) {
        String[] parts = version.split("\\.");
        return parts.length > 1 ? Integer.parseInt(parts[1].replaceAll("\\D.*", "")) : 0;
    }
}
