package birdbath.owntracks2db;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Plain TCP sockets whose input is buffered. Paho reads each message's header byte by byte from the socket's
 * stream, which unbuffered is a system call per byte; buffered, one read takes many messages at once. Also
 * TCP_NODELAY, so an acknowledgement is not held back waiting for more to send.
 */
final class BufferedSocketFactory extends SocketFactory {

    private static final int BUFFER = 64 * 1024;

    @Override
    public Socket createSocket() throws IOException {
        Socket s = new Socket() {
            private InputStream in;

            @Override
            public synchronized InputStream getInputStream() throws IOException {
                if (in == null) {
                    in = new BufferedInputStream(super.getInputStream(), BUFFER);
                }
                return in;
            }
        };
        s.setTcpNoDelay(true);
        return s;
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
    }

    private Socket connected(InetSocketAddress remote) throws IOException {
        Socket s = createSocket();
        s.connect(remote);
        return s;
    }

    private Socket connected(InetSocketAddress remote, InetSocketAddress local) throws IOException {
        Socket s = createSocket();
        s.bind(local);
        s.connect(remote);
        return s;
    }
}
