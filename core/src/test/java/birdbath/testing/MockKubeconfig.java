package birdbath.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** A kubeconfig for fabric8's mock API server, written where birdbath reads the cluster's (.birdbath/kubeconfig). */
public final class MockKubeconfig {

    private MockKubeconfig() { }

    public static void write(Path file, String server) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: demo
                  cluster: {server: "%s", insecure-skip-tls-verify: true}
                users:
                - name: demo-admin
                  user: {token: test-token}
                contexts:
                - name: demo
                  context: {cluster: demo, user: demo-admin}
                current-context: demo
                """.formatted(server));
    }
}
