package birdbath.twin;

import birdbath.BirdbathException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a Linode image's cloud-init does with the host keys of an instance's user data, done by the twin to the
 * machine's file system before its first boot: cloud-init's ssh module (cc_ssh of 22.4.2, Debian 12's, read for
 * this in docs/upstream/cloud-init-host-keys.md) deletes every /etc/ssh/ssh_host_*key* unless ssh_deletekeys is
 * false, writes each ssh_keys entry {type}_{private|public|certificate} to ssh_host_{type}_key[.pub|-cert.pub]
 * with mode 0600, and generates no other key. The twin applies nothing else of a cloud-config; other keys are
 * reported, so that a test relying on them notices.
 */
final class CloudInitSshKeys {

    private static final Pattern KEY = Pattern.compile("(dsa|ecdsa|ed25519|rsa)_(public|private|certificate)");
    private static final Map<String, String> SUFFIX = Map.of("private", "", "public", ".pub",
            "certificate", "-cert.pub");

    private CloudInitSshKeys() { }

    /** Applies {@code userData} (null: none) to the root file system {@code root}; returns what it did not apply. */
    static List<String> apply(String userData, Path root) throws IOException {
        List<String> ignored = new ArrayList<>();
        if (userData == null) {
            return ignored;
        }
        if (!userData.startsWith("#cloud-config\n")) {
            ignored.add("user data that is not a #cloud-config");
            return ignored;
        }
        JsonNode config = new YAMLMapper().readTree(userData);
        JsonNode keys = config.path("ssh_keys");
        if (!keys.isObject()) {
            config.fieldNames().forEachRemaining(ignored::add);
            return ignored;
        }
        Path ssh = root.resolve("etc/ssh");
        if (config.path("ssh_deletekeys").asBoolean(true)) {
            try (DirectoryStream<Path> old = Files.newDirectoryStream(ssh, "ssh_host_*key*")) {
                for (Path p : old) {
                    Files.delete(p);
                }
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = keys.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            var m = KEY.matcher(e.getKey());
            if (!m.matches()) {
                throw new BirdbathException("twin: ssh_keys." + e.getKey() + " is no key cloud-init knows");
            }
            Path file = ssh.resolve("ssh_host_" + m.group(1) + "_key" + SUFFIX.get(m.group(2)));
            Files.writeString(file, e.getValue().asText());
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
        config.fieldNames().forEachRemaining(f -> {
            if (!f.equals("ssh_keys") && !f.equals("ssh_deletekeys")) {
                ignored.add(f);
            }
        });
        return ignored;
    }
}
