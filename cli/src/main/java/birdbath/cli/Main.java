package birdbath.cli;

import birdbath.BirdbathException;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `birdbath` command: subcommands parse and print; the work is in birdbath-core. */
@Command(name = "birdbath", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Stands up and runs a hardened, self-hosted Kubernetes cluster on Linode from one YAML file.",
        subcommands = {InitCommand.class, PlanCommand.class, UpCommand.class, DownCommand.class,
                CheckCommand.class, NodesCommand.class, SshCommand.class, RenderCommand.class, PkiCommand.class,
                EtcdCommand.class, BackupCommand.class, StorageCommand.class, RepairCommand.class, KubeconfigCommand.class, AppsCommand.class, ImageCommand.class,
                LinodeSimCommand.class,
                AutoComplete.GenerateCompletion.class},
        footer = {"", "Every command reads ./birdbath.yaml unless -c FILE says otherwise, and keeps its state in"
                + " .birdbath/ beside it.", "The API token comes from LINODE_TOKEN."})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code (tests call this instead of main). */
    public static int run(String... args) {
        // the help texts name the stages as the pipeline has them (`${birdbath.stages}`)
        System.setProperty("birdbath.stages", String.join(", ", birdbath.Birdbath.STAGES));
        CommandLine cli = new CommandLine(new Main());
        cli.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(false);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println(message(e));
            return 1;
        });
        cli.setParameterExceptionHandler((e, args1) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println("error: " + e.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more.");
            return 1;
        });
        return cli.execute(args);
    }

    /** A failure as one or more lines for the user; never a stack trace. */
    static String message(Exception e) {
        if (e instanceof BirdbathException) {
            String m = e.getMessage();
            return m.contains("\n") ? "error:\n" + m.lines().map(l -> "  " + l).reduce((a, b) -> a + "\n" + b)
                    .orElse(m) : "error: " + m;
        }
        return "error: unexpected " + e.getClass().getSimpleName() + (e.getMessage() == null ? ""
                : ": " + e.getMessage()) + " (please report this)";
    }
}
