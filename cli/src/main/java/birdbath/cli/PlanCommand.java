package birdbath.cli;

import birdbath.plan.Plan;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {"Show what `up` would change, and the monthly cost, without changing anything.",
                "Compares the config with what the cloud has (found by the cluster's tag, not local state)."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:without --exit-code: success; with it: nothing to do",
                "1:an error", "2:with --exit-code: changes pending"})
final class PlanCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Option(names = "--exit-code", description = "Exit 0 when nothing is to do, 2 when changes are pending.")
    boolean exitCode;

    @Override
    public Integer call() {
        Plan plan = config.open().plan();
        System.out.print(plan.render());
        return exitCode && !plan.isEmpty() ? 2 : 0;
    }
}
