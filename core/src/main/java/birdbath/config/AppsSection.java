package birdbath.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * Validates birdbath.yaml's {@code apps} section into an {@link AppsSpec}. With only {@code acme_email} set,
 * every app runs with its defaults; {@code enabled: false} leaves one out. A host without a dot is a name
 * under the cluster's domain.
 */
final class AppsSection {

    private static final Pattern LABEL = Pattern.compile("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$");
    private static final Pattern USER = Pattern.compile("^[A-Za-z0-9_.-]{1,64}$");
    /** owntracks2db's own broker user: always there when both run. */
    static final String OWNTRACKS2DB_USER = "owntracks2db";

    private final BiConsumer<String, String> problem;
    private final String domain;
    private final int nodes;

    /** @param problem called with (field, message) for every problem found */
    AppsSection(BiConsumer<String, String> problem, String domain, int nodes) {
        this.problem = problem;
        this.domain = domain;
        this.nodes = nodes;
    }

    AppsSpec spec(BirdbathConfig.Apps raw) {
        if (raw == null) {
            return AppsSpec.NONE;
        }
        String email = raw.acmeEmail();
        if (email == null || !Grammar.EMAIL.matcher(email).matches()) {
            problem.accept("apps.acme_email", email == null ? "missing; expected the e-mail for the Let's Encrypt"
                    + " account (certificate expiry notices go there)" : "'" + Grammar.shown(email) + "' is not an"
                    + " e-mail address of letters, digits and . _ % + - before the @ and a domain after it");
        }
        int ingress = raw.ingressNode() == null ? 1 : raw.ingressNode();
        if (ingress < 1 || ingress > nodes) {
            problem.accept("apps.ingress_node", "expected a node number from 1 to " + nodes + ", got " + ingress);
            ingress = 1;
        }
        BirdbathConfig.Apps.Traefik t = raw.traefik();
        BirdbathConfig.Apps.Postgres pg = raw.postgres();
        BirdbathConfig.Apps.Mosquitto mq = raw.mosquitto();
        BirdbathConfig.Apps.Haircolor hc = raw.haircolor();
        AppsSpec.Traefik traefik = on(t == null ? null : t.enabled()) ? new AppsSpec.Traefik(
                host("apps.traefik.dashboard_host", t == null ? null : t.dashboardHost(), "traefik")) : null;
        AppsSpec.Postgres postgres = on(pg == null ? null : pg.enabled()) ? new AppsSpec.Postgres(
                size("apps.postgres.size_gb", pg == null ? null : pg.sizeGb(), 3)) : null;
        boolean owntracks2db = on(raw.owntracks2db() == null ? null : raw.owntracks2db().enabled());
        AppsSpec.Mosquitto mosquitto = on(mq == null ? null : mq.enabled()) ? new AppsSpec.Mosquitto(
                host("apps.mosquitto.host", mq == null ? null : mq.host(), "mqtt"),
                size("apps.mosquitto.size_gb", mq == null ? null : mq.sizeGb(), 1),
                users(mq == null ? null : mq.users(), owntracks2db)) : null;
        AppsSpec.Haircolor haircolor = on(hc == null ? null : hc.enabled()) ? new AppsSpec.Haircolor(
                host("apps.haircolor.host", hc == null ? null : hc.host(), "haircolor")) : null;
        if (owntracks2db && (postgres == null || mosquitto == null)) {
            problem.accept("apps.owntracks2db", "needs apps.postgres and apps.mosquitto (it moves locations from"
                    + " one to the other); enable them or set apps.owntracks2db.enabled: false");
        }
        AppsSpec spec = new AppsSpec(email, ingress, traefik, postgres, mosquitto, owntracks2db, haircolor);
        if (haircolor != null && traefik == null) {
            problem.accept("apps.haircolor", "is served through Traefik; enable apps.traefik or set"
                    + " apps.haircolor.enabled: false");
        }
        List<String> hosts = spec.hosts();
        if (new LinkedHashSet<>(hosts).size() != hosts.size()) {
            problem.accept("apps", "two apps have the same host (" + String.join(", ", hosts) + "); give each its own");
        }
        return spec;
    }

    private static boolean on(Boolean enabled) {
        return enabled == null || enabled;
    }

    /** "name" becomes name.domain; a full name must lie inside the domain, where birdbath writes DNS records. */
    private String host(String field, String value, String dflt) {
        String v = value == null ? dflt : value.toLowerCase(java.util.Locale.ROOT).replaceFirst("\\.$", "");
        if (!v.contains(".")) {
            if (!LABEL.matcher(v).matches()) {
                problem.accept(field, "'" + Grammar.shown(value) + "' is not a host name; expected a name such as " + dflt
                        + " (becomes " + dflt + "." + domain + ") or a full name ending in ." + domain);
            }
            return v + "." + domain;
        }
        if (!v.endsWith("." + domain)) {
            problem.accept(field, "'" + Grammar.shown(value) + "' is outside the cluster's domain " + domain
                    + "; birdbath writes the DNS record there, so expected a name ending in ." + domain);
        } else if (!java.util.Arrays.stream(v.substring(0, v.length() - domain.length() - 1).split("\\.", -1))
                .allMatch(l -> LABEL.matcher(l).matches())) {
            problem.accept(field, "'" + Grammar.shown(value) + "' is not a host name; expected labels of letters,"
                    + " digits and - (each at most 63) before ." + domain);
        }
        return v;
    }

    private int size(String field, Integer value, int dflt) {
        if (value == null) {
            return dflt;
        }
        if (value < 1 || value > 1024) {
            problem.accept(field, "expected a size in GB from 1 to 1024, got " + value);
            return dflt;
        }
        return value;
    }

    private List<String> users(List<String> users, boolean owntracks2db) {
        List<String> all = new ArrayList<>(users == null ? List.of("owntracks") : users);
        for (String u : all) {
            if (u == null || !USER.matcher(u).matches()) {
                problem.accept("apps.mosquitto.users", "'" + u + "' is not usable as a user name; expected letters,"
                        + " digits, '_', '.' or '-' (up to 64)");
            }
        }
        if (owntracks2db && !all.contains(OWNTRACKS2DB_USER)) {
            all.add(OWNTRACKS2DB_USER);
        }
        return List.copyOf(new LinkedHashSet<>(all));
    }
}
