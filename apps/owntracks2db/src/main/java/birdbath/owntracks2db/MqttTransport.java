package birdbath.owntracks2db;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.Set;
import javax.net.SocketFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.internal.NetworkModule;
import org.eclipse.paho.client.mqttv3.spi.NetworkModuleFactory;

/**
 * How Paho reaches the broker, plain or TLS alike (found by Paho's ServiceLoader under the schemes
 * {@link #TCP} and {@link #TLS}): input buffered, since Paho reads each packet's header a byte at a time, and
 * output coalesced ({@link CoalescingOutputStream}), since it flushes each acknowledgement by itself; TCP_NODELAY,
 * so what is flushed goes at once. TLS checks the broker's name as HTTPS does (RFC 2818, by JSSE itself) and
 * sends it as SNI.
 */
public final class MqttTransport implements NetworkModuleFactory {

    static final String TCP = "owntracks2db-tcp";
    static final String TLS = "owntracks2db-tls";
    private static final int BUFFER = 64 * 1024;

    /** The URI Paho is given for {@code host}:{@code port}, plain or TLS. */
    static String uri(boolean tls, String host, int port) {
        String bare = host.replaceAll("^\\[|]$", "");
        return (tls ? TLS : TCP) + "://" + (bare.contains(":") ? "[" + bare + "]" : bare) + ":" + port;
    }

    @Override
    public Set<String> getSupportedUriSchemes() {
        return Set.of(TCP, TLS);
    }

    @Override
    public void validateURI(URI uri) {
        if (uri.getHost() == null || uri.getPort() < 0) {
            throw new IllegalArgumentException("expected " + uri.getScheme() + "://HOST:PORT, got " + uri);
        }
    }

    /** A TLS URI needs an SSLSocketFactory (the default one if none is set), a plain one a plain factory. */
    @Override
    public NetworkModule createNetworkModule(URI uri, MqttConnectOptions options, String clientId)
            throws MqttException {
        boolean tls = uri.getScheme().equals(TLS);
        SocketFactory factory = options.getSocketFactory();
        if (factory == null) {
            factory = tls ? SSLSocketFactory.getDefault() : SocketFactory.getDefault();
        } else if (tls != factory instanceof SSLSocketFactory) {
            throw new MqttException(MqttException.REASON_CODE_SOCKET_FACTORY_MISMATCH);
        }
        return new Module(uri, factory, options.getConnectionTimeout());
    }

    private static final class Module implements NetworkModule {
        private final URI uri;
        private final SocketFactory factory;
        private final int timeoutSeconds;
        // set by Paho's connecting thread, read by its others
        private volatile Socket socket;
        private volatile InputStream in;
        private volatile OutputStream out;
        private volatile boolean stopped;

        Module(URI uri, SocketFactory factory, int timeoutSeconds) {
            this.uri = uri;
            this.factory = factory;
            this.timeoutSeconds = timeoutSeconds;
        }

        @Override
        public void start() throws IOException {
            stopped = false;
            String host = uri.getHost().replaceAll("^\\[|]$", "");
            Socket socket = factory.createSocket();
            this.socket = socket;
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, uri.getPort()), timeoutSeconds * 1000);
            if (uri.getScheme().equals(TLS)) {
                if (!(socket instanceof SSLSocket ssl)) {
                    socket.close();
                    throw new IOException("TLS to " + host + " needs an SSLSocketFactory");
                }
                SSLParameters p = ssl.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                if (!host.contains(":") && !host.matches("[0-9.]+")) {
                    p.setServerNames(List.of(new SNIHostName(host)));
                }
                ssl.setSSLParameters(p);
                ssl.setSoTimeout(timeoutSeconds * 1000);
                ssl.startHandshake();
                ssl.setSoTimeout(0);
            }
            if (stopped) { // stop() came while this connected: nothing of it may stay open
                socket.close();
                throw new IOException("stopped while connecting");
            }
            in = new BufferedInputStream(socket.getInputStream(), BUFFER);
            out = new CoalescingOutputStream(socket.getOutputStream(), "owntracks2db-mqtt-out", () -> abort(socket));
        }

        /** Closes at once, unsent bytes dropped: also unblocks a write (and JDK 17's SSLSocket.close behind it). */
        private static void abort(Socket socket) {
            try {
                socket.setSoLinger(true, 0);
            } catch (IOException e) {
                // closed already
            }
            try {
                socket.close();
            } catch (IOException e) {
                // closed already
            }
        }

        @Override
        public InputStream getInputStream() {
            return in;
        }

        @Override
        public OutputStream getOutputStream() {
            return out;
        }

        /** What is still buffered (a DISCONNECT) goes first, for 2 s at most; then the socket closes. */
        @Override
        public void stop() throws IOException {
            stopped = true;
            Socket socket = this.socket;
            if (socket == null) {
                return;
            }
            try {
                OutputStream out = this.out;
                if (out != null) {
                    out.close();
                }
            } finally {
                socket.close();
            }
        }

        @Override
        public String getServerURI() {
            return uri.toString();
        }
    }
}
