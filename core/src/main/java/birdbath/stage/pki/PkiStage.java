package birdbath.stage.pki;

import birdbath.pki.Pki;
import birdbath.provider.Node;
import birdbath.remote.FileStates;
import birdbath.remote.NodeFile;
import birdbath.stage.CheckResult;
import birdbath.stage.NodeSteps;
import birdbath.stage.Stage;
import birdbath.stage.StageContext;
import birdbath.stage.StageRun;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Issues what the cluster's certificates need (see {@link Pki}) and gives each node only what it needs, in the
 * place the later stages (IPsec, etcd) read it from: /etc/birdbath/pki/ca.crt (the CA chain), node.crt, and
 * node.key (0600).
 */
public final class PkiStage implements Stage {

    public static final String DIR = "/etc/birdbath/pki/";

    @Override
    public String name() {
        return "pki";
    }

    @Override
    public void converge(StageRun run) {
        Map<String, String> issued = new Pki(run.spec()).issue(run.nodes(), false);
        issued.forEach((cert, action) -> {
            if (!action.equals("ok")) {
                run.out().info("  " + cert + ": " + action);
            }
        });
        run.engine().converge(name(), run.nodes(), node -> new NodeSteps(files(run.context(), node)).putRest().build());
    }

    @Override
    public List<NodeFile> files(StageContext context, Node node) {
        Map<String, byte[]> issued = new Pki(context.spec()).nodeFiles(node);
        return List.of(NodeFile.of(DIR + "ca.crt", issued.get("ca.crt")), NodeFile.of(DIR + "node.crt",
                issued.get("node.crt")), NodeFile.of(DIR + "node.key", issued.get("node.key")).asSecret());
    }

    @Override
    public List<CheckResult> check(StageRun run) {
        Pki pki = new Pki(run.spec());
        Map<String, Pki.Status> status = new LinkedHashMap<>();
        pki.list(run.nodes()).forEach(r -> status.put(r.name(), r.status()));
        Map<String, List<NodeFile>> issued = new LinkedHashMap<>();
        run.nodes().stream().filter(n -> status.get("nodes/" + n.name()) == Pki.Status.OK)
                .forEach(n -> issued.put(n.name(), files(run.context(), n)));
        Map<String, FileStates> remote = run.engine().onEach("check " + name(), run.nodes().stream()
                .filter(n -> issued.containsKey(n.name())).toList(), c -> FileStates.read(c,
                issued.get(c.node()).stream().map(NodeFile::path).toList()));
        List<CheckResult> results = new ArrayList<>();
        for (Node n : run.nodes()) {
            String probe = "certificate valid and deployed";
            Pki.Status s = status.get("nodes/" + n.name());
            if (s != Pki.Status.OK) {
                results.add(CheckResult.failed(name(), n.name(), probe, "certificate is " + s.name().toLowerCase()
                        .replace('_', '-') + "; run `birdbath up --only pki`"));
                continue;
            }
            FileStates have = remote.get(n.name());
            List<String> problems = issued.get(n.name()).stream().map(have::problem)
                    .filter(java.util.Objects::nonNull).toList();
            results.add(CheckResult.of(name(), n.name(), probe, String.join(", ", problems)));
        }
        return results;
    }
}
