package birdbath.owntracks2db;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The original's Prometheus metrics, same names (counters total_received_updates, total_persisted_updates,
 * insertion_errors; gauges persistence_lag, current_insertion_errors), persistence_lag now set: seconds from the
 * receipt of a batch's oldest message to its commit. Plus owntracks2db_* counters for what the original lacked.
 */
final class IngestMetrics {

    final AtomicLong received = new AtomicLong();
    final AtomicLong persisted = new AtomicLong();
    final AtomicLong insertionErrors = new AtomicLong();
    final AtomicLong currentInsertionErrors = new AtomicLong();
    final AtomicLong others = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();
    final AtomicLong mqttConnects = new AtomicLong();
    final AtomicLong waiting = new AtomicLong();
    private volatile double lastLag;

    void lag(double seconds) {
        lastLag = seconds;
    }

    String render() {
        StringBuilder sb = new StringBuilder();
        counter(sb, "total_received_updates", "Location updates received from MQTT.", received.get());
        counter(sb, "total_persisted_updates", "Location updates committed to the database.", persisted.get());
        counter(sb, "insertion_errors", "Batches whose write failed (and were retried).", insertionErrors.get());
        gauge(sb, "persistence_lag", "Seconds from receipt of the last batch's oldest message to its commit.",
                lastLag);
        gauge(sb, "current_insertion_errors", "Failed writes in a row (0 once a write succeeds).",
                currentInsertionErrors.get());
        counter(sb, "owntracks2db_other_messages_total", "Messages of other _types stored.", others.get());
        counter(sb, "owntracks2db_rejected_messages_total", "Messages stored in rejected_messages.", rejected.get());
        counter(sb, "owntracks2db_duplicate_updates_total", "Redelivered location updates already stored.",
                duplicates.get());
        counter(sb, "owntracks2db_mqtt_connects_total", "Connections made to the broker (1 + reconnects).",
                mqttConnects.get());
        gauge(sb, "owntracks2db_waiting_messages", "Messages received and not yet committed.", waiting.get());
        return sb.toString();
    }

    private static void counter(StringBuilder sb, String name, String help, long value) {
        sb.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name)
                .append(" counter\n").append(name).append(' ').append(value).append('\n');
    }

    private static void gauge(StringBuilder sb, String name, String help, double value) {
        sb.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name)
                .append(" gauge\n").append(name).append(' ').append(value).append('\n');
    }
}
