package birdbath.stage.etcd;

import birdbath.BirdbathException;
import birdbath.provider.Node;
import birdbath.remote.SshConnector;
import birdbath.stage.NodeCommands;
import birdbath.stage.StageRun;
import java.util.List;

/**
 * Before `up --yes` removes nodes: the etcd members on them taken out of the cluster one at a time, through a
 * member that stays, while all are still up. The quorum is then always counted among the members left, so
 * lowering etcd.members from 7 to 3 together with cluster.nodes never leaves 3 of 7 running (no quorum); the
 * etcd stage rewrites the staying members' configuration afterwards.
 */
public final class EtcdLeaving {

    private EtcdLeaving() { }

    /** {@code run} works on the nodes as they are now; {@code staying} are the nodes `up` keeps. */
    public static void remove(StageRun run, List<Node> staying) {
        EtcdCluster cluster = new EtcdCluster(run);
        List<String> keep = staying.stream().map(Node::name).toList();
        List<Node> leaving = cluster.members().stream().filter(n -> !keep.contains(n.name())).toList();
        List<Node> remaining = cluster.members().stream().filter(n -> keep.contains(n.name())).toList();
        if (leaving.isEmpty()) {
            return;
        }
        if (remaining.isEmpty()) {
            throw new BirdbathException("etcd: every member would go (" + leaving.stream().map(Node::name).toList()
                    + "); birdbath keeps at least one (`birdbath down` removes the whole cluster)");
        }
        Node via = remaining.get(0);
        for (Node node : leaving) {
            // the members that stay answer before each removal; etcd itself refuses one that would lose quorum
            cluster.awaitHealthy(remaining, EtcdMembership.START_DEADLINE);
            for (EtcdClient.Member m : cluster.client().members(cluster.endpoint(via))) {
                if (m.name().equals(node.name()) || m.peerUrls().contains(EtcdCluster.peerUrl(node))) {
                    cluster.client().removeMember(cluster.endpoint(via), m.id());
                    NodeCommands.report(run.out(), node.name(), "etcd", "member " + m.hexId() + " removed before"
                            + " the node goes (" + (cluster.client().members(cluster.endpoint(via)).size())
                            + " members left)");
                }
            }
        }
        // a removed member that started again would ask its old peers for a cluster it is not in; a node that no
        // longer answers was removed by a run killed half-way
        run.engine().onEach("stop etcd", leaving, c -> {
            EtcdOperations.run(c, "systemctl disable --now " + EtcdCluster.UNIT, null);
            return true;
        }, (node, e) -> {
            if (!SshConnector.unreachable(e)) {
                throw e;
            }
            return true;
        });
        cluster.awaitHealthy(remaining, EtcdMembership.START_DEADLINE);
    }
}
