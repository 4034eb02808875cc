package birdbath.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "render", mixinStandardHelpOptions = true,
        description = "Print the files a stage would write on each node (or one), without writing anything.")
final class RenderCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Parameters(index = "0", paramLabel = "STAGE", description = "A stage with files, e.g. baseline.")
    String stage;

    @Option(names = "--node", paramLabel = "NODE", description = "Only this node.")
    String node;

    @Override
    public Integer call() {
        for (Map.Entry<String, Map<String, String>> n : config.open().render(stage, node).entrySet()) {
            for (Map.Entry<String, String> f : n.getValue().entrySet()) {
                System.out.println("# " + n.getKey() + ":" + f.getKey());
                System.out.print(f.getValue());
                System.out.println();
            }
        }
        return 0;
    }
}
