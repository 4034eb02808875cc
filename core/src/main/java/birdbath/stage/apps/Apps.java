package birdbath.stage.apps;

import birdbath.BirdbathException;
import birdbath.Secret;
import birdbath.config.ClusterSpec;
import birdbath.pki.Pki;
import birdbath.stage.storage.StorageStage;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.security.SecureRandom;
import java.util.List;

/** `birdbath apps ...`: the apps' objects for this config, rendered, applied, and the dashboard's users. */
public final class Apps {

    private final ClusterSpec spec;
    private final SecureRandom random = new SecureRandom();

    public Apps(ClusterSpec spec) {
        this.spec = spec;
    }

    /**
     * What goes out, one set for `apps render`, `apps deploy` and the apps stage of `up`: the glusterfs
     * StorageClass (the storage stage's objects), then every app's objects.
     */
    public List<HasMetadata> objects() {
        List<HasMetadata> all = new java.util.ArrayList<>(StorageStage.objects());
        all.addAll(appObjects());
        return all;
    }

    /** The apps' own objects, issuing Mosquitto's certificate and generating passwords the first time. */
    public List<HasMetadata> appObjects() {
        if (!spec.apps().any()) {
            throw new BirdbathException(spec.configFile() + " has no apps section; add one, e.g. `apps: {acme_email:"
                    + " you@example.com}` to run them all");
        }
        Pki.ServiceTls tls = spec.apps().mosquitto() == null ? null
                : new Pki(spec).serviceTls(MosquittoApp.NAME, MosquittoApp.dnsNames(spec.apps().mosquitto()));
        return AppObjects.build(spec, new AppSecrets(spec.stateDir(), random), tls,
                new DashboardUsers(spec.stateDir(), DashboardUsers.DASHBOARD).text());
    }

    /** Every object as YAML; Secrets' values only with {@code showSecrets}. */
    public String render(boolean showSecrets) {
        return AppObjects.render(objects(), showSecrets);
    }

    /** Applies what this config wants, then deletes what it no longer does ({@link AppObjects#unwanted}). */
    public List<ClusterApply.Applied> deploy(KubernetesClient client) {
        List<ClusterApply.Applied> done = new java.util.ArrayList<>(ClusterApply.apply(client, objects()));
        done.addAll(ClusterApply.delete(client, AppObjects.unwanted(spec)));
        return done;
    }

    /** Where each app answers, for people: dashboard, broker, site. */
    public List<String> urls() {
        List<String> urls = new java.util.ArrayList<>();
        if (spec.apps().traefik() != null) {
            urls.add("traefik dashboard  https://" + spec.apps().traefik().dashboardHost() + "/dashboard/");
        }
        if (spec.apps().mosquitto() != null) {
            urls.add("mosquitto          mqtts://" + spec.apps().mosquitto().host() + ":8883");
        }
        if (spec.apps().haircolor() != null) {
            urls.add("haircolor          https://" + spec.apps().haircolor().host() + "/");
        }
        return urls;
    }

    /** `apps status`: each workload's readiness, then the URLs. */
    public List<String> status(KubernetesClient client) {
        List<String> lines = new java.util.ArrayList<>();
        for (birdbath.stage.CheckResult r : AppsCheck.rollouts(client, appObjects(), spec.backups())) {
            lines.add((r.ok() ? "ready      " : "NOT READY  ") + r.probe().replaceFirst(" ready$", "")
                    + (r.ok() ? "" : ": " + r.detail()));
        }
        lines.addAll(urls());
        return lines;
    }

    /** Adds or updates a user of a basic-auth realm; the next `apps deploy` puts it in place. */
    public String addUser(String realm, String user, Secret password) {
        if (password.reveal().length() < 8) {
            throw new BirdbathException("the password for " + user + " is shorter than 8 characters");
        }
        DashboardUsers users = new DashboardUsers(spec.stateDir(), realm);
        return users.put(user, password, random) + " " + user + " in " + users.file()
                + "; `birdbath apps deploy` puts it in place";
    }
}
