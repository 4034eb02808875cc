package birdbath.provider.linode;

import birdbath.Parallel;
import birdbath.plan.Change;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One change to the account, made by one description: what `plan` announces ({@link #change}) and what `up`
 * does for it ({@link #apply}) come from the same place, so the two cannot drift apart.
 */
record CloudAction(Change change, Runnable apply) {

    static CloudAction create(String kind, String name, String detail, Runnable apply) {
        return new CloudAction(new Change.Create(kind, name, detail), apply);
    }

    static CloudAction update(String kind, String name, String detail, Runnable apply) {
        return new CloudAction(new Change.Update(kind, name, detail), apply);
    }

    static CloudAction delete(String kind, String name, String detail, Runnable apply) {
        return new CloudAction(new Change.Delete(kind, name, detail), apply);
    }

    /** Applies the actions at once (bounded), each to its end; failures reported together. */
    static void applyAll(String what, List<CloudAction> actions, int parallelism) {
        Map<String, Runnable> tasks = new LinkedHashMap<>();
        for (CloudAction a : actions) {
            tasks.put(a.change().kind() + " " + a.change().name(), a.apply());
        }
        Parallel.run(what, tasks, parallelism);
    }
}
