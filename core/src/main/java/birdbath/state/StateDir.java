package birdbath.state;

import birdbath.config.ClusterSpec;
import java.nio.file.Path;
import java.util.List;

/** The layout of .birdbath/ beside the config file: every file and folder birdbath keeps there, named once. */
public record StateDir(Path root) {

    public static StateDir of(ClusterSpec spec) {
        return new StateDir(spec.stateDir());
    }

    /** The nodes as last provisioned. */
    public Path stateJson() {
        return root.resolve("state.json");
    }

    public Path inventory() {
        return root.resolve("inventory");
    }

    public Path topology() {
        return root.resolve("topology.json");
    }

    public Path hosts() {
        return root.resolve("hosts");
    }

    public Path knownHosts() {
        return root.resolve("known_hosts");
    }

    /** birdbath's own SSH key (0600); the public half beside it, with .pub. */
    public Path sshKey() {
        return root.resolve("ssh/id_ecdsa");
    }

    /** Who birdbath logs in as: root until baseline has made and proven the admin user. */
    public Path loginUser() {
        return root.resolve("ssh/login_user");
    }

    public Path rootPassword() {
        return root.resolve("secrets/root_pass");
    }

    /** The key the API server encrypts Secrets in etcd with (pki.KubernetesPki makes it). */
    public Path kubernetesEncryptionKey() {
        return root.resolve("secrets/kubernetes-encryption.key");
    }

    /** The apps' generated passwords and basic-auth files. */
    public Path appSecrets() {
        return root.resolve("secrets/apps");
    }

    /** The cluster's CA and certificates. */
    public Path pki() {
        return root.resolve("pki");
    }

    /** The Kubernetes cluster's own CA, front-proxy CA and service-account key (pki.KubernetesPki). */
    public Path kubernetesPki() {
        return pki().resolve("kubernetes");
    }

    /** The local provider's overlays, loop files and network choice. */
    public Path local() {
        return root.resolve("local");
    }

    public Path logs() {
        return root.resolve("logs");
    }

    public Path apiLog() {
        return logs().resolve("linode-api.log");
    }

    /** The cluster's admin kubeconfig (0600). */
    public Path kubeconfig() {
        return root.resolve("kubeconfig");
    }

    public Path manifest(String file) {
        return root.resolve("manifests").resolve(file);
    }

    /** What `down` removes: the outputs, and what only held for the nodes that are gone (host keys, login user). */
    public List<Path> nodeOutputs() {
        return List.of(stateJson(), inventory(), topology(), hosts(), knownHosts(), loginUser());
    }
}
