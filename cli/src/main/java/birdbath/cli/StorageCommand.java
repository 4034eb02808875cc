package birdbath.cli;

import birdbath.stage.storage.StorageLocate;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "storage", mixinStandardHelpOptions = true,
        description = "The cluster's GlusterFS volume (mounted at /mnt/birdbath on every node).",
        subcommands = {StorageCommand.Locate.class})
final class StorageCommand extends GroupCommand {

    @Command(name = "locate", mixinStandardHelpOptions = true,
            description = {"Which bricks, on which nodes, hold a file of the volume: to copy data straight out of a",
                    "brick when the volume cannot be mounted. Exit 1 when no brick has it."})
    static final class Locate implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Parameters(paramLabel = "PATH", description = "A path inside the volume, or under /mnt/birdbath.")
        String path;

        @Override
        public Integer call() {
            List<StorageLocate.Copy> copies = config.open().locateInStorage(path);
            if (copies.isEmpty()) {
                System.err.println("error: no brick holds " + path);
                return 1;
            }
            for (StorageLocate.Copy c : copies) {
                System.out.printf("%-16s %s (%d bytes)%n", c.node(), c.brickPath(), c.size());
            }
            return 0;
        }
    }
}
