package birdbath.stage.etcd;

import birdbath.BirdbathException;
import birdbath.Poll;
import birdbath.Reporter;
import birdbath.provider.Node;
import birdbath.remote.SshConnection;
import birdbath.stage.NodeCommands;
import birdbath.stage.Template;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Brings the running cluster to the configured members, keeping quorum: a first start bootstraps all members
 * at once; after that, a member node with an empty data dir (a rebuilt node, or a new member) replaces its stale
 * entry (member remove, member add) and joins the running cluster; members whose config changed restart one at
 * a time; members that are no longer configured are removed last.
 */
final class EtcdMembership {

    static final Duration START_DEADLINE = Duration.ofMinutes(2);

    /** What a member node says about itself before anything is started. */
    record Probe(boolean hasData, boolean active, boolean restartMarked) { }

    private final EtcdCluster cluster;
    private final Reporter out;

    EtcdMembership(EtcdCluster cluster) {
        this.cluster = cluster;
        this.out = cluster.run().out();
    }

    void reconcile() {
        Map<String, Probe> probes = cluster.run().engine().onEach("etcd state", cluster.members(), c -> {
            String s = c.exec("test -d " + EtcdCluster.DATA_DIR + "/member && echo data; systemctl is-active --quiet "
                    + EtcdCluster.UNIT + " && echo active; test -e " + EtcdStage.RESTART_MARK + " && echo mark; true")
                    .out();
            return new Probe(s.contains("data"), s.contains("active"), s.contains("mark"));
        });
        List<Node> withData = cluster.members().stream().filter(n -> probes.get(n.name()).hasData()).toList();
        if (withData.isEmpty()) {
            bootstrap();
            return;
        }
        List<Node> stopped = withData.stream().filter(n -> !probes.get(n.name()).active()).toList();
        cluster.run().engine().onEach("start etcd", stopped, c -> {
            // started with its current config: a pending restart is done by this start
            c.exec("rm -f " + EtcdStage.RESTART_MARK + "; systemctl start --no-block " + EtcdCluster.UNIT);
            report(c.node(), "started");
            return true;
        });
        awaitQuorum(withData);
        for (Node node : cluster.members()) {
            if (!probes.get(node.name()).hasData()) {
                join(node);
            }
        }
        for (Node node : withData) {
            Probe p = probes.get(node.name());
            if (p.active() && p.restartMarked()) {
                exec(node, "systemctl restart --no-block " + EtcdCluster.UNIT + " && rm -f " + EtcdStage.RESTART_MARK);
                report(node.name(), "restarted (its configuration or etcd itself changed)");
                cluster.awaitHealthy(List.of(node), START_DEADLINE);
            }
        }
        removeUnexpected();
        cluster.awaitHealthy(cluster.members(), START_DEADLINE);
    }

    /** No member has data: all start together as a new cluster (each waits for a quorum before it serves). */
    private void bootstrap() {
        cluster.run().engine().onEach("bootstrap etcd", cluster.members(), c -> {
            Node node = node(c.node());
            writeInitial(c, node, EtcdCluster.initialCluster(cluster.members()), "new");
            must(c, "rm -f " + EtcdStage.RESTART_MARK + "; systemctl start --no-block " + EtcdCluster.UNIT);
            return true;
        });
        cluster.awaitHealthy(cluster.members(), START_DEADLINE);
        cluster.members().forEach(n -> report(n.name(), "started (new cluster of " + cluster.members().size() + ")"));
    }

    /** A member node with an empty data dir: replace its stale entry, add it, start it as joining. */
    private void join(Node node) {
        EtcdClient client = cluster.client();
        Node via = cluster.answering();
        for (EtcdClient.Member m : client.members(cluster.endpoint(via))) {
            if (m.name().equals(node.name()) || m.peerUrls().contains(EtcdCluster.peerUrl(node))) {
                client.removeMember(cluster.endpoint(via), m.id());
                report(node.name(), "removed its old member " + m.hexId() + " (its data is gone)");
            }
        }
        List<EtcdClient.Member> after = addMember(client, via, node);
        List<String> initial = new ArrayList<>();
        for (EtcdClient.Member m : after) {
            String name = m.peerUrls().contains(EtcdCluster.peerUrl(node)) ? node.name() : m.name();
            m.peerUrls().forEach(u -> initial.add(name + "=" + u));
        }
        SshConnection c = cluster.run().engine().session(node);
        writeInitial(c, node, String.join(",", initial), "existing");
        exec(node, "rm -f " + EtcdStage.RESTART_MARK + "; systemctl restart --no-block " + EtcdCluster.UNIT);
        cluster.awaitHealthy(List.of(node), START_DEADLINE);
        report(node.name(), "joined the running cluster");
    }

    /**
     * member add, asked again while etcd answers "unhealthy cluster": it adds a voting member only when every
     * member has been connected for its health interval, 5 s (mayAddMember, server/etcdserver/server.go, v3.5), so
     * a member that just joined holds up the next one for a few seconds.
     */
    private List<EtcdClient.Member> addMember(EtcdClient client, Node via, Node node) {
        List<List<EtcdClient.Member>> added = new ArrayList<>();
        BirdbathException[] last = {null};
        try {
            Poll.until("etcd to accept " + node.name() + " as a member", START_DEADLINE, Duration.ofSeconds(1), () -> {
                try {
                    added.add(client.addMember(cluster.endpoint(via), EtcdCluster.peerUrl(node)));
                    return true;
                } catch (BirdbathException e) {
                    if (!e.getMessage().contains("unhealthy cluster")) {
                        throw e;
                    }
                    last[0] = e;
                    return false;
                }
            });
        } catch (BirdbathException e) {
            throw last[0] != null ? new BirdbathException(e.getMessage() + ": " + last[0].getMessage()) : e;
        }
        return added.get(0);
    }

    /** Members listed that no configured node accounts for (etcd.members was lowered): removed last. */
    private void removeUnexpected() {
        Node via = cluster.answering();
        List<String> wanted = cluster.members().stream().map(EtcdCluster::peerUrl).toList();
        for (EtcdClient.Member m : cluster.client().members(cluster.endpoint(via))) {
            if (m.peerUrls().stream().noneMatch(wanted::contains)) {
                cluster.client().removeMember(cluster.endpoint(via), m.id());
                out.warn("etcd: removed member " + (m.name().isEmpty() ? m.hexId() : m.name()) + " at " + m.peerUrls()
                        + ": no configured node is it");
            }
        }
    }

    private void awaitQuorum(List<Node> withData) {
        try {
            Poll.until("an etcd quorum", START_DEADLINE, Duration.ofMillis(250), () -> {
                try {
                    cluster.answering();
                    return true;
                } catch (BirdbathException e) {
                    return false;
                }
            });
        } catch (BirdbathException e) {
            throw new BirdbathException("etcd has no quorum: the members with data (" + withData.stream()
                    .map(Node::name).toList() + ") do not answer. If they are lost for good, restore the cluster"
                    + " from a snapshot: `birdbath etcd restore FILE`");
        }
    }

    private void writeInitial(SshConnection c, Node node, String initialCluster, String state) {
        String text = Template.render("etcd/initial.env", Map.of("name", node.name(), "initial_cluster",
                initialCluster, "state", state, "token", cluster.token()));
        EtcdOperations.run(c, "cat > " + EtcdStage.INITIAL_ENV + ".new && mv -f " + EtcdStage.INITIAL_ENV + ".new "
                + EtcdStage.INITIAL_ENV, text.getBytes(StandardCharsets.UTF_8));
    }

    private static void must(SshConnection c, String command) {
        EtcdOperations.run(c, command, null);
    }

    private void exec(Node node, String command) {
        must(cluster.run().engine().session(node), command);
    }

    private Node node(String name) {
        return cluster.members().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
    }

    private void report(String node, String what) {
        NodeCommands.report(out, node, "etcd", what);
    }
}
