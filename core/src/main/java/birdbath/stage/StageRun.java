package birdbath.stage;

import birdbath.Reporter;
import birdbath.config.ClusterSpec;
import birdbath.provider.Node;
import birdbath.remote.Engine;
import birdbath.remote.SshConnector;
import birdbath.secrets.ClusterCredentials;
import java.util.List;

/** What a stage works with: the config, the nodes, the engine, and where to report. */
public record StageRun(ClusterSpec spec, List<Node> nodes, Engine engine, SshConnector connector,
                       ClusterCredentials credentials, Reporter out) { }
