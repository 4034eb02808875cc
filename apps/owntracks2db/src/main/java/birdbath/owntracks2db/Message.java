package birdbath.owntracks2db;

import java.time.Instant;

/** What one MQTT message becomes: a location row, a message of another _type, or a rejection with its reason. */
public sealed interface Message permits Message.Location, Message.Other, Message.Rejected {

    String topic();

    /** The message as a rejection, for when PostgreSQL refuses to store it as what it parsed to. */
    default Rejected refused(String reason) {
        if (this instanceof Rejected r) {
            return new Rejected(r.topic(), r.payload(), reason);
        }
        String raw = this instanceof Location l ? l.rawdata() : ((Other) this).rawdata();
        return new Rejected(topic(), raw.getBytes(java.nio.charset.StandardCharsets.UTF_8), reason);
    }

    /**
     * An OwnTracks location; boxed fields are absent when the payload left them out.
     *
     * @param radius the payload's {@code rad} (the original's column name)
     */
    record Location(String topic, String userid, String device, Instant tst, double lat, double lon, Integer acc,
                    Integer alt, Integer batt, Integer cog, Integer radius, Integer vac, Integer vel, Double p, String t,
                    String tid, String conn, Integer bs, String inregions, String ssid, String bssid,
                    Instant createdAt, String rawdata) implements Message { }

    /** Any other _type (transition, waypoint, lwt, card, ...), kept as it came. */
    record Other(String topic, String userid, String device, String type, String rawdata) implements Message { }

    /** Not storable: malformed JSON, a missing or wrong field, a topic without user and device. */
    record Rejected(String topic, byte[] payload, String reason) implements Message { }
}
