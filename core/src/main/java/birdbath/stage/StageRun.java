package birdbath.stage;

import birdbath.Reporter;
import birdbath.config.ClusterSpec;
import birdbath.provider.Node;
import birdbath.remote.Engine;
import birdbath.remote.SshConnector;
import birdbath.secrets.ClusterCredentials;
import java.util.List;

/**
 * What a stage works with: the config, the nodes, the engine, and where to report.
 *
 * @param formatStorage `up --format-storage`: the storage stage may wipe devices that carry something
 */
public record StageRun(ClusterSpec spec, List<Node> nodes, Engine engine, SshConnector connector,
                       ClusterCredentials credentials, Reporter out, boolean formatStorage) { }
