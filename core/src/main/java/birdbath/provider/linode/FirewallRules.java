package birdbath.provider.linode;

import birdbath.config.ClusterSpec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The Cloud Firewall's rules: inbound DROP by default; SSH and the Kubernetes API from networking.allowed_cidrs;
 * HTTP(S) (with Traefik) and MQTT over TLS (with Mosquitto) from networking.public_cidrs; the API from the API's NodeBalancer (private-ip mode;
 * in a VPC the members rule covers it); everything (TCP, UDP incl. IKE 500/4500, ICMP) between members. The
 * same firewall covers the NodeBalancer, where only its inbound rules apply: 6443 from allowed_cidrs.
 * Cloud Firewall rules cannot name ESP, which is why IPsec runs ESP-in-UDP.
 */
final class FirewallRules {

    private static final ObjectMapper JSON = new ObjectMapper();

    private FirewallRules() { }

    /** @param members member addresses: the VPC subnet, or each node's legacy private address as /32 */
    static ObjectNode desired(ClusterSpec spec, List<String> members) {
        ObjectNode rules = JSON.createObjectNode().put("inbound_policy", "DROP").put("outbound_policy", "ACCEPT");
        ArrayNode inbound = rules.putArray("inbound");
        adminPorts().forEach((label, ports) -> rule(inbound, label, "TCP", ports, spec.network().allowedCidrs()));
        publicPorts(spec).forEach((label, ports) -> rule(inbound, label, "TCP", ports, spec.network().publicCidrs()));
        if (NodeBalancerResource.wanted(spec) && spec.network().mode() == ClusterSpec.NetworkMode.PRIVATE_IP) {
            // the API's NodeBalancer reaches its backends on their legacy private addresses from its own range
            rule(inbound, "kube-api-nodebalancer", "TCP", String.valueOf(NodeBalancerResource.PORT),
                    List.of(NodeBalancerResource.SOURCE_RANGE));
        }
        if (!members.isEmpty()) {
            rule(inbound, "members-tcp", "TCP", null, members);
            rule(inbound, "members-udp", "UDP", null, members);
            rule(inbound, "members-icmp", "ICMP", null, members);
        }
        rules.putArray("outbound");
        return rules;
    }

    /** The admin ports, open to networking.allowed_cidrs, by rule label. */
    private static Map<String, String> adminPorts() {
        Map<String, String> ports = new LinkedHashMap<>();
        ports.put("ssh", "22");
        ports.put("kube-api", String.valueOf(NodeBalancerResource.PORT));
        return ports;
    }

    /**
     * The apps' ports, open to networking.public_cidrs (everyone by default), by rule label: narrowing who may
     * administer the cluster must not close the sites, nor Let's Encrypt's HTTP-01 on port 80.
     */
    private static Map<String, String> publicPorts(ClusterSpec spec) {
        Map<String, String> ports = new LinkedHashMap<>();
        if (spec.apps().traefik() != null) {
            // only Traefik listens there (the sites, Let's Encrypt's HTTP-01): closed on a cluster without it
            ports.put("web", "80, 443");
        }
        if (spec.apps().mosquitto() != null) {
            // devices reach the broker directly (TLS), as they reach the web apps
            ports.put("mqtts", "8883");
        }
        return ports;
    }

    /** The rules in a line, as `plan` announces a new firewall. */
    static String summary(ClusterSpec spec) {
        String apps = publicPorts(spec).isEmpty() ? "" : "; TCP " + String.join(", ", publicPorts(spec).values())
                + " from " + String.join(", ", spec.network().publicCidrs());
        return "inbound DROP; TCP 22, 6443 from " + String.join(", ", spec.network().allowedCidrs()) + apps
                + "; all between members";
    }

    private static void rule(ArrayNode list, String label, String protocol, String ports, List<String> addresses) {
        ObjectNode r = list.addObject().put("label", label).put("action", "ACCEPT").put("protocol", protocol);
        if (ports != null) {
            r.put("ports", ports);
        }
        ObjectNode a = r.putObject("addresses");
        ArrayNode v4 = a.putArray("ipv4");
        ArrayNode v6 = a.putArray("ipv6");
        for (String address : addresses) {
            (address.contains(":") ? v6 : v4).add(address);
        }
    }

    /** Compares what matters (policies; per rule label, action, protocol, ports, address sets), not field order. */
    static boolean same(JsonNode actual, JsonNode desired) {
        return canonical(actual).equals(canonical(desired));
    }

    private static List<String> canonical(JsonNode rules) {
        List<String> out = new ArrayList<>();
        out.add(rules.path("inbound_policy").asText() + "/" + rules.path("outbound_policy").asText());
        for (String direction : new String[] {"inbound", "outbound"}) {
            for (JsonNode r : rules.path(direction)) {
                TreeSet<String> addresses = new TreeSet<>();
                r.path("addresses").path("ipv4").forEach(a -> addresses.add(a.asText()));
                r.path("addresses").path("ipv6").forEach(a -> addresses.add(a.asText()));
                out.add(direction + "|" + r.path("label").asText() + "|" + r.path("action").asText() + "|"
                        + r.path("protocol").asText() + "|" + r.path("ports").asText("").replace(" ", "") + "|"
                        + addresses);
            }
        }
        return out;
    }
}
