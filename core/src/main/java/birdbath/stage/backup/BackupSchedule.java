package birdbath.stage.backup;

import birdbath.config.BackupsSpec;
import birdbath.stage.Template.Fragment;
import java.time.Duration;
import java.util.regex.Matcher;

/** backups.schedule in the two languages that run it: a systemd timer's calendar event and a CronJob's schedule. */
public final class BackupSchedule {

    /** The CronJob's time zone, so that its times are the timers' (systemd.time(7): "UTC" at the end). */
    public static final String TIME_ZONE = "Etc/UTC";

    private BackupSchedule() { }

    /** systemd.time(7)'s calendar event, in UTC whatever the node's own time zone. */
    static Fragment onCalendar(BackupsSpec spec) {
        return switch (spec.schedule()) {
            case "hourly" -> Fragment.of("*-*-* *:00:00 UTC");
            case "daily" -> Fragment.of("*-*-* 00:00:00 UTC");
            case "weekly" -> Fragment.of("Mon *-*-* 00:00:00 UTC");
            default -> Fragment.of("*-*-* %s:00 UTC", time(spec).group());
        };
    }

    /** The same times as a CronJob's schedule (minute hour day-of-month month day-of-week), in {@link #TIME_ZONE}. */
    public static String cron(BackupsSpec spec) {
        return switch (spec.schedule()) {
            case "hourly" -> "0 * * * *";
            case "daily" -> "0 0 * * *";
            case "weekly" -> "0 0 * * 1";
            default -> {
                Matcher m = time(spec);
                yield Integer.parseInt(m.group(2)) + " " + Integer.parseInt(m.group(1)) + " * * *";
            }
        };
    }

    /** How long from one backup to the next. */
    public static Duration period(BackupsSpec spec) {
        return switch (spec.schedule()) {
            case "hourly" -> Duration.ofHours(1);
            case "weekly" -> Duration.ofDays(7);
            default -> Duration.ofDays(1);
        };
    }

    private static Matcher time(BackupsSpec spec) {
        Matcher m = BackupsSpec.TIME.matcher(spec.schedule());
        if (!m.matches()) {
            throw new IllegalStateException("backups.schedule '" + spec.schedule() + "' was not validated");
        }
        return m;
    }
}
