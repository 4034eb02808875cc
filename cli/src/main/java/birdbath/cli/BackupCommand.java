package birdbath.cli;

import birdbath.stage.backup.BackupStore;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {"The backups the nodes take on schedule (birdbath.yaml's backups section): etcd snapshots on",
                "every etcd member, PostgreSQL dumps on the GlusterFS volume."},
        subcommands = {BackupCommand.ListBackups.class, BackupCommand.Fetch.class})
final class BackupCommand extends GroupCommand {

    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every backup on the nodes, oldest first.")
    static final class ListBackups implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Override
        public Integer call() {
            List<BackupStore.Backup> all = config.open().backupList();
            if (all.isEmpty()) {
                System.out.println("no backups on the nodes");
                return 0;
            }
            System.out.printf(Locale.ROOT, "%-9s %-16s %-23s %10s %s%n", "KIND", "NODE", "TAKEN", "SIZE", "NAME");
            for (BackupStore.Backup b : all) {
                System.out.printf(Locale.ROOT, "%-9s %-16s %-23s %10s %s%n", b.kind(), b.node(), UTC.format(b.taken()),
                        EtcdCommand.size(b.bytes()), b.name());
            }
            return 0;
        }
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = {"Copy backups here (0600, each whole or not at all). Without NAME: the newest of each kind.",
                    "An etcd snapshot fetched is what `birdbath etcd restore FILE` takes."})
    static final class Fetch implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Parameters(paramLabel = "NAME", arity = "0..*", description = "Names as `backup list` shows them.")
        List<String> names = List.of();

        @Option(names = "--to", paramLabel = "DIR", description = "Where to put them (default: .birdbath/backups/).")
        Path dir;

        @Override
        public Integer call() {
            for (BackupStore.Fetched f : config.open().backupFetch(names, dir)) {
                System.out.println("fetched " + f.backup().name() + " from " + f.backup().node() + " to " + f.file()
                        + " (" + EtcdCommand.size(f.bytes()) + ")");
            }
            return 0;
        }
    }
}
