package birdbath.cli;

import birdbath.sim.LinodeSim;
import birdbath.sim.SimOptions;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "linode-sim", mixinStandardHelpOptions = true,
        description = {"Run the Linode API simulator, to try plan/up/down without an account.",
                "It listens on 127.0.0.1 and keeps everything in memory:",
                "  birdbath linode-sim --port 8089 --domain example.com &",
                "  LINODE_API_URL=http://127.0.0.1:8089/v4 LINODE_TOKEN=anything birdbath up"})
final class LinodeSimCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "8089", description = "Port on 127.0.0.1 (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--latency-ms", defaultValue = "0", description = "Added to every request.")
    int latencyMs;

    @Option(names = "--boot-ms", defaultValue = "2000",
            description = "Time from create to running (default ${DEFAULT-VALUE}).")
    int bootMs;

    @Option(names = "--faults", paramLabel = "SPEC", defaultValue = "",
            description = {"Faults to inject, rules separated by ';', e.g.",
                    "  status:500,nth=3        the 3rd request fails with 500",
                    "  drop,method=POST,path=/volumes   connection closed, nothing done",
                    "  drop-after,path=/linode/instances,nth=1   done, then connection closed",
                    "  delay:1500,every=10     every 10th request waits 1.5 s",
                    "  status:429,p=0.3,times=50,seed=7   30%% get 429 + Retry-After, 50 at most"})
    String faults;

    @Option(names = "--domain", paramLabel = "NAME", description = "A domain the account has (repeatable).")
    List<String> domains = List.of("example.com");

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "Accept only this token (repeatable); default: any non-empty token.")
    List<String> tokens = List.of();

    @Option(names = "--no-rate-limits", description = "Do not enforce Linode's rate limits.")
    boolean noRateLimits;

    @Option(names = "--real-nodes", description = {"Make every instance a real machine on this host (needs root):",
            "a container booted from a fresh Debian 12 image, its addresses in 198.18.0.0/15, its volumes",
            "under /dev/disk/by-id, packages from a mirror of what the stages install (built once, cached)."})
    boolean realNodes;

    @Override
    public Integer call() throws Exception {
        SimOptions options = SimOptions.defaults().withPort(port).withLatencyMs(latencyMs).withBootMs(bootMs)
                .withFaults(faults).withDomains(domains).withTokens(new HashSet<>(tokens))
                .withRateLimits(!noRateLimits);
        LinodeSim sim;
        birdbath.twin.RealNodes twin = null;
        try {
            if (realNodes) {
                twin = new birdbath.twin.RealNodes(birdbath.node.BaseImage.defaultCacheDir(System.getenv()).getParent(),
                        new ConsoleReporter());
            }
            sim = twin == null ? LinodeSim.start(options) : LinodeSim.start(options, twin);
        } catch (IllegalArgumentException e) {
            throw new birdbath.BirdbathException("--faults: " + e.getMessage());
        } catch (java.net.BindException e) {
            if (twin != null) {
                twin.close();
            }
            throw new birdbath.BirdbathException("port " + port + " is in use; pick another with --port");
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sim.close();
            stopped.countDown();
        }));
        System.out.println("linode-sim listening on " + sim.baseUrl() + " (domains: " + String.join(", ", domains)
                + "); Ctrl-C stops it");
        System.out.println("  export LINODE_API_URL=" + sim.baseUrl() + " LINODE_TOKEN=sim-token");
        if (twin != null) {
            System.out.println("  real nodes: VPC subnets must lie in 198.18.0.0/15 (networking.vpc_subnet); release"
                    + " files put under " + twin.releases() + " are served at " + twin.downloadsUrl() + "/");
        }
        stopped.await();
        return 0;
    }
}
