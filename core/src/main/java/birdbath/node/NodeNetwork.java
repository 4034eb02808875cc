package birdbath.node;

import birdbath.host.Host;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The wiring every node on this machine gets, whoever made it (the local provider or the Linode twin): a bridge
 * with the host's addresses on it, and per node a network namespace joined to the bridge by a veth pair (eth0
 * inside), with the node's addresses and a default route to the host.
 */
public final class NodeNetwork {

    private static final Duration T = Duration.ofSeconds(30);

    private NodeNetwork() { }

    /**
     * A /24 out of 198.18.0.0/15 (the range for benchmarks and tests, never routed) that no address on this
     * machine uses and that is not in {@code taken}, as its prefix ("198.19.7."), searching from {@code start}
     * (0-511).
     */
    public static String freeSlash24(int start, java.util.Collection<String> taken) {
        String used = Host.check(T, "ip", "-o", "-4", "addr", "show");
        for (int i = 0; i < 512; i++) {
            int candidate = (start + i) % 512;
            String prefix = "198." + (18 + candidate / 256) + "." + (candidate % 256) + ".";
            if (!used.contains(" " + prefix) && !taken.contains(prefix)) {
                return prefix;
            }
        }
        throw new birdbath.BirdbathException("no free /24 left in 198.18.0.0/15 on this machine");
    }

    public static boolean exists(String link) {
        return Files.exists(Path.of("/sys/class/net", link));
    }

    public static boolean namespaceExists(String namespace) {
        return Files.exists(Path.of("/run/netns", namespace));
    }

    /** The bridge, up, with the host's {@code addresses} (CIDR notation), unless it exists already. */
    public static void ensureBridge(String bridge, List<String> addresses) {
        if (exists(bridge)) {
            return;
        }
        Host.check(T, "ip", "link", "add", bridge, "type", "bridge");
        for (String a : addresses) {
            Host.check(T, "ip", "addr", "add", a, "dev", bridge);
        }
        Host.check(T, "ip", "link", "set", bridge, "up");
    }

    /** The namespace with eth0 at {@code addresses} (CIDR notation), lo up, a default route via {@code gateway}. */
    public static void ensureNamespace(String namespace, String hostVeth, String bridge, List<String> addresses,
                                       String gateway) {
        if (namespaceExists(namespace)) {
            return;
        }
        Host.check(T, "ip", "netns", "add", namespace);
        Host.check(T, "ip", "link", "add", hostVeth, "type", "veth", "peer", "name", "eth0", "netns", namespace);
        Host.check(T, "ip", "link", "set", hostVeth, "master", bridge, "up");
        for (String a : addresses) {
            Host.check(T, "ip", "-n", namespace, "addr", "add", a, "dev", "eth0");
        }
        Host.check(T, "ip", "-n", namespace, "link", "set", "eth0", "up");
        Host.check(T, "ip", "-n", namespace, "link", "set", "lo", "up");
        Host.check(T, "ip", "-n", namespace, "route", "add", "default", "via", gateway);
    }

    /** Removing the namespace destroys its veth pair too (the host end is removed if it lingers). */
    public static void removeNamespace(String namespace, String hostVeth) {
        if (namespaceExists(namespace)) {
            Host.check(T, "ip", "netns", "del", namespace);
        }
        if (exists(hostVeth)) {
            Host.run(T, "ip", "link", "del", hostVeth);
        }
    }

    public static void removeBridge(String bridge) {
        if (exists(bridge)) {
            Host.check(T, "ip", "link", "del", bridge);
        }
    }
}
