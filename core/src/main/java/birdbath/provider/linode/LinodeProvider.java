package birdbath.provider.linode;

import birdbath.BirdbathException;
import birdbath.Parallel;
import birdbath.Poll;
import birdbath.Reporter;
import birdbath.Secret;
import birdbath.config.Cidr;
import birdbath.config.ClusterSpec;
import birdbath.config.ClusterSpec.NetworkMode;
import birdbath.config.ClusterSpec.Role;
import birdbath.linode.LinodeApiException;
import birdbath.linode.LinodeCloud;
import birdbath.linode.Resources.Domain;
import birdbath.linode.Resources.DomainRecord;
import birdbath.linode.Resources.Firewall;
import birdbath.linode.Resources.Instance;
import birdbath.linode.Resources.Volume;
import birdbath.linode.Resources.Vpc;
import birdbath.plan.Change;
import birdbath.plan.Plan;
import birdbath.provider.Node;
import birdbath.provider.Provider;
import birdbath.remote.KnownHosts;
import birdbath.secrets.ClusterCredentials;
import birdbath.state.StateFiles;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The `provision` stage on Linode. `plan` and `up` share one diff per resource kind: VPC, firewall, instances,
 * volumes, DNS records. Everything is found by the cluster's tag and labels, so `up` after a crash at any point
 * converges without duplicates, and a second `up` makes no mutating call.
 */
public final class LinodeProvider implements Provider {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DNS_TTL = 300;
    private static final int PARALLELISM = 8;

    private final ClusterSpec spec;
    private final LinodeCloud cloud;
    private final ClusterCredentials credentials;
    private final Reporter out;
    private final StateFiles files;

    public LinodeProvider(ClusterSpec spec, LinodeCloud cloud, Reporter out) {
        this.spec = spec;
        this.cloud = cloud;
        this.credentials = new ClusterCredentials(spec.stateDir());
        this.out = out;
        this.files = new StateFiles(spec);
    }

    // ------------------------------------------------------------------ plan

    @Override
    public Plan plan() {
        return planFor(CloudSnapshot.take(spec, cloud, false));
    }

    private Plan planFor(CloudSnapshot s) {
        List<Change> changes = new ArrayList<>();
        String vpc = CloudSnapshot.vpcLabel(spec);
        if (spec.network().mode() == NetworkMode.VPC && s.vpc().isEmpty()) {
            changes.add(new Change.Create("vpc", vpc, "subnet " + spec.network().vpcSubnet() + " in "
                    + spec.linode().region()));
        }
        String fw = CloudSnapshot.firewallLabel(spec);
        List<Integer> missing = missingNodes(s);
        if (s.firewall().isEmpty()) {
            changes.add(new Change.Create("firewall", fw, "inbound DROP; 22, 80, 443, 6443 from "
                    + String.join(", ", spec.network().allowedCidrs()) + "; all between members"));
        } else {
            Firewall f = s.firewall().get();
            boolean membersWillChange = spec.network().mode() == NetworkMode.PRIVATE_IP
                    && (!missing.isEmpty() || !surplusNodes(s).isEmpty());
            if (membersWillChange || !FirewallRules.same(f.rules(), desiredRules(s.instances()))) {
                changes.add(new Change.Update("firewall", fw, "rules" + (membersWillChange
                        ? " (member addresses known after apply)" : "")));
            }
            List<String> unattached = new ArrayList<>();
            for (Map.Entry<Integer, Instance> e : s.instances().entrySet()) {
                if (e.getKey() <= spec.nodes() && !f.linodeIds().contains(e.getValue().id())) {
                    unattached.add(e.getValue().label());
                }
            }
            if (!unattached.isEmpty()) {
                changes.add(new Change.Update("firewall", fw, "attach " + String.join(", ", unattached)));
            }
        }
        warnAboutDrift(s);
        for (int n : missing) {
            changes.add(new Change.Create("instance", spec.nodeLabel(n), spec.linode().type() + ", "
                    + spec.linode().region() + ", " + spec.linode().image() + ", private " + plannedPrivateIp(n)));
        }
        for (int n : surplusNodes(s)) {
            changes.add(new Change.Delete("instance", spec.nodeLabel(n), "beyond cluster.nodes=" + spec.nodes()
                    + " (needs --yes)"));
        }
        for (int n = 1; n <= spec.storageNodes(); n++) {
            Volume v = s.volumes().get(n);
            Instance i = s.instances().get(n);
            if (v == null) {
                changes.add(new Change.Create("volume", spec.nodeLabel(n), spec.volumeSizeGb() + " GB, attached to "
                        + spec.nodeLabel(n)));
            } else if (i != null && !Long.valueOf(i.id()).equals(v.linodeId())) {
                changes.add(new Change.Update("volume", spec.nodeLabel(n), "attach to " + i.label()));
            }
        }
        for (int n : surplusVolumes(s)) {
            changes.add(new Change.Delete("volume", spec.nodeLabel(n), s.volumes().get(n).size()
                    + " GB and its data (needs --yes)"));
        }
        Optional<Domain> domain = s.domain();
        for (int n = CloudSnapshot.API_RECORD; n <= spec.nodes(); n++) {
            DomainRecord r = s.records().get(n);
            // the API server's name points at the first control-plane node
            Instance i = s.instances().get(n == CloudSnapshot.API_RECORD ? 1 : n);
            String target = i == null ? null : i.publicIp();
            if (r == null) {
                changes.add(new Change.Create("dns", recordName(n), "A " + (target == null ? "(known after apply)"
                        : target)));
            } else if (target != null && !target.equals(r.target())) {
                changes.add(new Change.Update("dns", recordName(n), "A " + r.target() + " -> " + target));
            } else if (target == null) {
                changes.add(new Change.Update("dns", recordName(n), "A " + r.target() + " -> (known after apply)"));
            }
        }
        Instance ingress = s.instances().get(spec.apps().ingressNode());
        for (String label : CloudSnapshot.appLabels(spec)) {
            // the apps' hosts point at the ingress node (Traefik's and Mosquitto's host ports)
            DomainRecord r = s.appRecords().get(label);
            String target = ingress == null ? null : ingress.publicIp();
            String name = label + "." + spec.domain();
            if (r == null) {
                changes.add(new Change.Create("dns", name, "A " + (target == null ? "(known after apply)" : target)));
            } else if (target != null && !target.equals(r.target())) {
                changes.add(new Change.Update("dns", name, "A " + r.target() + " -> " + target));
            }
        }
        for (int n : s.records().keySet()) {
            if (n > spec.nodes() && domain.isPresent()) {
                changes.add(new Change.Delete("dns", spec.fqdn(n), "A " + s.records().get(n).target()));
            }
        }
        Map<String, Double> prices = new HashMap<>();
        return new Plan(changes, monthlyCost(s, false, prices), monthlyCost(s, true, prices));
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

    private List<Integer> missingNodes(CloudSnapshot s) {
        List<Integer> out = new ArrayList<>();
        for (int n = 1; n <= spec.nodes(); n++) {
            if (!s.instances().containsKey(n)) {
                out.add(n);
            }
        }
        return out;
    }

    private List<Integer> surplusNodes(CloudSnapshot s) {
        return s.instances().keySet().stream().filter(n -> n > spec.nodes()).toList();
    }

    private List<Integer> surplusVolumes(CloudSnapshot s) {
        return s.volumes().keySet().stream().filter(n -> n > spec.storageNodes()).toList();
    }

    private String plannedPrivateIp(int n) {
        return spec.network().mode() == NetworkMode.VPC ? Cidr.parse(spec.network().vpcSubnet()).host(n - 1)
                : "192.168.128.0/17 (assigned by Linode)";
    }

    private double monthlyCost(CloudSnapshot s, boolean after, Map<String, Double> prices) {
        double total = 0;
        if (after) {
            for (int n = 1; n <= spec.nodes(); n++) {
                Instance i = s.instances().get(n);
                total += price(prices, i == null ? spec.linode().type() : i.type());
            }
            total += spec.storageNodes() * (double) spec.volumeSizeGb() * volumePrice(prices);
        } else {
            for (Instance i : s.instances().values()) {
                total += price(prices, i.type());
            }
            for (Volume v : s.volumes().values()) {
                total += v.size() * volumePrice(prices);
            }
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

    // ------------------------------------------------------------------ up

    @Override
    public List<Node> up(boolean allowRemovals) {
        CloudSnapshot s = CloudSnapshot.take(spec, cloud, false);
        Plan plan = planFor(s);
        List<String> removals = plan.changes().stream()
                .filter(c -> c instanceof Change.Delete && !c.kind().equals("dns"))
                .map(c -> c.kind() + " " + c.name()).toList();
        if (!removals.isEmpty() && !allowRemovals) {
            throw new BirdbathException("cluster.nodes is " + spec.nodes() + " (storage.nodes " + spec.storageNodes()
                    + "): up would remove " + String.join(", ", removals) + ", with their data."
                    + " Run `birdbath up --yes` to remove them, or raise the numbers in " + spec.configFile());
        }
        if (plan.isEmpty()) {
            out.info("provision: ok, nothing to change (" + s.instances().size() + " nodes)");
            List<Node> nodes = nodes(s.instances(), s.volumes());
            files.write(nodes);
            return nodes;
        }
        if (!missingNodes(s).isEmpty()) {
            checkCatalog();
        }
        Optional<Vpc> vpc = ensureVpc(s);
        Firewall firewall = ensureFirewall(s);
        createInstances(missingNodes(s), vpc, firewall);
        Map<Integer, Instance> running = waitForInstances();
        Map<Integer, Volume> volumes = ensureVolumes(s, running);
        if (allowRemovals) {
            removeSurplus(s);
        }
        // re-read: instances created with firewall_id are attached already
        ensureFirewallMembers(cloud.firewall(firewall.label()).orElse(firewall), running);
        ensureDns(s, running);
        List<Node> nodes = nodes(running, volumes);
        files.write(nodes);
        out.info("provision: changed, " + plan.changes().size() + " changes applied; " + nodes.size()
                + " nodes, outputs in " + files.dir());
        return nodes;
    }

    /** Before creating anything: refuse a region or image Linode does not offer, naming the config field. */
    private void checkCatalog() {
        String file = spec.configFile().toString();
        if (!cloud.exists("/regions/" + spec.linode().region())) {
            throw new BirdbathException(file + ": linode.region: '" + spec.linode().region() + "' is not a Linode"
                    + " region; GET /regions lists them (e.g. us-east, us-ord, eu-central)");
        }
        if (!cloud.exists("/images/" + spec.linode().image())) {
            throw new BirdbathException(file + ": linode.image: '" + spec.linode().image() + "' is not a Linode"
                    + " image; GET /images lists them (e.g. linode/debian12)");
        }
        // the type was checked by the plan's price lookup
    }

    private Optional<Vpc> ensureVpc(CloudSnapshot s) {
        if (spec.network().mode() != NetworkMode.VPC) {
            return Optional.empty();
        }
        if (s.vpc().isPresent()) {
            return s.vpc();
        }
        ObjectNode body = JSON.createObjectNode().put("label", CloudSnapshot.vpcLabel(spec))
                .put("region", spec.linode().region()).put("description", "birdbath cluster " + spec.name());
        body.putArray("subnets").addObject().put("label", "nodes").put("ipv4", spec.network().vpcSubnet());
        Vpc vpc = cloud.createVpc(body);
        out.info("  + vpc " + vpc.label() + " created (" + spec.network().vpcSubnet() + ")");
        return Optional.of(vpc);
    }

    private Firewall ensureFirewall(CloudSnapshot s) {
        if (s.firewall().isPresent()) {
            return s.firewall().get();
        }
        ObjectNode body = JSON.createObjectNode().put("label", CloudSnapshot.firewallLabel(spec));
        body.set("rules", desiredRules(s.instances()));
        body.putArray("tags").add(spec.tag());
        Firewall f = cloud.createFirewall(body);
        out.info("  + firewall " + f.label() + " created");
        return f;
    }

    private void createInstances(List<Integer> missing, Optional<Vpc> vpc, Firewall firewall) {
        if (missing.isEmpty()) {
            return;
        }
        Secret rootPass = credentials.rootPassword(spec.linode().rootPass());
        List<String> keys = credentials.nodeKeys(spec);
        KnownHosts knownHosts = new KnownHosts(spec.stateDir());
        missing.forEach(n -> knownHosts.forget(spec.nodeLabel(n))); // a new instance has new host keys
        Map<String, Runnable> tasks = new LinkedHashMap<>();
        for (int n : missing) {
            ObjectNode body = JSON.createObjectNode().put("label", spec.nodeLabel(n))
                    .put("region", spec.linode().region()).put("type", spec.linode().type())
                    .put("image", spec.linode().image()).put("root_pass", rootPass.reveal()).put("booted", true)
                    .put("firewall_id", firewall.id());
            ArrayNode authorized = body.putArray("authorized_keys");
            keys.forEach(authorized::add);
            body.putArray("tags").add(spec.tag());
            if (vpc.isPresent()) {
                ArrayNode interfaces = body.putArray("interfaces");
                interfaces.addObject().put("purpose", "public");
                ObjectNode itf = interfaces.addObject().put("purpose", "vpc")
                        .put("subnet_id", vpc.get().subnets().get(0).id());
                itf.putObject("ipv4").put("vpc", plannedPrivateIp(n));
            } else {
                body.put("private_ip", true);
            }
            tasks.put(spec.nodeLabel(n), () -> {
                Instance i = cloud.createInstance(body);
                out.info("  + instance " + i.label() + " created (id " + i.id() + ", " + i.publicIp() + ")");
            });
        }
        out.info("provision: creating " + missing.size() + " instance(s)");
        Parallel.run("create instances", tasks, PARALLELISM);
    }

    private Map<Integer, Instance> waitForInstances() {
        Map<Integer, Instance> latest = new TreeMap<>();
        int[] lastReported = {-1};
        await("instances " + spec.nodeLabel(1) + ".." + spec.nodeLabel(spec.nodes()) + " to be running", () -> {
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

    private Map<Integer, Volume> ensureVolumes(CloudSnapshot s, Map<Integer, Instance> running) {
        Map<Integer, Volume> volumes = new ConcurrentHashMap<>(s.volumes());
        Map<String, Runnable> tasks = new LinkedHashMap<>();
        for (int n = 1; n <= spec.storageNodes(); n++) {
            int node = n;
            Volume v = s.volumes().get(n);
            Instance i = running.get(n);
            if (v == null) {
                ObjectNode body = JSON.createObjectNode().put("label", spec.nodeLabel(n)).put("size",
                        spec.volumeSizeGb()).put("linode_id", i.id());
                body.putArray("tags").add(spec.tag());
                tasks.put("volume " + spec.nodeLabel(n), () -> {
                    Volume created = cloud.createVolume(body);
                    volumes.put(node, created);
                    out.info("  + volume " + created.label() + " created and attached (" + created.size() + " GB)");
                });
            } else if (!Long.valueOf(i.id()).equals(v.linodeId())) {
                tasks.put("volume " + spec.nodeLabel(n), () -> {
                    if (v.linodeId() != null) {
                        cloud.detachVolume(v.id());
                        awaitDetached(v);
                    }
                    cloud.attachVolume(v.id(), i.id());
                    out.info("  ~ volume " + v.label() + " attached to " + i.label());
                });
            }
        }
        Parallel.run("volumes", tasks, PARALLELISM);
        if (!tasks.isEmpty()) {
            await("volumes to be active", () -> cloud.volumesTagged(spec.tag()).stream()
                    .filter(v -> v.status().equals("active")).count() >= spec.storageNodes());
        }
        return volumes;
    }

    private void removeSurplus(CloudSnapshot s) {
        Map<String, Runnable> tasks = new LinkedHashMap<>();
        for (int n : surplusNodes(s)) {
            Instance i = s.instances().get(n);
            tasks.put(i.label(), () -> {
                cloud.deleteInstance(i.id());
                out.info("  - instance " + i.label() + " deleted");
            });
        }
        Parallel.run("remove instances", tasks, PARALLELISM);
        Map<String, Runnable> volumeTasks = new LinkedHashMap<>();
        for (int n : surplusVolumes(s)) {
            Volume v = s.volumes().get(n);
            volumeTasks.put(v.label(), () -> deleteVolume(v));
        }
        Parallel.run("remove volumes", volumeTasks, PARALLELISM);
    }

    /** Waits, within the API settings' deadline, polling at their interval. */
    private void await(String what, java.util.function.BooleanSupplier done) {
        Poll.until(what, cloud.api().settings().waitDeadline(), cloud.api().settings().pollInterval(), done);
    }

    private void awaitDetached(Volume v) {
        await("volume " + v.label() + " to detach", () -> cloud.volume(v.id()).linodeId() == null);
    }

    /** Detaches (if still attached: a deleted instance releases its volume on its own, a little later), deletes. */
    private void deleteVolume(Volume v) {
        if (cloud.volume(v.id()).linodeId() != null) {
            try {
                cloud.detachVolume(v.id());
            } catch (LinodeApiException e) {
                if (e.status() != 400) {
                    throw e;
                }
            }
            awaitDetached(v);
        }
        cloud.deleteVolume(v.id());
        out.info("  - volume " + v.label() + " deleted");
    }

    private void ensureFirewallMembers(Firewall firewall, Map<Integer, Instance> running) {
        var rules = desiredRules(running);
        if (!FirewallRules.same(firewall.rules(), rules)) {
            cloud.putRules(firewall.id(), rules);
            out.info("  ~ firewall " + firewall.label() + " rules updated");
        }
        for (Instance i : running.values()) {
            if (!firewall.linodeIds().contains(i.id())) {
                try {
                    cloud.addDevice(firewall.id(), i.id());
                } catch (LinodeApiException e) {
                    // created with firewall_id moments ago: the device may already be there
                    if (e.status() != 400) {
                        throw e;
                    }
                }
            }
        }
    }

    private ObjectNode desiredRules(Map<Integer, Instance> instances) {
        List<String> members = new ArrayList<>();
        if (spec.network().mode() == NetworkMode.VPC) {
            members.add(spec.network().vpcSubnet());
        } else {
            instances.forEach((n, i) -> {
                if (n <= spec.nodes() && i.legacyPrivateIp() != null) {
                    members.add(i.legacyPrivateIp() + "/32");
                }
            });
        }
        return FirewallRules.desired(spec, members);
    }

    private void ensureDns(CloudSnapshot s, Map<Integer, Instance> running) {
        long domainId = s.domain().orElseThrow().id();
        Map<String, Runnable> tasks = new LinkedHashMap<>();
        Map<Integer, Instance> targets = new TreeMap<>(running);
        if (running.containsKey(1)) {
            targets.put(CloudSnapshot.API_RECORD, running.get(1));
        }
        for (Map.Entry<Integer, Instance> e : targets.entrySet()) {
            int n = e.getKey();
            String label = n == CloudSnapshot.API_RECORD ? CloudSnapshot.apiLabel(spec) : spec.nodeLabel(n);
            ensureRecord(tasks, domainId, s.records().get(n), label, recordName(n), e.getValue().publicIp());
        }
        Instance ingress = running.get(spec.apps().ingressNode());
        for (String label : ingress == null ? List.<String>of() : CloudSnapshot.appLabels(spec)) {
            ensureRecord(tasks, domainId, s.appRecords().get(label), label, label + "." + spec.domain(),
                    ingress.publicIp());
        }
        for (Map.Entry<Integer, DomainRecord> e : s.records().entrySet()) {
            if (e.getKey() > spec.nodes()) {
                tasks.put(spec.fqdn(e.getKey()), () -> {
                    cloud.deleteRecord(domainId, e.getValue().id());
                    out.info("  - dns " + spec.fqdn(e.getKey()) + " deleted");
                });
            }
        }
        Parallel.run("dns records", tasks, PARALLELISM);
    }

    /** A task creating the A record {@code label} -> {@code target}, or correcting {@code existing}; none if right. */
    private void ensureRecord(Map<String, Runnable> tasks, long domainId, DomainRecord existing, String label,
                              String name, String target) {
        if (existing == null) {
            tasks.put(name, () -> {
                cloud.createARecord(domainId, label, target, DNS_TTL);
                out.info("  + dns " + name + " A " + target);
            });
        } else if (!existing.target().equals(target)) {
            tasks.put(name, () -> {
                cloud.updateRecordTarget(domainId, existing.id(), target, DNS_TTL);
                out.info("  ~ dns " + name + " A " + target);
            });
        }
    }

    private String recordName(int n) {
        return n == CloudSnapshot.API_RECORD ? spec.apiName() : spec.fqdn(n);
    }

    private List<Node> nodes(Map<Integer, Instance> instances, Map<Integer, Volume> volumes) {
        List<Node> nodes = new ArrayList<>();
        for (Map.Entry<Integer, Instance> e : new TreeMap<>(instances).entrySet()) {
            int n = e.getKey();
            if (n > spec.nodes()) {
                continue;
            }
            Instance i = e.getValue();
            String privateIp = spec.network().mode() == NetworkMode.VPC ? plannedPrivateIp(n) : i.legacyPrivateIp();
            Volume v = volumes.get(n);
            String device = spec.roles(n).contains(Role.STORAGE)
                    ? (v != null ? v.filesystemPath() : "/dev/disk/by-id/scsi-0Linode_Volume_" + spec.nodeLabel(n))
                    : null;
            nodes.add(new Node(i.label(), n, spec.roles(n), i.publicIp(), privateIp, spec.fqdn(n), device,
                    new Node.Ssh(i.publicIp(), 22, credentials.loginUser()), String.valueOf(i.id())));
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
        List<Instance> instances = new ArrayList<>(s.instances().values());
        instances.addAll(s.strayInstances());
        for (Instance i : instances) {
            tasks.put("instance " + i.label(), () -> {
                cloud.deleteInstance(i.id());
                out.info("  - instance " + i.label() + " deleted");
            });
        }
        Parallel.run("remove instances and records", tasks, PARALLELISM);
        List<Volume> volumes = new ArrayList<>(s.volumes().values());
        volumes.addAll(s.strayVolumes());
        Map<String, Runnable> volumeTasks = new LinkedHashMap<>();
        for (Volume v : volumes) {
            volumeTasks.put("volume " + v.label(), () -> deleteVolume(v));
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
