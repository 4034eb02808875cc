package birdbath.stage;

import birdbath.config.ClusterSpec;
import birdbath.provider.Node;
import birdbath.secrets.ClusterCredentials;
import java.util.List;

/**
 * What a stage declares its files from: the config, the nodes, and birdbath's credentials. Nothing here
 * reaches a node, so `birdbath render` and the golden render tests use it without SSH, root or nodes.
 */
public record StageContext(ClusterSpec spec, List<Node> nodes, ClusterCredentials credentials) { }
