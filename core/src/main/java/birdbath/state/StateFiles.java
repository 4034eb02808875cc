package birdbath.state;

import birdbath.BirdbathException;
import birdbath.config.ClusterSpec;
import birdbath.config.ClusterSpec.Role;
import birdbath.provider.Node;
import birdbath.secrets.ClusterCredentials;
import birdbath.secrets.SecretFiles;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

/**
 * The files `up` leaves in .birdbath/ for the user and for later stages: state.json, an Ansible inventory with
 * the original's groups, a heketi-shaped topology.json, and hosts (private address, FQDN, name).
 */
public final class StateFiles {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final ClusterSpec spec;
    private final StateDir state;

    public StateFiles(ClusterSpec spec) {
        this.spec = spec;
        this.state = StateDir.of(spec);
    }

    public Path dir() {
        return spec.stateDir();
    }

    /** Writes the state files for {@code nodes}, each with the user birdbath logs in as now; returns them so. */
    public List<Node> write(List<Node> nodes) {
        String user = new ClusterCredentials(spec.stateDir()).loginUser();
        List<Node> stamped = nodes.stream().map(n -> n.ssh().user().equals(user) ? n : new Node(n.name(), n.index(),
                n.roles(), n.publicIp(), n.privateIp(), n.fqdn(), n.storageDevice(),
                new Node.Ssh(n.ssh().host(), n.ssh().port(), user), n.providerId())).toList();
        ClusterState cluster = new ClusterState(1, spec.name(), spec.provider().label(), spec.domain(), stamped);
        try {
            SecretFiles.write(state.stateJson(), JSON.writeValueAsBytes(cluster));
            SecretFiles.write(state.topology(), JSON.writeValueAsBytes(topology(stamped)));
        } catch (IOException e) {
            throw new BirdbathException("cannot write state: " + e.getMessage());
        }
        SecretFiles.write(state.inventory(), inventory(stamped).getBytes(StandardCharsets.UTF_8));
        SecretFiles.write(state.hosts(), hosts(stamped).getBytes(StandardCharsets.UTF_8));
        return stamped;
    }

    /** After the stages: the state files again only if the login user changed (baseline made the admin). */
    public List<Node> followLoginUser(List<Node> nodes) {
        String user = new ClusterCredentials(spec.stateDir()).loginUser();
        return nodes.stream().allMatch(n -> n.ssh().user().equals(user)) ? nodes : write(nodes);
    }

    public ClusterState read() {
        Path file = state.stateJson();
        if (!Files.exists(file)) {
            throw new BirdbathException("no nodes yet: " + file + " does not exist; run `birdbath up` first");
        }
        try {
            return JSON.readValue(file.toFile(), ClusterState.class);
        } catch (IOException e) {
            throw new BirdbathException(file + " is damaged (" + e.getMessage().lines().findFirst().orElse("")
                    + "); `birdbath up` rewrites it from what the provider reports");
        }
    }

    /** Removes the output files (not the key, password or logs: they are reused by the next `up`). */
    public void remove() {
        for (Path file : state.nodeOutputs()) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new BirdbathException("cannot remove " + file + ": " + e.getMessage());
            }
        }
    }

    /** Ansible INI inventory: kubenodes, kubeadm-masters, kubeadm-clients, etcd, storage. */
    static String inventory(List<Node> nodes) {
        StringBuilder sb = new StringBuilder("# written by birdbath up; groups as the original playbooks used them\n");
        group(sb, "kubenodes", nodes, n -> true, true);
        group(sb, "kubeadm-masters", nodes, n -> n.roles().contains(Role.CONTROL_PLANE), false);
        group(sb, "kubeadm-clients", nodes, n -> !n.roles().contains(Role.CONTROL_PLANE), false);
        group(sb, "etcd", nodes, n -> n.roles().contains(Role.ETCD), false);
        group(sb, "storage", nodes, n -> n.roles().contains(Role.STORAGE), false);
        return sb.toString();
    }

    private static void group(StringBuilder sb, String name, List<Node> nodes, Predicate<Node> member, boolean vars) {
        sb.append('\n').append('[').append(name).append("]\n");
        for (Node n : nodes) {
            if (member.test(n)) {
                sb.append(n.name());
                if (vars) {
                    sb.append(" ansible_host=").append(n.ssh().host()).append(" ansible_port=").append(n.ssh().port())
                            .append(" ansible_user=").append(n.ssh().user()).append(" private_ip=")
                            .append(n.privateIp()).append(" fqdn=").append(n.fqdn());
                }
                sb.append('\n');
            }
        }
    }

    /** heketi's topology: one node per storage node, managed by FQDN, storage on the private address. */
    static ObjectNode topology(List<Node> nodes) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("clusters").addObject().putArray("nodes");
        for (Node n : nodes) {
            if (n.storageDevice() == null) {
                continue;
            }
            ObjectNode entry = list.addObject();
            ObjectNode node = entry.putObject("node");
            ObjectNode hostnames = node.putObject("hostnames");
            hostnames.putArray("manage").add(n.fqdn());
            hostnames.putArray("storage").add(n.privateIp());
            node.put("zone", 1);
            entry.putArray("devices").add(n.storageDevice());
        }
        return root;
    }

    static String hosts(List<Node> nodes) {
        StringBuilder sb = new StringBuilder();
        for (Node n : nodes) {
            sb.append(n.privateIp()).append(' ').append(n.fqdn()).append(' ').append(n.name()).append('\n');
        }
        return sb.toString();
    }
}
