package birdbath.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "image", mixinStandardHelpOptions = true,
        description = "Container images side-loaded onto the nodes (no registry).",
        subcommands = {ImageCommand.Load.class})
final class ImageCommand extends GroupCommand {

    @Command(name = "load", mixinStandardHelpOptions = true,
            description = {"Copy an image tarball (`docker save` form, e.g. apps/haircolor/target/haircolor-image.tar)",
                    "to the nodes in parallel and import it into containerd's k8s.io namespace, where kubelet finds",
                    "it. A node that already has the same image (by its config digest) is skipped."})
    static final class Load implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Parameters(paramLabel = "TAR")
        Path tarball;

        @Option(names = "--nodes", split = ",", paramLabel = "NODE", description = "Only these nodes (default: all).")
        List<String> nodes = new ArrayList<>();

        @Override
        public Integer call() {
            for (Map.Entry<String, String> e : config.open().loadImage(tarball, nodes).entrySet()) {
                System.out.printf("%-16s %s%n", e.getKey(), e.getValue());
            }
            return 0;
        }
    }
}
