package birdbath.cli;

import birdbath.Birdbath;
import birdbath.stage.CheckResult;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "repair", mixinStandardHelpOptions = true,
        description = "Fix the known failure modes, say what was fixed, then check again.",
        subcommands = {RepairCommand.Storage.class})
final class RepairCommand extends GroupCommand {

    @Command(name = "storage", mixinStandardHelpOptions = true,
            description = {"GlusterFS: start glusterd and brick filesystems that are down, restart offline bricks",
                    "(volume start force), heal and wait for it, remount dead FUSE mounts (\\\"Transport endpoint",
                    "is not connected\\\"). Exit 0 when the storage checks pass afterwards."})
    static final class Storage implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Override
        public Integer call() {
            Birdbath b = config.open();
            List<String> fixed = b.repairStorage();
            if (fixed.isEmpty()) {
                System.out.println("repair storage: nothing was broken");
            }
            fixed.forEach(f -> System.out.println("fixed: " + f));
            List<CheckResult> results = b.check(List.of("storage"));
            CheckCommand.print(results);
            return results.stream().allMatch(CheckResult::ok) ? 0 : 1;
        }
    }
}
