package birdbath.provider.local;

import birdbath.BirdbathException;
import birdbath.host.Host;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One cluster's network on this machine: a bridge with a /24 out of 198.18.0.0/15 (the range for benchmarks and
 * tests, never routed), and per node a network namespace joined to it by a veth pair. Names carry the cluster's
 * id, so two clusters (or a crashed earlier run) never collide.
 *
 * @param id     a short hex id of the cluster on this machine
 * @param subnet the third and fourth octet base: 198.18.0.0 + subnet * 256
 */
record LocalNetwork(String id, int subnet) {

    private static final Duration T = Duration.ofSeconds(30);

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
        String used = Host.check(T, "ip", "-o", "-4", "addr", "show");
        int start = Integer.parseInt(id.substring(0, 4), 16) % 512;
        for (int i = 0; i < 512; i++) {
            int candidate = (start + i) % 512;
            LocalNetwork net = new LocalNetwork(id, candidate);
            if (!used.contains(" " + net.prefix())) {
                return net;
            }
        }
        throw new BirdbathException("no free /24 left in 198.18.0.0/15 on this machine");
    }

    boolean bridgeExists() {
        return Files.exists(Path.of("/sys/class/net", bridge()));
    }

    void ensureBridge() {
        if (bridgeExists()) {
            return;
        }
        Host.check(T, "ip", "link", "add", bridge(), "type", "bridge");
        Host.check(T, "ip", "addr", "add", gateway() + "/24", "dev", bridge());
        Host.check(T, "ip", "link", "set", bridge(), "up");
    }

    boolean namespaceExists(int n) {
        return Files.exists(Path.of("/run/netns", namespace(n)));
    }

    /** The node's namespace with eth0 at its address, lo up, and a route to the host. */
    void ensureNamespace(int n) {
        if (namespaceExists(n)) {
            return;
        }
        String ns = namespace(n);
        Host.check(T, "ip", "netns", "add", ns);
        Host.check(T, "ip", "link", "add", hostVeth(n), "type", "veth", "peer", "name", "eth0", "netns", ns);
        Host.check(T, "ip", "link", "set", hostVeth(n), "master", bridge(), "up");
        Host.check(T, "ip", "-n", ns, "addr", "add", address(n) + "/24", "dev", "eth0");
        Host.check(T, "ip", "-n", ns, "link", "set", "eth0", "up");
        Host.check(T, "ip", "-n", ns, "link", "set", "lo", "up");
        Host.check(T, "ip", "-n", ns, "route", "add", "default", "via", gateway());
    }

    /** Removing the namespace destroys its veth pair too. */
    void removeNamespace(int n) {
        if (namespaceExists(n)) {
            Host.check(T, "ip", "netns", "del", namespace(n));
        }
        if (Files.exists(Path.of("/sys/class/net", hostVeth(n)))) {
            Host.run(T, "ip", "link", "del", hostVeth(n));
        }
    }

    void removeBridge() {
        if (bridgeExists()) {
            Host.check(T, "ip", "link", "del", bridge());
        }
    }
}
