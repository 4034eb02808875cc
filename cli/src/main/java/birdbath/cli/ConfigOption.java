package birdbath.cli;

import birdbath.Birdbath;
import picocli.CommandLine.Option;
import java.nio.file.Path;

/** -c/--config, shared by every command that reads the config. */
final class ConfigOption {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "birdbath.yaml",
            description = "The cluster's config file (default: ${DEFAULT-VALUE}); state goes to .birdbath/ beside it.")
    Path file;

    Birdbath open() {
        return new Birdbath(file, System.getenv(), new ConsoleReporter());
    }
}
