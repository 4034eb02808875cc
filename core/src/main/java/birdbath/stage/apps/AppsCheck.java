package birdbath.stage.apps;

import birdbath.config.BackupsSpec;
import birdbath.stage.CheckResult;
import birdbath.stage.backup.BackupSchedule;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * `check --only apps`: every Deployment and StatefulSet of the apps has all its replicas ready at its current
 * generation, the backup CronJob has succeeded lately, and every Ingress host answers over HTTPS through Traefik
 * on the ingress node with a certificate valid for its name (a 404 is Traefik finding no route; 5xx an app behind
 * it failing).
 */
public final class AppsCheck {

    static final String STAGE = "apps";
    private static final int TIMEOUT_MS = 10_000;

    private AppsCheck() { }

    /**
     * Per Deployment and StatefulSet: rolled out; per CronJob (the PostgreSQL dumps): a run succeeded within two
     * periods of backups.schedule (none yet is fine while the CronJob is younger than that).
     */
    public static List<CheckResult> rollouts(KubernetesClient client, List<HasMetadata> objects, BackupsSpec backups) {
        List<CheckResult> results = new ArrayList<>();
        for (HasMetadata o : objects) {
            boolean job = o instanceof CronJob;
            if (!(o instanceof Deployment) && !(o instanceof StatefulSet) && !job) {
                continue;
            }
            String what = o.getKind() + " " + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName()
                    + (job ? " succeeded lately" : " ready");
            try {
                HasMetadata live = client.resource(o).get();
                String problem = live == null ? "not deployed (run `birdbath apps deploy`)"
                        : job ? notLately((CronJob) live, BackupSchedule.period(backups).multipliedBy(2), Instant.now())
                        : notReady(live);
                results.add(CheckResult.of(STAGE, "cluster", what, problem));
            } catch (KubernetesClientException e) {
                results.add(CheckResult.failed(STAGE, "cluster", what, "the API server did not answer: "
                        + e.getMessage()));
            }
        }
        return results;
    }

    /** Why {@code live} has not succeeded within {@code stale} of {@code now}, or null when it has. */
    static String notLately(CronJob live, Duration stale, Instant now) {
        String last = live.getStatus() == null ? null : live.getStatus().getLastSuccessfulTime();
        String since = last != null ? last : live.getMetadata().getCreationTimestamp();
        if (since == null || Duration.between(Instant.parse(since), now).compareTo(stale) <= 0) {
            return null;
        }
        String pods = Objects.selector(live.getMetadata().getName()).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(java.util.stream.Collectors.joining(","));
        return (last == null ? "no run has succeeded since it was created at " : "the last run that succeeded was at ")
                + since + "; `kubectl -n " + live.getMetadata().getNamespace() + " logs -l " + pods + "` says why";
    }

    /** Why {@code live} is not rolled out, or null when it is. */
    private static String notReady(HasMetadata live) {
        int want;
        Integer ready;
        Long observed;
        if (live instanceof Deployment d) {
            want = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
            ready = d.getStatus() == null ? null : d.getStatus().getReadyReplicas();
            observed = d.getStatus() == null ? null : d.getStatus().getObservedGeneration();
        } else {
            StatefulSet s = (StatefulSet) live;
            want = s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
            ready = s.getStatus() == null ? null : s.getStatus().getReadyReplicas();
            observed = s.getStatus() == null ? null : s.getStatus().getObservedGeneration();
        }
        int r = ready == null ? 0 : ready;
        if (r < want) {
            return r + " of " + want + " replicas ready";
        }
        Long generation = live.getMetadata().getGeneration();
        if (generation != null && (observed == null || observed < generation)) {
            return "the change to generation " + generation + " is not rolled out yet";
        }
        return null;
    }

    /** The hosts of the apps' Ingresses. */
    public static List<String> hosts(List<HasMetadata> objects) {
        List<String> hosts = new ArrayList<>();
        for (HasMetadata o : objects) {
            if (o instanceof Ingress i) {
                i.getSpec().getRules().forEach(r -> hosts.add(r.getHost()));
            }
        }
        return hosts;
    }

    /**
     * GET https://HOST/ sent to {@code ingress} (the ingress node, whatever DNS says yet), with SNI and name
     * verification for HOST, trusting {@code tls}'s trust managers.
     */
    public static CheckResult answers(String host, InetSocketAddress ingress, SSLContext tls) {
        String probe = "https://" + host + "/ answers through Traefik";
        try (java.net.Socket plain = new java.net.Socket()) {
            plain.connect(ingress, TIMEOUT_MS);
            plain.setSoTimeout(TIMEOUT_MS);
            // TLS over the connection to the address, as if to HOST: its name is sent (SNI) and verified
            SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(plain, host, ingress.getPort(), false);
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName(host)));
            p.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(p);
            s.startHandshake();
            OutputStream out = s.getOutputStream();
            out.write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\nUser-Agent: birdbath-check\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = statusLine(s.getInputStream());
            String[] parts = status.split(" ");
            int code = parts.length > 1 && parts[1].matches("\\d{3}") ? Integer.parseInt(parts[1]) : -1;
            if (code == 404) {
                return CheckResult.failed(STAGE, "cluster", probe, "404: Traefik has no route for " + host
                        + " (is the Ingress deployed?)");
            }
            if (code < 200 || code >= 500) {
                return CheckResult.failed(STAGE, "cluster", probe, "answered '" + status + "'");
            }
            return CheckResult.ok(STAGE, "cluster", probe);
        } catch (javax.net.ssl.SSLException e) {
            return CheckResult.failed(STAGE, "cluster", probe, "TLS failed (" + e.getMessage() + "); until Let's Encrypt"
                    + " has answered, Traefik serves its own default certificate");
        } catch (IOException e) {
            return CheckResult.failed(STAGE, "cluster", probe, "no answer from " + ingress.getHostString() + ":"
                    + ingress.getPort() + " (" + e.getMessage() + ")");
        }
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n' && sb.length() < 200) {
            sb.append((char) c);
        }
        return sb.toString().strip();
    }
}
