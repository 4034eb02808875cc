package birdbath.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "ssh", mixinStandardHelpOptions = true,
        description = {"Open a shell on a node, or run one command there (as root):",
                "  birdbath ssh demo-2 -- hostname",
                "Uses birdbath's key and the host key pinned in .birdbath/known_hosts."})
final class SshCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Parameters(index = "0", paramLabel = "NODE", description = "The node's name, e.g. demo-1.")
    String node;

    @Parameters(index = "1..*", paramLabel = "CMD", description = "A command to run (after --).")
    List<String> command = List.of();

    @Override
    public Integer call() throws Exception {
        if (command.isEmpty()) {
            return new ProcessBuilder(config.open().interactiveSsh(node)).inheritIO().start().waitFor();
        }
        return config.open().ssh(node, String.join(" ", command), System.out, System.err);
    }
}
