package birdbath.stage;

import birdbath.BirdbathException;
import birdbath.Hashes;
import birdbath.Shell;
import birdbath.provider.Node;
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
            return compare(stage.name(), files, c.exec(script(files)).out());
        }, (node, e) -> e.getMessage());
        for (Node node : holders) {
            results.add(CheckResult.of(stage.name(), node.name(), PROBE, problems.get(node.name())));
        }
        return results;
    }

    /** One line per file: "SHA256 MODE OWNER", or "missing". */
    static String script(List<NodeFile> files) {
        StringBuilder sb = new StringBuilder();
        for (NodeFile f : files) {
            String q = Shell.quote(f.path());
            sb.append("if [ -f ").append(q).append(" ]; then echo \"$(sha256sum < ").append(q)
                    .append(" | cut -d' ' -f1) $(stat -c '%a %U:%G' ").append(q).append(")\"; else echo missing; fi\n");
        }
        return sb.toString();
    }

    /** "" when every file is as declared, else what differs, file by file. */
    static String compare(String stage, List<NodeFile> files, String output) {
        List<String> lines = output.lines().toList();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            NodeFile f = files.get(i);
            String[] have = (i < lines.size() ? lines.get(i) : "missing").strip().split(" ");
            if (have.length != 3) {
                problems.add(f.path() + " is missing");
                continue;
            }
            if (!have[0].equals(Hashes.sha256Hex(f.content()))) {
                problems.add(f.path() + " differs");
            }
            if (Integer.parseInt(have[1], 8) != Integer.parseInt(f.mode(), 8)) {
                problems.add(f.path() + " is mode " + have[1] + ", not " + f.mode());
            }
            if (!have[2].equals(f.owner())) {
                problems.add(f.path() + " belongs to " + have[2] + ", not " + f.owner());
            }
        }
        return problems.isEmpty() ? "" : String.join(", ", problems) + "; `birdbath up --only " + stage + "` writes them again";
    }
}
