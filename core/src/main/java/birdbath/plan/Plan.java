package birdbath.plan;

import java.util.List;
import java.util.Locale;

/**
 * What `up` would change, and what the cluster costs per month before and after.
 * A cost below zero means "not known" (providers without prices).
 */
public record Plan(List<Change> changes, double monthlyNow, double monthlyAfter) {

    public boolean isEmpty() {
        return changes.isEmpty();
    }

    public long count(char symbol) {
        return changes.stream().filter(c -> c.symbol() == symbol).count();
    }

    /** Terraform-like text: one line per change, then a summary. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        int kindWidth = changes.stream().mapToInt(c -> c.kind().length()).max().orElse(0);
        int nameWidth = changes.stream().mapToInt(c -> c.name().length()).max().orElse(0);
        for (Change c : changes) {
            sb.append("  ").append(c.symbol()).append(' ')
                    .append(String.format(Locale.ROOT, "%-" + kindWidth + "s  %-" + nameWidth + "s", c.kind(), c.name()));
            if (!c.detail().isEmpty()) {
                sb.append("  ").append(c.detail());
            }
            sb.append('\n');
        }
        if (changes.isEmpty()) {
            sb.append("No changes: everything matches the config.\n");
        } else {
            sb.append(String.format(Locale.ROOT, "Plan: %d to add, %d to change, %d to destroy.%n",
                    count('+'), count('~'), count('-')));
        }
        if (monthlyAfter >= 0) {
            sb.append(String.format(Locale.ROOT, "Monthly cost: $%.2f", monthlyAfter));
            if (Math.abs(monthlyAfter - monthlyNow) > 0.005) {
                sb.append(String.format(Locale.ROOT, " (now $%.2f, %+.2f)", monthlyNow, monthlyAfter - monthlyNow));
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
