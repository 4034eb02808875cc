package birdbath.twin;

import birdbath.sim.NodeBackend.DnsRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The nodes' resolver on the twin: a small DNS server on the bridge (UDP 53) that answers A queries from the
 * simulated account's records, as Linode's name servers answer for the user's domain. A name with records but
 * none of the type asked is an empty answer; an unknown name in a domain of the account is NXDOMAIN; anything
 * else is REFUSED (nothing is forwarded: nodes reach no other resolver).
 */
final class TwinDns implements AutoCloseable {

    private static final int A = 1;

    private final DatagramSocket socket;
    private final Thread thread;
    private volatile List<DnsRecord> records = List.of();
    private volatile List<String> zones = List.of();

    TwinDns(String address) throws SocketException {
        socket = new DatagramSocket(new InetSocketAddress(address, 53));
        thread = new Thread(this::serve, "twin-dns");
        thread.setDaemon(true);
        thread.start();
    }

    /** The records to answer from, and the domains they belong to. */
    void update(List<DnsRecord> newRecords, List<String> domains) {
        records = List.copyOf(newRecords);
        zones = domains.stream().map(d -> d.toLowerCase(Locale.ROOT)).toList();
    }

    private void serve() {
        byte[] buf = new byte[512];
        while (!socket.isClosed()) {
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(in);
                byte[] answer = answer(java.util.Arrays.copyOf(in.getData(), in.getLength()));
                if (answer != null) {
                    socket.send(new DatagramPacket(answer, answer.length, in.getSocketAddress()));
                }
            } catch (IOException | RuntimeException e) {
                // a closed socket ends the loop; a malformed query gets no answer
            }
        }
    }

    /** The response to one query, or null for what is not a single-question query. */
    byte[] answer(byte[] q) {
        if (q.length < 12 || (q[2] & 0x80) != 0 || ((q[4] & 0xff) << 8 | (q[5] & 0xff)) != 1) {
            return null;
        }
        int i = 12;
        List<String> labels = new ArrayList<>();
        while (q[i] != 0) {
            int len = q[i] & 0xff;
            if (len > 63 || i + 1 + len >= q.length) {
                return null;
            }
            labels.add(new String(q, i + 1, len, java.nio.charset.StandardCharsets.US_ASCII));
            i += 1 + len;
        }
        int questionEnd = i + 5;
        if (questionEnd > q.length) {
            return null;
        }
        int type = (q[i + 1] & 0xff) << 8 | (q[i + 2] & 0xff);
        String name = String.join(".", labels).toLowerCase(Locale.ROOT);
        List<DnsRecord> named = records.stream().filter(r -> r.name().equalsIgnoreCase(name)).toList();
        boolean ours = zones.stream().anyMatch(z -> name.equals(z) || name.endsWith("." + z));
        int rcode = !ours ? 5 : named.isEmpty() ? 3 : 0;
        List<byte[]> addresses = new ArrayList<>();
        if (type == A) {
            for (DnsRecord r : named) {
                if (r.type().equals("A")) {
                    try {
                        addresses.add(InetAddress.getByName(r.target()).getAddress());
                    } catch (IOException e) {
                        // a stored A record is always an address
                    }
                }
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(q[0]);
        out.write(q[1]);
        out.write(0x84 | (q[2] & 0x01)); // response, authoritative, RD as asked
        out.write(rcode);
        out.writeBytes(new byte[] {0, 1, 0, (byte) addresses.size(), 0, 0, 0, 0});
        out.write(q, 12, questionEnd - 12);
        for (byte[] a : addresses) {
            out.writeBytes(new byte[] {(byte) 0xc0, 12, 0, A, 0, 1, 0, 0, 1, 44, 0, 4}); // name ptr, A, IN, TTL 300
            out.writeBytes(a);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        socket.close();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
