package birdbath.provider;

import birdbath.config.ClusterSpec.Role;
import java.util.EnumSet;
import java.util.Set;

/**
 * A node as every stage sees it, whatever provider made it.
 *
 * @param storageDevice the block device that becomes the brick, or null when the node carries no volume
 * @param providerId    the provider's id (a Linode id), for the user's reference
 */
public record Node(String name, int index, Set<Role> roles, String publicIp, String privateIp, String fqdn,
                   String storageDevice, Ssh ssh, String providerId) {

    public Node {
        // an EnumSet keeps roles in their declared order in every output
        roles = roles.isEmpty() ? EnumSet.noneOf(Role.class) : EnumSet.copyOf(roles);
    }

    /** Where SSH answers, and as whom birdbath logs in (kept in .birdbath/ssh/login_user; see StateFiles.write). */
    public record Ssh(String host, int port, String user) {
        /** A new node's endpoint: root until baseline has made the admin user. */
        public Ssh(String host, int port) {
            this(host, port, "root");
        }
    }
}
