package birdbath.haircolor;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/** Prometheus text format (0.0.4), by hand: request counts and time by route and status, colour changes. */
final class Metrics {

    /** Per route: requests by status, and seconds; looked up without building a key on every request. */
    private record Route(Map<Integer, LongAdder> byStatus, DoubleAdder seconds) { }

    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    private final AtomicLong changes = new AtomicLong();

    void request(String route, int status, double elapsedSeconds) {
        Route r = routes.computeIfAbsent(route, k -> new Route(new ConcurrentHashMap<>(), new DoubleAdder()));
        r.byStatus().computeIfAbsent(status, k -> new LongAdder()).increment();
        r.seconds().add(elapsedSeconds);
    }

    void colorChanged() {
        changes.incrementAndGet();
    }

    String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("# HELP haircolor_http_requests_total HTTP requests by route and status.\n")
                .append("# TYPE haircolor_http_requests_total counter\n");
        new TreeMap<>(routes).forEach((route, r) -> new TreeMap<>(r.byStatus()).forEach((status, n) -> sb
                .append("haircolor_http_requests_total{route=\"").append(route).append("\",status=\"").append(status)
                .append("\"} ").append(n.sum()).append('\n')));
        sb.append("# HELP haircolor_http_request_seconds_total Time spent answering, by route.\n")
                .append("# TYPE haircolor_http_request_seconds_total counter\n");
        new TreeMap<>(routes).forEach((route, r) -> sb.append("haircolor_http_request_seconds_total{route=\"")
                .append(route).append("\"} ").append(r.seconds().sum()).append('\n'));
        sb.append("# HELP haircolor_color_changes_total Accepted colour changes since start.\n")
                .append("# TYPE haircolor_color_changes_total counter\n")
                .append("haircolor_color_changes_total ").append(changes.get()).append('\n');
        return sb.toString();
    }
}
