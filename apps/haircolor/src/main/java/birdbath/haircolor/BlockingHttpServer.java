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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * HTTP/1.1 (RFC 9112) on blocking sockets, a thread per connection. Not the JDK's com.sun.net.httpserver: its
 * single dispatcher hands each request to a worker and takes the connection back through its selector, several
 * system calls and two thread switches per request; here a keep-alive request is one read and one write (on 2
 * cores, a fresh process: 26,000 against 10,000 requests/s).
 *
 * <p>It takes origin-form and absolute-form requests with one Host, bodies by Content-Length or chunked up to a
 * limit (answering {@code Expect: 100-continue}), keep-alive and pipelining. What it refuses it answers with the
 * status that says why, then closes the way RFC 9112 9.6 asks (its side first, the client's rest read and
 * dropped), so that the client reads the answer rather than a reset. A head must arrive within {@code timeout}
 * of its first byte. At most {@code maxConnections} are open: a new one beyond that closes the one idle longest,
 * or, if every one is busy, is answered 503.
 */
final class BlockingHttpServer implements AutoCloseable {

    /** Request line and headers, at most (nginx takes 4 lines of 8 KiB; cookies of a parent domain add up). */
    static final int MAX_HEAD = 64 * 1024;
    /**
     * How long a kept-alive connection may wait for its next request: longer than a proxy keeps its idle ones
     * (Traefik: 90 s), so that the proxy, not this server, closes them and never sends on one being closed.
     */
    static final Duration IDLE = Duration.ofSeconds(120);
    /** After a refusal, how long and how much of the client's rest is read and dropped before closing. */
    private static final int LINGER_MILLIS = 1000;
    private static final int LINGER_BYTES = 64 * 1024;

    /**
     * A request as the handler sees it; header names in lower case, repeated header lines joined by ", ";
     * {@code http10}: it came as HTTP/1.0 (other 1.x versions are taken as 1.1).
     */
    record Request(String method, String path, boolean http10, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** An answer: the handler's headers in order (the server adds Date, Content-Length and Connection). */
    record Response(int status, List<Map.Entry<String, String>> headers, byte[] body) {
        static Response text(int status, String text) {
            return new Response(status, List.of(Map.entry("Content-Type", "text/plain; charset=utf-8")),
                    (text + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    interface Handler {
        Response handle(Request request);
    }

    /** A request the server refuses itself: the status and why; the connection cannot go on after it. */
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
    private final int maxConnections;
    private final int maxBody;
    private final int timeoutMillis;
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads;
    private final Thread acceptor;
    private volatile boolean stopping;
    private volatile String dateLine = "";
    private volatile long dateSecond = -1;

    BlockingHttpServer(InetSocketAddress address, int maxConnections, int maxBody, Duration timeout, Handler handler)
            throws IOException {
        if (maxBody > MAX_HEAD / 2) {
            throw new IllegalArgumentException("a body must fit the connection's buffer: at most " + MAX_HEAD / 2);
        }
        this.listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(address, 256);
        this.handler = handler;
        this.maxConnections = maxConnections;
        this.maxBody = maxBody;
        this.timeoutMillis = Math.toIntExact(timeout.toMillis());
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
        long backoff = 5;
        while (!stopping) {
            Socket s;
            try {
                s = listener.accept();
                backoff = 5;
            } catch (IOException e) {
                if (stopping) {
                    return;
                }
                // out of file descriptors, say: wait a little instead of spinning
                pause(backoff);
                backoff = Math.min(1000, backoff * 2);
                continue;
            }
            try {
                Connection c = new Connection(s);
                if (open.size() >= maxConnections && !closeLongestIdle()) {
                    threads.execute(() -> c.refuse(Response.text(503, "too many connections; try again")));
                } else {
                    open.add(c);
                    threads.execute(c);
                }
            } catch (RuntimeException | Error e) {
                // no thread to be had: this connection is dropped, the server goes on
                closeQuietly(s);
            }
        }
    }

    /** Makes room for a new connection by closing the one that has waited longest for a request; false if none. */
    private boolean closeLongestIdle() {
        Connection longest = null;
        for (Connection c : open) {
            if (c.idleSince != 0 && (longest == null || c.idleSince - longest.idleSince < 0)) {
                longest = c;
            }
        }
        if (longest == null) {
            return false;
        }
        longest.close();
        return true;
    }

    /**
     * Stops accepting, closes idle connections at once, lets a request being answered finish for up to a
     * second (its answer says Connection: close), then closes the rest.
     */
    @Override
    public void close() {
        stopping = true;
        closeQuietly(listener);
        acceptor.interrupt();
        try {
            acceptor.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        open.forEach(Connection::closeIfIdle);
        threads.shutdown();
        try {
            if (!threads.awaitTermination(1, TimeUnit.SECONDS)) {
                open.forEach(Connection::close);
                threads.shutdownNow();
                threads.awaitTermination(1, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** "Date: ...\r\n", made once a second. */
    private String dateLine() {
        long now = System.currentTimeMillis() / 1000;
        String line = dateLine;
        if (now != dateSecond) {
            line = "Date: " + HTTP_DATE.format(Instant.ofEpochSecond(now)) + "\r\n";
            dateLine = line;
            dateSecond = now;
        }
        return line;
    }

    /** One client connection: reads requests into its buffer, answers each in turn. */
    private final class Connection implements Runnable {
        private final Socket socket;
        private final byte[] buf = new byte[MAX_HEAD];
        private final AtomicBoolean closed = new AtomicBoolean();
        private int start;
        private int end;
        /** Where headEnd() stopped looking, so that a head arriving in pieces is scanned once. */
        private int scanned;
        /** nanoTime since when it waits for a request; 0 while a request is being read or answered. */
        private volatile long idleSince = System.nanoTime();

        Connection(Socket socket) {
            this.socket = socket;
        }

        @Override
        public void run() {
            try {
                socket.setTcpNoDelay(true);
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                boolean keepAlive = true;
                while (keepAlive && !stopping) {
                    idleSince = System.nanoTime();
                    if (start == end && !awaitRequest(in)) {
                        return; // closed, or idle for IDLE
                    }
                    idleSince = 0;
                    Request request;
                    try {
                        request = read(in, out);
                    } catch (Refused r) {
                        refuse(Response.text(r.status, r.getMessage()));
                        return;
                    }
                    Response response;
                    try {
                        response = handler.handle(request);
                    } catch (RuntimeException e) {
                        System.err.println(Instant.now() + " error " + request.method() + " " + request.path() + ": "
                                + e);
                        refuse(Response.text(500, "internal error"));
                        return;
                    }
                    keepAlive = keepAlive(request) && !stopping;
                    write(out, response, request.method().equals("HEAD"), keepAlive, keepAlive && request.http10());
                }
            } catch (IOException e) {
                // the client went away, or stopped sending
            } catch (RuntimeException e) {
                System.err.println(Instant.now() + " error on a connection: " + e);
            } finally {
                close();
            }
        }

        /**
         * Answers and closes as RFC 9112 9.6 asks: its own side first, then what the client still sends is read
         * and dropped (up to a second, 64 KiB), so the client's unread bytes do not turn the close into a reset
         * that would lose the answer.
         */
        void refuse(Response response) {
            try {
                write(socket.getOutputStream(), response, false, false, false);
                socket.shutdownOutput();
                socket.setSoTimeout(LINGER_MILLIS);
                InputStream in = socket.getInputStream();
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MILLIS);
                byte[] drop = new byte[8192];
                int dropped = 0;
                while (dropped < LINGER_BYTES && deadline - System.nanoTime() > 0) {
                    int n = in.read(drop);
                    if (n < 0) {
                        break;
                    }
                    dropped += n;
                }
            } catch (IOException e) {
                // gone already
            } finally {
                close();
            }
        }

        void closeIfIdle() {
            if (idleSince != 0) {
                close();
            }
        }

        void close() {
            if (closed.compareAndSet(false, true)) {
                open.remove(this);
                closeQuietly(socket);
            }
        }

        /** Waits up to {@link #IDLE} for the next request's first bytes; false if none came. */
        private boolean awaitRequest(InputStream in) throws IOException {
            socket.setSoTimeout(Math.toIntExact(IDLE.toMillis()));
            try {
                return fill(in);
            } catch (SocketTimeoutException e) {
                return false;
            }
        }

        /** Reads more into the buffer, what is unread moved to its start first; false at the end of the stream. */
        private boolean fill(InputStream in) throws IOException {
            if (start > 0) {
                System.arraycopy(buf, start, buf, 0, end - start);
                end -= start;
                scanned = Math.max(0, scanned - start);
                start = 0;
            }
            int n = in.read(buf, end, buf.length - end);
            if (n < 0) {
                return false;
            }
            end += n;
            return true;
        }

        /** Reads more of a request, which must all have come by {@code deadline} (a System.nanoTime()). */
        private void more(InputStream in, long deadline, String what) throws IOException, Refused {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new Refused(408, what + " did not come within " + timeoutMillis + " ms");
            }
            socket.setSoTimeout(Math.toIntExact(left));
            try {
                if (!fill(in)) {
                    throw new IOException("the client closed the connection within a request");
                }
            } catch (SocketTimeoutException e) {
                throw new Refused(408, what + " did not come within " + timeoutMillis + " ms");
            }
        }

        private Request read(InputStream in, OutputStream out) throws IOException, Refused {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            int headEnd;
            while (true) {
                // RFC 9112 2.2: empty lines before a request line are skipped
                while (start < end && (buf[start] == '\r' || buf[start] == '\n')) {
                    start++;
                }
                scanned = Math.max(scanned, start);
                if (start < end && (headEnd = headEnd()) >= 0) {
                    break;
                }
                if (start == 0 && end == buf.length) {
                    throw new Refused(431, "the request line and headers are larger than " + MAX_HEAD + " bytes");
                }
                more(in, deadline, "the request");
            }
            String head = new String(buf, start, headEnd - start, StandardCharsets.ISO_8859_1);
            start = headEnd;
            scanned = start;
            String[] lines = head.split("\r?\n");
            if (lines[0].chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw new Refused(400, "the request line holds a control character");
            }
            String[] requestLine = lines[0].split(" ", -1);
            if (requestLine.length != 3 || !token(requestLine[0])) {
                throw new Refused(400, "expected a request line such as GET / HTTP/1.1");
            }
            String version = requestLine[2];
            if (!version.matches("HTTP/1\\.[0-9]")) {
                throw new Refused(505, "HTTP/1.1 only");
            }
            String path = path(requestLine[1]);
            Map<String, String> headers = headers(lines);
            boolean http10 = version.equals("HTTP/1.0");
            if (!http10 && !headers.containsKey("host")) {
                throw new Refused(400, "an HTTP/1.1 request needs a Host header");
            }
            String coding = headers.get("transfer-encoding");
            if (coding != null && (http10 || !coding.equalsIgnoreCase("chunked"))) {
                throw new Refused(501, "of transfer codings only chunked is taken, and not from HTTP/1.0");
            }
            if (coding != null && headers.containsKey("content-length")) {
                throw new Refused(400, "both Transfer-Encoding and Content-Length");
            }
            int length = coding == null ? contentLength(headers.get("content-length")) : -1;
            if (length != 0 && !http10 && "100-continue".equalsIgnoreCase(headers.get("expect")) && start == end) {
                // RFC 9110 10.1.1: the client waits for this before it sends the body
                out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
            byte[] body = length >= 0 ? body(in, length, deadline) : chunked(in, deadline);
            return new Request(requestLine[0], path, http10, headers, body);
        }

        private byte[] body(InputStream in, int length, long deadline) throws IOException, Refused {
            while (end - start < length) {
                more(in, deadline, "the body");
            }
            byte[] body = java.util.Arrays.copyOfRange(buf, start, start + length);
            start += length;
            return body;
        }

        /** A chunked body (RFC 9112 7.1), chunk extensions and trailers dropped, at most maxBody in all. */
        private byte[] chunked(InputStream in, long deadline) throws IOException, Refused {
            java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
            while (true) {
                String sizeLine = line(in, deadline);
                int semicolon = sizeLine.indexOf(';');
                String hex = (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).strip();
                if (hex.isEmpty() || hex.length() > 8 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                    throw new Refused(400, "a chunk size is not a hexadecimal number");
                }
                long size = Long.parseLong(hex, 16);
                if (body.size() + size > maxBody) {
                    throw new Refused(413, "the body is larger than " + maxBody + " bytes");
                }
                if (size == 0) {
                    while (!line(in, deadline).isEmpty()) {
                        // a trailer field: dropped
                    }
                    return body.toByteArray();
                }
                while (end - start < size + 2) {
                    more(in, deadline, "the body");
                }
                body.write(buf, start, (int) size);
                start += (int) size;
                if (buf[start] != '\r' || buf[start + 1] != '\n') {
                    throw new Refused(400, "a chunk does not end with CRLF");
                }
                start += 2;
            }
        }

        /** One CRLF-ended line of a chunked body, without its end. */
        private String line(InputStream in, long deadline) throws IOException, Refused {
            while (true) {
                for (int i = start; i < end; i++) {
                    if (buf[i] == '\n') {
                        String line = new String(buf, start, i - start, StandardCharsets.ISO_8859_1);
                        start = i + 1;
                        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
                    }
                }
                if (start == 0 && end == buf.length) {
                    throw new Refused(400, "a chunk line is too long");
                }
                more(in, deadline, "the body");
            }
        }

        /** Where the head ends (after its empty line), or -1 while it has not all come. */
        private int headEnd() {
            for (int i = Math.max(start, scanned); i < end; i++) {
                if (buf[i] == '\n') {
                    if (i + 1 < end && buf[i + 1] == '\n') {
                        return i + 2;
                    }
                    if (i + 2 < end && buf[i + 1] == '\r' && buf[i + 2] == '\n') {
                        return i + 3;
                    }
                }
            }
            scanned = Math.max(start, end - 2); // a terminator may have begun in the last two bytes
            return -1;
        }

        private void write(OutputStream out, Response r, boolean head, boolean keepAlive, boolean sayKeepAlive)
                throws IOException {
            StringBuilder sb = new StringBuilder(256).append("HTTP/1.1 ").append(r.status()).append(' ')
                    .append(reason(r.status())).append("\r\n").append(dateLine());
            for (Map.Entry<String, String> h : r.headers()) {
                sb.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
            }
            boolean noBody = r.status() == 304 || r.status() == 204;
            if (!noBody) {
                sb.append("Content-Length: ").append(r.body().length).append("\r\n");
            }
            if (!keepAlive) {
                sb.append("Connection: close\r\n");
            } else if (sayKeepAlive) {
                sb.append("Connection: keep-alive\r\n"); // an HTTP/1.0 client closes otherwise
            }
            sb.append("\r\n");
            byte[] headers = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
            int bodyLength = noBody || head ? 0 : r.body().length;
            byte[] all = java.util.Arrays.copyOf(headers, headers.length + bodyLength);
            System.arraycopy(r.body(), 0, all, headers.length, bodyLength);
            out.write(all); // one write, one segment
        }
    }

    /** The path of an origin-form ("/a?b") or absolute-form ("http://host/a?b") request target. */
    private static String path(String target) throws Refused {
        String t = target;
        if (!t.startsWith("/")) {
            int scheme = t.indexOf("://");
            int slash = scheme < 0 ? -1 : t.indexOf('/', scheme + 3);
            if (scheme < 0 || !t.regionMatches(true, 0, "http", 0, 4)) {
                throw new Refused(400, "expected a request target such as / or http://host/");
            }
            t = slash < 0 ? "/" : t.substring(slash);
        }
        int query = t.indexOf('?');
        return query < 0 ? t : t.substring(0, query);
    }

    /**
     * Header lines (after the request line) by lower-case name; repeated lines joined by ", " (RFC 9110 5.3), but
     * Host and Content-Length only once each.
     */
    private static Map<String, String> headers(String[] lines) throws Refused {
        Map<String, String> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            int colon = line.indexOf(':');
            if (colon <= 0 || !token(line.substring(0, colon))) {
                throw new Refused(400, "a header line is not NAME: VALUE");
            }
            String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
            String value = ows(line.substring(colon + 1));
            for (int k = 0; k < value.length(); k++) {
                char c = value.charAt(k);
                if (c < 0x20 && c != '\t' || c == 0x7f) {
                    throw new Refused(400, "a header value holds a control character");
                }
            }
            String before = headers.get(name);
            if (before == null) {
                headers.put(name, value);
            } else if (name.equals("host")) {
                throw new Refused(400, "more than one Host header");
            } else if (name.equals("content-length")) {
                if (!before.equals(value)) {
                    throw new Refused(400, "two different Content-Length headers");
                }
            } else {
                headers.put(name, before + ", " + value);
            }
        }
        return headers;
    }

    private int contentLength(String value) throws Refused {
        if (value == null) {
            return 0;
        }
        if (value.isEmpty() || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new Refused(400, "Content-Length is not a number");
        }
        String digits = value.replaceFirst("^0+(?=.)", "");
        int length = digits.length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(digits);
        if (length > maxBody) {
            throw new Refused(413, "the body is larger than " + maxBody + " bytes");
        }
        return length;
    }

    /** A field value without the spaces and tabs around it (RFC 9110 5.5: OWS is only those two). */
    private static String ows(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
            from++;
        }
        while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
            to--;
        }
        return s.substring(from, to);
    }

    /** Whether the connection stays open after this request (RFC 9112 9.3). */
    private static boolean keepAlive(Request r) {
        boolean close = false;
        boolean keep = false;
        String connection = r.header("connection");
        if (connection != null) {
            for (String option : connection.split(",")) {
                close |= ows(option).equalsIgnoreCase("close");
                keep |= ows(option).equalsIgnoreCase("keep-alive");
            }
        }
        return r.http10() ? keep && !close : !close;
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

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
