package birdbath.testkit;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away Mosquitto 2 (this machine's unless a {@link MosquittoProgram} says otherwise) on 127.0.0.1 and a
 * free port: no anonymous clients, one user with a generated password, no limit on the messages it queues for a
 * persistent session (Mosquitto's default of 1000 would drop the rest, which is not what a lossless ingest can be
 * tested against), and at most {@link #MAX_INFLIGHT} unacknowledged messages in flight to a client.
 */
public final class TestMosquitto implements AutoCloseable {

    public static final String USER = "owntracks";
    /** QoS 1 messages sent to a client and not yet acknowledged, at most (Mosquitto's default is 20). */
    public static final int MAX_INFLIGHT = 10_000;

    public final Path dir;
    public final int port;
    /** A TLS listener with a certificate for the name localhost (not the address) from {@link #caFile()}. */
    public final int tlsPort;
    public final String password = UUID.randomUUID().toString();
    private final TestCertificates certificates;
    private final MosquittoProgram program;
    private Process process;

    public TestMosquitto() throws Exception {
        this(null);
    }

    /**
     * A broker that checks logins against {@code passwordFile} (a Mosquitto password file made elsewhere) instead
     * of the generated {@link #USER} and {@link #password}.
     */
    public TestMosquitto(Path passwordFile) throws Exception {
        this(passwordFile, MAX_INFLIGHT, false);
    }

    /**
     * With {@code maxInflight} unacknowledged QoS 1 messages per client at most, and, if {@code persistent},
     * sessions and their messages kept across {@link #restart()} (Mosquitto's persistence file in {@link #dir}).
     */
    public TestMosquitto(Path passwordFile, int maxInflight, boolean persistent) throws Exception {
        this(MosquittoProgram.host(), passwordFile, maxInflight, persistent);
    }

    /** As above, running {@code program}. */
    public TestMosquitto(MosquittoProgram program, Path passwordFile, int maxInflight, boolean persistent)
            throws Exception {
        this.program = program;
        TestHost.requireProgram("mosquitto_pub");
        dir = Files.createTempDirectory("birdbath-mosquitto");
        try (ServerSocket s = new ServerSocket(0); ServerSocket t = new ServerSocket(0)) {
            port = s.getLocalPort();
            tlsPort = t.getLocalPort();
        }
        if (passwordFile == null) {
            Commands.run("mosquitto_passwd", "-c", "-b", dir.resolve("passwd").toString(), USER, password);
        } else {
            Files.copy(passwordFile, dir.resolve("passwd"));
        }
        certificates = TestCertificates.forLocalhost(dir);
        // mosquitto drops root and still has to read its key
        Commands.run("chmod", "644", certificates.serverKey.toString());
        Files.writeString(dir.resolve("mosquitto.conf"), String.join("\n", List.of(
                "per_listener_settings false", "allow_anonymous false",
                "password_file " + dir.resolve("passwd"), "persistence " + persistent,
                "persistence_location " + dir + "/", "user root",
                "max_queued_messages 0", "max_inflight_messages " + maxInflight, "listener " + port + " 127.0.0.1",
                "listener " + tlsPort + " 127.0.0.1", "cafile " + caFile(), "certfile " + certificates.serverCert,
                "keyfile " + certificates.serverKey, "")));
        start();
    }

    public void start() throws Exception {
        List<String> command = new java.util.ArrayList<>(program.command());
        command.addAll(List.of("-c", dir.resolve("mosquitto.conf").toString()));
        process = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (java.io.IOException e) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("mosquitto did not start: " + Files.readString(
                            dir.resolve("mosquitto.log")), e);
                }
                Thread.sleep(50);
            }
        }
    }

    /** Stops the broker (SIGTERM: a persistent one saves its sessions) and starts it again on the same ports. */
    public void restart() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("mosquitto did not stop within 10 s");
        }
        start();
    }

    /** Publishes one message at QoS 1 with Mosquitto's own client, as the test user. */
    public void publish(String topic, String payload) throws Exception {
        Commands.run("mosquitto_pub", "-h", "127.0.0.1", "-p", String.valueOf(port), "-u", USER, "-P", password, "-q",
                "1", "-t", topic, "-m", payload);
    }

    public Path caFile() {
        return certificates.ca;
    }

    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    @Override
    public void close() throws Exception {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
