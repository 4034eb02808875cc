package birdbath.stage;

import birdbath.Reporter;
import birdbath.config.ClusterSpec;
import birdbath.provider.Node;
import birdbath.remote.Engine;
import birdbath.remote.SshConnector;
import birdbath.secrets.ClusterCredentials;
import java.util.List;

/**
 * What a stage works with when it converges or checks: its {@link StageContext}, the engine that reaches the
 * nodes, and where to report.
 *
 * @param formatStorage `up --format-storage`: the storage stage may wipe devices that carry something
 */
public record StageRun(StageContext context, Engine engine, SshConnector connector, Reporter out,
                       boolean formatStorage) {

    public StageRun(ClusterSpec spec, List<Node> nodes, Engine engine, SshConnector connector,
                    ClusterCredentials credentials, Reporter out, boolean formatStorage) {
        this(new StageContext(spec, nodes, credentials), engine, connector, out, formatStorage);
    }

    public ClusterSpec spec() {
        return context.spec();
    }

    public List<Node> nodes() {
        return context.nodes();
    }

    public ClusterCredentials credentials() {
        return context.credentials();
    }
}
