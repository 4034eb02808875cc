package birdbath.cli;

import birdbath.stage.CheckResult;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Verify every stage's promises on every node: one line per stage, node and probe.",
                "Exit 0 only when all pass."},
        exitCodeListHeading = "Exit codes:%n", exitCodeList = {"0:all probes passed", "1:a probe failed, or an error"})
final class CheckCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Option(names = "--only", split = ",", paramLabel = "STAGE", description = "Check only these stages.")
    List<String> only = List.of();

    @Option(names = "--json", description = "Print a JSON array of {stage, node, probe, ok, detail}.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<CheckResult> results = config.open().check(only);
        if (json) {
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(results));
        } else {
            print(results);
        }
        return results.stream().allMatch(CheckResult::ok) ? 0 : 1;
    }

    /** One line per probe, then a summary line. */
    static void print(List<CheckResult> results) {
        for (CheckResult r : results) {
            System.out.printf(Locale.ROOT, "%-12s %-16s %-26s %s%n", r.stage(), r.node(), r.probe(),
                    r.ok() ? "ok" : "FAILED: " + r.detail());
        }
        long failed = results.stream().filter(r -> !r.ok()).count();
        System.out.println(failed == 0 ? "check: all " + results.size() + " probes ok"
                : "check: " + failed + " of " + results.size() + " probes FAILED");
    }
}
