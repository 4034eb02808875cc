package birdbath.testkit;


import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A throw-away PostgreSQL 15 (Debian's server binaries) in a temporary directory: initdb with a generated
 * password, listening on 127.0.0.1 and a free port, its socket in the same directory; stopped and removed on
 * close. Needs root (it runs the server as the postgres user).
 */
public final class TestPostgres implements AutoCloseable {

    public static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");

    public final Path dir;
    public final int port;
    public final String password = UUID.randomUUID().toString();

    public TestPostgres() throws Exception {
        TestHost.requireProgram(BIN.resolve("initdb").toString());
        TestHost.requireRoot("the PostgreSQL server runs as the postgres user");
        dir = Files.createTempDirectory("birdbath-pg");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path pw = dir.resolve("pwfile");
        Files.writeString(pw, password + "\n");
        Commands.run("chown", "-R", "postgres:postgres", dir.toString());
        Commands.run("runuser", "-u", "postgres", "--", BIN.resolve("initdb").toString(), "-D", dir.resolve("data").toString(),
                "-A", "scram-sha-256", "--pwfile=" + pw, "-U", "postgres");
        start();
    }

    public void start() throws Exception {
        Commands.run("runuser", "-u", "postgres", "--", BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(),
                "-l", dir.resolve("log").toString(), "-w", "-o", "-c listen_addresses=127.0.0.1 -p " + port + " -k "
                        + dir, "start");
    }

    public void stop() throws Exception {
        Commands.run("runuser", "-u", "postgres", "--", BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(),
                "-m", "fast", "-w", "stop");
    }

    /** Freezes the server (SIGSTOP to the postmaster and every backend): connections hang, none is refused. */
    public void suspend() throws Exception {
        signal("STOP");
    }

    /** Lets a suspended server go on. */
    public void resume() throws Exception {
        signal("CONT");
    }

    private void signal(String signal) throws Exception {
        String pid = Files.readAllLines(dir.resolve("data/postmaster.pid")).get(0).strip();
        Commands.run("sh", "-c", "kill -" + signal + " \"$1\" $(pgrep -P \"$1\")", "sh", pid);
    }

    /**
     * Turns TLS on (restarting the server): a certificate for the name localhost from a test CA, whose file
     * {@link #caFile()} returns. Plain connections are still accepted, so a test can see which one a client used.
     */
    public TestCertificates enableTls() throws Exception {
        Path tls = dir.resolve("tls");
        Files.createDirectories(tls);
        TestCertificates certs = TestCertificates.forLocalhost(tls);
        Commands.run("chown", "-R", "postgres:postgres", tls.toString());
        Commands.run("chmod", "600", certs.serverKey.toString());
        Files.writeString(dir.resolve("data/postgresql.conf"), "ssl = on\nssl_cert_file = '" + certs.serverCert
                + "'\nssl_key_file = '" + certs.serverKey + "'\n", java.nio.file.StandardOpenOption.APPEND);
        stop();
        start();
        return certs;
    }

    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    @Override
    public void close() throws Exception {
        try {
            stop();
        } catch (IOException e) {
            // already stopped
        }
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(all::add);
        }
        for (Path p : all) {
            Files.deleteIfExists(p);
        }
    }
}
