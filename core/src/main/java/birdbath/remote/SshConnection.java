package birdbath.remote;

import birdbath.Shell;
import birdbath.BirdbathException;
import birdbath.host.Host;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.session.forward.ExplicitPortForwardingTracker;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/** One SSH session to a node. Commands run as root: directly, or through `sudo -n` when logged in as the admin. */
public final class SshConnection implements AutoCloseable {

    private final String node;
    private final String user;
    private final ClientSession session;

    SshConnection(String node, String user, ClientSession session) {
        this.node = node;
        this.user = user;
        this.session = session;
    }

    public String node() {
        return node;
    }

    public String user() {
        return user;
    }

    public Host.Result exec(String command) {
        return exec(command, (byte[]) null, Duration.ofMinutes(5));
    }

    /** Runs {@code sh -c command} as root, with {@code stdin} as its input, bounded in time. */
    public Host.Result exec(String command, byte[] stdin, Duration timeout) {
        return execStreaming(command, new ByteArrayInputStream(stdin == null ? new byte[0] : stdin), timeout);
    }

    /** Copies a local file to {@code remotePath} (mode 0600), streamed, without holding it in memory. */
    public void upload(java.nio.file.Path local, String remotePath, Duration timeout) {
        String q = Shell.quote(remotePath);
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(local)) {
            Host.Result r = execStreaming("umask 077 && cat > " + q, in, timeout);
            if (!r.ok()) {
                throw new BirdbathException(node + ": cannot write " + remotePath + ": " + r.err().strip());
            }
        } catch (IOException e) {
            throw new BirdbathException("cannot read " + local + ": " + e.getMessage());
        }
    }

    /** Streams {@code remotePath} into {@code out}; fails naming the file when the node cannot read it. */
    public void download(String remotePath, java.io.OutputStream out, Duration timeout) {
        Host.Result r = execStreaming("cat -- " + Shell.quote(remotePath), new ByteArrayInputStream(new byte[0]), out,
                timeout);
        if (!r.ok()) {
            throw new BirdbathException(node + ": cannot read " + remotePath + ": " + r.err().strip());
        }
    }

    private Host.Result execStreaming(String command, java.io.InputStream stdin, Duration timeout) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Host.Result r = execStreaming(command, stdin, out, timeout);
        return new Host.Result(r.exit(), out.toString(StandardCharsets.UTF_8), r.err());
    }

    /** Runs {@code command} with its standard output into {@code out}; the result's own output is empty. */
    private Host.Result execStreaming(String command, java.io.InputStream stdin, java.io.OutputStream out,
                                      Duration timeout) {
        String quoted = Shell.quote(command);
        String full = user.equals("root") ? "sh -c " + quoted : "sudo -n sh -c " + quoted;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ChannelExec ch = session.createExecChannel(full)) {
            ch.setIn(stdin);
            ch.setOut(out);
            ch.setErr(err);
            ch.open().verify(Duration.ofSeconds(30));
            Set<ClientChannelEvent> events = ch.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), timeout);
            if (!events.contains(ClientChannelEvent.CLOSED)) {
                throw new BirdbathException(node + ": `" + command + "` did not finish in " + timeout.toSeconds()
                        + " s");
            }
            Integer status = ch.getExitStatus();
            return new Host.Result(status == null ? -1 : status, "", err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new BirdbathException(node + ": lost the SSH connection during `" + command + "`: "
                    + e.getMessage());
        }
    }

    /**
     * Forwards a port on loopback here to {@code host:port} as the node sees it (so a service listening only on
     * the node's localhost or private address is reachable); returns the local port. Closed with the session.
     */
    public int forward(String host, int port) {
        try {
            ExplicitPortForwardingTracker t = session.createLocalPortForwardingTracker(
                    new SshdSocketAddress("127.0.0.1", 0), new SshdSocketAddress(host, port));
            return t.getBoundAddress().getPort();
        } catch (IOException e) {
            throw new BirdbathException(node + ": cannot forward a local port to " + host + ":" + port + ": "
                    + e.getMessage());
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (IOException e) {
            // closing: nothing left to do
        }
    }
}
