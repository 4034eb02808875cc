package birdbath.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * NodeBalancers with their configs and backend nodes: POST /nodebalancers (with inline configs and nodes, a
 * firewall, a VPC), and the configs' and nodes' own endpoints, rebuild included. Fields, defaults and rules
 * are those of the v4 API as recorded in docs/upstream/linode-nodebalancer-api.md (VERIFIED-LIVE wording where
 * it is known; the other reasons are marked there as the simulator's own). Every method runs under the account's
 * lock ({@link SimState#locked}).
 */
final class NodeBalancers {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LABEL = Pattern.compile("^[a-zA-Z0-9-_]{3,32}$");
    private static final Pattern NODE_LABEL = Pattern.compile("^[a-zA-Z0-9-_.]{3,32}$");
    private static final Pattern ADDRESS = Pattern.compile("^(\\d{1,3}(?:\\.\\d{1,3}){3}):(\\d{1,5})$");
    private static final Set<String> PROTOCOLS = Set.of("http", "https", "tcp", "udp");
    private static final Set<String> ALGORITHMS = Set.of("roundrobin", "leastconn", "source", "ring_hash");
    private static final Set<String> STICKINESS = Set.of("none", "table", "http_cookie", "session", "source_ip");
    private static final Set<String> CHECKS = Set.of("none", "connection", "http", "http_body");
    private static final Set<String> MODES = Set.of("accept", "reject", "drain", "backup");

    private final SimState account;
    private final Map<Long, ObjectNode> balancers = new LinkedHashMap<>();
    /** configs by id; each knows its nodebalancer_id */
    private final Map<Long, ObjectNode> configs = new LinkedHashMap<>();
    /** nodes by id; each knows its config_id */
    private final Map<Long, ObjectNode> nodes = new LinkedHashMap<>();

    NodeBalancers(SimState account) {
        this.account = account;
    }

    int count() {
        return balancers.size();
    }

    // ---------------------------------------------------------------- NodeBalancers

    List<JsonNode> list() {
        return balancers.values().stream().map(b -> (JsonNode) render(b)).toList();
    }

    JsonNode get(long id) {
        return render(balancer(id));
    }

    JsonNode create(Request r) {
        String region = Validate.requiredText(r, "region");
        ObjectNode regionInfo = account.catalog().find(account.catalog().regions, region);
        if (regionInfo == null) {
            throw ApiError.badRequest("region", "region is not valid");
        }
        if (!texts(regionInfo.get("capabilities")).contains("NodeBalancers")) {
            throw ApiError.badRequest("region", "NodeBalancers are not available in " + region);
        }
        long id = account.newId();
        String label = r.text("label") == null ? "balancer" + id : r.text("label");
        checkLabel("label", label, null);
        int throttle = throttle(r.field("client_conn_throttle"), "client_conn_throttle", 0);
        Validate.stringArray(r.field("tags"), "tags");
        ObjectNode firewall = null;
        if (!r.field("firewall_id").isNull()) {
            firewall = account.firewallOrNull(r.field("firewall_id").asLong());
            if (firewall == null) {
                throw ApiError.badRequest("firewall_id", "Firewall not found");
            }
            account.checkNodeBalancerFree(firewall, "firewall_id");
        }
        ObjectNode subnet = vpcSubnet(r.field("vpcs"), region);
        JsonNode wanted = r.field("configs");
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < wanted.size(); i++) {
            String at = "configs[" + i + "].";
            ObjectNode c = config(JSON.createObjectNode(), wanted.get(i), at);
            if (!ports.add(c.get("port").asInt())) {
                throw ApiError.badRequest(at + "port", "Port " + c.get("port").asInt() + " is already in use");
            }
            JsonNode ns = wanted.get(i).path("nodes");
            if (!ns.isArray() || ns.isEmpty()) {
                throw ApiError.badRequest(at + "nodes", "Each config must have at least one node");
            }
            for (int j = 0; j < ns.size(); j++) {
                node(JSON.createObjectNode(), ns.get(j), at + "nodes[" + j + "].", subnet, true);
            }
        }
        // everything is valid: only now is anything stored
        ObjectNode b = JSON.createObjectNode().put("id", id).put("label", label).put("region", region)
                .put("type", "common");
        String ip = account.allocatePublic();
        b.put("hostname", ip.replace('.', '-') + ".ip.linodeusercontent.com").put("ipv4", ip)
                .put("ipv6", "2600:3c00::" + Long.toHexString(id) + ":1").put("created", SimState.now())
                .put("updated", SimState.now()).put("client_conn_throttle", throttle)
                .put("client_udp_sess_throttle", 0).putNull("lke_cluster");
        ArrayNode tags = b.putArray("tags");
        r.field("tags").forEach(tags::add);
        b.putObject("transfer").putNull("in").putNull("out").putNull("total");
        if (subnet != null) {
            b.put("_subnet_id", subnet.get("id").asLong())
                    .put("_vpc_config_id", account.newId())
                    .put("_ipv4_range", account.reserveVpcRange(subnet, r.field("vpcs").get(0).path("ipv4_range")
                            .asText(null), id, "vpcs[0].ipv4_range"));
        }
        balancers.put(id, b);
        for (JsonNode c : wanted) {
            ObjectNode stored = storeConfig(b, config(JSON.createObjectNode(), c, ""));
            for (JsonNode n : c.get("nodes")) {
                storeNode(stored, node(JSON.createObjectNode(), n, "", subnet, true));
            }
        }
        if (firewall != null) {
            account.addNodeBalancerDevice(firewall, id, label);
        }
        return render(b);
    }

    JsonNode update(Request r) {
        ObjectNode b = balancer(r.id(0));
        if (r.text("label") != null) {
            checkLabel("label", r.text("label"), b);
            b.put("label", r.text("label"));
        }
        if (!r.field("client_conn_throttle").isNull()) {
            b.put("client_conn_throttle", throttle(r.field("client_conn_throttle"), "client_conn_throttle", 0));
        }
        if (r.field("tags").isArray()) {
            Validate.stringArray(r.field("tags"), "tags");
            b.set("tags", r.field("tags").deepCopy());
        }
        b.put("updated", SimState.now());
        return render(b);
    }

    /** Its configs and nodes go with it; its backends (the Linodes) and its firewall stay. */
    void delete(long id) {
        ObjectNode b = balancer(id);
        for (ObjectNode c : configsOf(id)) {
            deleteConfig(id, c.get("id").asLong());
        }
        if (b.has("_subnet_id")) {
            account.releaseVpcRange(b.get("_subnet_id").asLong(), id);
        }
        account.removeNodeBalancerDevice(id);
        balancers.remove(id);
    }

    List<JsonNode> firewalls(long id) {
        balancer(id);
        return account.firewallsOfNodeBalancer(id);
    }

    /** GET /nodebalancers/{id}/vpcs: the one VPC config, if any. */
    List<JsonNode> vpcs(long id) {
        ObjectNode b = balancer(id);
        List<JsonNode> out = new ArrayList<>();
        if (b.has("_subnet_id")) {
            long subnetId = b.get("_subnet_id").asLong();
            out.add(JSON.createObjectNode().put("id", b.get("_vpc_config_id").asLong()).put("nodebalancer_id", id)
                    .put("vpc_id", account.vpcOfSubnet(subnetId)).put("subnet_id", subnetId)
                    .put("ipv4_range", b.get("_ipv4_range").asText()));
        }
        return out;
    }

    // ---------------------------------------------------------------- configs

    List<JsonNode> listConfigs(long balancerId) {
        balancer(balancerId);
        return configsOf(balancerId).stream().map(c -> (JsonNode) renderConfig(c)).toList();
    }

    JsonNode getConfig(long balancerId, long configId) {
        return renderConfig(config(balancerId, configId));
    }

    JsonNode createConfig(Request r) {
        ObjectNode b = balancer(r.id(0));
        ObjectNode c = config(JSON.createObjectNode(), r.body(), "");
        checkPortFree(b, c.get("port").asInt(), null, "port");
        // live clients send nodes here too (the v4.189 spec does not list them): all checked before anything is kept
        JsonNode ns = r.field("nodes");
        for (int j = 0; j < ns.size(); j++) {
            node(JSON.createObjectNode(), ns.get(j), "nodes[" + j + "].", subnetOf(b), true);
        }
        ObjectNode stored = storeConfig(b, c);
        ns.forEach(n -> storeNode(stored, node(JSON.createObjectNode(), n, "", subnetOf(b), true)));
        return renderConfig(stored);
    }

    JsonNode updateConfig(Request r) {
        ObjectNode c = config(r.id(0), r.id(1));
        ObjectNode changed = config(c.deepCopy(), r.body(), "");
        checkPortFree(balancer(r.id(0)), changed.get("port").asInt(), c, "port");
        c.setAll(changed);
        return renderConfig(c);
    }

    void deleteConfig(long balancerId, long configId) {
        config(balancerId, configId);
        nodes.values().removeIf(n -> n.get("config_id").asLong() == configId);
        configs.remove(configId);
    }

    /**
     * POST .../rebuild: the config's fields and its whole node list at once. Nodes named by id are updated,
     * nodes without an id created, and the config's other nodes deleted.
     */
    JsonNode rebuild(Request r) {
        ObjectNode b = balancer(r.id(0));
        ObjectNode c = config(r.id(0), r.id(1));
        JsonNode ns = r.field("nodes");
        if (!ns.isArray()) {
            throw ApiError.badRequest("nodes", "nodes is required");
        }
        ObjectNode changed = config(c.deepCopy(), r.body(), "");
        checkPortFree(b, changed.get("port").asInt(), c, "port");
        List<ObjectNode> current = nodesOf(c.get("id").asLong());
        List<ObjectNode> kept = new ArrayList<>();
        for (int j = 0; j < ns.size(); j++) {
            JsonNode n = ns.get(j);
            String at = "nodes[" + j + "].";
            if (n.hasNonNull("id")) {
                ObjectNode existing = nodes.get(n.get("id").asLong());
                if (existing == null || existing.get("config_id").asLong() != c.get("id").asLong()) {
                    throw ApiError.badRequest(at + "id", "Node " + n.get("id").asLong() + " not found");
                }
                node(existing.deepCopy(), n, at, subnetOf(b), false);
            } else {
                node(JSON.createObjectNode(), n, at, subnetOf(b), true);
            }
        }
        c.setAll(changed);
        for (JsonNode n : ns) {
            if (n.hasNonNull("id")) {
                ObjectNode existing = nodes.get(n.get("id").asLong());
                node(existing, n, "", subnetOf(b), false);
                kept.add(existing);
            } else {
                kept.add(storeNode(c, node(JSON.createObjectNode(), n, "", subnetOf(b), true)));
            }
        }
        for (ObjectNode n : current) {
            if (!kept.contains(n)) {
                nodes.remove(n.get("id").asLong());
            }
        }
        return renderConfig(c);
    }

    // ---------------------------------------------------------------- nodes

    List<JsonNode> listNodes(long balancerId, long configId) {
        config(balancerId, configId);
        return nodesOf(configId).stream().map(n -> (JsonNode) renderNode(n)).toList();
    }

    JsonNode getNode(long balancerId, long configId, long nodeId) {
        return renderNode(node(balancerId, configId, nodeId));
    }

    JsonNode createNode(Request r) {
        ObjectNode c = config(r.id(0), r.id(1));
        return renderNode(storeNode(c, node(JSON.createObjectNode(), r.body(), "", subnetOf(balancer(r.id(0))),
                true)));
    }

    JsonNode updateNode(Request r) {
        ObjectNode n = node(r.id(0), r.id(1), r.id(2));
        ObjectNode changed = node(n.deepCopy(), r.body(), "", subnetOf(balancer(r.id(0))), false);
        n.setAll(changed);
        return renderNode(n);
    }

    void deleteNode(long balancerId, long configId, long nodeId) {
        node(balancerId, configId, nodeId);
        nodes.remove(nodeId);
    }

    // ---------------------------------------------------------------- validation and storage

    private void checkLabel(String field, String label, ObjectNode self) {
        if (label.length() < 3 || label.length() > 32) {
            throw ApiError.badRequest(field, "Length must be 3-32 characters");
        }
        if (!LABEL.matcher(label).matches()) {
            throw ApiError.badRequest(field, "Label may only contain letters, numbers, dashes and underscores");
        }
        for (ObjectNode other : balancers.values()) {
            if (other != self && other.get("label").asText().equals(label)) {
                throw ApiError.badRequest(field, "Label must be unique among your NodeBalancers");
            }
        }
    }

    private static int throttle(JsonNode v, String field, int dflt) {
        if (v.isNull()) {
            return dflt;
        }
        if (!v.canConvertToInt() || v.asInt() < 0 || v.asInt() > 20) {
            throw ApiError.badRequest(field, "Must be between 0 and 20");
        }
        return v.asInt();
    }

    /** The subnet of a `vpcs` request field (at most one entry), or null without one. */
    private ObjectNode vpcSubnet(JsonNode vpcs, String region) {
        if (vpcs.isNull() || vpcs.isEmpty()) {
            return null;
        }
        if (vpcs.size() > 1) {
            throw ApiError.badRequest("vpcs", "A NodeBalancer can be attached to one VPC only");
        }
        ObjectNode[] found = account.subnet(vpcs.get(0).path("subnet_id").asLong(0));
        if (found == null) {
            throw ApiError.badRequest("vpcs[0].subnet_id", "Subnet not found");
        }
        if (!found[0].get("region").asText().equals(region)) {
            throw ApiError.badRequest("vpcs[0].subnet_id", "VPC and NodeBalancer must be in the same region");
        }
        return found[1];
    }

    private ObjectNode subnetOf(ObjectNode balancer) {
        return balancer.has("_subnet_id") ? account.subnet(balancer.get("_subnet_id").asLong())[1] : null;
    }

    /** {@code into} with the config fields of {@code body} applied (defaults first when it is new). */
    private static ObjectNode config(ObjectNode into, JsonNode body, String at) {
        if (into.isEmpty()) {
            into.put("port", 80).put("protocol", "http").put("algorithm", "roundrobin").put("stickiness", "none")
                    .put("check", "none").put("check_interval", 31).put("check_timeout", 30)
                    .put("check_attempts", 3).put("check_path", "").put("check_body", "").put("check_passive", true)
                    .put("proxy_protocol", "none").put("cipher_suite", "recommended").putNull("ssl_cert")
                    .putNull("ssl_key").put("udp_check_port", 80);
        }
        for (String f : List.of("port", "check_interval", "check_timeout", "check_attempts", "udp_check_port")) {
            JsonNode v = body.path(f);
            if (!v.isMissingNode() && !v.isNull()) {
                if (!v.canConvertToInt()) {
                    throw ApiError.badRequest(at + f, f + " must be an integer");
                }
                into.put(f, v.asInt());
            }
        }
        for (String f : List.of("protocol", "algorithm", "stickiness", "check", "check_path", "check_body",
                "proxy_protocol", "cipher_suite", "ssl_cert", "ssl_key")) {
            JsonNode v = body.path(f);
            if (!v.isMissingNode()) {
                into.set(f, v.isNull() ? NullNode.getInstance() : JSON.getNodeFactory().textNode(v.asText()));
            }
        }
        if (body.has("check_passive")) {
            into.put("check_passive", body.get("check_passive").asBoolean());
        }
        int port = into.get("port").asInt();
        if (port < 1 || port > 65535) {
            throw ApiError.badRequest(at + "port", "Must be between 1 and 65535");
        }
        String protocol = into.get("protocol").asText();
        oneOf(at + "protocol", protocol, PROTOCOLS);
        oneOf(at + "algorithm", into.get("algorithm").asText(), ALGORITHMS);
        oneOf(at + "stickiness", into.get("stickiness").asText(), STICKINESS);
        oneOf(at + "check", into.get("check").asText(), CHECKS);
        oneOf(at + "proxy_protocol", into.get("proxy_protocol").asText(), Set.of("none", "v1", "v2"));
        oneOf(at + "cipher_suite", into.get("cipher_suite").asText(), Set.of("recommended", "legacy"));
        // UDP has its own algorithm and stickiness values, and not `source` (the live API's enums, [GO], [CM-types])
        boolean udp = protocol.equals("udp");
        String algorithm = into.get("algorithm").asText();
        if (udp ? algorithm.equals("source") : algorithm.equals("ring_hash")) {
            throw ApiError.badRequest(at + "algorithm", "Algorithm " + algorithm + " is not available for protocol "
                    + protocol);
        }
        String stickiness = into.get("stickiness").asText();
        if (udp ? Set.of("table", "http_cookie").contains(stickiness) : Set.of("session", "source_ip")
                .contains(stickiness)) {
            throw ApiError.badRequest(at + "stickiness", "Stickiness " + stickiness + " is not available for protocol "
                    + protocol);
        }
        if (into.get("stickiness").asText().equals("http_cookie") && !protocol.startsWith("http")) {
            throw ApiError.badRequest(at + "stickiness", "Stickiness http_cookie requires protocol 'http' or 'https'");
        }
        int timeout = into.get("check_timeout").asInt();
        if (timeout < 1 || timeout > 30) {
            throw ApiError.badRequest(at + "check_timeout", "Must be between 1 and 30");
        }
        if (into.get("check_interval").asInt() <= timeout) {
            throw ApiError.badRequest(at + "check_interval", "Must be greater than check_timeout");
        }
        int attempts = into.get("check_attempts").asInt();
        if (attempts < 1 || attempts > 30) {
            throw ApiError.badRequest(at + "check_attempts", "Must be between 1 and 30");
        }
        if (!into.get("proxy_protocol").asText().equals("none") && !protocol.equals("tcp")) {
            throw ApiError.badRequest(at + "proxy_protocol", "Proxy protocol requires protocol 'tcp'");
        }
        boolean tls = !into.get("ssl_cert").isNull() && !into.get("ssl_key").isNull();
        if (protocol.equals("https") != tls) {
            throw ApiError.badRequest(at + "protocol", protocol.equals("https")
                    ? "https requires ssl_cert and ssl_key" : "ssl_cert and ssl_key require protocol 'https'");
        }
        return into;
    }

    /** {@code into} with the node fields of {@code body} applied; a new node needs label and address. */
    private ObjectNode node(ObjectNode into, JsonNode body, String at, ObjectNode subnet, boolean isNew) {
        if (isNew) {
            into.put("weight", 50).put("mode", "accept");
            for (String f : List.of("label", "address")) {
                if (body.path(f).asText("").isEmpty()) {
                    throw ApiError.badRequest(at + f, f + " is required");
                }
            }
        }
        if (body.hasNonNull("label")) {
            String label = body.get("label").asText();
            if (!NODE_LABEL.matcher(label).matches()) {
                throw ApiError.badRequest(at + "label", "Length must be 3-32 characters of letters, numbers and"
                        + " - _ .");
            }
            into.put("label", label);
        }
        if (body.hasNonNull("address")) {
            into.put("address", address(body.get("address").asText(), at + "address", subnet,
                    body.path("subnet_id").asLong(0), at));
        }
        if (body.hasNonNull("weight")) {
            int w = body.get("weight").asInt(-1);
            if (w < 1 || w > 255) {
                throw ApiError.badRequest(at + "weight", "Must be between 1 and 255");
            }
            into.put("weight", w);
        }
        if (body.hasNonNull("mode")) {
            oneOf(at + "mode", body.get("mode").asText(), MODES);
            into.put("mode", body.get("mode").asText());
        }
        return into;
    }

    /** ip:port, private: in the Linode private range, or with a VPC, in its subnet (and then named by subnet_id). */
    private String address(String address, String field, ObjectNode subnet, long subnetId, String at) {
        var m = ADDRESS.matcher(address);
        long ip = m.matches() ? Validate.ipv4ToLong(m.group(1)) : -1;
        int port = m.matches() && m.group(2).length() <= 5 ? Integer.parseInt(m.group(2)) : -1;
        if (ip < 0 || port < 1 || port > 65535) {
            throw ApiError.badRequest(field, "Must be in address:port format");
        }
        if (subnet == null) {
            if (subnetId != 0) {
                throw ApiError.badRequest(at + "subnet_id", "This NodeBalancer has no VPC configuration");
            }
            if (!Validate.inCidr(ip, Validate.cidr(account.privateRange()))) {
                throw ApiError.badRequest(field, "Must be a private IPv4 address");
            }
        } else {
            if (subnetId != subnet.get("id").asLong()) {
                throw ApiError.badRequest(at + "subnet_id", "Must be the subnet of this NodeBalancer's VPC"
                        + " configuration");
            }
            if (!Validate.inCidr(ip, Validate.cidr(subnet.get("ipv4").asText()))) {
                throw ApiError.badRequest(field, "Must be an address in subnet " + subnet.get("ipv4").asText());
            }
        }
        return address;
    }

    private static void oneOf(String field, String value, Set<String> allowed) {
        if (!allowed.contains(value)) {
            throw ApiError.badRequest(field, "Must be one of " + String.join(", ", allowed.stream().sorted()
                    .toList()));
        }
    }

    private void checkPortFree(ObjectNode balancer, int port, ObjectNode self, String field) {
        for (ObjectNode c : configsOf(balancer.get("id").asLong())) {
            if (c != self && c.get("port").asInt() == port) {
                throw ApiError.badRequest(field, "Port " + port + " is already in use");
            }
        }
    }

    private ObjectNode storeConfig(ObjectNode balancer, ObjectNode c) {
        long id = account.newId();
        c.put("id", id).put("nodebalancer_id", balancer.get("id").asLong());
        configs.put(id, c);
        return c;
    }

    private ObjectNode storeNode(ObjectNode config, ObjectNode n) {
        long id = account.newId();
        n.put("id", id).put("config_id", config.get("id").asLong())
                .put("nodebalancer_id", config.get("nodebalancer_id").asLong());
        ObjectNode b = balancers.get(config.get("nodebalancer_id").asLong());
        if (b.has("_vpc_config_id")) {
            n.put("vpc_config_id", b.get("_vpc_config_id").asLong());
        } else {
            n.putNull("vpc_config_id");
        }
        nodes.put(id, n);
        return n;
    }

    private List<ObjectNode> configsOf(long balancerId) {
        return configs.values().stream().filter(c -> c.get("nodebalancer_id").asLong() == balancerId).toList();
    }

    private List<ObjectNode> nodesOf(long configId) {
        return nodes.values().stream().filter(n -> n.get("config_id").asLong() == configId).toList();
    }

    private ObjectNode balancer(long id) {
        return ApiError.orNotFound(balancers.get(id));
    }

    /** A config only under its own NodeBalancer: another's id is not found. */
    private ObjectNode config(long balancerId, long configId) {
        balancer(balancerId);
        ObjectNode c = configs.get(configId);
        if (c == null || c.get("nodebalancer_id").asLong() != balancerId) {
            throw ApiError.notFound();
        }
        return c;
    }

    private ObjectNode node(long balancerId, long configId, long nodeId) {
        config(balancerId, configId);
        ObjectNode n = nodes.get(nodeId);
        if (n == null || n.get("config_id").asLong() != configId) {
            throw ApiError.notFound();
        }
        return n;
    }

    private static JsonNode render(ObjectNode b) {
        ObjectNode out = b.deepCopy();
        out.remove(List.of("_subnet_id", "_vpc_config_id", "_ipv4_range"));
        return out;
    }

    /** Responses never carry nodes; the key is shown as <REDACTED> when set. */
    private JsonNode renderConfig(ObjectNode c) {
        ObjectNode out = c.deepCopy();
        if (!out.get("ssl_key").isNull()) {
            out.put("ssl_key", "<REDACTED>");
        }
        out.put("ssl_commonname", "").put("ssl_fingerprint", "").put("udp_session_timeout", 16);
        // no health checks run here: a backend's state stays unknown, as on a new NodeBalancer
        out.putObject("nodes_status").put("up", 0).put("down", nodesOf(c.get("id").asLong()).size());
        return out;
    }

    private static JsonNode renderNode(ObjectNode n) {
        return n.deepCopy().put("status", "Unknown");
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }
}
