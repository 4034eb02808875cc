package birdbath.provider;

import birdbath.plan.Plan;
import java.util.List;

/** Turns the config into running nodes (linode, local) and removes them again. */
public interface Provider {

    /** What `up` would change; makes no changes. */
    Plan plan();

    /**
     * Before {@link #up}: what this machine needs to run the provider (root, programs), installed when missing and
     * {@code mayInstall}, or a clear error. The Linode provider needs nothing here but Java.
     */
    default void prepareHost(boolean mayInstall) {
    }

    /** Converges; {@code allowRemovals} permits removing nodes beyond cluster.nodes. Returns the nodes. */
    List<Node> up(boolean allowRemovals);

    /** What `down` would remove, one line each. */
    List<String> downListing();

    /** Removes everything the cluster owns. */
    void down();
}
