package birdbath.provider.linode;

import birdbath.BirdbathException;
import birdbath.Reporter;
import birdbath.config.ClusterSpec;
import birdbath.linode.LinodeCloud;
import birdbath.linode.Resources.DomainRecord;
import birdbath.linode.Resources.Instance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A records in the user's Linode-hosted domain: `<cluster>-<n>` to each node's public address, `<cluster>-api`
 * to the first control-plane node's or the API's NodeBalancer ({@link NodeBalancerResource#apiTarget}), each app
 * host to the ingress node's; records of nodes beyond cluster.nodes removed.
 */
record DnsResource(ClusterSpec spec, LinodeCloud cloud, Reporter out) {

    static final int TTL = 300;
    private static final String UNKNOWN = "(known after apply)";

    /**
     * @param instances the nodes as known now: a record to a node not yet made points "(known after apply)"
     * @param apiTarget where the API's name points, or null while that is not known
     */
    List<CloudAction> diff(CloudSnapshot s, Map<Integer, Instance> instances, String apiTarget) {
        List<CloudAction> actions = new ArrayList<>();
        long domainId = s.domain().map(d -> d.id()).orElse(-1L);
        pointAt(actions, domainId, s.records().get(CloudSnapshot.API_RECORD), CloudSnapshot.apiLabel(spec),
                spec.apiName(), apiTarget);
        for (int n = 1; n <= spec.nodes(); n++) {
            Instance i = instances.get(n);
            pointAt(actions, domainId, s.records().get(n), spec.nodeLabel(n), spec.fqdn(n),
                    i == null ? null : i.publicIp());
        }
        Instance ingress = instances.get(spec.apps().ingressNode());
        for (String label : CloudSnapshot.appLabels(spec)) {
            // the apps' hosts point at the ingress node (Traefik's and Mosquitto's host ports)
            pointAt(actions, domainId, s.appRecords().get(label), label, label + "." + spec.domain(),
                    ingress == null ? null : ingress.publicIp());
        }
        if (s.domain().isPresent()) {
            s.records().forEach((n, r) -> {
                if (n > spec.nodes()) {
                    actions.add(CloudAction.delete("dns", spec.fqdn(n), "A " + r.target(), () -> {
                        cloud.deleteRecord(domainId, r.id());
                        out.info("  - dns " + spec.fqdn(n) + " deleted");
                    }));
                }
            });
        }
        return actions;
    }

    /** Creating {@code label} -> {@code target}, or correcting {@code existing}; nothing when it is right. */
    private void pointAt(List<CloudAction> actions, long domainId, DomainRecord existing, String label, String name,
                        String target) {
        if (existing == null) {
            actions.add(CloudAction.create("dns", name, "A " + (target == null ? UNKNOWN : target), () -> {
                cloud.createARecord(domainId, label, known(target, name), TTL);
                out.info("  + dns " + name + " A " + target);
            }));
        } else if (target == null || !existing.target().equals(target)) {
            actions.add(CloudAction.update("dns", name, "A " + existing.target() + " -> "
                    + (target == null ? UNKNOWN : target), () -> {
                        cloud.updateRecordTarget(domainId, existing.id(), known(target, name), TTL);
                        out.info("  ~ dns " + name + " A " + target);
                    }));
        }
    }

    /** A record is written only once its node runs and its address is known. */
    private static String known(String target, String name) {
        if (target == null) {
            throw new BirdbathException(name + ": no address to point it at: its node is not running");
        }
        return target;
    }

    /** Every record right, once every node runs. */
    void ensure(CloudSnapshot s, Map<Integer, Instance> running, String apiTarget, int parallelism) {
        CloudAction.applyAll("dns records", diff(s, running, apiTarget), parallelism);
    }
}
