package birdbath.stage;

import birdbath.BirdbathException;
import birdbath.provider.Node;
import birdbath.remote.FileStates;
import birdbath.remote.NodeFile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * check's "files as rendered": every file a stage keeps on a node is there with the content, mode and owner its
 * declaration gives ({@link Stage#files}), read in one command per node.
 */
final class DeployedFiles {

    static final String PROBE = "files as rendered";

    private DeployedFiles() { }

    static List<CheckResult> check(Stage stage, StageRun run) {
        Map<String, List<NodeFile>> declared = new LinkedHashMap<>();
        List<Node> holders = new ArrayList<>();
        List<CheckResult> results = new ArrayList<>();
        for (Node node : run.nodes()) {
            try {
                List<NodeFile> kept = stage.files(run.context(), node).stream().filter(NodeFile::kept).toList();
                if (!kept.isEmpty()) {
                    declared.put(node.name(), kept);
                    holders.add(node);
                }
            } catch (BirdbathException e) {
                results.add(CheckResult.failed(stage.name(), node.name(), PROBE, "cannot render: " + e.getMessage()));
            }
        }
        Map<String, String> problems = run.engine().onEach("check " + stage.name() + " files", holders, c -> {
            List<NodeFile> files = declared.get(c.node());
            FileStates have = FileStates.read(c, files.stream().map(NodeFile::path).toList());
            List<String> differ = files.stream().map(have::problem).filter(java.util.Objects::nonNull).toList();
            return differ.isEmpty() ? "" : String.join(", ", differ) + "; `birdbath up --only " + stage.name()
                    + "` writes them again";
        }, (node, e) -> e.getMessage());
        for (Node node : holders) {
            results.add(CheckResult.of(stage.name(), node.name(), PROBE, problems.get(node.name())));
        }
        return results;
    }
}
