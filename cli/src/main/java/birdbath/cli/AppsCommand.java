package birdbath.cli;

import birdbath.Secret;
import birdbath.stage.apps.ClusterApply;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "apps", mixinStandardHelpOptions = true,
        description = "The apps of birdbath.yaml's apps section: Traefik, PostgreSQL, Mosquitto, owntracks2db, haircolor.",
        subcommands = {AppsCommand.Render.class, AppsCommand.Deploy.class, AppsCommand.Status.class,
                AppsCommand.Auth.class})
final class AppsCommand extends GroupCommand {

    @Command(name = "render", mixinStandardHelpOptions = true,
            description = {"Print every object as multi-document YAML. Secrets' values show as a placeholder;",
                    "with --show-secrets they are printed (base64), for `kubectl apply -f -`."})
    static final class Render implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Option(names = "--show-secrets", description = "print the Secrets' values (every app password and"
                + " Mosquitto's private key)")
        boolean showSecrets;

        @Override
        public Integer call() {
            if (showSecrets) {
                System.err.println("warning: this output holds every app password and Mosquitto's TLS private key:"
                        + " keep it as you would the passwords themselves");
            }
            System.out.print(config.open().apps().render(showSecrets));
            return 0;
        }
    }

    @Command(name = "deploy", mixinStandardHelpOptions = true,
            description = {"Apply every object through .birdbath/kubeconfig (server-side apply); objects that did",
                    "not change are left alone. Prints what was created, updated or unchanged."})
    static final class Deploy implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Override
        public Integer call() {
            for (ClusterApply.Applied a : config.open().deployApps()) {
                System.out.printf("%-10s %s %s%n", a.outcome().name().toLowerCase(), a.kind(),
                        (a.namespace() == null ? "" : a.namespace() + "/") + a.name());
            }
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"Each app's Deployment or StatefulSet: ready, or how many replicas are; then where the",
                    "apps answer. Exit 1 unless all are ready."})
    static final class Status implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Override
        public Integer call() {
            java.util.List<String> lines = config.open().appsStatus();
            lines.forEach(System.out::println);
            return lines.stream().anyMatch(l -> l.startsWith("NOT READY")) ? 1 : 0;
        }
    }

    @Command(name = "auth", mixinStandardHelpOptions = true, description = "Basic-auth users (Traefik's dashboard).",
            subcommands = {AppsCommand.AuthAdd.class})
    static final class Auth extends GroupCommand { }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Add a user to a basic-auth realm, or give them a new password (bcrypt). The password",
                    "is read from standard input (one line; typed without echo on a terminal). The dashboard's",
                    "realm is traefik-dashboard; `birdbath apps deploy` puts the change in place."})
    static final class AuthAdd implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Parameters(index = "0", paramLabel = "NAME", description = "The realm: traefik-dashboard.")
        String realm;

        @Parameters(index = "1", paramLabel = "USER")
        String user;

        @Override
        public Integer call() throws Exception {
            String password;
            if (System.console() != null) {
                char[] typed = System.console().readPassword("password for %s: ", user);
                password = typed == null ? "" : new String(typed);
            } else {
                String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                password = line == null ? "" : line;
            }
            System.out.println(config.open().apps().addUser(realm, user, new Secret(password)));
            return 0;
        }
    }
}
