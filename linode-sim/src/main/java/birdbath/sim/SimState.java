package birdbath.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The account's resources: instances, volumes, domains and records, firewalls, VPCs. Every public method is one
 * API operation; all of them hold the lock, so the simulator behaves as one consistent account.
 * Statuses move with time (provisioning, booting, running; creating, active) and are derived on read.
 */
final class SimState {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The user data an instance was created with, as its cloud-init would read it; null if none. */
    private static String userData(JsonNode instance) {
        try {
            return instance.has("_user_data") ? new String(instance.get("_user_data").binaryValue(),
                    java.nio.charset.StandardCharsets.UTF_8) : null;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
    private final NodeBackend backend;
    private final long[] privateRange;

    private final Catalog catalog = new Catalog();
    private final long bootMillis;
    private final LongSupplier clock;
    private long nextId = 1000;
    private int nextPublic = 0;
    private int nextPrivate = 0;

    private final Map<Long, ObjectNode> instances = new LinkedHashMap<>();
    private final Map<Long, ObjectNode> volumes = new LinkedHashMap<>();
    private final Map<Long, ObjectNode> domains = new LinkedHashMap<>();
    private final Map<Long, Map<Long, ObjectNode>> records = new HashMap<>();
    private final Map<Long, ObjectNode> firewalls = new LinkedHashMap<>();
    private final Map<Long, ObjectNode> vpcs = new LinkedHashMap<>();
    private final NodeBalancers nodeBalancers = new NodeBalancers(this);
    private final Map<Long, Long> createdAt = new HashMap<>();
    /** VPC address -> instance id, per subnet id. */
    private final Map<Long, Map<String, Long>> vpcAddresses = new HashMap<>();

    SimState(long bootMillis, LongSupplier clock) {
        this(bootMillis, clock, NodeBackend.NONE);
    }

    SimState(long bootMillis, LongSupplier clock, NodeBackend backend) {
        this.bootMillis = bootMillis;
        this.clock = clock;
        this.backend = backend;
        this.privateRange = Validate.cidr(backend.privateRange());
    }

    Catalog catalog() {
        return catalog;
    }

    NodeBalancers nodeBalancers() {
        return nodeBalancers;
    }

    /** Runs one NodeBalancer operation under the account's lock. */
    synchronized <T> T locked(java.util.function.Supplier<T> operation) {
        return operation.get();
    }

    long newId() {
        return ++nextId;
    }

    String privateRange() {
        return backend.privateRange();
    }

    // ---------------------------------------------------------------- instances

    synchronized List<JsonNode> listInstances() {
        List<JsonNode> out = new ArrayList<>();
        for (ObjectNode i : instances.values()) {
            out.add(renderInstance(i));
        }
        return out;
    }

    synchronized JsonNode getInstance(long id) {
        return renderInstance(instance(id));
    }

    synchronized JsonNode createInstance(Request r) {
        String type = Validate.requiredText(r, "type");
        String region = Validate.requiredText(r, "region");
        if (catalog.find(catalog.types, type) == null) {
            throw ApiError.badRequest("type", "A valid plan type by that ID was not found");
        }
        if (catalog.find(catalog.regions, region) == null) {
            throw ApiError.badRequest("region", "region is not valid");
        }
        String image = r.text("image");
        if (image != null && catalog.find(catalog.images, image) == null) {
            throw ApiError.badRequest("image", "image is not valid");
        }
        if (image != null) {
            String pass = r.text("root_pass");
            if (pass == null) {
                throw ApiError.badRequest("root_pass", "root_pass is required when deploying from an image");
            }
            Validate.rootPass(pass);
        }
        Validate.stringArray(r.field("tags"), "tags");
        Validate.stringArray(r.field("authorized_keys"), "authorized_keys");
        byte[] userData = Validate.userData(r.field("metadata"));
        long id = ++nextId;
        String label = r.text("label") == null ? "linode" + id : r.text("label");
        Validate.label("label", label, Validate.LINODE_LABEL, 3, 64);
        for (ObjectNode other : instances.values()) {
            if (other.get("label").asText().equals(label)) {
                throw ApiError.badRequest("label", "Label must be unique among your linodes");
            }
        }
        ObjectNode firewall = null;
        if (!r.field("firewall_id").isNull()) {
            firewall = firewalls.get(r.field("firewall_id").asLong());
            if (firewall == null) {
                throw ApiError.badRequest("firewall_id", "Firewall not found");
            }
        }
        boolean privateIp = r.field("private_ip").asBoolean(false);
        JsonNode interfaces = r.field("interfaces");
        String vpcAddress = null;
        long subnetId = 0;
        long vpcId = 0;
        if (interfaces.isArray()) {
            for (int i = 0; i < interfaces.size(); i++) {
                JsonNode itf = interfaces.get(i);
                String purpose = itf.path("purpose").asText("");
                if (!Set.of("public", "vlan", "vpc").contains(purpose)) {
                    throw ApiError.badRequest("interfaces[" + i + "].purpose", "Must be one of public, vlan, vpc");
                }
                if (purpose.equals("vpc")) {
                    subnetId = itf.path("subnet_id").asLong(0);
                    ObjectNode[] found = findSubnet(subnetId);
                    if (found == null) {
                        throw ApiError.badRequest("interfaces[" + i + "].subnet_id", "Subnet not found");
                    }
                    if (!found[0].get("region").asText().equals(region)) {
                        throw ApiError.badRequest("interfaces[" + i + "].subnet_id",
                                "VPC and Linode must be in the same region");
                    }
                    vpcId = found[0].get("id").asLong();
                    vpcAddress = allocateVpcAddress(found[1], itf.path("ipv4").path("vpc").asText(null),
                            "interfaces[" + i + "].ipv4.vpc");
                }
            }
        }
        ObjectNode instance = JSON.createObjectNode();
        instance.put("id", id).put("label", label).put("region", region).put("type", type);
        if (image == null) {
            instance.putNull("image");
        } else {
            instance.put("image", image);
        }
        instance.put("group", "").put("hypervisor", "kvm").put("created", now()).put("updated", now());
        instance.put("_booted", r.field("booted").asBoolean(true)).put("_generation", 0);
        if (r.text("root_pass") != null) {
            instance.put("_root_pass", r.text("root_pass"));
        }
        // write-only: kept for the machine behind the instance (its cloud-init), answered only as has_user_data
        instance.put("has_user_data", userData != null);
        if (userData != null) {
            instance.put("_user_data", userData);
        }
        instance.set("_authorized_keys", r.field("authorized_keys").isArray() ? r.field("authorized_keys").deepCopy()
                : JSON.createArrayNode());
        ArrayNode ipv4 = instance.putArray("ipv4");
        String publicIp = allocatePublic();
        ipv4.add(publicIp);
        if (privateIp) {
            if (nextPrivate + 2 >= 1L << (32 - privateRange[1])) {
                throw new ApiError(400, "No private IPv4 addresses available in this region", null);
            }
            ipv4.add(Validate.longToIpv4(privateRange[0] + 1 + nextPrivate++));
        }
        instance.put("ipv6", "2600:3c00::f03c:" + Long.toHexString(id) + ":fe00:" + Long.toHexString(id) + "/128");
        ArrayNode tags = instance.putArray("tags");
        r.field("tags").forEach(tags::add);
        ObjectNode type0 = catalog.find(catalog.types, type);
        instance.putObject("specs").put("vcpus", type0.get("vcpus").asInt()).put("memory", type0.get("memory").asInt())
                .put("disk", type0.get("disk").asInt()).put("transfer", type0.get("transfer").asInt());
        if (vpcAddress != null) {
            instance.put("_vpc_ipv4", vpcAddress).put("_subnet_id", subnetId).put("_vpc_id", vpcId);
            vpcAddresses.get(subnetId).put(vpcAddress, id);
        }
        instances.put(id, instance);
        createdAt.put(id, clock.getAsLong());
        if (firewall != null) {
            addDevice(firewall, id);
        }
        return renderInstance(instance);
    }

    synchronized JsonNode updateInstance(Request r) {
        ObjectNode instance = instance(r.id(0));
        if (r.text("label") != null) {
            String label = r.text("label");
            Validate.label("label", label, Validate.LINODE_LABEL, 3, 64);
            for (ObjectNode other : instances.values()) {
                if (other != instance && other.get("label").asText().equals(label)) {
                    throw ApiError.badRequest("label", "Label must be unique among your linodes");
                }
            }
            instance.put("label", label);
        }
        if (r.field("tags").isArray()) {
            Validate.stringArray(r.field("tags"), "tags");
            instance.set("tags", r.field("tags").deepCopy());
        }
        instance.put("updated", now());
        return renderInstance(instance);
    }

    synchronized void deleteInstance(long id) {
        ObjectNode instance = instance(id);
        instances.remove(id);
        for (ObjectNode v : volumes.values()) {
            if (v.path("linode_id").asLong(0) == id) {
                v.putNull("linode_id").putNull("linode_label");
            }
        }
        for (ObjectNode f : firewalls.values()) {
            removeDevice(f, id);
        }
        if (instance.has("_subnet_id")) {
            vpcAddresses.get(instance.get("_subnet_id").asLong()).remove(instance.get("_vpc_ipv4").asText());
        }
    }

    synchronized JsonNode instanceIps(long id) {
        ObjectNode i = instance(id);
        ObjectNode out = JSON.createObjectNode();
        ObjectNode v4 = out.putObject("ipv4");
        ArrayNode pub = v4.putArray("public");
        ArrayNode priv = v4.putArray("private");
        for (JsonNode ip : i.get("ipv4")) {
            ObjectNode addr = JSON.createObjectNode().put("address", ip.asText()).put("linode_id", id)
                    .put("region", i.get("region").asText());
            boolean isPrivate = Validate.inCidr(Validate.ipv4ToLong(ip.asText()), privateRange);
            addr.put("public", !isPrivate).put("type", "ipv4").put("prefix", isPrivate ? backend.privatePrefix() : 24);
            (isPrivate ? priv : pub).add(addr);
        }
        ArrayNode vpc = v4.putArray("vpc");
        if (i.has("_vpc_ipv4")) {
            vpc.add(JSON.createObjectNode().put("address", i.get("_vpc_ipv4").asText())
                    .put("vpc_id", i.get("_vpc_id").asLong()).put("subnet_id", i.get("_subnet_id").asLong())
                    .put("linode_id", id).put("active", true));
        }
        v4.putArray("shared");
        v4.putArray("reserved");
        return out;
    }

    private ObjectNode instance(long id) {
        return ApiError.orNotFound(instances.get(id));
    }

    private JsonNode renderInstance(ObjectNode stored) {
        ObjectNode out = stored.deepCopy();
        long age = clock.getAsLong() - createdAt.get(stored.get("id").asLong());
        String status = backend.status(stored.get("id").asLong());
        if (status != null) {
            // a real machine: its own state
        } else if (age < bootMillis / 2) {
            status = "provisioning";
        } else if (!stored.get("_booted").asBoolean()) {
            status = "offline";
        } else {
            status = age < bootMillis ? "booting" : "running";
        }
        out.put("status", status);
        out.remove(List.of("_booted", "_generation", "_root_pass", "_user_data", "_authorized_keys", "_vpc_ipv4", "_subnet_id",
                "_vpc_id"));
        return out;
    }

    String allocatePublic() {
        List<String> pools = backend.publicPools();
        int pool = nextPublic / 254;
        if (pool >= pools.size()) {
            throw new ApiError(400, "No IPv4 addresses available in this region", null);
        }
        return pools.get(pool) + (nextPublic++ % 254 + 1);
    }

    /** Power actions: POST /linode/instances/{id}/boot, /reboot, /shutdown (each answers {}). */
    synchronized void power(long id, String action) {
        ObjectNode i = instance(id);
        switch (action) {
            case "boot" -> i.put("_booted", true);
            case "shutdown" -> i.put("_booted", false);
            case "reboot" -> i.put("_booted", true).put("_generation", i.get("_generation").asInt() + 1);
            default -> throw ApiError.notFound();
        }
    }

    /** The account as the backend should make it. */
    synchronized NodeBackend.Account account() {
        List<NodeBackend.Machine> machines = new ArrayList<>();
        for (ObjectNode i : instances.values()) {
            long id = i.get("id").asLong();
            List<String> priv = new ArrayList<>();
            for (JsonNode ip : i.get("ipv4")) {
                if (Validate.inCidr(Validate.ipv4ToLong(ip.asText()), privateRange)) {
                    priv.add(ip.asText() + "/" + backend.privatePrefix());
                }
            }
            if (i.has("_vpc_ipv4")) {
                ObjectNode[] subnet = findSubnet(i.get("_subnet_id").asLong());
                String cidr = subnet[1].get("ipv4").asText();
                priv.add(i.get("_vpc_ipv4").asText() + cidr.substring(cidr.indexOf('/')));
            }
            List<String> keys = new ArrayList<>();
            i.get("_authorized_keys").forEach(k -> keys.add(k.asText()));
            machines.add(new NodeBackend.Machine(id, i.get("label").asText(), i.get("ipv4").get(0).asText(), priv,
                    keys, i.path("_root_pass").asText(null), i.get("_booted").asBoolean(),
                    i.get("_generation").asInt(), userData(i)));
        }
        List<NodeBackend.Volume> vols = new ArrayList<>();
        for (ObjectNode v : volumes.values()) {
            vols.add(new NodeBackend.Volume(v.get("id").asLong(), v.get("label").asText(), v.get("size").asInt(),
                    v.path("linode_id").asLong(0)));
        }
        List<NodeBackend.Firewall> fws = new ArrayList<>();
        for (ObjectNode f : firewalls.values()) {
            List<Long> ids = new ArrayList<>();
            f.get("entities").forEach(e -> ids.add(e.get("id").asLong()));
            fws.add(new NodeBackend.Firewall(f.get("id").asLong(), f.get("status").asText().equals("enabled"),
                    f.get("rules").deepCopy(), ids));
        }
        List<NodeBackend.DnsRecord> recs = new ArrayList<>();
        for (Map.Entry<Long, Map<Long, ObjectNode>> d : records.entrySet()) {
            ObjectNode domain = domains.get(d.getKey());
            if (domain == null) {
                continue;
            }
            String zone = domain.get("domain").asText();
            for (ObjectNode rec : d.getValue().values()) {
                String name = rec.get("name").asText();
                recs.add(new NodeBackend.DnsRecord(name.isEmpty() ? zone : name + "." + zone,
                        rec.get("type").asText(), rec.get("target").asText()));
            }
        }
        List<String> zones = domains.values().stream().map(d -> d.get("domain").asText()).toList();
        return new NodeBackend.Account(machines, vols, fws, zones, recs);
    }

    // ---------------------------------------------------------------- volumes

    synchronized List<JsonNode> listVolumes() {
        List<JsonNode> out = new ArrayList<>();
        for (ObjectNode v : volumes.values()) {
            out.add(renderVolume(v));
        }
        return out;
    }

    synchronized JsonNode getVolume(long id) {
        return renderVolume(volume(id));
    }

    synchronized JsonNode createVolume(Request r) {
        String label = Validate.requiredText(r, "label");
        Validate.label("label", label, Validate.VOLUME_LABEL, 1, 32);
        for (ObjectNode other : volumes.values()) {
            if (other.get("label").asText().equals(label)) {
                throw ApiError.badRequest("label", "Label must be unique among your volumes");
            }
        }
        int size = r.field("size").asInt(20);
        if (size < 10 || size > 10240) {
            throw ApiError.badRequest("size", "Size must be between 10 and 10240");
        }
        Validate.stringArray(r.field("tags"), "tags");
        String region = r.text("region");
        ObjectNode linode = null;
        if (!r.field("linode_id").isNull()) {
            linode = instances.get(r.field("linode_id").asLong());
            if (linode == null) {
                throw ApiError.badRequest("linode_id", "Linode not found");
            }
            if (region != null && !region.equals(linode.get("region").asText())) {
                throw ApiError.badRequest("region", "Volume and Linode must be in the same region");
            }
            region = linode.get("region").asText();
        }
        if (region == null) {
            throw ApiError.badRequest("region", "Must provide a region or a Linode ID");
        }
        if (catalog.find(catalog.regions, region) == null) {
            throw ApiError.badRequest("region", "region is not valid");
        }
        long id = ++nextId;
        ObjectNode v = JSON.createObjectNode().put("id", id).put("label", label).put("size", size)
                .put("region", region).put("filesystem_path", "/dev/disk/by-id/scsi-0Linode_Volume_" + label)
                .put("hardware_type", "nvme").put("created", now()).put("updated", now());
        if (linode == null) {
            v.putNull("linode_id").putNull("linode_label");
        } else {
            v.put("linode_id", linode.get("id").asLong()).put("linode_label", linode.get("label").asText());
        }
        ArrayNode tags = v.putArray("tags");
        r.field("tags").forEach(tags::add);
        volumes.put(id, v);
        createdAt.put(id, clock.getAsLong());
        return renderVolume(v);
    }

    synchronized JsonNode attachVolume(Request r) {
        ObjectNode v = volume(r.id(0));
        if (!v.get("linode_id").isNull()) {
            throw ApiError.badRequest("linode_id", "Volume is already attached to a Linode");
        }
        ObjectNode linode = instances.get(r.field("linode_id").asLong());
        if (linode == null) {
            throw ApiError.badRequest("linode_id", "Linode not found");
        }
        if (!linode.get("region").asText().equals(v.get("region").asText())) {
            throw ApiError.badRequest("linode_id", "Volume and Linode must be in the same region");
        }
        v.put("linode_id", linode.get("id").asLong()).put("linode_label", linode.get("label").asText());
        return renderVolume(v);
    }

    /** POST /volumes/{id}/resize: "Volumes can only be resized up" (Linode's OpenAPI description), to 10240 GiB. */
    synchronized JsonNode resizeVolume(Request r) {
        ObjectNode v = volume(r.id(0));
        if (!r.field("size").isInt()) {
            throw ApiError.badRequest("size", "size is required");
        }
        int size = r.field("size").asInt();
        if (size <= v.get("size").asInt()) {
            throw ApiError.badRequest("size", "Volumes can only be resized up");
        }
        if (size > 10240) {
            throw ApiError.badRequest("size", "Size must be between 10 and 10240");
        }
        v.put("size", size).put("updated", now());
        return renderVolume(v);
    }

    synchronized void detachVolume(long id) {
        volume(id).putNull("linode_id").putNull("linode_label");
    }

    synchronized void deleteVolume(long id) {
        ObjectNode v = volume(id);
        if (!v.get("linode_id").isNull()) {
            throw ApiError.badRequest(null, "Volume must be detached before it can be deleted.");
        }
        volumes.remove(id);
    }

    private ObjectNode volume(long id) {
        return ApiError.orNotFound(volumes.get(id));
    }

    private JsonNode renderVolume(ObjectNode stored) {
        ObjectNode out = stored.deepCopy();
        long age = clock.getAsLong() - createdAt.get(stored.get("id").asLong());
        out.put("status", age < bootMillis / 2 ? "creating" : "active");
        return out;
    }

    // ---------------------------------------------------------------- domains

    synchronized List<JsonNode> listDomains() {
        return new ArrayList<>(domains.values());
    }

    synchronized JsonNode getDomain(long id) {
        return domain(id);
    }

    synchronized JsonNode createDomain(Request r) {
        String name = Validate.requiredText(r, "domain");
        String type = r.text("type") == null ? "master" : r.text("type");
        if (type.equals("master") && r.text("soa_email") == null) {
            throw ApiError.badRequest("soa_email", "soa_email is required for master domains");
        }
        for (ObjectNode d : domains.values()) {
            if (d.get("domain").asText().equalsIgnoreCase(name)) {
                throw ApiError.badRequest("domain", "A domain with that name already exists");
            }
        }
        long id = ++nextId;
        ObjectNode d = JSON.createObjectNode().put("id", id).put("domain", name).put("type", type)
                .put("status", "active").put("soa_email", r.text("soa_email")).put("ttl_sec", 0)
                .put("created", now()).put("updated", now());
        d.putArray("tags");
        domains.put(id, d);
        records.put(id, new LinkedHashMap<>());
        return d;
    }

    synchronized void deleteDomain(long id) {
        domain(id);
        domains.remove(id);
        records.remove(id);
    }

    synchronized List<JsonNode> listRecords(long domainId) {
        domain(domainId);
        return new ArrayList<>(records.get(domainId).values());
    }

    synchronized JsonNode getRecord(long domainId, long recordId) {
        return record(domainId, recordId);
    }

    synchronized JsonNode createRecord(Request r) {
        long domainId = r.id(0);
        domain(domainId);
        long id = ++nextId;
        ObjectNode rec = JSON.createObjectNode().put("id", id);
        String type = Validate.requiredText(r, "type");
        if (!Set.of("A", "AAAA", "NS", "MX", "CNAME", "TXT", "SRV", "PTR", "CAA").contains(type)) {
            throw ApiError.badRequest("type", "type is not valid");
        }
        rec.put("type", type).put("name", "").put("target", "").put("ttl_sec", 0).put("priority", 0)
                .put("weight", 0).put("port", 0).putNull("service").putNull("protocol").putNull("tag")
                .put("created", now()).put("updated", now());
        applyRecordFields(rec, r);
        records.get(domainId).put(id, rec);
        return rec;
    }

    synchronized JsonNode updateRecord(Request r) {
        ObjectNode rec = record(r.id(0), r.id(1));
        applyRecordFields(rec, r);
        rec.put("updated", now());
        return rec;
    }

    synchronized void deleteRecord(long domainId, long recordId) {
        record(domainId, recordId);
        records.get(domainId).remove(recordId);
    }

    private void applyRecordFields(ObjectNode rec, Request r) {
        if (r.text("name") != null) {
            String name = r.text("name");
            if (name.length() > 100) {
                throw ApiError.badRequest("name", "Length must be 0-100 characters");
            }
            rec.put("name", name);
        }
        if (r.text("target") != null) {
            rec.put("target", r.text("target"));
        }
        if (rec.get("type").asText().equals("A") && Validate.ipv4ToLong(rec.get("target").asText()) < 0) {
            throw ApiError.badRequest("target", "You must provide a valid IPv4 address.");
        }
        if (!r.field("ttl_sec").isNull()) {
            rec.put("ttl_sec", r.field("ttl_sec").asInt());
        }
    }

    private ObjectNode domain(long id) {
        return ApiError.orNotFound(domains.get(id));
    }

    private ObjectNode record(long domainId, long recordId) {
        domain(domainId);
        ObjectNode rec = records.get(domainId).get(recordId);
        if (rec == null) {
            throw ApiError.notFound();
        }
        return rec;
    }

    // ---------------------------------------------------------------- firewalls

    synchronized List<JsonNode> listFirewalls() {
        return new ArrayList<>(firewalls.values());
    }

    synchronized JsonNode getFirewall(long id) {
        return firewall(id);
    }

    synchronized JsonNode createFirewall(Request r) {
        String label = Validate.requiredText(r, "label");
        Validate.label("label", label, Validate.LINODE_LABEL, 3, 32);
        for (ObjectNode f : firewalls.values()) {
            if (f.get("label").asText().equals(label)) {
                throw ApiError.badRequest("label", "Label must be unique among your firewalls");
            }
        }
        JsonNode rules = r.field("rules");
        if (!rules.isObject()) {
            throw ApiError.badRequest("rules", "rules is required");
        }
        validateRules(rules, "rules.");
        Validate.stringArray(r.field("tags"), "tags");
        List<JsonNode> balancers = new ArrayList<>();
        for (JsonNode balancerId : r.field("devices").path("nodebalancers")) {
            try {
                balancers.add(nodeBalancers.get(balancerId.asLong()));
            } catch (ApiError e) {
                throw ApiError.badRequest("devices.nodebalancers", "NodeBalancer " + balancerId.asLong()
                        + " not found");
            }
        }
        if (balancers.size() > 1) {
            throw ApiError.badRequest("devices.nodebalancers", "Only one NodeBalancer can be assigned to a Firewall at"
                    + " a time");
        }
        List<ObjectNode> devices = new ArrayList<>();
        for (JsonNode linodeId : r.field("devices").path("linodes")) {
            ObjectNode linode = instances.get(linodeId.asLong());
            if (linode == null) {
                throw ApiError.badRequest("devices.linodes", "Linode " + linodeId.asLong() + " not found");
            }
            devices.add(linode);
        }
        long id = ++nextId;
        ObjectNode f = JSON.createObjectNode().put("id", id).put("label", label).put("status", "enabled")
                .put("created", now()).put("updated", now());
        f.set("rules", normaliseRules(rules));
        ArrayNode tags = f.putArray("tags");
        r.field("tags").forEach(tags::add);
        f.putArray("entities");
        firewalls.put(id, f);
        for (ObjectNode linode : devices) {
            addDevice(f, linode.get("id").asLong());
        }
        for (JsonNode b : balancers) {
            addNodeBalancerDevice(f, b.get("id").asLong(), b.get("label").asText());
        }
        return f;
    }

    synchronized JsonNode updateFirewall(Request r) {
        ObjectNode f = firewall(r.id(0));
        if (r.text("label") != null) {
            Validate.label("label", r.text("label"), Validate.LINODE_LABEL, 3, 32);
            f.put("label", r.text("label"));
        }
        if (r.text("status") != null) {
            if (!Set.of("enabled", "disabled").contains(r.text("status"))) {
                throw ApiError.badRequest("status", "Must be enabled or disabled");
            }
            f.put("status", r.text("status"));
        }
        if (r.field("tags").isArray()) {
            f.set("tags", r.field("tags").deepCopy());
        }
        f.put("updated", now());
        return f;
    }

    synchronized void deleteFirewall(long id) {
        firewall(id);
        firewalls.remove(id);
    }

    synchronized JsonNode getRules(long id) {
        return firewall(id).get("rules");
    }

    synchronized JsonNode putRules(Request r) {
        ObjectNode f = firewall(r.id(0));
        validateRules(r.body(), "");
        f.set("rules", normaliseRules(r.body()));
        f.put("updated", now());
        return f.get("rules");
    }

    synchronized List<JsonNode> listDevices(long firewallId) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : firewall(firewallId).get("entities")) {
            out.add(device(e));
        }
        return out;
    }

    synchronized JsonNode addDevice(Request r) {
        ObjectNode f = firewall(r.id(0));
        if ("nodebalancer".equals(r.text("type"))) {
            long balancerId = r.field("id").asLong();
            JsonNode balancer;
            try {
                balancer = nodeBalancers.get(balancerId);
            } catch (ApiError e) {
                throw ApiError.badRequest("id", "NodeBalancer not found");
            }
            checkNodeBalancerFree(f, "id");
            if (!firewallsOfNodeBalancer(balancerId).isEmpty()) {
                throw ApiError.badRequest("id", "NodeBalancer already has an active firewall");
            }
            return device(addNodeBalancerDevice(f, balancerId, balancer.get("label").asText()));
        }
        if (!"linode".equals(r.text("type"))) {
            throw ApiError.badRequest("type", "Must be linode or nodebalancer");
        }
        long linodeId = r.field("id").asLong();
        if (!instances.containsKey(linodeId)) {
            throw ApiError.badRequest("id", "Linode not found");
        }
        for (JsonNode e : f.get("entities")) {
            if (e.get("type").asText().equals("linode") && e.get("id").asLong() == linodeId) {
                throw ApiError.badRequest("id", "Linode is already assigned to this firewall");
            }
        }
        for (ObjectNode other : firewalls.values()) {
            for (JsonNode e : other.get("entities")) {
                if (e.get("type").asText().equals("linode") && e.get("id").asLong() == linodeId) {
                    throw ApiError.badRequest("id", "Linode already has an active firewall");
                }
            }
        }
        return device(addDevice(f, linodeId));
    }

    synchronized void deleteDevice(long firewallId, long deviceId) {
        ObjectNode f = firewall(firewallId);
        ArrayNode entities = (ArrayNode) f.get("entities");
        for (int i = 0; i < entities.size(); i++) {
            if (entities.get(i).get("_device_id").asLong() == deviceId) {
                entities.remove(i);
                return;
            }
        }
        throw ApiError.notFound();
    }

    private ObjectNode addDevice(ObjectNode firewall, long linodeId) {
        ObjectNode e = JSON.createObjectNode().put("id", linodeId).put("type", "linode")
                .put("label", instances.get(linodeId).get("label").asText())
                .put("url", "/v4/linode/instances/" + linodeId).put("_device_id", ++nextId);
        ((ArrayNode) firewall.get("entities")).add(e);
        return e;
    }

    private void removeDevice(ObjectNode firewall, long linodeId) {
        removeEntity(firewall, "linode", linodeId);
    }

    private static void removeEntity(ObjectNode firewall, String type, long id) {
        ArrayNode entities = (ArrayNode) firewall.get("entities");
        for (int i = entities.size() - 1; i >= 0; i--) {
            if (entities.get(i).get("type").asText().equals(type) && entities.get(i).get("id").asLong() == id) {
                entities.remove(i);
            }
        }
    }

    ObjectNode firewallOrNull(long id) {
        return firewalls.get(id);
    }

    /** "Only one NodeBalancer can be assigned to a Firewall at a time" (the API's own words). */
    void checkNodeBalancerFree(ObjectNode firewall, String field) {
        for (JsonNode e : firewall.get("entities")) {
            if (e.get("type").asText().equals("nodebalancer")) {
                throw ApiError.badRequest(field, "Only one NodeBalancer can be assigned to a Firewall at a time");
            }
        }
    }

    ObjectNode addNodeBalancerDevice(ObjectNode firewall, long balancerId, String label) {
        ObjectNode e = JSON.createObjectNode().put("id", balancerId).put("type", "nodebalancer").put("label", label)
                .put("url", "/v4/nodebalancers/" + balancerId).put("_device_id", ++nextId);
        ((ArrayNode) firewall.get("entities")).add(e);
        return e;
    }

    void removeNodeBalancerDevice(long balancerId) {
        firewalls.values().forEach(f -> removeEntity(f, "nodebalancer", balancerId));
    }

    /** GET /nodebalancers/{id}/firewalls: the firewalls that have it as a device. */
    List<JsonNode> firewallsOfNodeBalancer(long balancerId) {
        List<JsonNode> out = new ArrayList<>();
        for (ObjectNode f : firewalls.values()) {
            for (JsonNode e : f.get("entities")) {
                if (e.get("type").asText().equals("nodebalancer") && e.get("id").asLong() == balancerId) {
                    out.add(renderFirewall(f));
                }
            }
        }
        return out;
    }

    private JsonNode device(JsonNode entity) {
        ObjectNode d = JSON.createObjectNode().put("id", entity.get("_device_id").asLong())
                .put("created", now()).put("updated", now());
        ObjectNode e = entity.deepCopy();
        e.remove("_device_id");
        d.set("entity", e);
        return d;
    }

    private ObjectNode firewall(long id) {
        return ApiError.orNotFound(firewalls.get(id));
    }

    /** Firewalls render without internal device ids. */
    JsonNode renderFirewall(JsonNode stored) {
        ObjectNode out = stored.deepCopy();
        for (JsonNode e : out.get("entities")) {
            ((ObjectNode) e).remove("_device_id");
        }
        return out;
    }

    private static void validateRules(JsonNode rules, String prefix) {
        for (String policy : new String[] {"inbound_policy", "outbound_policy"}) {
            String v = rules.path(policy).asText("");
            if (!v.equals("ACCEPT") && !v.equals("DROP")) {
                throw ApiError.badRequest(prefix + policy, "Must be one of ACCEPT, DROP");
            }
        }
        for (String direction : new String[] {"inbound", "outbound"}) {
            JsonNode list = rules.path(direction);
            if (list.isMissingNode() || list.isNull()) {
                continue;
            }
            if (list.size() > 25) {
                throw ApiError.badRequest(prefix + direction, "Too many rules; the maximum is 25");
            }
            for (int i = 0; i < list.size(); i++) {
                JsonNode rule = list.get(i);
                String at = prefix + direction + "[" + i + "].";
                String action = rule.path("action").asText("");
                if (!action.equals("ACCEPT") && !action.equals("DROP")) {
                    throw ApiError.badRequest(at + "action", "Must be one of ACCEPT, DROP");
                }
                String protocol = rule.path("protocol").asText("");
                if (!Set.of("TCP", "UDP", "ICMP", "IPENCAP").contains(protocol)) {
                    throw ApiError.badRequest(at + "protocol", "Must be one of TCP, UDP, ICMP, IPENCAP");
                }
                if (rule.hasNonNull("ports") && (protocol.equals("ICMP") || protocol.equals("IPENCAP"))) {
                    throw ApiError.badRequest(at + "ports", "Ports are not allowed for " + protocol + " rules");
                }
                if (rule.hasNonNull("ports") && !rule.get("ports").asText().matches("\\d+(-\\d+)?(, ?\\d+(-\\d+)?)*")) {
                    throw ApiError.badRequest(at + "ports", "Must be a comma-separated list of ports or ranges");
                }
                JsonNode v4 = rule.path("addresses").path("ipv4");
                for (JsonNode a : v4) {
                    if (Validate.cidr(a.asText().contains("/") ? a.asText() : a.asText() + "/32") == null) {
                        throw ApiError.badRequest(at + "addresses.ipv4", a.asText() + " is not a valid IPv4 range");
                    }
                }
                String label = rule.path("label").asText(null);
                if (label != null && (label.length() < 3 || label.length() > 32)) {
                    throw ApiError.badRequest(at + "label", "Length must be 3-32 characters");
                }
            }
        }
    }

    private static JsonNode normaliseRules(JsonNode rules) {
        ObjectNode out = JSON.createObjectNode();
        out.put("inbound_policy", rules.get("inbound_policy").asText());
        out.put("outbound_policy", rules.get("outbound_policy").asText());
        for (String direction : new String[] {"inbound", "outbound"}) {
            ArrayNode list = out.putArray(direction);
            for (JsonNode rule : rules.path(direction)) {
                list.add(rule.deepCopy());
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- VPCs

    synchronized List<JsonNode> listVpcs() {
        List<JsonNode> out = new ArrayList<>();
        for (ObjectNode v : vpcs.values()) {
            out.add(renderVpc(v));
        }
        return out;
    }

    synchronized JsonNode getVpc(long id) {
        return renderVpc(vpc(id));
    }

    synchronized JsonNode createVpc(Request r) {
        String label = Validate.requiredText(r, "label");
        Validate.label("label", label, Validate.VPC_LABEL, 1, 64);
        String region = Validate.requiredText(r, "region");
        if (catalog.find(catalog.regions, region) == null) {
            throw ApiError.badRequest("region", "region is not valid");
        }
        for (ObjectNode v : vpcs.values()) {
            if (v.get("label").asText().equals(label)) {
                throw ApiError.badRequest("label", "Label must be unique among your VPCs");
            }
        }
        long id = ++nextId;
        ObjectNode vpc = JSON.createObjectNode().put("id", id).put("label", label).put("region", region)
                .put("description", r.text("description") == null ? "" : r.text("description"))
                .put("created", now()).put("updated", now());
        ArrayNode subnets = vpc.putArray("subnets");
        JsonNode wanted = r.field("subnets");
        for (int i = 0; i < wanted.size(); i++) {
            JsonNode s = wanted.get(i);
            String at = "subnets[" + i + "].";
            String subnetLabel = s.path("label").asText("");
            if (subnetLabel.isEmpty()) {
                throw ApiError.badRequest(at + "label", "label is required");
            }
            long[] cidr = Validate.cidr(s.path("ipv4").asText(""));
            if (cidr == null) {
                throw ApiError.badRequest(at + "ipv4", "Must be an IPv4 range in CIDR notation");
            }
            String problem = backend.vpcSubnetProblem(s.path("ipv4").asText());
            if (problem != null) {
                throw ApiError.badRequest(at + "ipv4", problem);
            }
            long subnetId = ++nextId;
            ObjectNode subnet = JSON.createObjectNode().put("id", subnetId).put("label", subnetLabel)
                    .put("ipv4", Validate.longToIpv4(cidr[0]) + "/" + cidr[1]).put("created", now())
                    .put("updated", now());
            subnets.add(subnet);
            vpcAddresses.put(subnetId, new HashMap<>());
        }
        vpcs.put(id, vpc);
        return renderVpc(vpc);
    }

    synchronized void deleteVpc(long id) {
        ObjectNode vpc = vpc(id);
        for (JsonNode s : vpc.get("subnets")) {
            if (!vpcAddresses.get(s.get("id").asLong()).isEmpty()) {
                throw ApiError.badRequest(null, "Can't delete a VPC while Linodes or NodeBalancers are assigned"
                        + " to its subnets");
            }
        }
        vpcs.remove(id);
    }

    synchronized List<JsonNode> listSubnets(long vpcId) {
        List<JsonNode> out = new ArrayList<>();
        renderVpc(vpc(vpcId)).get("subnets").forEach(out::add);
        return out;
    }

    private ObjectNode vpc(long id) {
        return ApiError.orNotFound(vpcs.get(id));
    }

    private JsonNode renderVpc(ObjectNode stored) {
        ObjectNode out = stored.deepCopy();
        for (JsonNode s : out.get("subnets")) {
            ArrayNode linodes = ((ObjectNode) s).putArray("linodes");
            Set<Long> seen = new HashSet<>();
            Map<Long, List<String>> balancerRanges = new LinkedHashMap<>();
            for (Map.Entry<String, Long> a : vpcAddresses.get(s.get("id").asLong()).entrySet()) {
                if (a.getValue() < 0) {
                    balancerRanges.computeIfAbsent(-a.getValue(), k -> new ArrayList<>()).add(a.getKey());
                }
            }
            ArrayNode balancers = ((ObjectNode) s).putArray("nodebalancers");
            balancerRanges.forEach((id, addresses) -> balancers.addObject().put("id", id)
                    .put("ipv4_range", rangeOf(addresses)));
            for (Long linodeId : vpcAddresses.get(s.get("id").asLong()).values()) {
                if (linodeId > 0 && seen.add(linodeId)) {
                    ObjectNode l = linodes.addObject().put("id", linodeId);
                    l.putArray("interfaces").addObject().put("id", linodeId * 10).put("active", true);
                }
            }
        }
        return out;
    }

    /** The smallest address of a NodeBalancer's reserved block, with the block's prefix. */
    private static String rangeOf(List<String> addresses) {
        long first = addresses.stream().mapToLong(Validate::ipv4ToLong).min().orElseThrow();
        int prefix = 32 - Integer.numberOfTrailingZeros(Integer.highestOneBit(addresses.size()));
        return Validate.longToIpv4(first) + "/" + prefix;
    }

    ObjectNode[] subnet(long subnetId) {
        return findSubnet(subnetId);
    }

    long vpcOfSubnet(long subnetId) {
        return findSubnet(subnetId)[0].get("id").asLong();
    }

    /**
     * A NodeBalancer's block of VPC addresses (a /30 unless it asks for a range): inside the subnet, every
     * address free. Its addresses are kept under the NodeBalancer's negated id.
     */
    String reserveVpcRange(ObjectNode subnet, String wanted, long balancerId, String field) {
        long[] net = Validate.cidr(subnet.get("ipv4").asText());
        Map<String, Long> used = vpcAddresses.get(subnet.get("id").asLong());
        long size = 1L << (32 - net[1]);
        long[] range = wanted == null ? null : Validate.cidr(wanted);
        if (wanted != null && (range == null || range[1] < net[1] || !Validate.inCidr(range[0], net))) {
            throw ApiError.badRequest(field, wanted + " is not a range inside subnet " + subnet.get("ipv4").asText());
        }
        // a /30 or larger (Linode's cloud controller manager: "a free /30 or bigger"), named by its first address
        if (wanted != null && (range[1] > 30 || Validate.ipv4ToLong(wanted.split("/")[0]) != range[0])) {
            throw ApiError.badRequest(field, wanted + " is not a /30 or larger range starting at its network"
                    + " address");
        }
        long block = range == null ? 4 : 1L << (32 - range[1]);
        long start = range == null ? -1 : range[0];
        if (range == null) {
            for (long ip = net[0] + 4; ip + block <= net[0] + size - 1 && start < 0; ip += block) {
                boolean free = true;
                for (long a = ip; a < ip + block; a++) {
                    free &= !used.containsKey(Validate.longToIpv4(a));
                }
                start = free ? ip : -1;
            }
            if (start < 0) {
                throw ApiError.badRequest(field, "No addresses left in subnet " + subnet.get("ipv4").asText());
            }
        }
        for (long a = start; a < start + block; a++) {
            if (used.containsKey(Validate.longToIpv4(a)) || a < net[0] + 2 || a == net[0] + size - 1) {
                throw ApiError.badRequest(field, Validate.longToIpv4(a) + " is already in use");
            }
        }
        for (long a = start; a < start + block; a++) {
            used.put(Validate.longToIpv4(a), -balancerId);
        }
        return Validate.longToIpv4(start) + "/" + (32 - Long.numberOfTrailingZeros(block));
    }

    void releaseVpcRange(long subnetId, long balancerId) {
        vpcAddresses.get(subnetId).values().removeIf(v -> v == -balancerId);
    }

    private ObjectNode[] findSubnet(long subnetId) {
        for (ObjectNode v : vpcs.values()) {
            for (JsonNode s : v.get("subnets")) {
                if (s.get("id").asLong() == subnetId) {
                    return new ObjectNode[] {v, (ObjectNode) s};
                }
            }
        }
        return null;
    }

    private String allocateVpcAddress(ObjectNode subnet, String wanted, String field) {
        long[] cidr = Validate.cidr(subnet.get("ipv4").asText());
        Map<String, Long> used = vpcAddresses.get(subnet.get("id").asLong());
        long size = 1L << (32 - cidr[1]);
        if (wanted != null) {
            long ip = Validate.ipv4ToLong(wanted);
            // the first two addresses and the last one of a subnet are reserved
            if (ip < 0 || !Validate.inCidr(ip, cidr) || ip < cidr[0] + 2 || ip == cidr[0] + size - 1) {
                throw ApiError.badRequest(field, wanted + " is not a usable address in " + subnet.get("ipv4").asText());
            }
            if (used.containsKey(wanted)) {
                throw ApiError.badRequest(field, wanted + " is already in use");
            }
            return wanted;
        }
        for (long ip = cidr[0] + 2; ip < cidr[0] + size - 1; ip++) {
            if (!used.containsKey(Validate.longToIpv4(ip))) {
                return Validate.longToIpv4(ip);
            }
        }
        throw ApiError.badRequest(field, "No addresses left in subnet " + subnet.get("ipv4").asText());
    }

    // ---------------------------------------------------------------- helpers

    /** The number of resources of every kind, for tests and the simulator's own summary. */
    synchronized Map<String, Integer> counts() {
        Map<String, Integer> c = new LinkedHashMap<>();
        c.put("instances", instances.size());
        c.put("volumes", volumes.size());
        c.put("domains", domains.size());
        c.put("records", records.values().stream().mapToInt(Map::size).sum());
        c.put("firewalls", firewalls.size());
        c.put("vpcs", vpcs.size());
        c.put("nodebalancers", nodeBalancers.count());
        return c;
    }

    static String now() {
        return LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_LOCAL_DATE_TIME);
    }
}
