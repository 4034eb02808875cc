package birdbath.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Create or converge the cluster. Safe to re-run: what is already right is left alone.",
                "Stages, in order: ${birdbath.stages}.",
                "Lowering cluster.nodes removes the highest-numbered nodes only with --yes."})
final class UpCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Option(names = "--only", split = ",", paramLabel = "STAGE", description = "Run only these stages.")
    List<String> only = List.of();

    @Option(names = "--from", paramLabel = "STAGE", description = "Run from this stage on.")
    String from;

    @Option(names = "--yes", description = "Allow removing nodes and volumes beyond cluster.nodes/storage.nodes.")
    boolean yes;

    @Option(names = "--format-storage", description = "Let the storage stage wipe and format a volume device that"
            + " already carries a filesystem or data (without it, such a device stops the run and is left alone).")
    boolean formatStorage;

    @Option(names = "--no-install", description = "Install nothing on this machine: where the local provider misses"
            + " a program (systemd-nspawn, debootstrap...), stop and name the Debian packages instead of installing"
            + " them with apt-get.")
    boolean noInstall;

    @Override
    public Integer call() {
        config.open().up(only, from, yes, formatStorage, !noInstall);
        return 0;
    }
}
