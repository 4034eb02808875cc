package birdbath.stage.etcd;

import birdbath.BirdbathException;
import birdbath.Poll;
import birdbath.config.ClusterSpec.Role;
import birdbath.pki.Pki;
import birdbath.provider.Node;
import birdbath.stage.StageRun;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The etcd members of a stage run, reached through SSH-forwarded ports to each member's localhost:2379 with
 * birdbath's own client certificate (etcd-admin): works wherever SSH does, whatever the firewall.
 */
public final class EtcdCluster {

    static final String DATA_DIR = "/var/lib/etcd/birdbath";
    public static final String PKI_DIR = "/etc/birdbath/etcd";
    public static final String UNIT = "birdbath-etcd.service";
    static final String CLIENT_CERT = "etcd-admin";
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    private final StageRun run;
    private final List<Node> members;
    private final EtcdClient client;
    private final Map<String, URI> endpoints = new ConcurrentHashMap<>();

    public EtcdCluster(StageRun run) {
        this.run = run;
        this.members = members(run.nodes());
        this.client = new EtcdClient(new Pki(run.spec()).clientTls(CLIENT_CERT), REQUEST_TIMEOUT);
    }

    public StageRun run() {
        return run;
    }

    /** The nodes that should be members, in order. */
    public List<Node> members() {
        return members;
    }

    /** Of {@code nodes}, those that should be members, in order. */
    public static List<Node> members(List<Node> nodes) {
        return nodes.stream().filter(n -> n.roles().contains(Role.ETCD)).toList();
    }

    public EtcdClient client() {
        return client;
    }

    /** https://127.0.0.1:PORT, forwarded to the member's own localhost:2379. */
    public URI endpoint(Node node) {
        return endpoints.computeIfAbsent(node.name(), n -> URI.create("https://127.0.0.1:"
                + run.engine().session(node).forward("127.0.0.1", 2379)));
    }

    public static String peerUrl(Node node) {
        return "https://" + node.privateIp() + ":2380";
    }

    String token() {
        return "birdbath-" + run.spec().name();
    }

    /** name=peerURL,... for etcd's --initial-cluster. */
    static String initialCluster(Collection<Node> nodes) {
        return nodes.stream().map(n -> n.name() + "=" + peerUrl(n)).collect(Collectors.joining(","));
    }

    /** The member list as the first member that answers gives it; fails when none answers. */
    public List<EtcdClient.Member> list() {
        List<String> errors = new ArrayList<>();
        for (Node n : members) {
            try {
                return client.members(endpoint(n));
            } catch (BirdbathException e) {
                errors.add(n.name() + ": " + e.getMessage());
            }
        }
        throw new BirdbathException("no etcd member answers: " + String.join("; ", errors));
    }

    /** A member node that answers (for requests that any member can serve). */
    public Node answering() {
        for (Node n : members) {
            try {
                client.members(endpoint(n));
                return n;
            } catch (BirdbathException e) {
                // try the next
            }
        }
        throw new BirdbathException("no etcd member answers; `birdbath check --only etcd` says why");
    }

    public void awaitHealthy(Collection<Node> nodes, Duration deadline) {
        Poll.until("etcd to be healthy on " + nodes.stream().map(Node::name).toList(), deadline,
                Duration.ofMillis(200), () -> nodes.stream().allMatch(n -> client.healthy(endpoint(n))));
    }
}
