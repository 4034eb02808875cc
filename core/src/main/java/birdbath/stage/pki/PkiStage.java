package birdbath.stage.pki;

import birdbath.Hashes;
import birdbath.pki.Pki;
import birdbath.provider.Node;
import birdbath.remote.SshConnection;
import birdbath.remote.Step;
import birdbath.remote.Step.PutFile;
import birdbath.stage.CheckResult;
import birdbath.stage.Stage;
import birdbath.stage.StageRun;
import java.nio.charset.StandardCharsets;
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
    private static final Map<String, String> MODES = Map.of("ca.crt", "644", "node.crt", "644", "node.key", "600");

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
        run.engine().converge(name(), run.nodes(), node -> steps(run, node));
    }

    private List<Step> steps(StageRun run, Node node) {
        List<Step> steps = new ArrayList<>();
        new Pki(run.spec()).nodeFiles(node).forEach((file, content) ->
                steps.add(new PutFile(DIR + file, content, MODES.get(file), "root:root")));
        return steps;
    }

    @Override
    public Map<String, String> render(StageRun run, Node node) {
        Map<String, String> out = new LinkedHashMap<>();
        new Pki(run.spec()).nodeFiles(node).forEach((file, content) -> out.put(DIR + file,
                file.endsWith(".key") ? "(private key, " + content.length + " bytes, mode 0600: not shown)\n"
                        : new String(content, StandardCharsets.US_ASCII)));
        return out;
    }

    @Override
    public List<CheckResult> check(StageRun run) {
        Pki pki = new Pki(run.spec());
        Map<String, Pki.Status> status = new LinkedHashMap<>();
        pki.list(run.nodes()).forEach(r -> status.put(r.name(), r.status()));
        Map<String, String> remote = run.engine().onEach("check " + name(), run.nodes(), c -> c.exec(
                "cd " + DIR + " && sha256sum ca.crt node.crt node.key && stat -c %a node.key").out());
        List<CheckResult> results = new ArrayList<>();
        for (Node n : run.nodes()) {
            String probe = "certificate valid and deployed";
            Pki.Status s = status.get("nodes/" + n.name());
            if (s != Pki.Status.OK) {
                results.add(CheckResult.failed(name(), n.name(), probe, "certificate is " + s.name().toLowerCase()
                        .replace('_', '-') + "; run `birdbath up --only pki`"));
                continue;
            }
            String have = remote.getOrDefault(n.name(), "");
            List<String> problems = new ArrayList<>();
            pki.nodeFiles(n).forEach((file, content) -> {
                if (!have.contains(Hashes.sha256Hex(content) + "  " + file)) {
                    problems.add(DIR + file + " differs");
                }
            });
            if (!have.strip().endsWith("600")) {
                problems.add(DIR + "node.key is not mode 0600");
            }
            results.add(problems.isEmpty() ? CheckResult.ok(name(), n.name(), probe)
                    : CheckResult.failed(name(), n.name(), probe, String.join(", ", problems)));
        }
        return results;
    }
}
