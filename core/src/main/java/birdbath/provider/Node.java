package birdbath.provider;

import birdbath.BirdbathException;
import birdbath.config.ClusterSpec.Role;
import birdbath.config.Grammar;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A node as every stage sees it, whatever provider made it.
 *
 * @param storageDevice the block device that becomes the brick, or null when the node carries no volume
 * @param providerId    the provider's id (a Linode id), for the user's reference
 */
public record Node(String name, int index, Set<Role> roles, String publicIp, String privateIp, String fqdn,
                   String storageDevice, Ssh ssh, String providerId) {

    /** What a node's name, addresses and FQDN may be: they reach files on every node (hosts, swanctl, units). */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");
    private static final Pattern FQDN = Pattern.compile("([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)*"
            + "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern DEVICE = Pattern.compile("/dev/[A-Za-z0-9._/-]+");

    /**
     * Checks what came from the provider's API or the state file before any of it reaches a node's files: an
     * address there can only be an IPv4 literal (never a list, an option or a word like ALL).
     */
    public Node {
        require(name, NAME, "name", name);
        require(publicIp, IPV4, "public address", name);
        require(privateIp, IPV4, "private address", name);
        require(fqdn, FQDN, "FQDN", name);
        require(storageDevice, DEVICE, "storage device", name);
        // an EnumSet keeps roles in their declared order in every output
        roles = roles.isEmpty() ? EnumSet.noneOf(Role.class) : EnumSet.copyOf(roles);
    }

    private static void require(String value, Pattern grammar, String what, String node) {
        if (value != null && !grammar.matcher(value).matches()) {
            throw new BirdbathException("node " + Grammar.shown(String.valueOf(node)) + ": its " + what + " \""
                    + Grammar.shown(value) + "\" is not what a node's " + what + " can be (from the provider's API or"
                    + " .birdbath/state.json)");
        }
    }

    /** Where SSH answers, and as whom birdbath logs in (kept in .birdbath/ssh/login_user; see StateFiles.write). */
    public record Ssh(String host, int port, String user) {
        /** A new node's endpoint: root until baseline has made the admin user. */
        public Ssh(String host, int port) {
            this(host, port, "root");
        }
    }
}
