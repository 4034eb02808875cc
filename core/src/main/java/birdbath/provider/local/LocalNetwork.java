package birdbath.provider.local;

import birdbath.BirdbathException;
import birdbath.node.NodeNetwork;
import java.util.List;

/**
 * One cluster's network on this machine: a bridge with a /24 out of 198.18.0.0/15 (the range for benchmarks and
 * tests, never routed), and per node a network namespace joined to it by a veth pair. Names carry the cluster's
 * id, so two clusters (or a crashed earlier run) never collide.
 *
 * @param id     a short hex id of the cluster on this machine
 * @param subnet the third and fourth octet base: 198.18.0.0 + subnet * 256
 */
record LocalNetwork(String id, int subnet) {

    String bridge() {
        return "bb" + id;
    }

    String namespace(int n) {
        return "bb" + id + "-" + n;
    }

    String hostVeth(int n) {
        return "vb" + id + "-" + n;
    }

    private String prefix() {
        return "198." + (18 + subnet / 256) + "." + (subnet % 256) + ".";
    }

    String gateway() {
        return prefix() + "1";
    }

    String address(int n) {
        if (n < 1 || n > 240) {
            throw new BirdbathException("the local provider supports up to 240 nodes per cluster");
        }
        return prefix() + (10 + n);
    }

    String cidr() {
        return prefix() + "0/24";
    }

    /** Picks a /24 not in use on this machine, starting from one derived from the cluster's id. */
    static LocalNetwork allocate(String id) {
        String prefix = NodeNetwork.freeSlash24(Integer.parseInt(id.substring(0, 4), 16) % 512, List.of());
        String[] octets = prefix.split("\\.");
        return new LocalNetwork(id, (Integer.parseInt(octets[1]) - 18) * 256 + Integer.parseInt(octets[2]));
    }

    boolean bridgeExists() {
        return NodeNetwork.exists(bridge());
    }

    void ensureBridge() {
        NodeNetwork.ensureBridge(bridge(), List.of(gateway() + "/24"));
    }

    boolean namespaceExists(int n) {
        return NodeNetwork.namespaceExists(namespace(n));
    }

    /** The node's namespace with eth0 at its address, lo up, and a route to the host. */
    void ensureNamespace(int n) {
        NodeNetwork.ensureNamespace(namespace(n), hostVeth(n), bridge(), List.of(address(n) + "/24"), gateway());
    }

    void removeNamespace(int n) {
        NodeNetwork.removeNamespace(namespace(n), hostVeth(n));
    }

    void removeBridge() {
        NodeNetwork.removeBridge(bridge());
    }
}
