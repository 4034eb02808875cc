package birdbath.haircolor;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;

/**
 * `java -jar haircolor.jar`, configured by environment: HAIRCOLOR_PORT (8080), HAIRCOLOR_ADMIN_TOKEN (updates
 * disabled when unset), HAIRCOLOR_DATA_DIR (where the history file lives, default ./haircolor-data), or
 * HAIRCOLOR_DB_URL (jdbc:postgresql://HOST:PORT/DB) with HAIRCOLOR_DB_USER and HAIRCOLOR_DB_PASSWORD (or
 * HAIRCOLOR_DB_PASSWORD_FILE) to keep it in PostgreSQL.
 */
public final class HaircolorMain {

    private HaircolorMain() { }

    /** HAIRCOLOR_DB_PASSWORD, or the contents of HAIRCOLOR_DB_PASSWORD_FILE (a mounted Secret). */
    private static String password(Map<String, String> env) {
        String file = env.get("HAIRCOLOR_DB_PASSWORD_FILE");
        if (file != null && !file.isBlank()) {
            try {
                return java.nio.file.Files.readString(Path.of(file)).strip();
            } catch (java.io.IOException e) {
                throw new IllegalStateException("HAIRCOLOR_DB_PASSWORD_FILE: cannot read " + file + ": "
                        + e.getMessage());
            }
        }
        return env.get("HAIRCOLOR_DB_PASSWORD");
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        int port;
        try {
            port = Integer.parseInt(env.getOrDefault("HAIRCOLOR_PORT", "8080"));
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            System.err.println("haircolor: HAIRCOLOR_PORT must be a port number from 1 to 65535, got '"
                    + env.get("HAIRCOLOR_PORT") + "'");
            System.exit(2);
            return;
        }
        Path data = Path.of(env.getOrDefault("HAIRCOLOR_DATA_DIR", "haircolor-data"));
        String db = env.get("HAIRCOLOR_DB_URL");
        ColorStore store;
        try {
            store = db == null || db.isBlank() ? new FileColorStore(data)
                    : new PostgresColorStore(db, env.get("HAIRCOLOR_DB_USER"), password(env));
        } catch (RuntimeException e) {
            System.err.println("haircolor: " + e.getMessage());
            System.exit(2);
            return;
        }
        String token = env.get("HAIRCOLOR_ADMIN_TOKEN");
        HaircolorServer server = new HaircolorServer(new InetSocketAddress(port), store, token).start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            store.close();
        }));
        System.out.println("haircolor: listening on :" + server.port() + ", history in "
                + (db == null || db.isBlank() ? data.toAbsolutePath() : "the database")
                + (token == null || token.isEmpty() ? ", updates disabled (HAIRCOLOR_ADMIN_TOKEN unset)" : ""));
    }
}
