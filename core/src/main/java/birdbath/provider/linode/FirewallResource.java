package birdbath.provider.linode;

import birdbath.BirdbathException;
import birdbath.Reporter;
import birdbath.config.ClusterSpec;
import birdbath.config.ClusterSpec.NetworkMode;
import birdbath.linode.LinodeApiException;
import birdbath.linode.LinodeCloud;
import birdbath.linode.Resources.Firewall;
import birdbath.linode.Resources.Instance;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Cloud Firewall `<cluster>-fw` ({@link FirewallRules}), its rules and the nodes it covers. Created before
 * the nodes (which are created inside it); its rules and devices settle once the nodes run, when their private
 * addresses are known (private-ip mode).
 */
record FirewallResource(ClusterSpec spec, LinodeCloud cloud, Reporter out) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param instances the nodes as known now
     * @param nodesChange nodes will be added or removed: in private-ip mode the members' addresses change then
     */
    List<CloudAction> diff(Optional<Firewall> firewall, Map<Integer, Instance> instances, boolean nodesChange) {
        String label = CloudSnapshot.firewallLabel(spec);
        boolean membersPending = nodesChange && spec.network().mode() == NetworkMode.PRIVATE_IP;
        List<CloudAction> actions = new ArrayList<>();
        ObjectNode rules = desiredRules(instances);
        if (firewall.isEmpty()) {
            actions.add(CloudAction.create("firewall", label, FirewallRules.summary(spec), () -> {
                ObjectNode body = JSON.createObjectNode().put("label", label);
                body.set("rules", rules);
                body.putArray("tags").add(spec.tag());
                Firewall f = cloud.createFirewall(body);
                out.info("  + firewall " + f.label() + " created");
            }));
            if (membersPending) {
                actions.add(pendingRules(label));
            }
            // nodes that exist already (the firewall was removed under them) are attached once it is back
            List<String> existing = instances.entrySet().stream().filter(e -> e.getKey() <= spec.nodes())
                    .map(e -> e.getValue().label()).toList();
            if (!existing.isEmpty()) {
                actions.add(CloudAction.update("firewall", label, "attach " + String.join(", ", existing), () -> { }));
            }
            return actions;
        }
        Firewall f = firewall.get();
        if (membersPending) {
            actions.add(pendingRules(label));
        } else if (!FirewallRules.same(f.rules(), rules)) {
            actions.add(CloudAction.update("firewall", label, "rules", () -> {
                cloud.putRules(f.id(), rules);
                out.info("  ~ firewall " + f.label() + " rules updated");
            }));
        }
        List<Instance> unattached = instances.entrySet().stream()
                .filter(e -> e.getKey() <= spec.nodes() && !f.linodeIds().contains(e.getValue().id()))
                .map(Map.Entry::getValue).toList();
        if (!unattached.isEmpty()) {
            actions.add(CloudAction.update("firewall", label, "attach " + String.join(", ",
                    unattached.stream().map(Instance::label).toList()), () -> unattached.forEach(i -> attach(f, i))));
        }
        return actions;
    }

    /** Announced only: `up` sets the rules once the new nodes' addresses are known ({@link #settle}). */
    private static CloudAction pendingRules(String label) {
        return CloudAction.update("firewall", label, "rules (member addresses known after apply)", () -> { });
    }

    /** Creates the firewall if missing (before the nodes, which are created inside it). */
    Firewall ensure(CloudSnapshot s) {
        if (s.firewall().isPresent()) {
            return s.firewall().get();
        }
        diff(s.firewall(), s.instances(), false).forEach(a -> a.apply().run());
        return cloud.firewall(CloudSnapshot.firewallLabel(spec)).orElseThrow(() -> new BirdbathException(
                "the firewall " + CloudSnapshot.firewallLabel(spec) + " was created but the API does not list it"));
    }

    /** Once the nodes run: the rules with their addresses, every node covered. */
    void settle(Firewall firewall, Map<Integer, Instance> running) {
        // re-read: instances created with firewall_id are attached already
        Firewall now = cloud.firewall(firewall.label()).orElse(firewall);
        diff(Optional.of(now), running, false).forEach(a -> a.apply().run());
    }

    private void attach(Firewall f, Instance i) {
        try {
            cloud.addDevice(f.id(), i.id());
        } catch (LinodeApiException e) {
            // created with firewall_id moments ago: the device may already be there
            if (e.status() != 400) {
                throw e;
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
}
