package birdbath.cli;

import birdbath.remote.NodeFile;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "render", mixinStandardHelpOptions = true,
        description = {"Print the files a stage keeps on each node (or one), with mode, owner and what a change",
                "restarts, without writing anything. Private keys are shown by their size only."})
final class RenderCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Parameters(index = "0", paramLabel = "STAGE", description = "A stage, e.g. baseline (`birdbath up --help` lists them).")
    String stage;

    @Option(names = "--node", paramLabel = "NODE", description = "Only this node.")
    String node;

    @Override
    public Integer call() {
        for (Map.Entry<String, List<NodeFile>> n : config.open().render(stage, node).entrySet()) {
            for (NodeFile f : n.getValue()) {
                System.out.println("# " + n.getKey() + ":" + f.heading());
                System.out.print(f.shown());
                System.out.println();
            }
        }
        return 0;
    }
}
