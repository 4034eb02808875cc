package birdbath.twin;

import static org.assertj.core.api.Assertions.assertThat;

import birdbath.sim.NodeBackend.DnsRecord;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The twin's resolver, query by query (wire format per RFC 1035, section 4.1). */
class TwinDnsTest {

    private static byte[] query(String name, int type) {
        ByteArrayOutputStream q = new ByteArrayOutputStream();
        q.writeBytes(new byte[] {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0});
        for (String label : name.split("\\.")) {
            q.write(label.length());
            q.writeBytes(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        q.writeBytes(new byte[] {0, 0, (byte) type, 0, 1});
        return q.toByteArray();
    }

    private static TwinDns dns() throws Exception {
        // bound to loopback for the test; answer() is what the socket loop calls
        TwinDns dns = new TwinDns("127.0.0.1");
        dns.update(List.of(new DnsRecord("demo-1.example.com", "A", "198.18.7.1"),
                new DnsRecord("demo-1.example.com", "AAAA", "2001:db8::1")), List.of("example.com"));
        return dns;
    }

    @Test
    void anARecordIsAnsweredWithItsAddress() throws Exception {
        try (TwinDns dns = dns()) {
            byte[] r = dns.answer(query("Demo-1.Example.com", 1));
            assertThat(r[0]).isEqualTo((byte) 0x12);
            assertThat(r[2] & 0x80).as("a response").isNotZero();
            assertThat(r[3] & 0x0f).as("rcode").isZero();
            assertThat(r[7]).as("one answer").isEqualTo((byte) 1);
            assertThat(java.util.Arrays.copyOfRange(r, r.length - 4, r.length))
                    .containsExactly(198, 18, 7, 1);
        }
    }

    @Test
    void otherTypesUnknownNamesAndOtherDomainsGetWhatAnAuthoritativeServerSays() throws Exception {
        try (TwinDns dns = dns()) {
            byte[] aaaa = dns.answer(query("demo-1.example.com", 28));
            assertThat(aaaa[3] & 0x0f).isZero();
            assertThat(aaaa[7]).as("no A for an AAAA question").isZero();
            assertThat(dns.answer(query("demo-9.example.com", 1))[3] & 0x0f).as("NXDOMAIN").isEqualTo(3);
            assertThat(dns.answer(query("github.com", 1))[3] & 0x0f).as("REFUSED").isEqualTo(5);
            assertThat(dns.answer(new byte[] {1, 2, 3})).isNull();
        }
    }
}
