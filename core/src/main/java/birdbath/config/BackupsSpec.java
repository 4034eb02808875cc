package birdbath.config;

import java.util.regex.Pattern;

/**
 * Scheduled backups, {@link #OFF} without a {@code backups} section: an etcd snapshot on every member (a systemd
 * timer) and, with PostgreSQL among the apps, a dump (a Kubernetes CronJob), each keeping its newest {@code keep}.
 * One schedule for both: a word systemd and cron both know, or a daily time; always UTC
 * ({@code birdbath.stage.backup.BackupSchedule} says it in each one's language).
 *
 * @param schedule hourly, daily, weekly (Monday), or HH:MM (every day)
 */
public record BackupsSpec(boolean on, String schedule, int keep) {

    public static final BackupsSpec OFF = new BackupsSpec(false, "daily", 7);
    public static final Pattern TIME = Pattern.compile("([01][0-9]|2[0-3]):([0-5][0-9])");
    static final String SCHEDULES = "'hourly', 'daily', 'weekly' or a time of day HH:MM (UTC)";

    static boolean valid(String schedule) {
        return switch (schedule) {
            case "hourly", "daily", "weekly" -> true;
            default -> TIME.matcher(schedule).matches();
        };
    }
}
