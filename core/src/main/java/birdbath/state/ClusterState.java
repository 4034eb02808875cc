package birdbath.state;

import birdbath.provider.Node;
import java.util.List;

/** .birdbath/state.json: the nodes as last provisioned. A record of the last run, not the source of truth. */
public record ClusterState(int version, String cluster, String provider, String domain, List<Node> nodes) { }
