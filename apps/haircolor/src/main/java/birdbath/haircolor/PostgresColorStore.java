package birdbath.haircolor;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The history in PostgreSQL (table haircolor_history), for several replicas or a shared database. A new table
 * is seeded with the original's colours once, under an advisory lock, however many replicas start at once.
 */
final class PostgresColorStore implements ColorStore {

    private final String url;
    private final Properties props = new Properties();

    PostgresColorStore(String url, String user, String password) {
        this.url = url;
        if (user != null) {
            props.setProperty("user", user);
        }
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("connectTimeout", "10");
        props.setProperty("ApplicationName", "haircolor");
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
            throw new IllegalStateException("cannot use the database " + url + ": " + e.getMessage(), e);
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url, props);
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
