package birdbath.provider.linode;

import birdbath.BirdbathException;
import birdbath.Parallel;
import birdbath.Poll;
import birdbath.Reporter;
import birdbath.config.ClusterSpec;
import birdbath.config.ClusterSpec.NetworkMode;
import birdbath.config.ClusterSpec.Role;
import birdbath.linode.LinodeApiException;
import birdbath.linode.LinodeCloud;
import birdbath.linode.Resources.DomainRecord;
import birdbath.linode.Resources.Firewall;
import birdbath.linode.Resources.Instance;
import birdbath.linode.Resources.NodeBalancer;
import birdbath.linode.Resources.Volume;
import birdbath.linode.Resources.Vpc;
import birdbath.plan.Change;
import birdbath.plan.Plan;
import birdbath.provider.Node;
import birdbath.provider.Provider;
import birdbath.secrets.ClusterCredentials;
import birdbath.state.StateFiles;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The `provision` stage on Linode. One class per resource kind ({@link VpcResource}, {@link FirewallResource},
 * {@link InstanceResource}, {@link VolumeResource}, {@link NodeBalancerResource}, {@link DnsResource}) describes each change once, as a
 * {@link CloudAction}: `plan` prints the descriptions, `up` applies them, in the order the resources need.
 * Everything is found by the cluster's tag and labels, so `up` after a crash at any point converges without
 * duplicates, and a second `up` makes no mutating call.
 */
public final class LinodeProvider implements Provider {

    private static final int PARALLELISM = 8;
    /** What `up` may remove without --yes: nothing of the user's is lost with them. */
    private static final java.util.Set<String> HOLDS_NO_DATA = java.util.Set.of("dns", "nodebalancer");

    private final ClusterSpec spec;
    private final LinodeCloud cloud;
    private final Reporter out;
    private final StateFiles files;
    private final VpcResource vpcs;
    private final FirewallResource firewalls;
    private final InstanceResource instances;
    private final VolumeResource volumes;
    private final DnsResource dns;
    private final NodeBalancerResource balancer;

    public LinodeProvider(ClusterSpec spec, LinodeCloud cloud, Reporter out) {
        this.spec = spec;
        this.cloud = cloud;
        this.out = out;
        this.files = new StateFiles(spec);
        this.vpcs = new VpcResource(spec, cloud, out);
        this.firewalls = new FirewallResource(spec, cloud, out);
        this.instances = new InstanceResource(spec, cloud, new ClusterCredentials(spec.stateDir()), out);
        this.volumes = new VolumeResource(spec, cloud, out);
        this.dns = new DnsResource(spec, cloud, out);
        this.balancer = new NodeBalancerResource(spec, cloud, instances, out);
    }

    // ------------------------------------------------------------------ plan

    @Override
    public Plan plan() {
        return planFor(CloudSnapshot.take(spec, cloud, false));
    }

    private Plan planFor(CloudSnapshot s) {
        boolean nodesChange = !instances.missing(s).isEmpty() || !instances.surplus(s).isEmpty();
        List<CloudAction> actions = new ArrayList<>(vpcs.diff(s));
        actions.addAll(firewalls.diff(s.firewall(), s.instances(), nodesChange));
        warnAboutDrift(s);
        actions.addAll(instances.diff(s, null));
        actions.addAll(volumes.diff(s, s.instances(), new HashMap<>()));
        List<CloudAction> balancerActions = balancer.diff(s, s.instances(), s.firewall(), s.vpc());
        actions.addAll(balancerActions);
        // a NodeBalancer about to be made has no address yet
        boolean balancerMade = balancerActions.stream().anyMatch(a -> a.change() instanceof Change.Create);
        actions.addAll(dns.diff(s, s.instances(), NodeBalancerResource.apiTarget(spec,
                balancerMade ? Optional.empty() : s.apiBalancer(), s.instances())));
        Map<String, Double> prices = new HashMap<>();
        return new Plan(actions.stream().map(CloudAction::change).toList(), monthlyCost(s, false, prices),
                monthlyCost(s, true, prices));
    }

    /** Existing nodes that differ from the config: birdbath never resizes, moves or rebuilds a node on its own. */
    private void warnAboutDrift(CloudSnapshot s) {
        for (Map.Entry<Integer, Instance> e : s.instances().entrySet()) {
            Instance i = e.getValue();
            List<String> drift = new ArrayList<>();
            if (!i.type().equals(spec.linode().type())) {
                drift.add("type " + i.type() + " (config: " + spec.linode().type() + ")");
            }
            if (!i.region().equals(spec.linode().region())) {
                drift.add("region " + i.region() + " (config: " + spec.linode().region() + ")");
            }
            if (i.image() != null && !i.image().equals(spec.linode().image())) {
                drift.add("image " + i.image() + " (config: " + spec.linode().image() + ")");
            }
            if (!drift.isEmpty() && e.getKey() <= spec.nodes()) {
                out.warn(i.label() + " has " + String.join(", ", drift) + "; birdbath leaves existing nodes as they"
                        + " are: resize or rebuild it in Cloud Manager, or remove it and run `up` again");
            }
        }
    }

    private double monthlyCost(CloudSnapshot s, boolean after, Map<String, Double> prices) {
        double total = 0;
        if (after) {
            for (int n = 1; n <= spec.nodes(); n++) {
                Instance i = s.instances().get(n);
                total += price(prices, i == null ? spec.linode().type() : i.type());
            }
            total += spec.storageNodes() * (double) spec.volumeSizeGb() * volumePrice(prices);
            total += NodeBalancerResource.wanted(spec) ? balancerPrice(prices) : 0;
        } else {
            for (Instance i : s.instances().values()) {
                total += price(prices, i.type());
            }
            for (Volume v : s.volumes().values()) {
                total += v.size() * volumePrice(prices);
            }
            total += s.apiBalancer().isPresent() ? balancerPrice(prices) : 0;
        }
        return total;
    }

    private double price(Map<String, Double> cache, String type) {
        return cache.computeIfAbsent(type, t -> cloud.monthlyPrice(t).orElseThrow(() -> new BirdbathException(
                spec.configFile() + ": linode.type: '" + t + "' is not a Linode instance type; GET /linode/types"
                        + " lists them (e.g. g6-nanode-1, g6-standard-2)")));
    }

    private double volumePrice(Map<String, Double> cache) {
        return cache.computeIfAbsent("volume", t -> cloud.volumePricePerGbMonth());
    }

    private double balancerPrice(Map<String, Double> cache) {
        return cache.computeIfAbsent("nodebalancer", t -> cloud.nodeBalancerPricePerMonth());
    }

    // ------------------------------------------------------------------ up

    @Override
    public List<Node> up(boolean allowRemovals) {
        CloudSnapshot s = CloudSnapshot.take(spec, cloud, false);
        Plan plan = planFor(s);
        List<String> removals = plan.changes().stream()
                .filter(c -> c instanceof Change.Delete && !HOLDS_NO_DATA.contains(c.kind()))
                .map(c -> c.kind() + " " + c.name()).toList();
        if (!removals.isEmpty() && !allowRemovals) {
            throw new BirdbathException("cluster.nodes is " + spec.nodes() + " (storage.nodes " + spec.storageNodes()
                    + "): up would remove " + String.join(", ", removals) + ", with their data."
                    + " Run `birdbath up --yes` to remove them, or raise the numbers in " + spec.configFile());
        }
        if (plan.isEmpty()) {
            out.info("provision: ok, nothing to change (" + s.instances().size() + " nodes)");
            return files.write(nodes(s.instances(), s.volumes()));
        }
        if (!instances.missing(s).isEmpty()) {
            checkCatalog();
        }
        Optional<Vpc> vpc = vpcs.ensure(s);
        Firewall firewall = firewalls.ensure(s);
        instances.create(s, vpc, firewall, PARALLELISM);
        Map<Integer, Instance> running = instances.awaitRunning();
        Map<Integer, Volume> attached = volumes.ensure(s, running, PARALLELISM);
        if (allowRemovals) {
            instances.removeSurplus(s, PARALLELISM);
            volumes.removeSurplus(s, PARALLELISM);
        }
        firewalls.settle(firewall, running);
        Optional<NodeBalancer> api = balancer.ensure(s, running, firewall, vpc);
        dns.ensure(s, running, NodeBalancerResource.apiTarget(spec, api, running), PARALLELISM);
        List<Node> nodes = files.write(nodes(running, attached));
        out.info("provision: changed, " + plan.changes().size() + " changes applied; " + nodes.size()
                + " nodes, outputs in " + files.dir());
        return nodes;
    }

    /**
     * Before creating anything: refuse a region or image Linode does not offer, or one that cannot hand a new
     * instance its user data (birdbath's host keys): the region needs Linode's Metadata service, the image
     * cloud-init (the capability strings of the API's POST /linode/instances description).
     */
    private void checkCatalog() {
        String file = spec.configFile().toString();
        JsonNode region = cloud.find("/regions/" + spec.linode().region()).orElseThrow(() -> new BirdbathException(
                file + ": linode.region: '" + spec.linode().region() + "' is not a Linode region; GET /regions lists"
                        + " them (e.g. us-east, us-ord, eu-central)"));
        JsonNode image = cloud.find("/images/" + spec.linode().image()).orElseThrow(() -> new BirdbathException(
                file + ": linode.image: '" + spec.linode().image() + "' is not a Linode image; GET /images lists"
                        + " them (e.g. linode/debian12)"));
        if (!LinodeCloud.capable(region, "Metadata")) {
            throw new BirdbathException(file + ": linode.region: '" + spec.linode().region() + "' has no Metadata"
                    + " service, which birdbath needs to give each node the SSH host key it pins; choose a region"
                    + " whose capabilities (GET /regions) include Metadata");
        }
        if (!LinodeCloud.capable(image, "cloud-init")) {
            throw new BirdbathException(file + ": linode.image: '" + spec.linode().image() + "' has no cloud-init,"
                    + " which birdbath needs to give each node the SSH host key it pins; choose an image whose"
                    + " capabilities (GET /images) include cloud-init, such as linode/debian12");
        }
        // the type was checked by the plan's price lookup
    }

    /** Waits, within the API settings' deadline, polling at their interval. */
    private void await(String what, java.util.function.BooleanSupplier done) {
        Poll.until(what, cloud.api().settings().waitDeadline(), cloud.api().settings().pollInterval(), done);
    }

    private List<Node> nodes(Map<Integer, Instance> byNumber, Map<Integer, Volume> volumesByNumber) {
        List<Node> nodes = new ArrayList<>();
        for (Map.Entry<Integer, Instance> e : new TreeMap<>(byNumber).entrySet()) {
            int n = e.getKey();
            if (n > spec.nodes()) {
                continue;
            }
            Instance i = e.getValue();
            String privateIp = spec.network().mode() == NetworkMode.VPC ? instances.plannedPrivateIp(n)
                    : i.legacyPrivateIp();
            Volume v = volumesByNumber.get(n);
            String device = spec.roles(n).contains(Role.STORAGE)
                    ? (v != null ? v.filesystemPath() : "/dev/disk/by-id/scsi-0Linode_Volume_" + spec.nodeLabel(n))
                    : null;
            nodes.add(new Node(i.label(), n, spec.roles(n), i.publicIp(), privateIp, spec.fqdn(n), device,
                    new Node.Ssh(i.publicIp(), 22), String.valueOf(i.id())));
        }
        return nodes;
    }

    // ------------------------------------------------------------------ down

    @Override
    public List<String> downListing() {
        CloudSnapshot s = CloudSnapshot.take(spec, cloud, true);
        List<String> lines = new ArrayList<>();
        s.records().forEach((n, r) -> lines.add("dns       " + r.name() + "." + spec.domain() + " A " + r.target()));
        s.appRecords().forEach((l, r) -> lines.add("dns       " + l + "." + spec.domain() + " A " + r.target()));
        s.instances().values().forEach(i -> lines.add("instance  " + i.label() + " (id " + i.id() + ")"));
        s.strayInstances().forEach(i -> lines.add("instance  " + i.label() + " (id " + i.id() + ", tagged "
                + spec.tag() + ")"));
        s.volumes().values().forEach(v -> lines.add("volume    " + v.label() + " (" + v.size() + " GB)"));
        s.strayVolumes().forEach(v -> lines.add("volume    " + v.label() + " (" + v.size() + " GB, tagged "
                + spec.tag() + ")"));
        s.apiBalancer().ifPresent(b -> lines.add("nodebalancer " + b.label() + " (" + b.ipv4() + ")"));
        s.firewall().ifPresent(f -> lines.add("firewall  " + f.label()));
        s.vpc().ifPresent(v -> lines.add("vpc       " + v.label()));
        return lines;
    }

    @Override
    public void down() {
        CloudSnapshot s = CloudSnapshot.take(spec, cloud, true);
        if (s.domain().isEmpty()) {
            out.warn("cluster.domain '" + spec.domain() + "' is not in the account: no DNS records to remove");
        }
        Map<String, Runnable> tasks = new LinkedHashMap<>();
        List<DomainRecord> records = new ArrayList<>(s.records().values());
        records.addAll(s.appRecords().values());
        s.domain().ifPresent(d -> records.forEach(r -> tasks.put("dns " + r.name(), () -> {
            cloud.deleteRecord(d.id(), r.id());
            out.info("  - dns " + r.name() + "." + spec.domain() + " deleted");
        })));
        List<Instance> doomed = new ArrayList<>(s.instances().values());
        doomed.addAll(s.strayInstances());
        for (Instance i : doomed) {
            tasks.put("instance " + i.label(), () -> {
                cloud.deleteInstance(i.id());
                out.info("  - instance " + i.label() + " deleted");
            });
        }
        s.apiBalancer().ifPresent(b -> tasks.put("nodebalancer " + b.label(), () -> {
            cloud.deleteNodeBalancer(b.id());
            out.info("  - nodebalancer " + b.label() + " deleted");
        }));
        Parallel.run("remove instances, the NodeBalancer and records", tasks, PARALLELISM);
        List<Volume> doomedVolumes = new ArrayList<>(s.volumes().values());
        doomedVolumes.addAll(s.strayVolumes());
        Map<String, Runnable> volumeTasks = new LinkedHashMap<>();
        for (Volume v : doomedVolumes) {
            volumeTasks.put("volume " + v.label(), () -> volumes.delete(v));
        }
        Parallel.run("remove volumes", volumeTasks, PARALLELISM);
        s.firewall().ifPresent(f -> {
            cloud.deleteFirewall(f.id());
            out.info("  - firewall " + f.label() + " deleted");
        });
        s.vpc().ifPresent(v -> {
            // Linode frees the VPC's interfaces shortly after the instances are gone
            await("VPC " + v.label() + " to be free of instances", () -> {
                        try {
                            cloud.deleteVpc(v.id());
                            return true;
                        } catch (LinodeApiException e) {
                            if (e.status() == 400) {
                                return false;
                            }
                            throw e;
                        }
                    });
            out.info("  - vpc " + v.label() + " deleted");
        });
        files.remove();
    }
}
