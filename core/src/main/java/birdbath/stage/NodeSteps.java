package birdbath.stage;

import birdbath.remote.NodeFile;
import birdbath.remote.Step;
import birdbath.remote.Step.EnsureUnit;
import birdbath.remote.Step.PutFile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node's steps, built around the files its stage declared: each file goes out once, where the stage puts it,
 * and {@link #build()} refuses a list that forgets one, so a declared file cannot go unwritten.
 */
public final class NodeSteps {

    private final Map<String, NodeFile> files = new LinkedHashMap<>();
    private final Map<String, NodeFile> unput = new LinkedHashMap<>();
    private final List<Step> steps = new ArrayList<>();

    public NodeSteps(List<NodeFile> declared) {
        for (NodeFile f : declared) {
            files.put(f.path(), f);
            if (f.kept()) {
                unput.put(f.path(), f);
            }
        }
    }

    public NodeSteps add(Step step) {
        steps.add(step);
        return this;
    }

    /** Writes the declared file at {@code path}. */
    public NodeSteps put(String path) {
        NodeFile f = unput.remove(path);
        if (f == null) {
            throw new IllegalStateException(files.containsKey(path) ? path + " is put twice" : path + " is not declared");
        }
        steps.add(new PutFile(f));
        return this;
    }

    /** Writes every declared file not yet put, in declaration order. */
    public NodeSteps putRest() {
        for (String path : List.copyOf(unput.keySet())) {
            put(path);
        }
        return this;
    }

    /** The unit enabled and running, restarted when a file that names it changed. */
    public NodeSteps unit(String unit) {
        steps.add(new EnsureUnit(unit, NodeFile.restarting(List.copyOf(files.values()), unit)));
        return this;
    }

    public boolean declares(String path) {
        return files.containsKey(path);
    }

    /** The declared paths for which {@code keep} holds. */
    public List<String> paths(java.util.function.Predicate<NodeFile> keep) {
        return files.values().stream().filter(keep).map(NodeFile::path).toList();
    }

    public List<Step> build() {
        if (!unput.isEmpty()) {
            throw new IllegalStateException("declared but never written: " + unput.keySet());
        }
        return List.copyOf(steps);
    }
}
