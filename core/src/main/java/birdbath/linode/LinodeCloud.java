package birdbath.linode;

import birdbath.linode.Resources.BalancerConfig;
import birdbath.linode.Resources.BalancerNode;
import birdbath.linode.Resources.Domain;
import birdbath.linode.Resources.DomainRecord;
import birdbath.linode.Resources.Firewall;
import birdbath.linode.Resources.Instance;
import birdbath.linode.Resources.NodeBalancer;
import birdbath.linode.Resources.Volume;
import birdbath.linode.Resources.Vpc;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The typed operations birdbath needs, each one or a few API calls; creates look themselves up by label. */
public final class LinodeCloud {

    private final LinodeApi api;

    public LinodeCloud(LinodeApi api) {
        this.api = api;
    }

    public LinodeApi api() {
        return api;
    }

    private static ObjectNode filter(String field, String value) {
        return LinodeApi.object().put(field, value);
    }

    // instances

    public List<Instance> instancesTagged(String tag) {
        return api.list("/linode/instances", filter("tags", tag)).stream().map(Instance::of).toList();
    }

    private Optional<JsonNode> instanceLabelled(String label) {
        return api.list("/linode/instances", filter("label", label)).stream().findFirst();
    }

    public Instance createInstance(ObjectNode body) {
        String label = body.get("label").asText();
        return Instance.of(api.create("/linode/instances", body, () -> instanceLabelled(label)));
    }

    public void deleteInstance(long id) {
        api.delete("/linode/instances/" + id);
    }

    // volumes

    public List<Volume> volumesTagged(String tag) {
        return api.list("/volumes", filter("tags", tag)).stream().map(Volume::of).toList();
    }

    public Volume createVolume(ObjectNode body) {
        String label = body.get("label").asText();
        return Volume.of(api.create("/volumes", body,
                () -> api.list("/volumes", filter("label", label)).stream().findFirst()));
    }

    /** Attaches; an attach whose answer was lost and was then retried finds it done, which counts as success. */
    public void attachVolume(long volumeId, long linodeId) {
        try {
            api.post("/volumes/" + volumeId + "/attach", LinodeApi.object().put("linode_id", linodeId));
        } catch (LinodeApiException e) {
            if (e.status() != 400 || !Long.valueOf(linodeId).equals(volume(volumeId).linodeId())) {
                throw e;
            }
        }
    }

    public void detachVolume(long volumeId) {
        api.post("/volumes/" + volumeId + "/detach", LinodeApi.object());
    }

    /**
     * Grows a volume to {@code sizeGb}; a resize whose answer was lost and was then retried finds it done, which
     * counts as success (Linode answers 400 to a size that is not larger).
     */
    public void resizeVolume(long volumeId, int sizeGb) {
        try {
            api.post("/volumes/" + volumeId + "/resize", LinodeApi.object().put("size", sizeGb));
        } catch (LinodeApiException e) {
            if (e.status() != 400 || volume(volumeId).size() < sizeGb) {
                throw e;
            }
        }
    }

    public Volume volume(long id) {
        return Volume.of(api.get("/volumes/" + id));
    }

    public void deleteVolume(long id) {
        api.delete("/volumes/" + id);
    }

    // DNS

    public Optional<Domain> domain(String name) {
        return api.list("/domains", filter("domain", name)).stream().map(Domain::of).findFirst();
    }

    public List<DomainRecord> records(long domainId) {
        return api.list("/domains/" + domainId + "/records", null).stream().map(DomainRecord::of).toList();
    }

    public DomainRecord createARecord(long domainId, String name, String target, int ttl) {
        ObjectNode body = LinodeApi.object().put("type", "A").put("name", name).put("target", target)
                .put("ttl_sec", ttl);
        return DomainRecord.of(api.create("/domains/" + domainId + "/records", body,
                () -> api.list("/domains/" + domainId + "/records", null).stream()
                        .filter(r -> r.path("type").asText().equals("A") && r.path("name").asText().equals(name))
                        .findFirst()));
    }

    public void updateRecordTarget(long domainId, long recordId, String target, int ttl) {
        api.put("/domains/" + domainId + "/records/" + recordId,
                LinodeApi.object().put("target", target).put("ttl_sec", ttl));
    }

    public void deleteRecord(long domainId, long recordId) {
        api.delete("/domains/" + domainId + "/records/" + recordId);
    }

    // firewalls

    public Optional<Firewall> firewall(String label) {
        return api.list("/networking/firewalls", filter("label", label)).stream().map(Firewall::of).findFirst();
    }

    public Firewall createFirewall(ObjectNode body) {
        String label = body.get("label").asText();
        return Firewall.of(api.create("/networking/firewalls", body,
                () -> api.list("/networking/firewalls", filter("label", label)).stream().findFirst()));
    }

    public void putRules(long firewallId, JsonNode rules) {
        api.put("/networking/firewalls/" + firewallId + "/rules", rules);
    }

    public void addDevice(long firewallId, long linodeId) {
        api.post("/networking/firewalls/" + firewallId + "/devices",
                LinodeApi.object().put("type", "linode").put("id", linodeId));
    }

    public void deleteFirewall(long id) {
        api.delete("/networking/firewalls/" + id);
    }

    public void addNodeBalancerDevice(long firewallId, long balancerId) {
        api.post("/networking/firewalls/" + firewallId + "/devices",
                LinodeApi.object().put("type", "nodebalancer").put("id", balancerId));
    }

    // NodeBalancers

    /** The NodeBalancer labelled so, with its configs and their nodes. */
    public Optional<NodeBalancer> nodeBalancer(String label) {
        return api.list("/nodebalancers", filter("label", label)).stream().findFirst().map(this::withConfigs);
    }

    public NodeBalancer createNodeBalancer(ObjectNode body) {
        String label = body.get("label").asText();
        return withConfigs(api.create("/nodebalancers", body,
                () -> api.list("/nodebalancers", filter("label", label)).stream().findFirst()));
    }

    private NodeBalancer withConfigs(JsonNode b) {
        long id = b.path("id").asLong();
        List<BalancerConfig> configs = new ArrayList<>();
        for (JsonNode c : api.list("/nodebalancers/" + id + "/configs", null)) {
            List<BalancerNode> nodes = api.list("/nodebalancers/" + id + "/configs/" + c.path("id").asLong()
                    + "/nodes", null).stream().map(BalancerNode::of).toList();
            configs.add(BalancerConfig.of(c, nodes));
        }
        return new NodeBalancer(id, b.path("label").asText(), b.path("ipv4").asText(),
                Resources.texts(b.path("tags")), configs);
    }

    /** The config's fields and its whole node list at once (nodes with an id kept, the others replaced). */
    public void rebuildNodeBalancerConfig(long balancerId, long configId, ObjectNode body) {
        api.post("/nodebalancers/" + balancerId + "/configs/" + configId + "/rebuild", body);
    }

    /** A new config, created without nodes (the spec's create body has none) and then rebuilt with them. */
    public void createNodeBalancerConfig(long balancerId, ObjectNode body) {
        ObjectNode withoutNodes = body.deepCopy();
        withoutNodes.remove("nodes");
        long configId = api.post("/nodebalancers/" + balancerId + "/configs", withoutNodes).path("id").asLong();
        rebuildNodeBalancerConfig(balancerId, configId, body);
    }

    public void deleteNodeBalancer(long id) {
        api.delete("/nodebalancers/" + id);
    }

    // VPCs

    public Optional<Vpc> vpc(String label) {
        return api.list("/vpcs", filter("label", label)).stream().map(Vpc::of).findFirst();
    }

    public Vpc createVpc(ObjectNode body) {
        String label = body.get("label").asText();
        return Vpc.of(api.create("/vpcs", body,
                () -> api.list("/vpcs", filter("label", label)).stream().findFirst()));
    }

    public void deleteVpc(long id) {
        api.delete("/vpcs/" + id);
    }

    // catalog

    /** The monthly price of an instance type, or empty when Linode does not know the type. */
    public Optional<Double> monthlyPrice(String type) {
        try {
            return Optional.of(api.get("/linode/types/" + type).path("price").path("monthly").asDouble());
        } catch (LinodeApiException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    public double volumePricePerGbMonth() {
        for (JsonNode t : api.list("/volumes/types", null)) {
            return t.path("price").path("monthly").asDouble();
        }
        return 0.10;
    }

    /** A NodeBalancer's monthly price (GET /nodebalancers/types). */
    public double nodeBalancerPricePerMonth() {
        for (JsonNode t : api.list("/nodebalancers/types", null)) {
            return t.path("price").path("monthly").asDouble();
        }
        return 10.0;
    }

    public boolean exists(String path) {
        return find(path).isPresent();
    }

    /** The object at {@code path}, or empty if the API answers 404. */
    public Optional<JsonNode> find(String path) {
        try {
            return Optional.of(api.get(path));
        } catch (LinodeApiException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Whether the object at {@code path} lists {@code capability} among its capabilities (regions, images). */
    public static boolean capable(JsonNode object, String capability) {
        for (JsonNode c : object.path("capabilities")) {
            if (c.asText().equals(capability)) {
                return true;
            }
        }
        return false;
    }
}
