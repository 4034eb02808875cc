package birdbath.linode;

import birdbath.config.Cidr;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** The Linode objects birdbath reads, reduced to the fields it uses. */
public final class Resources {

    private static final Cidr LEGACY_PRIVATE = Cidr.parse(birdbath.config.ClusterSpec.LINODE_PRIVATE_RANGE);

    private Resources() { }

    public record Instance(long id, String label, String status, String region, String type, String image,
                           List<String> ipv4, List<String> tags) {
        static Instance of(JsonNode n) {
            return new Instance(n.path("id").asLong(), n.path("label").asText(), n.path("status").asText(),
                    n.path("region").asText(), n.path("type").asText(), n.path("image").asText(null),
                    texts(n.path("ipv4")), texts(n.path("tags")));
        }

        public String publicIp() {
            return ipv4.stream().filter(ip -> !LEGACY_PRIVATE.contains(Cidr.toLong(ip))).findFirst().orElse(null);
        }

        /** The legacy private address (192.168.128.0/17), if the instance has one. */
        public String legacyPrivateIp() {
            return ipv4.stream().filter(ip -> LEGACY_PRIVATE.contains(Cidr.toLong(ip))).findFirst().orElse(null);
        }
    }

    public record Volume(long id, String label, String status, Long linodeId, int size, String filesystemPath,
                         List<String> tags) {
        static Volume of(JsonNode n) {
            return new Volume(n.path("id").asLong(), n.path("label").asText(), n.path("status").asText(),
                    n.path("linode_id").isNull() || n.path("linode_id").isMissingNode() ? null
                            : n.path("linode_id").asLong(),
                    n.path("size").asInt(), n.path("filesystem_path").asText(), texts(n.path("tags")));
        }
    }

    public record Domain(long id, String domain) {
        static Domain of(JsonNode n) {
            return new Domain(n.path("id").asLong(), n.path("domain").asText());
        }
    }

    public record DomainRecord(long id, String type, String name, String target, int ttlSec) {
        static DomainRecord of(JsonNode n) {
            return new DomainRecord(n.path("id").asLong(), n.path("type").asText(), n.path("name").asText(),
                    n.path("target").asText(), n.path("ttl_sec").asInt());
        }
    }

    public record Firewall(long id, String label, JsonNode rules, List<Long> linodeIds, List<Long> nodeBalancerIds) {
        static Firewall of(JsonNode n) {
            List<Long> ids = new ArrayList<>();
            List<Long> balancers = new ArrayList<>();
            for (JsonNode e : n.path("entities")) {
                if ("linode".equals(e.path("type").asText())) {
                    ids.add(e.path("id").asLong());
                } else if ("nodebalancer".equals(e.path("type").asText())) {
                    balancers.add(e.path("id").asLong());
                }
            }
            return new Firewall(n.path("id").asLong(), n.path("label").asText(), n.path("rules"), ids, balancers);
        }
    }

    /** A NodeBalancer with its configs (each with its backend nodes), as birdbath reads it. */
    public record NodeBalancer(long id, String label, String ipv4, List<String> tags, List<BalancerConfig> configs) { }

    /** A config's port, and its settings as one comparable line ("tcp roundrobin connection 5/3/2"). */
    public record BalancerConfig(long id, int port, String settings, List<BalancerNode> nodes) {
        static BalancerConfig of(JsonNode n, List<BalancerNode> nodes) {
            return new BalancerConfig(n.path("id").asLong(), n.path("port").asInt(), settings(n), nodes);
        }

        /** The fields birdbath sets on a config, in the form the API answers with. */
        public static String settings(JsonNode n) {
            return n.path("protocol").asText() + " " + n.path("algorithm").asText() + " " + n.path("check").asText()
                    + " " + n.path("check_interval").asInt() + "/" + n.path("check_timeout").asInt() + "/"
                    + n.path("check_attempts").asInt() + " passive " + n.path("check_passive").asBoolean();
        }
    }

    public record BalancerNode(long id, String label, String address) {
        static BalancerNode of(JsonNode n) {
            return new BalancerNode(n.path("id").asLong(), n.path("label").asText(), n.path("address").asText());
        }
    }

    public record Vpc(long id, String label, String region, List<Subnet> subnets) {
        static Vpc of(JsonNode n) {
            List<Subnet> subnets = new ArrayList<>();
            for (JsonNode s : n.path("subnets")) {
                subnets.add(new Subnet(s.path("id").asLong(), s.path("label").asText(), s.path("ipv4").asText()));
            }
            return new Vpc(n.path("id").asLong(), n.path("label").asText(), n.path("region").asText(), subnets);
        }
    }

    public record Subnet(long id, String label, String ipv4) { }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(e -> out.add(e.asText()));
        return out;
    }
}
