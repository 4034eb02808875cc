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
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
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
        return (tls ? TLS : TCP) + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
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

    @Override
    public NetworkModule createNetworkModule(URI uri, MqttConnectOptions options, String clientId) {
        SocketFactory factory = options.getSocketFactory() != null ? options.getSocketFactory()
                : SocketFactory.getDefault();
        return new Module(uri, factory, options.getConnectionTimeout());
    }

    private static final class Module implements NetworkModule {
        private final URI uri;
        private final SocketFactory factory;
        private final int timeoutSeconds;
        private Socket socket;
        private InputStream in;
        private OutputStream out;

        Module(URI uri, SocketFactory factory, int timeoutSeconds) {
            this.uri = uri;
            this.factory = factory;
            this.timeoutSeconds = timeoutSeconds;
        }

        @Override
        public void start() throws IOException {
            String host = uri.getHost().replaceAll("^\\[|]$", "");
            socket = factory.createSocket();
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
            in = new BufferedInputStream(socket.getInputStream(), BUFFER);
            out = new CoalescingOutputStream(socket.getOutputStream(), "owntracks2db-mqtt-out");
        }

        @Override
        public InputStream getInputStream() {
            return in;
        }

        @Override
        public OutputStream getOutputStream() {
            return out;
        }

        @Override
        public void stop() throws IOException {
            if (socket == null) {
                return;
            }
            try {
                if (out != null) {
                    out.close(); // what is still buffered (a DISCONNECT) goes first
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
