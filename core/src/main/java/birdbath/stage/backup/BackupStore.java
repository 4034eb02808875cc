package birdbath.stage.backup;

import birdbath.BirdbathException;
import birdbath.provider.Node;
import birdbath.remote.SshConnection;
import birdbath.secrets.SecretFiles;
import birdbath.stage.StageRun;
import birdbath.stage.storage.StorageStage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** `birdbath backup list|fetch`: the backups the nodes took on schedule ({@link BackupStage}), brought home. */
public final class BackupStore {

    /** One backup on a node: {@code kind} etcd or postgres; {@code node} the one it is read from. */
    public record Backup(String kind, String node, String name, long bytes, Instant taken) { }

    /** A file fetched: where it went and its size. */
    public record Fetched(Backup backup, Path file, long bytes) { }

    private static final Duration FETCH_DEADLINE = Duration.ofHours(1);

    private final StageRun run;

    public BackupStore(StageRun run) {
        this.run = run;
    }

    /**
     * Every node's etcd snapshots (a former member's too), then the PostgreSQL dumps on the volume as the first
     * node that mounts it sees them; oldest first. A node that does not answer is named in a warning.
     */
    public List<Backup> list() {
        List<Backup> out = new ArrayList<>();
        Map<String, List<Backup>> etcd = new LinkedHashMap<>(run.engine().onEach("list backups", run.nodes(),
                BackupStore::etcdSnapshots, (node, e) -> {
                    run.out().warn(node + ": its etcd snapshots are not listed: " + e.getMessage());
                    return List.of();
                }));
        run.nodes().forEach(n -> out.addAll(etcd.getOrDefault(n.name(), List.of())));
        for (Node n : run.nodes()) {
            try {
                SshConnection c = run.engine().session(n);
                if (c.exec("mountpoint -q " + StorageStage.MOUNT).ok()) {
                    out.addAll(listed(c, "postgres", BackupStage.POSTGRES_DIR, "postgres-*.sql.gz"));
                    break;
                }
            } catch (BirdbathException e) {
                // the next node that mounts the volume
            }
        }
        out.sort(Comparator.comparing(Backup::taken).thenComparing(Backup::name));
        return out;
    }

    /** The etcd snapshots on the node of {@code c}. */
    static List<Backup> etcdSnapshots(SshConnection c) {
        return listed(c, "etcd", BackupStage.ETCD_DIR, "etcd-*.db");
    }

    /** Files matching {@code glob} in {@code dir}: name, size, modification time (find's %f %s %T@). */
    private static List<Backup> listed(SshConnection c, String kind, String dir, String glob) {
        String text = c.exec("[ -d " + dir + " ] && find " + dir + " -maxdepth 1 -type f -name '" + glob
                + "' -printf '%f %s %T@\\n'; true").out();
        List<Backup> out = new ArrayList<>();
        for (String line : text.lines().toList()) {
            String[] f = line.split(" ");
            if (f.length == 3) {
                long millis = (long) (Double.parseDouble(f[2]) * 1000);
                out.add(new Backup(kind, c.node(), f[0], Long.parseLong(f[1]), Instant.ofEpochMilli(millis)));
            }
        }
        return out;
    }

    /**
     * Copies the named backups (none named: the newest of each kind) into {@code dir} (0700), each 0600 and
     * whole or not there. A name that is not listed is refused before anything is copied.
     */
    public List<Fetched> fetch(List<String> names, Path dir) {
        List<Backup> all = list();
        List<Backup> wanted = new ArrayList<>();
        if (names.isEmpty()) {
            for (String kind : List.of("etcd", "postgres")) {
                all.stream().filter(b -> b.kind().equals(kind)).reduce((a, b) -> b).ifPresent(wanted::add);
            }
            if (wanted.isEmpty()) {
                throw new BirdbathException("no backups on the nodes yet: with a backups section, `birdbath up`"
                        + " sets up the schedule (`birdbath backup list` shows what there is)");
            }
        }
        for (String name : names) {
            wanted.add(all.stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow(() ->
                    new BirdbathException("no backup named '" + name + "' on the nodes; `birdbath backup list`"
                            + " shows what there is")));
        }
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                    "rwx------")));
        } catch (IOException e) {
            throw new BirdbathException("cannot make " + dir + ": " + e.getMessage());
        }
        List<Fetched> out = new ArrayList<>();
        for (Backup b : wanted) {
            Node node = run.nodes().stream().filter(n -> n.name().equals(b.node())).findFirst().orElseThrow();
            String from = (b.kind().equals("etcd") ? BackupStage.ETCD_DIR : BackupStage.POSTGRES_DIR) + "/"
                    + b.name();
            Path file = dir.resolve(b.name());
            SshConnection c = run.engine().session(node);
            out.add(new Fetched(b, file, SecretFiles.writeSecret(file, stream -> c.download(from, stream,
                    FETCH_DEADLINE))));
        }
        return out;
    }
}
