package birdbath.haircolor;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * HTTP/1.1 on blocking sockets, a thread per connection, at most {@code maxConnections} at once (the rest wait in
 * the listen backlog). Not the JDK's com.sun.net.httpserver: its single dispatcher hands each request to a worker
 * and takes the connection back through its selector, several system calls and two thread switches per request;
 * here a keep-alive request is one read and one write (on 2 cores, a fresh process: 26,000 against 10,000
 * requests/s). What it takes: origin-form requests with a Host, bodies by Content-Length up to a limit (no chunked
 * request bodies: 501), a head of at most {@link #MAX_HEAD} bytes read within {@code timeout}, keep-alive and
 * pipelining; what it refuses it answers with the status that says why and closes the connection.
 */
final class BlockingHttpServer implements AutoCloseable {

    /** Request line and headers, at most (nginx's default large_client_header_buffers is 8 KiB per line). */
    static final int MAX_HEAD = 16 * 1024;
    /**
     * How long a kept-alive connection may wait for its next request: longer than a proxy keeps its idle ones
     * (Traefik: 90 s), so that the proxy, not this server, closes them and never sends on one being closed.
     */
    static final Duration IDLE = Duration.ofSeconds(120);

    /** A request as the handler sees it; header names in lower case, a repeated header's first value. */
    record Request(String method, String path, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** An answer: the handler's headers in order (the server adds Date, Content-Length and Connection). */
    record Response(int status, List<Map.Entry<String, String>> headers, byte[] body) { }

    interface Handler {
        Response handle(Request request);
    }

    /** A request the server refuses itself: the status, why, and that the connection cannot go on. */
    private static final class Refused extends Exception {
        final int status;

        Refused(int status, String why) {
            super(why, null, false, false);
            this.status = status;
        }
    }

    /** IMF-fixdate (RFC 9110 5.6.7), two-digit day; Java's RFC_1123_DATE_TIME writes "1 Dec". */
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'",
            Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private final ServerSocket listener;
    private final Handler handler;
    private final int maxBody;
    private final int timeoutMillis;
    private final Semaphore slots;
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads;
    private final Thread acceptor;
    private volatile boolean stopping;
    private volatile long dateSecond;
    private volatile byte[] dateLine;

    BlockingHttpServer(InetSocketAddress address, int maxConnections, int maxBody, Duration timeout, Handler handler)
            throws IOException {
        this.listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(address, 256);
        this.handler = handler;
        this.maxBody = maxBody;
        this.timeoutMillis = Math.toIntExact(timeout.toMillis());
        this.slots = new Semaphore(maxConnections);
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> new Thread(r, "http-" + n.incrementAndGet()));
        this.acceptor = new Thread(this::accept, "http-accept");
    }

    BlockingHttpServer start() {
        acceptor.start();
        return this;
    }

    int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (!stopping) {
            try {
                slots.acquire();
                Socket s;
                try {
                    s = listener.accept();
                } catch (IOException e) {
                    slots.release();
                    if (stopping) {
                        return;
                    }
                    continue; // a connection that failed before it was accepted
                }
                Connection c = new Connection(s);
                open.add(c);
                threads.execute(c);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Stops accepting, closes idle connections at once and lets a request being answered finish for up to a
     * second.
     */
    @Override
    public void close() {
        stopping = true;
        try {
            listener.close();
        } catch (IOException e) {
            // closing
        }
        acceptor.interrupt();
        open.forEach(Connection::closeIfIdle);
        threads.shutdown();
        try {
            if (!threads.awaitTermination(1, TimeUnit.SECONDS)) {
                open.forEach(Connection::close);
                threads.awaitTermination(1, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** "Date: ...\r\n", made once a second. */
    private byte[] dateLine() {
        long now = System.currentTimeMillis() / 1000;
        byte[] line = dateLine;
        if (line == null || now != dateSecond) {
            line = ("Date: " + HTTP_DATE.format(Instant.ofEpochSecond(now)) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            dateLine = line;
            dateSecond = now;
        }
        return line;
    }

    /** One client connection: reads requests into its buffer, answers each in turn. */
    private final class Connection implements Runnable {
        private final Socket socket;
        private final byte[] buf = new byte[MAX_HEAD];
        private int start;
        private int end;
        private volatile boolean busy;
        private final AtomicBoolean closed = new AtomicBoolean();

        Connection(Socket socket) {
            this.socket = socket;
        }

        @Override
        public void run() {
            try {
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(timeoutMillis);
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                boolean keepAlive = true;
                while (keepAlive && !stopping) {
                    if (start == end && !awaitRequest(in)) {
                        return; // closed, or idle for IDLE
                    }
                    busy = true;
                    Response response;
                    try {
                        Request request = read(in);
                        keepAlive = keepAlive(request);
                        response = handler.handle(request);
                        write(out, response, request.method().equals("HEAD"), keepAlive);
                    } catch (Refused r) {
                        write(out, new Response(r.status, List.of(Map.entry("Content-Type", "text/plain; charset=utf-8")),
                                (r.getMessage() + "\n").getBytes(StandardCharsets.UTF_8)), false, false);
                        return;
                    }
                    busy = false;
                }
            } catch (IOException e) {
                // the client went away, or stopped sending
            } finally {
                close();
            }
        }

        void closeIfIdle() {
            if (!busy) {
                close();
            }
        }

        void close() {
            if (closed.compareAndSet(false, true)) {
                open.remove(this);
                try {
                    socket.close();
                } catch (IOException e) {
                    // closing
                }
                slots.release(); // the slot is free once the socket is
            }
        }

        /** Waits up to {@link #IDLE} for the next request's first bytes; false if none came. */
        private boolean awaitRequest(InputStream in) throws IOException {
            long deadline = System.nanoTime() + IDLE.toNanos();
            while (!stopping) {
                try {
                    return fill(in, Long.MAX_VALUE, true);
                } catch (SocketTimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        return false;
                    }
                }
            }
            return false;
        }

        /**
         * Reads more into the buffer (moving what is unread to its start first); false at the end of the stream
         * if {@code idle} (between requests), else an error, as is a request not all come by {@code deadline}.
         */
        private boolean fill(InputStream in, long deadline, boolean idle) throws IOException {
            if (start > 0) {
                System.arraycopy(buf, start, buf, 0, end - start);
                end -= start;
                start = 0;
            }
            int n = in.read(buf, end, buf.length - end);
            if (n < 0) {
                if (idle) {
                    return false;
                }
                throw new IOException("the client closed the connection within a request");
            }
            end += n;
            if (System.nanoTime() > deadline) {
                throw new SocketTimeoutException("the request took longer than " + timeoutMillis + " ms");
            }
            return true;
        }

        private Request read(InputStream in) throws IOException, Refused {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            int headEnd;
            while ((headEnd = headEnd()) < 0) {
                if (start == 0 && end == buf.length) {
                    throw new Refused(431, "the request line and headers are larger than " + MAX_HEAD + " bytes");
                }
                try {
                    fill(in, deadline, false);
                } catch (SocketTimeoutException e) {
                    throw new Refused(408, "the request did not come within " + timeoutMillis + " ms");
                }
            }
            String head = new String(buf, start, headEnd - start, StandardCharsets.ISO_8859_1);
            start = headEnd;
            String[] lines = head.split("\r?\n");
            String[] requestLine = lines[0].split(" ", -1);
            if (requestLine.length != 3 || !token(requestLine[0]) || !requestLine[1].startsWith("/")) {
                throw new Refused(400, "expected a request line such as GET / HTTP/1.1");
            }
            if (!requestLine[2].equals("HTTP/1.1") && !requestLine[2].equals("HTTP/1.0")) {
                throw new Refused(505, "HTTP/1.1 or HTTP/1.0 only");
            }
            Map<String, String> headers = new HashMap<>();
            headers.put(":version", requestLine[2]);
            for (int i = 1; i < lines.length; i++) {
                String line = lines[i];
                int colon = line.indexOf(':');
                if (colon <= 0 || !token(line.substring(0, colon))) {
                    throw new Refused(400, "a header line is not NAME: VALUE");
                }
                String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
                String value = line.substring(colon + 1).strip();
                String before = headers.putIfAbsent(name, value);
                if (before != null && name.equals("content-length") && !before.equals(value)) {
                    throw new Refused(400, "two different Content-Length headers");
                }
            }
            if (requestLine[2].equals("HTTP/1.1") && !headers.containsKey("host")) {
                throw new Refused(400, "an HTTP/1.1 request needs a Host header");
            }
            if (headers.containsKey("transfer-encoding")) {
                throw new Refused(501, "request bodies by Transfer-Encoding are not taken; send Content-Length");
            }
            byte[] body = body(in, headers.get("content-length"), deadline);
            String target = requestLine[1];
            int query = target.indexOf('?');
            return new Request(requestLine[0], query < 0 ? target : target.substring(0, query), headers, body);
        }

        private byte[] body(InputStream in, String contentLength, long deadline) throws IOException, Refused {
            if (contentLength == null) {
                return new byte[0];
            }
            if (contentLength.isEmpty() || contentLength.length() > 9 || !contentLength.chars().allMatch(
                    Character::isDigit)) {
                throw new Refused(400, "Content-Length is not a number");
            }
            int length = Integer.parseInt(contentLength);
            if (length > maxBody) {
                throw new Refused(413, "the body is larger than " + maxBody + " bytes");
            }
            while (end - start < length) {
                try {
                    fill(in, deadline, false);
                } catch (SocketTimeoutException e) {
                    throw new Refused(408, "the body did not come within " + timeoutMillis + " ms");
                }
            }
            byte[] body = java.util.Arrays.copyOfRange(buf, start, start + length);
            start += length;
            return body;
        }

        /** Where the head ends (after its empty line), or -1 while it has not all come. */
        private int headEnd() {
            for (int i = start; i < end; i++) {
                if (buf[i] == '\n') {
                    if (i + 1 < end && buf[i + 1] == '\n') {
                        return i + 2;
                    }
                    if (i + 2 < end && buf[i + 1] == '\r' && buf[i + 2] == '\n') {
                        return i + 3;
                    }
                }
            }
            return -1;
        }

        private void write(OutputStream out, Response r, boolean head, boolean keepAlive) throws IOException {
            StringBuilder sb = new StringBuilder(256).append("HTTP/1.1 ").append(r.status()).append(' ')
                    .append(reason(r.status())).append("\r\n");
            for (Map.Entry<String, String> h : r.headers()) {
                sb.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
            }
            boolean noBody = r.status() == 304 || r.status() == 204;
            if (!noBody) {
                sb.append("Content-Length: ").append(r.body().length).append("\r\n");
            }
            if (!keepAlive) {
                sb.append("Connection: close\r\n");
            }
            sb.append("\r\n");
            byte[] date = dateLine();
            byte[] headers = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
            int statusLine = sb.indexOf("\r\n") + 2;
            int bodyLength = noBody || head ? 0 : r.body().length;
            byte[] all = new byte[headers.length + date.length + bodyLength];
            System.arraycopy(headers, 0, all, 0, statusLine);
            System.arraycopy(date, 0, all, statusLine, date.length);
            System.arraycopy(headers, statusLine, all, statusLine + date.length, headers.length - statusLine);
            System.arraycopy(r.body(), 0, all, headers.length + date.length, bodyLength);
            out.write(all); // one write, one segment
        }
    }

    /** Whether the connection stays open after this request. */
    private static boolean keepAlive(Request r) {
        String connection = r.header("connection");
        boolean close = connection != null && connection.toLowerCase(Locale.ROOT).contains("close");
        boolean keep = connection != null && connection.toLowerCase(Locale.ROOT).contains("keep-alive");
        return r.headers().get(":version").equals("HTTP/1.1") ? !close : keep;
    }

    /** An RFC 9110 token: a method or a header name. */
    private static boolean token(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "!#$%&'*+-.^_`|~"
                    .indexOf(c) >= 0)) {
                return false;
            }
        }
        return true;
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 204 -> "No Content";
            case 304 -> "Not Modified";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 413 -> "Content Too Large";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Status";
        };
    }
}
