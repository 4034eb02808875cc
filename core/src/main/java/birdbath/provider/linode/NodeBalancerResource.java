package birdbath.provider.linode;

import birdbath.BirdbathException;
import birdbath.Reporter;
import birdbath.config.Cidr;
import birdbath.config.ClusterSpec;
import birdbath.config.ClusterSpec.NetworkMode;
import birdbath.linode.LinodeApiException;
import birdbath.linode.LinodeCloud;
import birdbath.linode.Resources.BalancerConfig;
import birdbath.linode.Resources.BalancerNode;
import birdbath.linode.Resources.Firewall;
import birdbath.linode.Resources.Instance;
import birdbath.linode.Resources.NodeBalancer;
import birdbath.linode.Resources.Vpc;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The NodeBalancer `<cluster>-api` in front of the API servers when there are several control-plane nodes: TCP
 * 6443, a TCP-connection health check, the control-plane nodes' private addresses as backends, inside the
 * cluster's firewall; `<cluster>-api.<domain>` then points at it. With one control-plane node there is none (a
 * leftover one is removed). Only users come through it: the nodes reach the API servers directly over the
 * private network (see the kubernetes stage's ApiAddresses). Facts and sources: docs/upstream/
 * linode-nodebalancer-api.md and nb-and-go-hosts.md.
 */
record NodeBalancerResource(ClusterSpec spec, LinodeCloud cloud, InstanceResource instanceResource, Reporter out) {

    /**
     * Where a NodeBalancer reaches backends on their legacy private addresses from (Linode's backends guide:
     * "the NodeBalancer's private IP address range: 192.168.255.0/24"); the nodes' firewall lets it in to 6443.
     * With VPC backends it comes from its own block of the subnet, which the members rule covers already.
     */
    static final String SOURCE_RANGE = "192.168.255.0/24";
    static final int PORT = 6443;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A NodeBalancer only where Kubernetes runs with more than one API server. */
    static boolean wanted(ClusterSpec spec) {
        return spec.apiBalanced();
    }

    static String label(ClusterSpec spec) {
        return CloudSnapshot.apiLabel(spec);
    }

    /**
     * @param instances the nodes as known now (a backend whose node is not made yet is "known after apply")
     * @param firewall  the cluster's firewall, when it exists
     * @param vpc       the cluster's VPC, when it exists (it may be newer than the snapshot)
     */
    List<CloudAction> diff(CloudSnapshot s, Map<Integer, Instance> instances, Optional<Firewall> firewall,
                           Optional<Vpc> vpc) {
        String label = label(spec);
        Optional<NodeBalancer> existing = s.apiBalancer();
        List<CloudAction> actions = new ArrayList<>();
        if (!wanted(spec)) {
            existing.ifPresent(b -> actions.add(CloudAction.delete("nodebalancer", label, b.ipv4()
                    + " (kubernetes.control_plane is " + spec.controlPlane() + ")", () -> {
                        cloud.deleteNodeBalancer(b.id());
                        out.info("  - nodebalancer " + label + " deleted");
                    })));
            return actions;
        }
        Map<String, String> backends = backends(instances);
        if (existing.isEmpty()) {
            actions.add(CloudAction.create("nodebalancer", label, "TCP " + PORT + " to " + describe(backends)
                    + ", connection check", () -> create(vpc, instances, firewall)));
            return actions;
        }
        NodeBalancer b = existing.get();
        Optional<BalancerConfig> config = b.configs().stream().filter(c -> c.port() == PORT).findFirst();
        List<String> have = config.map(c -> c.nodes().stream().map(BalancerNode::address).sorted().toList())
                .orElse(List.of());
        List<String> want = backends.values().stream().map(a -> (a == null ? "(known after apply)" : a) + ":" + PORT)
                .sorted().toList();
        boolean settingsRight = config.isPresent() && config.get().settings()
                .equals(BalancerConfig.settings(settings()));
        if (!settingsRight || !have.equals(want)) {
            actions.add(CloudAction.update("nodebalancer", label, "port " + PORT + " backends " + have + " -> "
                    + describe(backends), () -> {
                        ObjectNode body = configBody(backendsKnown(instances), vpc, config);
                        if (config.isPresent()) {
                            cloud.rebuildNodeBalancerConfig(b.id(), config.get().id(), body);
                        } else {
                            cloud.createNodeBalancerConfig(b.id(), body);
                        }
                        out.info("  ~ nodebalancer " + label + " backends " + want);
                    }));
        }
        if (firewall.isPresent() && !firewall.get().nodeBalancerIds().contains(b.id())) {
            actions.add(CloudAction.update("nodebalancer", label, "into firewall " + firewall.get().label(), () -> {
                attach(firewall.get(), b);
                out.info("  ~ nodebalancer " + label + " into firewall " + firewall.get().label());
            }));
        }
        return actions;
    }

    /** The NodeBalancer right (once the nodes run, so that their private addresses are known). */
    Optional<NodeBalancer> ensure(CloudSnapshot s, Map<Integer, Instance> running, Firewall firewall,
                                  Optional<Vpc> vpc) {
        List<CloudAction> actions = diff(s, running, Optional.of(firewall), vpc);
        if (actions.isEmpty()) {
            return s.apiBalancer().filter(b -> wanted(spec));
        }
        actions.forEach(a -> a.apply().run());
        return wanted(spec) ? cloud.nodeBalancer(label(spec)) : Optional.empty();
    }

    /** Where `<cluster>-api.<domain>` points: the NodeBalancer, or node 1; null while it is not known yet. */
    static String apiTarget(ClusterSpec spec, Optional<NodeBalancer> balancer, Map<Integer, Instance> instances) {
        if (wanted(spec)) {
            return balancer.map(NodeBalancer::ipv4).orElse(null);
        }
        Instance first = instances.get(1);
        return first == null ? null : first.publicIp();
    }

    /** A retried attach that had landed the first time is answered 400: what counts is that it is attached. */
    private void attach(Firewall firewall, NodeBalancer b) {
        try {
            cloud.addNodeBalancerDevice(firewall.id(), b.id());
        } catch (LinodeApiException e) {
            boolean attached = e.status() == 400 && cloud.firewall(firewall.label())
                    .map(f -> f.nodeBalancerIds().contains(b.id())).orElse(false);
            if (!attached) {
                throw e;
            }
        }
    }

    private void create(Optional<Vpc> vpc, Map<Integer, Instance> instances, Optional<Firewall> firewall) {
        ObjectNode body = JSON.createObjectNode().put("label", label(spec)).put("region", spec.linode().region())
                .put("client_conn_throttle", 0);
        body.putArray("tags").add(spec.tag());
        firewall.ifPresent(f -> body.put("firewall_id", f.id()));
        subnet(vpc).ifPresent(subnet -> body.putArray("vpcs").addObject().put("subnet_id", subnet)
                .put("ipv4_range", backendRange()));
        body.putArray("configs").add(configBody(backendsKnown(instances), vpc, Optional.empty()));
        NodeBalancer b = cloud.createNodeBalancer(body);
        out.info("  + nodebalancer " + b.label() + " created (" + b.ipv4() + ")");
    }

    /**
     * The API's config: TCP passed through (the API servers speak TLS themselves), round robin, a TCP-connection
     * check (an HTTP check would speak plain HTTP to a TLS port); interval, timeout and attempts as Linode's cloud
     * controller manager sets them for its own NodeBalancers (5 s, 3 s, 2).
     */
    private static ObjectNode settings() {
        return JSON.createObjectNode().put("port", PORT).put("protocol", "tcp").put("algorithm", "roundrobin")
                .put("check", "connection").put("check_interval", 5).put("check_timeout", 3).put("check_attempts", 2)
                .put("check_passive", true);
    }

    /** The config with its nodes; a backend already there keeps its id, so a rebuild leaves it in place. */
    private ObjectNode configBody(Map<String, String> backends, Optional<Vpc> vpc, Optional<BalancerConfig> current) {
        ObjectNode c = settings();
        ArrayNode nodes = c.putArray("nodes");
        Optional<Long> subnet = subnet(vpc);
        backends.forEach((node, ip) -> {
            ObjectNode n = nodes.addObject();
            String address = ip + ":" + PORT;
            current.flatMap(cfg -> cfg.nodes().stream().filter(x -> x.address().equals(address)).findFirst())
                    .ifPresent(x -> n.put("id", x.id()));
            n.put("label", node).put("address", address).put("mode", "accept");
            subnet.ifPresent(id -> n.put("subnet_id", id));
        });
        return c;
    }

    /**
     * The NodeBalancer's block of the VPC subnet, chosen by birdbath rather than by Linode so that it can never
     * take an address a node is planned at ({@link ClusterSpec#apiBalancerBlock}; the config refuses a subnet
     * too small for both).
     */
    String backendRange() {
        return ClusterSpec.apiBalancerBlock(Cidr.parse(spec.network().vpcSubnet())).toString();
    }

    private Optional<Long> subnet(Optional<Vpc> vpc) {
        if (spec.network().mode() != NetworkMode.VPC) {
            return Optional.empty();
        }
        return Optional.of(vpc.orElseThrow(() -> new BirdbathException("the VPC " + CloudSnapshot.vpcLabel(spec)
                + " is missing: the NodeBalancer's backends are in it")).subnets().get(0).id());
    }

    /** Each control-plane node's private address by node label; null while it is not known. */
    private Map<String, String> backends(Map<Integer, Instance> instances) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int n = 1; n <= spec.controlPlane(); n++) {
            Instance i = instances.get(n);
            String ip = spec.network().mode() == NetworkMode.VPC ? instanceResource.plannedPrivateIp(n)
                    : i == null ? null : i.legacyPrivateIp();
            out.put(spec.nodeLabel(n), ip);
        }
        return out;
    }

    private Map<String, String> backendsKnown(Map<Integer, Instance> instances) {
        Map<String, String> b = backends(instances);
        b.forEach((node, ip) -> {
            if (ip == null) {
                throw new BirdbathException("nodebalancer " + label(spec) + ": " + node + " has no private address"
                        + " yet; is it running?");
            }
        });
        return b;
    }

    private static String describe(Map<String, String> backends) {
        List<String> parts = new ArrayList<>();
        backends.forEach((node, ip) -> parts.add(node + " " + (ip == null ? "(known after apply)" : ip)));
        return String.join(", ", parts);
    }
}
