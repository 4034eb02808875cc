package birdbath.stage;

import birdbath.config.ClusterSpec;
import birdbath.provider.Node;
import birdbath.remote.NodeFile;
import java.util.List;
import java.util.Optional;

/**
 * One step of the pipeline ({@link Pipeline}): converges every node, checks its own promises, and declares the
 * files it keeps on each node once, for converging, `birdbath render` and check's "files as rendered" alike.
 */
public interface Stage {

    String name();

    /**
     * Why a stage does nothing for a config: a warning where the user may expect it to run (the provider cannot
     * run it), a plain line where the config asks for nothing.
     */
    record Skip(String why, boolean warning) {
        public static Skip nothingAsked(String why) {
            return new Skip(why, false);
        }

        public static Skip cannotRun(String why) {
            return new Skip(why, true);
        }
    }

    /** Empty when this stage applies to this config; else why not: `up` says it once, check skips the stage. */
    default Optional<Skip> skip(ClusterSpec spec) {
        return Optional.empty();
    }

    void converge(StageRun run);

    /** One result per promise and node; never throws for a broken node, reports it. */
    List<CheckResult> check(StageRun run);

    /** The files this stage keeps on {@code node}, with mode, owner and what a change restarts. */
    default List<NodeFile> files(StageContext context, Node node) {
        return List.of();
    }
}
