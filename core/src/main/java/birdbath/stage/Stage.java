package birdbath.stage;

import birdbath.provider.Node;
import java.util.List;
import java.util.Map;

/** One step of the pipeline after provisioning: converges every node over SSH, and checks its own promises. */
public interface Stage {

    String name();

    void converge(StageRun run);

    /** One result per promise and node; never throws for a broken node, reports it. */
    List<CheckResult> check(StageRun run);

    /** The files this stage would write on {@code node}, by path, without writing them. */
    default Map<String, String> render(StageRun run, Node node) {
        return Map.of();
    }
}
