package birdbath.config;

import java.util.List;

/**
 * The apps the cluster runs, validated, defaults filled in; {@link #NONE} when birdbath.yaml has no
 * {@code apps} section. Hosts are full names inside the cluster's domain (the DNS records go there).
 *
 * @param acmeEmail the Let's Encrypt account's e-mail
 * @param ingressNode the node whose ports 80 and 443 Traefik takes (host network)
 */
public record AppsSpec(String acmeEmail, int ingressNode, Traefik traefik, Postgres postgres, Mosquitto mosquitto,
                       boolean owntracks2db, Haircolor haircolor) {

    public static final AppsSpec NONE = new AppsSpec(null, 0, null, null, null, false, null);

    /** Traefik v3 with its dashboard on {@code dashboardHost}, behind basic auth. */
    public record Traefik(String dashboardHost) { }

    public record Postgres(int sizeGb) { }

    /** Mosquitto 2 on {@code host}:8883 (TLS); {@code users} get passwords (owntracks2db's own user is added). */
    public record Mosquitto(String host, int sizeGb, List<String> users) { }

    public record Haircolor(String host) { }

    public boolean any() {
        return traefik != null || postgres != null || mosquitto != null || owntracks2db || haircolor != null;
    }

    /** Every host an app answers on, for the DNS records that point at the ingress node. */
    public List<String> hosts() {
        List<String> hosts = new java.util.ArrayList<>();
        if (traefik != null) {
            hosts.add(traefik.dashboardHost());
        }
        if (mosquitto != null) {
            hosts.add(mosquitto.host());
        }
        if (haircolor != null) {
            hosts.add(haircolor.host());
        }
        return hosts;
    }
}
