package birdbath.stage.storage;

import birdbath.config.ClusterSpec.Role;
import birdbath.provider.Node;
import java.util.ArrayList;
import java.util.List;

/**
 * Which nodes serve the volume and how it is replicated: replica 3 on three or more storage nodes (bricks in
 * multiples of three), with two storage nodes replica 3 arbiter 1 (the arbiter, which holds only metadata, on
 * the first other node) or, on a 2-node cluster, replica 2; a single storage node gets a plain volume.
 */
record GlusterLayout(List<Node> servers, List<Node> brickNodes, Node arbiter, String type, List<String> warnings) {

    static final String VOLUME = "birdbath";
    static final String BRICK_MOUNT = "/var/lib/birdbath/brick";
    static final String BRICK_DIR = BRICK_MOUNT + "/" + VOLUME;
    /** The arbiter's brick is a directory on its root filesystem (metadata only, a few MB). */
    static final String ARBITER_DIR = "/var/lib/birdbath/arbiter/" + VOLUME;

    static GlusterLayout of(List<Node> nodes) {
        List<Node> storage = nodes.stream().filter(n -> n.roles().contains(Role.STORAGE)).toList();
        List<String> warnings = new ArrayList<>();
        if (storage.isEmpty()) {
            return new GlusterLayout(List.of(), List.of(), null, "none", warnings);
        }
        if (storage.size() == 1) {
            warnings.add("one storage node: the volume has no replica, and losing " + storage.get(0).name()
                    + " loses its data");
            return new GlusterLayout(storage, storage, null, "plain", warnings);
        }
        if (storage.size() == 2) {
            Node other = nodes.stream().filter(n -> !storage.contains(n)).findFirst().orElse(null);
            if (other == null) {
                warnings.add("two nodes: replica 2 without an arbiter can split-brain; a third node would hold"
                        + " an arbiter");
                return new GlusterLayout(storage, storage, null, "replica 2", warnings);
            }
            List<Node> servers = new ArrayList<>(storage);
            servers.add(other);
            return new GlusterLayout(servers, storage, other, "replica 3 arbiter 1", warnings);
        }
        int used = storage.size() / 3 * 3;
        if (used < storage.size()) {
            warnings.add("replica 3 takes bricks in threes: " + storage.subList(used, storage.size()).stream()
                    .map(Node::name).toList() + " carry a volume that the GlusterFS volume does not use yet");
        }
        return new GlusterLayout(storage, storage.subList(0, used), null, "replica 3", warnings);
    }

    /** Bricks per set: 3 for replica 3 with or without arbiter, 2 for replica 2, else 1. */
    int replica() {
        return type.startsWith("replica ") ? Integer.parseInt(type.split(" ")[1]) : 1;
    }

    boolean replicated() {
        return !type.equals("plain") && !type.equals("none");
    }

    /** host:path of every brick, in volume order (arbiter last of its set). */
    List<String> bricks() {
        List<String> out = new ArrayList<>();
        brickNodes.forEach(n -> out.add(n.privateIp() + ":" + BRICK_DIR));
        if (arbiter != null) {
            out.add(arbiter.privateIp() + ":" + ARBITER_DIR);
        }
        return out;
    }

    /** The server whose address a brick (host:path) names. */
    Node owner(String brick) {
        return servers.stream().filter(n -> on(n, brick)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("no server for brick " + brick));
    }

    /** Those of {@code bricks} (host:path) that {@code server} holds. */
    static List<String> on(Node server, java.util.Collection<String> bricks) {
        return bricks.stream().filter(b -> on(server, b)).toList();
    }

    private static boolean on(Node server, String brick) {
        return brick.startsWith(server.privateIp() + ":");
    }

    /** gluster volume create ... (force only for the arbiter's directory on a root filesystem). */
    String createCommand() {
        String kind = type.equals("plain") ? "" : type + " ";
        return "gluster --mode=script volume create " + VOLUME + " " + kind + String.join(" ", bricks())
                + (arbiter != null ? " force" : "");
    }
}
