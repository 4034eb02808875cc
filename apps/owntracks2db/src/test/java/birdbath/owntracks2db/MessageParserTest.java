package birdbath.owntracks2db;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every payload becomes a location, another message or a rejection with its reason: never an exception. */
class MessageParserTest {

    private static Message parse(String topic, String payload) {
        return MessageParser.parse(topic, payload.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aFullLocationKeepsEveryField() {
        Message m = parse("owntracks/alice/phone", "{\"_type\":\"location\",\"lat\":52.0907,\"lon\":5.1214,"
                + "\"tst\":1700000000,\"acc\":12,\"alt\":5,\"batt\":87,\"cog\":270,\"rad\":100,\"vac\":3,\"vel\":40,"
                + "\"p\":101.325,\"t\":\"u\",\"tid\":\"ap\",\"conn\":\"w\",\"bs\":2,\"inregions\":[\"home\"],"
                + "\"SSID\":\"net\",\"BSSID\":\"aa:bb\",\"created_at\":1700000005}");
        assertThat(m).isInstanceOfSatisfying(Message.Location.class, l -> {
            assertThat(l.userid()).isEqualTo("alice");
            assertThat(l.device()).isEqualTo("phone");
            assertThat(l.tst()).isEqualTo(Instant.ofEpochSecond(1700000000));
            assertThat(l.lat()).isEqualTo(52.0907);
            assertThat(l.lon()).isEqualTo(5.1214);
            assertThat(l.acc()).isEqualTo(12);
            assertThat(l.radius()).isEqualTo(100);
            assertThat(l.p()).isEqualTo(101.325);
            assertThat(l.t()).isEqualTo("u");
            assertThat(l.conn()).isEqualTo("w");
            assertThat(l.bs()).isEqualTo(2);
            assertThat(l.inregions()).isEqualTo("[\"home\"]");
            assertThat(l.ssid()).isEqualTo("net");
            assertThat(l.createdAt()).isEqualTo(Instant.ofEpochSecond(1700000005));
            assertThat(l.rawdata()).contains("\"p\":101.325");
        });
    }

    @Test
    void aMinimalLocationGetsItsTidFromTheTopic() {
        Message m = parse("owntracks/bob/tablet", "{\"_type\":\"location\",\"lat\":1,\"lon\":2,\"tst\":1600000000}");
        assertThat(m).isInstanceOfSatisfying(Message.Location.class, l -> {
            assertThat(l.tid()).isEqualTo("et");
            assertThat(l.acc()).isNull();
            assertThat(l.p()).isNull();
        });
    }

    @Test
    void otherTypesAndDeeperTopicsAreKept() {
        assertThat(parse("owntracks/alice/phone/event", "{\"_type\":\"transition\",\"event\":\"enter\"}"))
                .isInstanceOfSatisfying(Message.Other.class, o -> {
                    assertThat(o.type()).isEqualTo("transition");
                    assertThat(o.userid()).isEqualTo("alice");
                    assertThat(o.device()).isEqualTo("phone");
                });
        assertThat(parse("owntracks/alice/phone", "{\"_type\":\"lwt\",\"tst\":1}")).isInstanceOf(Message.Other.class);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            not json                         | owntracks/a/b | {oops                                                      | not JSON
            an array                         | owntracks/a/b | [1,2]                                                      | not a JSON object
            a string                         | owntracks/a/b | "x"                                                        | not a JSON object
            empty                            | owntracks/a/b | ''                                                         | not a JSON object
            two documents                    | owntracks/a/b | {} {}                                                      | not JSON
            no _type                         | owntracks/a/b | {"lat":1}                                                  | no _type
            _type not a string               | owntracks/a/b | {"_type":5}                                                | no _type
            no lat                           | owntracks/a/b | {"_type":"location","lon":1,"tst":1}                      | no lat
            lat a string                     | owntracks/a/b | {"_type":"location","lat":"52","lon":1,"tst":1}           | lat is not a number
            lat out of range                 | owntracks/a/b | {"_type":"location","lat":91,"lon":1,"tst":1}             | lat 91 is out of range
            lon out of range                 | owntracks/a/b | {"_type":"location","lat":1,"lon":-181,"tst":1}           | lon -181 is out of range
            no tst                           | owntracks/a/b | {"_type":"location","lat":1,"lon":1}                      | no tst
            tst negative                     | owntracks/a/b | {"_type":"location","lat":1,"lon":1,"tst":-5}             | tst -5 is out of range
            acc a string                     | owntracks/a/b | {"_type":"location","lat":1,"lon":1,"tst":1,"acc":"x"}    | acc is not a number
            t too long                       | owntracks/a/b | {"_type":"location","lat":1,"lon":1,"tst":1,"t":"uu"}     | t is longer than 1
            tid too long                     | owntracks/a/b | {"_type":"location","lat":1,"lon":1,"tst":1,"tid":"xxxxxxxxxxxxxxxxx"} | tid is longer than 16
            inregions not a list             | owntracks/a/b | {"_type":"location","lat":1,"lon":1,"tst":1,"inregions":"x"} | inregions is not a list
            a NUL character                  | owntracks/a/b | {"_type":"location","lat":1,"lon":1,"tst":1,"tid":"\\u0000"} | NUL character
            topic without device             | owntracks/a   | {"_type":"location","lat":1,"lon":1,"tst":1}              | has no user and device
            topic with empty user            | owntracks//b  | {"_type":"location","lat":1,"lon":1,"tst":1}              | has no user and device
            """)
    void malformedMessagesAreRejectedWithTheirReason(String name, String topic, String payload, String reason) {
        assertThat(parse(topic, payload)).as(name).isInstanceOfSatisfying(Message.Rejected.class, r ->
                assertThat(r.reason()).contains(reason));
    }

    @Test
    void bytesThatAreNotUtf8AreRejected() {
        assertThat(MessageParser.parse("owntracks/a/b", new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}))
                .isInstanceOfSatisfying(Message.Rejected.class, r -> assertThat(r.reason()).isEqualTo("not UTF-8"));
    }

    @Property(tries = 2000)
    void anyJsonOrBytesBecomeAMessageAndNeverAnException(@ForAll("payloads") String payload,
                                                         @ForAll("topics") String topic) {
        Message m = parse(topic, payload);
        assertThat(m).isNotNull();
        if (m instanceof Message.Rejected r) {
            assertThat(r.reason()).isNotBlank();
        }
    }

    @Property(tries = 500)
    void randomBytesNeverThrow(@ForAll byte[] payload) {
        assertThat(MessageParser.parse("owntracks/a/b", payload)).isNotNull();
    }

    @Provide
    Arbitrary<String> topics() {
        return Arbitraries.of("owntracks/a/b", "owntracks/alice/phone/event", "owntracks", "owntracks/a", "x/y/z",
                "owntracks//", "owntracks/" + "u".repeat(70) + "/d");
    }

    @Provide
    Arbitrary<String> payloads() {
        Arbitrary<String> scalars = Arbitraries.oneOf(Arbitraries.integers().map(String::valueOf),
                Arbitraries.doubles().map(String::valueOf), Arbitraries.strings().ofMaxLength(20)
                        .map(s -> "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\""),
                Arbitraries.of("null", "true", "false", "[]", "{}", "\"location\"", "1e999", "-0"));
        Arbitrary<String> keys = Arbitraries.of("_type", "lat", "lon", "tst", "acc", "alt", "batt", "cog", "rad",
                "vac", "vel", "p", "t", "tid", "conn", "bs", "inregions", "SSID", "BSSID", "created_at", "x");
        Arbitrary<String> fields = net.jqwik.api.Combinators.combine(keys, scalars).as((k, v) -> "\"" + k + "\":" + v);
        Arbitrary<String> objects = fields.list().ofMaxSize(12).map(l -> "{" + String.join(",", l) + "}");
        Arbitrary<String> locations = fields.list().ofMaxSize(10).map(l -> "{\"_type\":\"location\","
                + String.join(",", l) + (l.isEmpty() ? "" : ",") + "\"lat\":1,\"lon\":2,\"tst\":3}");
        return Arbitraries.oneOf(objects, locations, Arbitraries.strings().ofMaxLength(50), scalars);
    }
}
