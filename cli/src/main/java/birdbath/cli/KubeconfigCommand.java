package birdbath.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "kubeconfig", mixinStandardHelpOptions = true,
        description = {"Write the cluster's admin kubeconfig to .birdbath/kubeconfig (0600), its cluster, user and",
                "context named after the cluster. --merge also merges it into your kubeconfig: entries of the same",
                "names are replaced, all others kept, and the current context changes only if there was none."})
final class KubeconfigCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Option(names = "--merge", description = "Also merge into the first file of $KUBECONFIG, or ~/.kube/config.")
    boolean merge;

    @Override
    public Integer call() {
        Path target = null;
        if (merge) {
            String env = System.getenv("KUBECONFIG");
            target = env != null && !env.isBlank() ? Path.of(env.split(":")[0])
                    : Path.of(System.getProperty("user.home"), ".kube", "config");
        }
        config.open().kubeconfig(target).forEach(System.out::println);
        return 0;
    }
}
