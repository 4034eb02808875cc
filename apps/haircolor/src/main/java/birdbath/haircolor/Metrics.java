package birdbath.haircolor;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;

/** Prometheus text format (0.0.4), by hand: request counts and time by route and status, colour changes. */
final class Metrics {

    private final Map<String, AtomicLong> requests = new ConcurrentHashMap<>();
    private final Map<String, DoubleAdder> seconds = new ConcurrentHashMap<>();
    private final AtomicLong changes = new AtomicLong();

    void request(String route, int status, double elapsedSeconds) {
        requests.computeIfAbsent("route=\"" + route + "\",status=\"" + status + "\"", k -> new AtomicLong())
                .incrementAndGet();
        seconds.computeIfAbsent("route=\"" + route + "\"", k -> new DoubleAdder()).add(elapsedSeconds);
    }

    void colorChanged() {
        changes.incrementAndGet();
    }

    String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("# HELP haircolor_http_requests_total HTTP requests by route and status.\n")
                .append("# TYPE haircolor_http_requests_total counter\n");
        new TreeMap<>(requests).forEach((labels, n) -> sb.append("haircolor_http_requests_total{").append(labels)
                .append("} ").append(n.get()).append('\n'));
        sb.append("# HELP haircolor_http_request_seconds_total Time spent answering, by route.\n")
                .append("# TYPE haircolor_http_request_seconds_total counter\n");
        new TreeMap<>(seconds).forEach((labels, s) -> sb.append("haircolor_http_request_seconds_total{")
                .append(labels).append("} ").append(s.sum()).append('\n'));
        sb.append("# HELP haircolor_color_changes_total Accepted colour changes since start.\n")
                .append("# TYPE haircolor_color_changes_total counter\n")
                .append("haircolor_color_changes_total ").append(changes.get()).append('\n');
        return sb.toString();
    }
}
