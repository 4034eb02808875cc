package birdbath.remote;

import birdbath.BirdbathException;
import birdbath.config.Cidr;
import birdbath.provider.Node;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;

/**
 * Opens SSH sessions to nodes with birdbath's key, checking host keys against {@link KnownHosts}. Refused or
 * timed-out connections are retried with backoff (a node may still be booting); a wrong host key never is.
 */
public final class SshConnector implements AutoCloseable {

    private static final String CANNOT_CONNECT = ": cannot connect to ";

    /** Whether a failure is that the node did not answer SSH at all (it is down, or gone). */
    public static boolean unreachable(BirdbathException e) {
        return e.getMessage() != null && e.getMessage().contains(CANNOT_CONNECT);
    }

    private final SshClient client;
    private final KnownHosts knownHosts;
    private final Duration connectDeadline;
    /** "host:port" of a connection in progress -> the node it should be. */
    private final Map<String, String> expected = new ConcurrentHashMap<>();
    private final Map<String, BirdbathException> refusals = new ConcurrentHashMap<>();

    public SshConnector(Path privateKey, KnownHosts knownHosts, Duration connectDeadline) {
        this.knownHosts = knownHosts;
        this.connectDeadline = connectDeadline;
        client = SshClient.setUpDefaultClient();
        client.setKeyIdentityProvider(new FileKeyPairProvider(privateKey));
        // keys only: after a refused key, password or keyboard-interactive would only wait for answers never given
        client.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        // small request/response traffic (etcd through a forwarded port) would otherwise wait out delayed ACKs
        org.apache.sshd.core.CoreModuleProperties.TCP_NODELAY.set(client, true);
        client.setServerKeyVerifier((session, remote, key) -> {
            String where = address(remote);
            String node = expected.getOrDefault(where, where);
            try {
                knownHosts.verify(node, where, key);
                return true;
            } catch (KnownHosts.HostKeyMismatch e) {
                refusals.put(where, e);
                return false;
            }
        });
        client.start();
    }

    private static String address(SocketAddress remote) {
        String s = remote.toString();
        return s.startsWith("/") ? s.substring(1) : s;
    }

    public KnownHosts knownHosts() {
        return knownHosts;
    }

    /** The documentation ranges (RFC 5737): never a real host; linode-sim hands them out. */
    private static final List<Cidr> DOCUMENTATION = List.of(Cidr.parse("192.0.2.0/24"),
            Cidr.parse("198.51.100.0/24"), Cidr.parse("203.0.113.0/24"));

    /** Whether the node is one of linode-sim's without a machine: its address is a documentation one. */
    public static boolean simulated(Node node) {
        long ip = Cidr.toLong(node.ssh().host());
        return ip >= 0 && DOCUMENTATION.stream().anyMatch(c -> c.contains(ip));
    }

    /** A session to the node as the first of {@code users} that may log in. */
    public SshConnection connect(Node node, List<String> users) {
        String where = node.ssh().host() + ":" + node.ssh().port();
        if (simulated(node)) {
            throw new BirdbathException(node.name() + " has a documentation address (" + node.ssh().host()
                    + "), as linode-sim gives out: there is no machine to log in to. Against the simulator, run"
                    + " `up --only provision`.");
        }
        List<String> tried = new ArrayList<>();
        for (String user : new LinkedHashSet<>(users)) {
            ClientSession session = open(node, where, user);
            try {
                session.auth().verify(Duration.ofSeconds(20));
                return new SshConnection(node.name(), user, session);
            } catch (IOException e) {
                closeQuietly(session);
                BirdbathException refused = refusals.remove(where);
                if (refused != null) {
                    throw refused;
                }
                tried.add(user);
            }
        }
        throw new BirdbathException(node.name() + ": SSH login refused for " + String.join(", ", tried) + " at "
                + where + " with birdbath's key (" + "`.birdbath/ssh/id_ecdsa`)");
    }

    private ClientSession open(Node node, String where, String user) {
        long deadline = System.nanoTime() + connectDeadline.toNanos();
        long backoff = 100;
        expected.put(where, node.name());
        while (true) {
            try {
                ClientSession session = client.connect(user, node.ssh().host(), node.ssh().port())
                        .verify(Duration.ofSeconds(10)).getSession();
                return session;
            } catch (IOException e) {
                BirdbathException refused = refusals.remove(where);
                if (refused != null) {
                    throw refused;
                }
                if (System.nanoTime() > deadline) {
                    throw new BirdbathException(node.name() + CANNOT_CONNECT + where + " over SSH ("
                            + e.getMessage() + ") after " + connectDeadline.toSeconds() + " s");
                }
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new BirdbathException("interrupted while connecting to " + node.name());
                }
                backoff = Math.min(2000, backoff * 2);
            }
        }
    }

    private static void closeQuietly(ClientSession session) {
        try {
            session.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }

    @Override
    public void close() {
        try {
            client.stop();
            client.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }
}
