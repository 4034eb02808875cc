package birdbath.sim;

import java.util.List;
import java.util.Set;

/**
 * How a simulator behaves.
 *
 * @param port        0 picks a free port
 * @param latencyMs   added to every request
 * @param bootMs      time from create to running (instances) and to active (volumes: half of it)
 * @param faults      fault rules, see {@link Fault}
 * @param tokens      accepted bearer tokens; empty accepts any non-empty token
 * @param rateLimits  enforce Linode's published rate limits with 429 + Retry-After
 * @param domains     domains that exist from the start (as if the user had them in their account)
 */
public record SimOptions(int port, int latencyMs, int bootMs, String faults, Set<String> tokens, boolean rateLimits,
                         List<String> domains) {

    public static SimOptions defaults() {
        return new SimOptions(0, 0, 2000, "", Set.of(), true, List.of());
    }

    public SimOptions withPort(int p) {
        return new SimOptions(p, latencyMs, bootMs, faults, tokens, rateLimits, domains);
    }

    public SimOptions withLatencyMs(int ms) {
        return new SimOptions(port, ms, bootMs, faults, tokens, rateLimits, domains);
    }

    public SimOptions withBootMs(int ms) {
        return new SimOptions(port, latencyMs, ms, faults, tokens, rateLimits, domains);
    }

    public SimOptions withFaults(String spec) {
        return new SimOptions(port, latencyMs, bootMs, spec, tokens, rateLimits, domains);
    }

    public SimOptions withTokens(Set<String> t) {
        return new SimOptions(port, latencyMs, bootMs, faults, t, rateLimits, domains);
    }

    public SimOptions withRateLimits(boolean on) {
        return new SimOptions(port, latencyMs, bootMs, faults, tokens, on, domains);
    }

    public SimOptions withDomains(List<String> d) {
        return new SimOptions(port, latencyMs, bootMs, faults, tokens, rateLimits, d);
    }
}
