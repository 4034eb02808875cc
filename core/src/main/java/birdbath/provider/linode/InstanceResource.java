package birdbath.provider.linode;

import birdbath.Poll;
import birdbath.Reporter;
import birdbath.Secret;
import birdbath.config.Cidr;
import birdbath.config.ClusterSpec;
import birdbath.config.ClusterSpec.NetworkMode;
import birdbath.linode.LinodeCloud;
import birdbath.linode.Resources.Firewall;
import birdbath.linode.Resources.Instance;
import birdbath.linode.Resources.Vpc;
import birdbath.remote.HostKey;
import birdbath.remote.KnownHosts;
import birdbath.secrets.ClusterCredentials;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The instances `<cluster>-<n>`, n from 1 to cluster.nodes: created (in parallel, inside the firewall, in the
 * VPC at the subnet's (n+2)-th address or with a legacy private address), awaited until running; those beyond
 * cluster.nodes removed only when the user allows it.
 */
record InstanceResource(ClusterSpec spec, LinodeCloud cloud, ClusterCredentials credentials, Reporter out) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * Where new instances go and who may log in: known only when `up` has made the VPC and the firewall; and the
     * pins of the host keys birdbath hands them.
     */
    record Placement(Optional<Vpc> vpc, Firewall firewall, Secret rootPass, List<String> keys, KnownHosts pins) { }

    List<Integer> missing(CloudSnapshot s) {
        List<Integer> missing = new ArrayList<>();
        for (int n = 1; n <= spec.nodes(); n++) {
            if (!s.instances().containsKey(n)) {
                missing.add(n);
            }
        }
        return missing;
    }

    List<Integer> surplus(CloudSnapshot s) {
        return s.instances().keySet().stream().filter(n -> n > spec.nodes()).toList();
    }

    /** Creations (which need a {@link Placement} to apply), then removals. */
    List<CloudAction> diff(CloudSnapshot s, Placement placement) {
        List<CloudAction> actions = new ArrayList<>();
        for (int n : missing(s)) {
            actions.add(CloudAction.create("instance", spec.nodeLabel(n), spec.linode().type() + ", "
                    + spec.linode().region() + ", " + spec.linode().image() + ", private " + plannedPrivateIp(n),
                    () -> create(n, placement)));
        }
        for (int n : surplus(s)) {
            Instance i = s.instances().get(n);
            actions.add(CloudAction.delete("instance", i.label(), "beyond cluster.nodes=" + spec.nodes()
                    + " (needs --yes)", () -> {
                        cloud.deleteInstance(i.id());
                        out.info("  - instance " + i.label() + " deleted");
                    }));
        }
        return actions;
    }

    /** The node's private address: its VPC address, or (legacy private IP) what Linode assigns. */
    String plannedPrivateIp(int n) {
        return spec.network().mode() == NetworkMode.VPC ? Cidr.parse(spec.network().vpcSubnet()).host(n - 1)
                : ClusterSpec.LINODE_PRIVATE_RANGE + " (assigned by Linode)";
    }

    /** Creates the missing instances in parallel. */
    void create(CloudSnapshot s, Optional<Vpc> vpc, Firewall firewall, int parallelism) {
        if (missing(s).isEmpty()) {
            return;
        }
        Placement placement = new Placement(vpc, firewall, credentials.rootPassword(spec.linode().rootPass()),
                credentials.nodeKeys(spec), KnownHosts.of(spec));
        List<CloudAction> creations = diff(s, placement).stream()
                .filter(a -> a.change() instanceof birdbath.plan.Change.Create).toList();
        out.info("provision: creating " + creations.size() + " instance(s)");
        CloudAction.applyAll("create instances", creations, parallelism);
    }

    /**
     * Creates instance n with a host key of birdbath's making in its user data, pinned first: were the request
     * to fail after Linode took it, the node's key is pinned all the same, and a retry pins a new one.
     */
    private void create(int n, Placement placement) {
        HostKey hostKey = HostKey.generate(RANDOM);
        placement.pins().pin(spec.nodeLabel(n), hostKey.publicKey());
        ObjectNode body = JSON.createObjectNode().put("label", spec.nodeLabel(n))
                .put("region", spec.linode().region()).put("type", spec.linode().type())
                .put("image", spec.linode().image()).put("root_pass", placement.rootPass().reveal())
                .put("booted", true)
                .put("firewall_id", placement.firewall().id());
        ArrayNode authorized = body.putArray("authorized_keys");
        placement.keys().forEach(authorized::add);
        body.putArray("tags").add(spec.tag());
        body.putObject("metadata").put("user_data", HostKeyUserData.encoded(hostKey).reveal());
        if (placement.vpc().isPresent()) {
            ArrayNode interfaces = body.putArray("interfaces");
            interfaces.addObject().put("purpose", "public");
            ObjectNode itf = interfaces.addObject().put("purpose", "vpc")
                    .put("subnet_id", placement.vpc().get().subnets().get(0).id());
            itf.putObject("ipv4").put("vpc", plannedPrivateIp(n));
        } else {
            body.put("private_ip", true);
        }
        Instance i = cloud.createInstance(body);
        out.info("  + instance " + i.label() + " created (id " + i.id() + ", " + i.publicIp() + ")");
    }

    /** Removes the instances beyond cluster.nodes. */
    void removeSurplus(CloudSnapshot s, int parallelism) {
        CloudAction.applyAll("remove instances", diff(s, null).stream()
                .filter(a -> a.change() instanceof birdbath.plan.Change.Delete).toList(), parallelism);
    }

    /** Waits until every node runs, reporting the count as it grows; the nodes by number. */
    Map<Integer, Instance> awaitRunning() {
        Map<Integer, Instance> latest = new TreeMap<>();
        int[] lastReported = {-1};
        Poll.until("instances " + spec.nodeLabel(1) + ".." + spec.nodeLabel(spec.nodes()) + " to be running",
                cloud.api().settings().waitDeadline(), cloud.api().settings().pollInterval(), () -> {
                    latest.clear();
                    int running = 0;
                    for (Instance i : cloud.instancesTagged(spec.tag())) {
                        for (int n = 1; n <= spec.nodes(); n++) {
                            if (i.label().equals(spec.nodeLabel(n))) {
                                latest.put(n, i);
                                running += i.status().equals("running") ? 1 : 0;
                            }
                        }
                    }
                    if (running != lastReported[0]) {
                        out.info("provision: " + running + "/" + spec.nodes() + " instances running");
                        lastReported[0] = running;
                    }
                    return running == spec.nodes();
                });
        return latest;
    }
}
