package birdbath.stage.kubernetes;

import birdbath.provider.Node;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Where each node reaches the Kubernetes API: the control-plane nodes' private addresses, which every node's
 * /etc/hosts gives under the API's public name. kubeadm writes that name into every kubeconfig on the nodes
 * (kubelet, kube-proxy, the join), so all of the cluster's own traffic to the API stays on the private network,
 * inside the IPsec mesh, whatever networking.allowed_cidrs lets in from outside; the user's kubeconfig keeps the
 * public name (a node, or the NodeBalancer). With several addresses for the name, Go's resolver returns them in
 * file order and its dialer tries them in turn, so a node falls back to another API server when the first is down.
 */
public final class ApiAddresses {

    private ApiAddresses() { }

    /**
     * The control plane's private addresses in the order {@code node} tries them: its own first on a control-plane
     * node (its API server is local), otherwise rotated by node number so the workers spread over the API servers.
     */
    public static List<String> forNode(List<Node> nodes, Node node) {
        List<String> addresses = new ArrayList<>(KubeadmConfigs.controlPlane(nodes).stream()
                .map(Node::privateIp).toList());
        if (addresses.isEmpty()) {
            return addresses;
        }
        int own = addresses.indexOf(node.privateIp());
        Collections.rotate(addresses, -(own >= 0 ? own : node.index() % addresses.size()));
        return addresses;
    }
}
