package birdbath.stage.etcd;

import birdbath.BirdbathException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * etcd's v3 JSON gateway (the same port as gRPC) over mutual TLS. An endpoint is a URI such as
 * https://127.0.0.1:PORT, usually a forwarded port to a member's localhost.
 */
public final class EtcdClient {

    /** A member as the cluster lists it; {@code name} is empty for a member added but not yet started. */
    public record Member(String id, String name, List<String> peerUrls, List<String> clientUrls) {
        /** The id as etcdctl prints it. */
        public String hexId() {
            return EtcdClient.hexId(id);
        }
    }

    /** etcd's ids are unsigned 64-bit numbers, decimal in JSON, hexadecimal in etcdctl and logs. */
    public static String hexId(String decimal) {
        try {
            return Long.toHexString(Long.parseUnsignedLong(decimal));
        } catch (NumberFormatException e) {
            return decimal;
        }
    }

    /** One member's own view: its id, the leader it follows, its database size and raft index. */
    public record Status(String memberId, String leader, long dbSize, long raftIndex, String version) { }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final Duration timeout;

    public EtcdClient(SSLContext tls, Duration timeout) {
        this.http = HttpClient.newBuilder().sslContext(tls).connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1)
                .build();
        this.timeout = timeout;
    }

    /** GET /health: whether the member says it is healthy (it has a leader and answers). */
    public boolean healthy(URI endpoint) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(endpoint.resolve("/health")).timeout(timeout)
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && JSON.readTree(r.body()).path("health").asText().equals("true");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public Status status(URI endpoint) {
        JsonNode r = call(endpoint, "/v3/maintenance/status", JSON.createObjectNode());
        return new Status(r.path("header").path("member_id").asText(), r.path("leader").asText(),
                r.path("dbSize").asLong(), r.path("raftIndex").asLong(), r.path("version").asText());
    }

    public List<Member> members(URI endpoint) {
        return members(call(endpoint, "/v3/cluster/member/list", JSON.createObjectNode()).path("members"));
    }

    /** Adds a member by its peer URL; returns the cluster's members afterwards, the new one unnamed. */
    public List<Member> addMember(URI endpoint, String peerUrl) {
        ObjectNode body = JSON.createObjectNode();
        body.putArray("peerURLs").add(peerUrl);
        return members(call(endpoint, "/v3/cluster/member/add", body).path("members"));
    }

    public void removeMember(URI endpoint, String id) {
        ObjectNode body = JSON.createObjectNode();
        body.put("ID", id);
        call(endpoint, "/v3/cluster/member/remove", body);
    }

    public void put(URI endpoint, String key, String value) {
        ObjectNode body = JSON.createObjectNode();
        body.put("key", b64(key));
        body.put("value", b64(value));
        call(endpoint, "/v3/kv/put", body);
    }

    /** A key's value; {@code serializable} reads the member's local copy instead of asking the leader. */
    public Optional<String> get(URI endpoint, String key, boolean serializable) {
        ObjectNode body = JSON.createObjectNode();
        body.put("key", b64(key));
        body.put("serializable", serializable);
        JsonNode kvs = call(endpoint, "/v3/kv/range", body).path("kvs");
        if (!kvs.isArray() || kvs.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new String(Base64.getDecoder().decode(kvs.get(0).path("value").asText()),
                StandardCharsets.UTF_8));
    }

    /** How many keys start with {@code prefix} (counted by etcd, none of them read). */
    public long count(URI endpoint, String prefix) {
        ObjectNode body = JSON.createObjectNode();
        body.put("key", b64(prefix));
        // the range [prefix, prefix with its last byte raised by one): every key that starts with it
        byte[] end = prefix.getBytes(StandardCharsets.UTF_8);
        end[end.length - 1]++;
        body.put("range_end", Base64.getEncoder().encodeToString(end));
        body.put("count_only", true);
        return call(endpoint, "/v3/kv/range", body).path("count").asLong(0);
    }

    /** Streams a snapshot of the member's database (with etcd's integrity hash at its end) into {@code out}. */
    public long snapshot(URI endpoint, OutputStream out) {
        HttpRequest req = HttpRequest.newBuilder(endpoint.resolve("/v3/maintenance/snapshot"))
                .timeout(Duration.ofMinutes(30)).POST(HttpRequest.BodyPublishers.ofString("{}")).build();
        try {
            HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            long bytes = 0;
            try (InputStream in = r.body(); MappingIterator<JsonNode> chunks = JSON.readerFor(JsonNode.class)
                    .readValues(in)) {
                if (r.statusCode() != 200) {
                    throw new BirdbathException("etcd " + endpoint + " refused the snapshot: HTTP " + r.statusCode());
                }
                while (chunks.hasNext()) {
                    JsonNode chunk = chunks.next();
                    if (chunk.has("error")) {
                        throw new BirdbathException("etcd snapshot failed: " + chunk.path("error").path("message")
                                .asText(chunk.path("error").toString()));
                    }
                    byte[] blob = Base64.getDecoder().decode(chunk.path("result").path("blob").asText(""));
                    out.write(blob);
                    bytes += blob.length;
                }
            }
            return bytes;
        } catch (IOException e) {
            throw new BirdbathException("etcd snapshot from " + endpoint + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BirdbathException("interrupted during the etcd snapshot");
        }
    }

    private JsonNode call(URI endpoint, String path, JsonNode body) {
        HttpRequest req = HttpRequest.newBuilder(endpoint.resolve(path)).timeout(timeout)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        try {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            JsonNode json = r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
            if (r.statusCode() != 200) {
                String message = json.path("message").asText(json.path("error").asText(r.body()));
                throw new BirdbathException("etcd " + path + " failed: HTTP " + r.statusCode() + ": " + message);
            }
            return json;
        } catch (IOException e) {
            throw new BirdbathException("etcd " + path + " at " + endpoint + " failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BirdbathException("interrupted during etcd " + path);
        }
    }

    private static List<Member> members(JsonNode array) {
        List<Member> out = new ArrayList<>();
        for (JsonNode m : array) {
            out.add(new Member(m.path("ID").asText(), m.path("name").asText(""), texts(m.path("peerURLs")),
                    texts(m.path("clientURLs"))));
        }
        return out;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
