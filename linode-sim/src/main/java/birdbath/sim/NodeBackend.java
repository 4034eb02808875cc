package birdbath.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * What stands behind the simulated account. By default nothing: an instance is "running" once its boot time has
 * passed and its addresses answer nowhere. With real nodes (`birdbath linode-sim --real-nodes`) every instance is
 * a machine on this host. After every change the simulator hands the backend the whole account as it should be
 * ({@link #sync}); the backend makes it so in its own time and reports each instance's status.
 */
public interface NodeBackend extends AutoCloseable {

    /**
     * An instance as the backend needs it; {@code generation} rises with every reboot; {@code userData} is what
     * the create request gave in metadata.user_data, decoded (null if none): what the instance's cloud-init reads.
     */
    record Machine(long id, String label, String publicIp, List<String> privateCidrs, List<String> authorizedKeys,
                   String rootPass, boolean on, int generation, String userData) { }

    /** A volume; {@code linodeId} 0 while detached. */
    record Volume(long id, String label, int sizeGb, long linodeId) { }

    /** A firewall as stored (its normalised rules) and the instances it is attached to. */
    record Firewall(long id, boolean enabled, JsonNode rules, List<Long> linodeIds) { }

    /** A DNS record with its full name ("demo-1.example.com"). */
    record DnsRecord(String name, String type, String target) { }

    record Account(List<Machine> machines, List<Volume> volumes, List<Firewall> firewalls, List<String> domains,
                   List<DnsRecord> records) { }

    /** Public addresses: the /24 prefixes handed out, in order ("203.0.113."). */
    List<String> publicPools();

    /** The legacy private range (CIDR) and the prefix length /ips reports for it. */
    String privateRange();

    int privatePrefix();

    /** Why a VPC subnet cannot be used with this backend, or null if it can. */
    String vpcSubnetProblem(String cidr);

    /** The account as it should be now (called after every change). */
    void sync(Account account);

    /** An instance's status ("provisioning", "booting", "running", "offline"), or null: the clock decides. */
    String status(long linodeId);

    @Override
    void close();

    /** No machines at all: addresses from the documentation ranges and Linode's legacy private range. */
    NodeBackend NONE = new NodeBackend() {
        public List<String> publicPools() {
            return List.of("203.0.113.", "198.51.100.", "192.0.2.");
        }

        public String privateRange() {
            return "192.168.128.0/17";
        }

        public int privatePrefix() {
            return 17;
        }

        public String vpcSubnetProblem(String cidr) {
            long[] c = Validate.cidr(cidr);
            boolean rfc1918 = Validate.inCidr(c[0], Validate.cidr("10.0.0.0/8"))
                    || Validate.inCidr(c[0], Validate.cidr("172.16.0.0/12"))
                    || Validate.inCidr(c[0], Validate.cidr("192.168.0.0/16"));
            boolean legacy = Validate.inCidr(c[0], Validate.cidr("192.168.128.0/17"));
            return rfc1918 && !legacy && c[1] <= 29 ? null
                    : "Must be an RFC1918 range of /29 or larger, not overlapping 192.168.128.0/17";
        }

        public void sync(Account account) { }

        public String status(long linodeId) {
            return null;
        }

        public void close() { }
    };
}
