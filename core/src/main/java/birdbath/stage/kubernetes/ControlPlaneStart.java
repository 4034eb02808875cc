package birdbath.stage.kubernetes;

import birdbath.BirdbathException;
import birdbath.provider.Node;
import java.util.List;

/**
 * Whether this run starts the cluster (`kubeadm init`) or joins nodes to one that runs, and through which
 * control-plane node. `kubeadm init` runs only when etcd holds no Kubernetes cluster and no control-plane node has
 * an admin kubeconfig; a rebuilt control-plane node, the first one included, joins through one that runs.
 *
 * @param init   whether the first control-plane node runs `kubeadm init`
 * @param source the control-plane node that runs the cluster's side of joins and upgrades
 */
public record ControlPlaneStart(boolean init, Node source) {

    /** Where Kubernetes keeps its objects in etcd: keys under it mean a cluster exists. */
    public static final String REGISTRY = "/registry/";

    /**
     * @param etcdHoldsCluster whether etcd has keys under {@link #REGISTRY}
     * @param live             the control-plane nodes that have /etc/kubernetes/admin.conf, in control-plane order
     * @param controlPlane     every control-plane node, the first one first
     */
    public static ControlPlaneStart decide(boolean etcdHoldsCluster, List<Node> live, List<Node> controlPlane) {
        if (!live.isEmpty() && etcdHoldsCluster) {
            return new ControlPlaneStart(false, live.get(0));
        }
        if (live.isEmpty() && !etcdHoldsCluster) {
            return new ControlPlaneStart(true, controlPlane.get(0));
        }
        if (live.isEmpty()) {
            throw new BirdbathException("kubernetes: etcd holds a Kubernetes cluster (keys under " + REGISTRY
                    + ") but no control-plane node has " + KubernetesStage.ADMIN + ", so none runs it: birdbath does"
                    + " not run `kubeadm init` over a cluster's data. Bring back a control-plane node that has it, or"
                    + " restore etcd from a snapshot (`birdbath etcd restore`) and rebuild the control plane from it");
        }
        throw new BirdbathException("kubernetes: " + live.get(0).name() + " has " + KubernetesStage.ADMIN
                + " but etcd holds no Kubernetes cluster (nothing under " + REGISTRY + "): etcd was wiped or replaced."
                + " Restore it from a snapshot (`birdbath etcd restore`); birdbath starts no second cluster beside"
                + " the nodes of the first");
    }
}
