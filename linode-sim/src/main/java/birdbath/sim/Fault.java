package birdbath.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * One fault-injection rule, parsed from {@code --faults}. Rules are separated by ';', each is an action
 * followed by comma-separated key=value conditions:
 * <pre>
 *   status:500,nth=3                         the 3rd request gets a 500
 *   drop,method=POST,path=/volumes           close the connection before handling (nothing happens)
 *   drop-after,method=POST,path=/linode/instances,nth=1
 *                                            handle the request, then close the connection (ambiguous)
 *   delay:1500,every=10                      every 10th request waits 1.5 s first
 *   status:429,p=0.3,times=50,seed=7         30% of requests get a 429 with Retry-After, 50 at most
 * </pre>
 */
record Fault(Action action, int param, String method, String pathPrefix, int nth, int every, double probability,
             int times, Random random, int[] counters) {

    enum Action { STATUS, DROP, DROP_AFTER, DELAY }

    static List<Fault> parseAll(String spec) {
        List<Fault> faults = new ArrayList<>();
        if (spec == null || spec.isBlank()) {
            return faults;
        }
        for (String rule : spec.split(";")) {
            if (!rule.isBlank()) {
                faults.add(parse(rule.trim()));
            }
        }
        return faults;
    }

    static Fault parse(String rule) {
        String[] parts = rule.split(",");
        String[] head = parts[0].trim().split(":", 2);
        Action action;
        int param = 0;
        switch (head[0].toLowerCase(Locale.ROOT)) {
            case "status" -> { action = Action.STATUS; param = intOf(head, rule); }
            case "drop" -> action = Action.DROP;
            case "drop-after" -> action = Action.DROP_AFTER;
            case "delay" -> { action = Action.DELAY; param = intOf(head, rule); }
            default -> throw new IllegalArgumentException("fault '" + rule
                    + "': action must be status:CODE, drop, drop-after or delay:MS");
        }
        String method = null;
        String path = null;
        int nth = 0;
        int every = 0;
        double p = 1.0;
        int times = Integer.MAX_VALUE;
        long seed = 1;
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].trim().split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("fault '" + rule + "': expected key=value, got '" + parts[i] + "'");
            }
            try {
                switch (kv[0].trim()) {
                    case "method" -> method = kv[1].trim().toUpperCase(Locale.ROOT);
                    case "path" -> path = kv[1].trim();
                    case "nth" -> nth = Integer.parseInt(kv[1].trim());
                    case "every" -> every = Integer.parseInt(kv[1].trim());
                    case "p" -> p = Double.parseDouble(kv[1].trim());
                    case "times" -> times = Integer.parseInt(kv[1].trim());
                    case "seed" -> seed = Long.parseLong(kv[1].trim());
                    default -> throw new IllegalArgumentException("fault '" + rule + "': unknown key '" + kv[0]
                            + "' (known: method, path, nth, every, p, times, seed)");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("fault '" + rule + "': '" + parts[i] + "' needs a number");
            }
        }
        return new Fault(action, param, method, path, nth, every, p, times, new Random(seed), new int[2]);
    }

    private static int intOf(String[] head, String rule) {
        if (head.length < 2) {
            throw new IllegalArgumentException("fault '" + rule + "': " + head[0] + " needs a number, e.g. "
                    + head[0] + ":500");
        }
        try {
            return Integer.parseInt(head[1].trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("fault '" + rule + "': '" + head[1] + "' is not a number");
        }
    }

    /** Counts the request if it matches and says whether the fault fires for it. */
    synchronized boolean fires(String requestMethod, String requestPath) {
        if (method != null && !method.equals(requestMethod)) {
            return false;
        }
        if (pathPrefix != null && !requestPath.startsWith(pathPrefix)) {
            return false;
        }
        int seen = ++counters[0];
        if (counters[1] >= times) {
            return false;
        }
        boolean hit = (nth == 0 || seen == nth) && (every == 0 || seen % every == 0)
                && (probability >= 1.0 || random.nextDouble() < probability);
        if (hit) {
            counters[1]++;
        }
        return hit;
    }
}
