package birdbath.stage.baseline;

import birdbath.BirdbathException;
import birdbath.host.Host;
import birdbath.provider.Node;
import birdbath.remote.Engine;
import birdbath.remote.SshConnection;
import birdbath.remote.Step;
import birdbath.remote.Step.EnsurePackages;
import birdbath.remote.NodeFile;
import birdbath.remote.Step.RunUnless;
import birdbath.stage.CheckResult;
import birdbath.stage.NodeSteps;
import birdbath.stage.Stage;
import birdbath.stage.StageContext;
import birdbath.stage.StageRun;
import birdbath.stage.Template;
import birdbath.stage.kubernetes.ApiAddresses;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The baseline every node gets: hostname, /etc/hosts with every node's private address, base packages, an admin
 * user with birdbath's and the user's keys and passwordless sudo, the sysctls later stages need, swap off, and
 * sshd hardened (keys only, no root) once the admin login has been proven on every node, so birdbath never
 * locks itself out.
 */
public final class BaselineStage implements Stage {

    public static final String ADMIN = "birdbath";
    static final String HOSTS = "/etc/hosts";
    static final String SSHD = "/etc/ssh/sshd_config.d/50-birdbath.conf";
    static final String SUDOERS = "/etc/sudoers.d/90-birdbath";
    static final String SYSCTL = "/etc/sysctl.d/90-birdbath.conf";
    static final String AUTHORIZED_KEYS = "/home/" + ADMIN + "/.ssh/authorized_keys";
    public static final List<String> PACKAGES = List.of("sudo", "openssh-server", "iproute2", "procps", "curl",
            "ca-certificates", "nftables", "kmod");

    @Override
    public String name() {
        return "baseline";
    }

    @Override
    public List<NodeFile> files(StageContext context, Node node) {
        String keys = String.join("\n", context.credentials().nodeKeys(context.spec())) + "\n";
        return List.of(
                NodeFile.of("/etc/hostname", node.name() + "\n"),
                NodeFile.of(HOSTS, Template.render("baseline/hosts", Map.of("nodes", hostLines(context.nodes()),
                        "api", apiLines(context, node)))),
                NodeFile.of(AUTHORIZED_KEYS, keys).withMode("600").ownedBy(ADMIN + ":" + ADMIN),
                NodeFile.of(SUDOERS, Template.render("baseline/sudoers", Map.of("admin", ADMIN))).withMode("440"),
                NodeFile.of(SYSCTL, Template.render("baseline/sysctl.conf", Map.of())),
                NodeFile.of(SSHD, Template.render("baseline/sshd-hardening.conf", Map.of("admin", ADMIN))));
    }

    /** The API's name to the control plane's private addresses (see {@link ApiAddresses}), where Kubernetes runs. */
    private static Template.Fragment apiLines(StageContext context, Node node) {
        if (!context.spec().provider().runsKubernetes()) {
            return Template.Fragment.EMPTY;
        }
        List<Template.Fragment> lines = new ArrayList<>();
        lines.add(Template.Fragment.of("\n# the Kubernetes API, over the private network\n"));
        for (String ip : ApiAddresses.forNode(context.nodes(), node)) {
            lines.add(Template.Fragment.of("%s\t%s\n", ip, context.spec().apiName()));
        }
        return Template.Fragment.concat(lines);
    }

    private static Template.Fragment hostLines(List<Node> nodes) {
        return Template.Fragment.concat(nodes.stream()
                .map(n -> Template.Fragment.of("%s\t%s %s\n", n.privateIp(), n.fqdn(), n.name())).toList());
    }

    /** Everything but the sshd hardening, which waits for the admin login to be proven. */
    private List<Step> steps(StageRun run, Node node) {
        String home = "/home/" + ADMIN;
        return new NodeSteps(files(run.context(), node).stream().filter(f -> !f.path().equals(SSHD)).toList())
                .add(new EnsurePackages(PACKAGES))
                .put("/etc/hostname")
                .add(new RunUnless("hostname " + node.name(), "hostname " + node.name(),
                        "test \"$(hostname)\" = " + node.name()))
                .put(HOSTS)
                .add(new RunUnless("admin user " + ADMIN, "useradd --create-home --shell /bin/bash --groups sudo "
                        + ADMIN, "id -u " + ADMIN))
                .add(new RunUnless("admin ~/.ssh", "install -d -m 700 -o " + ADMIN + " -g " + ADMIN + " " + home
                        + "/.ssh", "test \"$(stat -c %U:%a " + home + "/.ssh)\" = " + ADMIN + ":700"))
                .put(AUTHORIZED_KEYS)
                .put(SUDOERS)
                .put(SYSCTL)
                // a container may set only its network keys (no fs.*, no bridge module): the rest is skipped there,
                // and what the later stages need (forwarding) is verified
                .add(new RunUnless("apply sysctls", "sysctl -e -q -p " + SYSCTL + " 2>&1 | grep -v -e 'Read-only'"
                        + " -e 'permission denied' -e 'cannot stat' >&2;"
                        + " test \"$(sysctl -n net.ipv4.ip_forward)\" = 1", null, List.of(SYSCTL)))
                .add(new RunUnless("swap off", "swapoff -a && sed -ri '/\\sswap\\s/s/^#?/#/' /etc/fstab",
                        "test -z \"$(swapon --noheadings --show)\""))
                .build();
    }

    @Override
    public void converge(StageRun run) {
        List<Engine.NodeReport> reports = run.engine().converge(name(), run.nodes(), node -> steps(run, node));
        // prove the admin login (a fresh session as the admin, sudo without a password) before closing root; a
        // node whose steps just ran as the admin, through sudo, and changed nothing has proven it already
        Map<String, Runnable> proofs = new LinkedHashMap<>();
        for (Node node : run.nodes().stream().filter(n -> !run.engine().session(n).user().equals(ADMIN)
                || reports.stream().anyMatch(r -> r.node().equals(n.name()) && r.changed() > 0)).toList()) {
            proofs.put(node.name(), () -> {
                try (SshConnection admin = run.connector().connect(node, List.of(ADMIN))) {
                    Host.Result sudo = admin.exec("true");
                    if (!sudo.ok()) {
                        throw new BirdbathException(node.name() + ": the admin user " + ADMIN + " cannot sudo ("
                                + sudo.err().strip() + "); sshd is left as it was");
                    }
                }
            });
        }
        birdbath.Parallel.run("prove the admin login", proofs, 16);
        run.engine().converge(name(), run.nodes(), node -> new NodeSteps(files(run.context(), node).stream()
                .filter(f -> f.path().equals(SSHD)).toList())
                .put(SSHD)
                .add(new RunUnless("reload sshd", "sshd -t && systemctl reload ssh", null, List.of(SSHD)))
                .build());
        run.credentials().loginUser(ADMIN);
    }

    @Override
    public List<CheckResult> check(StageRun run) {
        Map<String, List<CheckResult>> byNode = new java.util.concurrent.ConcurrentHashMap<>();
        Map<String, Runnable> tasks = new LinkedHashMap<>();
        for (Node node : run.nodes()) {
            tasks.put(node.name(), () -> byNode.put(node.name(), check(run, node)));
        }
        birdbath.Parallel.run("check " + name(), tasks, 16);
        return run.nodes().stream().flatMap(n -> byNode.get(n.name()).stream()).toList();
    }

    private List<CheckResult> check(StageRun run, Node node) {
        List<CheckResult> results = new ArrayList<>();
        {
            results.add(probe(node, "admin login with sudo", () -> {
                try (SshConnection admin = run.connector().connect(node, List.of(ADMIN))) {
                    Host.Result r = admin.exec("true");
                    return r.ok() ? null : "sudo refused: " + r.err().strip();
                }
            }));
            results.add(probe(node, "root login refused", () -> {
                try (SshConnection root = run.connector().connect(node, List.of("root"))) {
                    return "root logged in with birdbath's key";
                } catch (BirdbathException e) {
                    return e.getMessage().contains("login refused") ? null : e.getMessage();
                }
            }));
            results.add(probe(node, "password login refused", () -> {
                // -C names the connection, so sshd -T does not resolve names (10 s where DNS is unreachable)
                Host.Result r = run.engine().session(node).exec("sshd -T -C user=root,host=localhost,"
                        + "addr=127.0.0.1 2>/dev/null | grep -i"
                        + " -e '^passwordauthentication ' -e '^kbdinteractiveauthentication ' -e '^permitrootlogin '");
                String cfg = r.out().toLowerCase(java.util.Locale.ROOT);
                return cfg.contains("passwordauthentication no") && cfg.contains("kbdinteractiveauthentication no")
                        && cfg.contains("permitrootlogin no") ? null : "sshd allows: " + cfg.strip().replace('\n', ',');
            }));
            results.add(probe(node, "hostname and /etc/hosts", () -> {
                Host.Result r = run.engine().session(node).exec("hostname; getent ahostsv4 "
                        + run.nodes().get(run.nodes().size() - 1).fqdn());
                String[] lines = r.out().strip().split("\n");
                if (!lines[0].equals(node.name())) {
                    return "hostname is " + lines[0];
                }
                return lines.length > 1 ? null : "other nodes are not in /etc/hosts";
            }));
        }
        return results;
    }

    private CheckResult probe(Node node, String probe, java.util.function.Supplier<String> why) {
        String problem;
        try {
            problem = why.get();
        } catch (BirdbathException e) {
            problem = e.getMessage();
        }
        return CheckResult.of(name(), node.name(), probe, problem);
    }
}
