package birdbath.stage.backup;

import birdbath.config.BackupsSpec;
import birdbath.pki.Pki;
import birdbath.provider.Node;
import birdbath.remote.NodeFile;
import birdbath.remote.Step;
import birdbath.remote.Step.RunUnless;
import birdbath.remote.UnitStates;
import birdbath.stage.CheckResult;
import birdbath.stage.NodeCommands;
import birdbath.stage.NodeSteps;
import birdbath.stage.Stage;
import birdbath.stage.StageContext;
import birdbath.stage.StageRun;
import birdbath.stage.Template;
import birdbath.stage.etcd.EtcdCluster;
import birdbath.stage.storage.StorageStage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Scheduled backups (`backups:`): on every etcd member a systemd timer takes a snapshot of that member into
 * {@value #ETCD_DIR} (0700, the snapshots 0600, the newest backups.keep kept); with PostgreSQL among the apps, a
 * CronJob (in the apps stage) dumps it into {@value #POSTGRES_DIR} on the GlusterFS volume, whose directory this
 * stage makes. Turned off, the timers go (and the apps stage deletes the CronJob); the backups stay.
 * `birdbath backup list|fetch` ({@link BackupStore}) brings them home.
 */
public final class BackupStage implements Stage {

    public static final String ETCD_DIR = "/var/backups/birdbath/etcd";
    /** On the volume every node mounts: a dump is there whichever node the CronJob ran on. */
    public static final String POSTGRES_DIR = StorageStage.MOUNT + "/backups/postgres";
    /** The postgres image's postgres user: the CronJob runs as it and owns {@link #POSTGRES_DIR}. */
    public static final long DUMP_UID = 999;
    static final String SCRIPT = "/etc/birdbath/backup-etcd.sh";
    static final String SERVICE = "birdbath-backup-etcd.service";
    static final String TIMER = "birdbath-backup-etcd.timer";

    /** What check reads on a member: its units' states and when its newest snapshot was taken. */
    private record Seen(UnitStates units, Optional<Instant> newest) { }

    @Override
    public String name() {
        return "backups";
    }

    /** The naming and pruning every backup script shares (keep-newest.sh), to stand on a line of its own. */
    public static Template.Fragment keepNewest() {
        return Template.fragment("backup/keep-newest.sh", Map.of()).withoutFinalNewline();
    }

    @Override
    public List<NodeFile> files(StageContext context, Node node) {
        BackupsSpec backups = context.spec().backups();
        if (!backups.on() || !EtcdCluster.members(context.nodes()).contains(node)) {
            return List.of();
        }
        return List.of(
                NodeFile.of(SCRIPT, Template.render("backup/etcd-snapshot.sh", Map.of("dir", ETCD_DIR, "keep",
                        String.valueOf(backups.keep()), "node", node.name(), "pki", EtcdCluster.PKI_DIR,
                        "clients_ca", Pki.ETCD_CLIENTS_CA_FILE, "keep_newest", keepNewest()))).withMode("755"),
                NodeFile.of(NodeFile.UNITS + SERVICE, Template.render("backup/" + SERVICE, Map.of("script", SCRIPT,
                        "dir", ETCD_DIR))),
                NodeFile.of(NodeFile.UNITS + TIMER, Template.render("backup/" + TIMER, Map.of("calendar",
                        BackupSchedule.onCalendar(backups)))).restartsUnit(TIMER));
    }

    private List<Step> steps(StageRun run, Node node) {
        return new NodeSteps(files(run.context(), node))
                .add(new RunUnless("backup dir " + ETCD_DIR + " 0700",
                        "install -d -m 700 -o etcd -g etcd " + ETCD_DIR,
                        "[ \"$(stat -c %a:%U " + ETCD_DIR + " 2>/dev/null)\" = 700:etcd ]"))
                .putRest()
                .unit(TIMER)
                .build();
    }

    @Override
    public void converge(StageRun run) {
        BackupsSpec backups = run.spec().backups();
        List<Node> members = backups.on() ? EtcdCluster.members(run.nodes()) : List.of();
        List<Node> others = run.nodes().stream().filter(n -> !members.contains(n)).toList();
        // turned off, or no longer a member: the timer goes, what it took stays
        Map<String, Boolean> stopped = run.engine().onEach("backups off", others, c -> {
            if (!c.exec("test -e " + NodeFile.UNITS + TIMER).ok()) {
                return false;
            }
            NodeCommands.must(c, name(), "systemctl disable --now " + TIMER + " && rm -f " + NodeFile.UNITS + TIMER
                    + " " + NodeFile.UNITS + SERVICE + " " + SCRIPT + " && systemctl daemon-reload", null,
                    Duration.ofMinutes(1));
            return true;
        });
        stopped.forEach((node, was) -> {
            if (was) {
                NodeCommands.report(run.out(), node, name(), "snapshot timer removed; the snapshots stay in "
                        + ETCD_DIR);
            }
        });
        if (!backups.on()) {
            run.out().info("  backups off: birdbath.yaml has no backups section");
            return;
        }
        run.engine().converge(name(), members, node -> steps(run, node));
        if (run.spec().apps().postgres() != null && run.spec().provider().runsKubernetes()) {
            Node first = run.nodes().get(0);
            NodeCommands.must(run.engine().session(first), name(), "mountpoint -q " + StorageStage.MOUNT
                    + " && install -d -m 700 -o " + DUMP_UID + " -g " + DUMP_UID + " " + POSTGRES_DIR, null,
                    Duration.ofMinutes(1));
        }
    }

    /**
     * Per member: the timer enabled and waiting; the last snapshot it started not failed, and the newest one
     * younger than two periods of the schedule (none yet is fine: a fresh timer waits for its first time).
     */
    @Override
    public List<CheckResult> check(StageRun run) {
        List<CheckResult> results = new ArrayList<>();
        BackupsSpec backups = run.spec().backups();
        if (!backups.on()) {
            return results;
        }
        List<Node> members = EtcdCluster.members(run.nodes());
        Map<String, Seen> seen = run.engine().onEach("check backups", members, c -> new Seen(
                UnitStates.read(c, List.of(TIMER, SERVICE)), BackupStore.etcdSnapshots(c).stream()
                .map(BackupStore.Backup::taken).max(Instant::compareTo)), (node, e) -> new Seen(UnitStates.parse(
                List.of(TIMER, SERVICE), ""), Optional.empty()));
        Duration stale = BackupSchedule.period(backups).multipliedBy(2);
        for (Node n : members) {
            Seen member = seen.get(n.name());
            UnitStates s = member.units();
            results.add(CheckResult.of(name(), n.name(), "snapshot timer", s.running(TIMER), TIMER + " is "
                    + s.enabled(TIMER) + " and " + s.active(TIMER) + "; `birdbath up --only backups` sets it up"));
            String problem = null;
            if (s.active(SERVICE).equals("failed")) {
                problem = "the last snapshot failed";
            } else if (member.newest().isPresent()) {
                Duration age = Duration.between(member.newest().get(), Instant.now());
                if (age.compareTo(stale) > 0) {
                    problem = "the newest snapshot is " + age.toHours() + " hours old (backups.schedule: "
                            + backups.schedule() + ")";
                }
            }
            results.add(CheckResult.of(name(), n.name(), "last snapshot", problem == null ? null : problem
                    + "; `journalctl -u " + SERVICE + "` on the node says why"));
        }
        return results;
    }
}
