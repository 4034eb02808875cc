package birdbath.stage.provision;

import birdbath.provider.Node;
import birdbath.provider.Provider;
import birdbath.stage.CheckResult;
import birdbath.stage.Stage;
import birdbath.stage.StageRun;
import java.util.List;
import java.util.Map;

/**
 * The first stage: the provider's resources (instances, private network, volumes, DNS records, firewall) and the
 * state files that name the nodes. It runs before any node is known, so `up` calls {@link #provision} rather than
 * {@link #converge}; its check is that every node answers over SSH.
 */
public final class ProvisionStage implements Stage {

    public static final String NAME = "provision";

    @Override
    public String name() {
        return NAME;
    }

    /**
     * Creates or adopts what is missing; returns the nodes. {@code installHostTools} lets the provider install what
     * it needs on this machine first (the local provider's systemd-nspawn, debootstrap...).
     */
    public List<Node> provision(Provider provider, boolean allowRemovals, boolean installHostTools) {
        provider.prepareHost(installHostTools);
        return provider.up(allowRemovals);
    }

    /** Never called: a stage run needs the nodes this stage makes. */
    @Override
    public void converge(StageRun run) {
        throw new IllegalStateException("provision runs through provision(Provider, ...), before any node is known");
    }

    @Override
    public List<CheckResult> check(StageRun run) {
        Map<String, String> problems = run.engine().onEach("check " + NAME, run.nodes(), c -> {
            c.exec("true");
            return "";
        }, (node, e) -> e.getMessage());
        return run.nodes().stream().map(n -> CheckResult.of(NAME, n.name(), "reachable over SSH",
                problems.get(n.name()))).toList();
    }
}
