package birdbath.haircolor;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The history in PostgreSQL (table haircolor_history), for several replicas or a shared database. A new table
 * is seeded with the original's colours once, under an advisory lock, however many replicas start at once.
 * Connections come from a pool (HikariCP), and every wait on the database is bounded: a hung server is an
 * error within seconds (readiness turns false), never a request blocked for ever, and the pool replaces the
 * connections it broke once the server answers again.
 */
final class PostgresColorStore implements ColorStore {

    /** Connecting and logging in (pgjdbc's connectTimeout and loginTimeout; the pool's wait for a connection). */
    static final int CONNECT_SECONDS = 5;
    /** A read on an open connection (pgjdbc's socketTimeout): what a hung server costs a request at most. */
    static final int SOCKET_SECONDS = 5;
    /** The server's own bound on a statement. */
    static final int STATEMENT_MILLIS = 4000;

    private final String url;
    private final HikariDataSource pool;

    PostgresColorStore(String url, String user, String password) {
        this.url = url;
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setPoolName("haircolor");
        config.setMaximumPoolSize(8);
        config.setConnectionTimeout(CONNECT_SECONDS * 1000L);
        config.setValidationTimeout(Math.min(CONNECT_SECONDS * 1000L, 3000L));
        config.addDataSourceProperty("connectTimeout", CONNECT_SECONDS);
        config.addDataSourceProperty("loginTimeout", CONNECT_SECONDS);
        config.addDataSourceProperty("socketTimeout", SOCKET_SECONDS);
        config.addDataSourceProperty("options", "-c statement_timeout=" + STATEMENT_MILLIS);
        config.addDataSourceProperty("ApplicationName", "haircolor");
        try {
            this.pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot use the database " + url + ": " + rootMessage(e), e);
        }
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                // concurrent CREATE TABLE IF NOT EXISTS can still collide: replicas take turns
                s.execute("SELECT pg_advisory_xact_lock(hashtext('haircolor_history'))");
                s.execute("CREATE TABLE IF NOT EXISTS haircolor_history (id bigserial PRIMARY KEY,"
                        + " since text NOT NULL, background text NOT NULL,"
                        + " created_at timestamptz NOT NULL DEFAULT now())");
                try (ResultSet r = s.executeQuery("SELECT count(*) FROM haircolor_history")) {
                    r.next();
                    if (r.getLong(1) == 0) {
                        for (Entry e : ColorStore.seed()) {
                            insert(c, e);
                        }
                    }
                }
            }
            c.commit();
        } catch (SQLException e) {
            pool.close();
            throw new IllegalStateException("cannot use the database " + url + ": " + e.getMessage(), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    private Connection connect() throws SQLException {
        return pool.getConnection();
    }

    @Override
    public void close() {
        pool.close();
    }

    private static void insert(Connection c, Entry e) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO haircolor_history (since, background)"
                + " VALUES (?, ?)")) {
            p.setString(1, e.since());
            p.setString(2, e.background().css());
            p.executeUpdate();
        }
    }

    @Override
    public List<Entry> history() {
        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT since, background FROM haircolor_history ORDER BY id")) {
            List<Entry> out = new ArrayList<>();
            while (r.next()) {
                out.add(new Entry(r.getString(1), Background.parse(r.getString(2))));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the history: " + e.getMessage(), e);
        } catch (Background.Invalid e) {
            throw new IllegalStateException("a stored colour is no longer allowed: " + e.getMessage(), e);
        }
    }

    @Override
    public Entry current() {
        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT since, background FROM haircolor_history ORDER BY id DESC"
                     + " LIMIT 1")) {
            r.next();
            return new Entry(r.getString(1), Background.parse(r.getString(2)));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the colour: " + e.getMessage(), e);
        } catch (Background.Invalid e) {
            throw new IllegalStateException("a stored colour is no longer allowed: " + e.getMessage(), e);
        }
    }

    @Override
    public void add(Entry entry) {
        try (Connection c = connect()) {
            insert(c, entry);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot store the colour: " + e.getMessage(), e);
        }
    }
}
