package birdbath.cli;

import birdbath.Birdbath;
import birdbath.pki.CertificateAuthority;
import birdbath.pki.Pki;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "pki", mixinStandardHelpOptions = true,
        description = {"The cluster's certificate authority and certificates, in .birdbath/pki/.",
                "`up` runs the pki stage itself; these commands are for doing it by hand."},
        subcommands = {PkiCommand.Init.class, PkiCommand.Import.class, PkiCommand.Issue.class, PkiCommand.ListCerts.class,
                PkiCommand.Rotate.class})
final class PkiCommand extends GroupCommand {

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Create the cluster CA (ECDSA P-256, 10 years, CA:TRUE pathlen 1).")
    static final class Init implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Override
        public Integer call() {
            CertificateAuthority ca = config.open().pki().init();
            System.out.println("created " + ca.certificate().getSubjectX500Principal().getName() + " (key 0600, never"
                    + " printed)");
            return 0;
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Use your own CA or intermediate instead of birdbath's.",
                    "Certificates from the previous CA are reissued by the next `pki issue` or `up`."})
    static final class Import implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Option(names = "--cert", required = true, paramLabel = "FILE", description = "The CA certificate (PEM).")
        Path cert;

        @Option(names = "--key", required = true, paramLabel = "FILE", description = "Its private key (PEM).")
        Path key;

        @Option(names = "--chain", paramLabel = "FILE",
                description = "The certificates above it, up to the root (PEM), for an intermediate.")
        Path chain;

        @Override
        public Integer call() {
            CertificateAuthority ca = config.open().pki().importCa(cert, key, chain);
            System.out.println("imported " + ca.certificate().getSubjectX500Principal().getName() + " with "
                    + (ca.chain().size() - 1) + " certificate(s) above it");
            return 0;
        }
    }

    @Command(name = "issue", mixinStandardHelpOptions = true,
            description = "Issue what is missing, expiring within 30 days, from another CA or with changed SANs.")
    static class Issue implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        boolean rotate() {
            return false;
        }

        @Override
        public Integer call() {
            Birdbath b = config.open();
            print(b.pki().issue(b.nodes(), rotate()));
            return 0;
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = "Reissue every node certificate (new keys); the next `up` deploys them.")
    static final class Rotate extends Issue {
        @Override
        boolean rotate() {
            return true;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Each certificate: subject, SANs, issuer, expiry, days left, status.")
    static final class ListCerts implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Override
        public Integer call() {
            Birdbath b = config.open();
            for (Pki.Row r : b.pki().list(b.nodes())) {
                System.out.printf(Locale.ROOT, "%-30s %-13s %s%n", r.name(),
                        r.status().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                        r.notAfter() == null ? "" : r.notAfter().toString().substring(0, 10) + " (" + r.daysLeft()
                                + " days)");
                if (r.notAfter() != null) {
                    System.out.println("    subject: " + r.subject());
                    System.out.println("    issuer:  " + r.issuer());
                    if (!r.sans().isEmpty()) {
                        System.out.println("    SANs:    " + String.join(", ", r.sans()));
                    }
                }
            }
            return 0;
        }
    }

    static void print(Map<String, String> actions) {
        actions.forEach((cert, action) -> System.out.printf(Locale.ROOT, "%-30s %s%n", cert, action));
    }
}
