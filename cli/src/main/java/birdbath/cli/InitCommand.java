package birdbath.cli;

import birdbath.Birdbath;
import birdbath.config.ClusterSpec.ProviderKind;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "init", mixinStandardHelpOptions = true,
        description = "Write a commented birdbath.yaml to start from.")
final class InitCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Option(names = "--provider", paramLabel = "linode|local", defaultValue = "linode",
            description = "Where the nodes run: linode (default) or local (containers on this machine).")
    String provider;

    @Option(names = "--force", description = "Overwrite an existing file.")
    boolean force;

    @Override
    public Integer call() {
        ProviderKind kind = switch (provider) {
            case "linode" -> ProviderKind.LINODE;
            case "local" -> ProviderKind.LOCAL;
            default -> throw new birdbath.BirdbathException("--provider: expected linode or local, got '"
                    + provider + "'");
        };
        Birdbath.init(config.file, kind, force);
        System.out.println("wrote " + config.file + "; edit it, then run `birdbath plan`");
        return 0;
    }
}
