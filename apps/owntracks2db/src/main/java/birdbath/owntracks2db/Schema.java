package birdbath.owntracks2db;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * The database schema, by Flyway migrations in db/migration: V1 the original's table, V2 its upgrade. A
 * database the original service filled has the table but no migration history: it is baselined at version 0,
 * so that V1 (a no-op there) and V2 run on it too.
 */
public final class Schema {

    private Schema() { }

    /** Brings the schema up to date; returns how many migrations ran. */
    public static int migrate(String url, String user, String password) {
        MigrateResult r = Flyway.configure().dataSource(url, user, password).locations("classpath:db/migration")
                .baselineOnMigrate(true).baselineVersion("0").load().migrate();
        return r.migrationsExecuted;
    }
}
