package birdbath.sim;

import java.util.ArrayList;
import java.util.List;

/** What the simulator was asked, for tests and benchmarks: every request as "METHOD /path STATUS". */
public final class SimStats {

    private final List<String> requests = new ArrayList<>();

    synchronized void record(String method, String path, int status) {
        requests.add(method + " " + path + " " + status);
    }

    public synchronized List<String> requests() {
        return List.copyOf(requests);
    }

    public synchronized int total() {
        return requests.size();
    }

    /** Requests that could change something (POST, PUT, DELETE), whatever their outcome. */
    public synchronized List<String> mutating() {
        List<String> out = new ArrayList<>();
        for (String r : requests) {
            if (!r.startsWith("GET ")) {
                out.add(r);
            }
        }
        return out;
    }

    public synchronized void reset() {
        requests.clear();
    }
}
