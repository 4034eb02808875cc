package birdbath.cli;

import birdbath.Birdbath;
import birdbath.BirdbathException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "down", mixinStandardHelpOptions = true,
        description = {"Remove everything the cluster owns.",
                "Instances, volumes (with their data), DNS records, the firewall and the VPC go;",
                "nothing else in the account is touched. Asks first unless --yes."})
final class DownCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Option(names = "--yes", description = "Do not ask for confirmation.")
    boolean yes;

    @Override
    public Integer call() throws IOException {
        Birdbath birdbath = config.open();
        List<String> listing = birdbath.downListing();
        if (listing.isEmpty()) {
            System.out.println("nothing to remove: the cluster owns no resources");
            return 0;
        }
        System.out.println("down would remove:");
        listing.forEach(l -> System.out.println("  - " + l));
        if (!yes) {
            if (System.console() == null) {
                throw new BirdbathException("not removing anything without confirmation: pass --yes");
            }
            System.out.print("Remove all of this? Type the cluster name (" + birdbath.spec().name() + ") to confirm: ");
            System.out.flush();
            String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (answer == null || !answer.trim().equals(birdbath.spec().name())) {
                System.out.println("nothing removed");
                return 1;
            }
        }
        birdbath.down();
        System.out.println("down: done");
        return 0;
    }
}
