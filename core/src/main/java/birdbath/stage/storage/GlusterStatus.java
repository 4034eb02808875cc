package birdbath.stage.storage;

import birdbath.remote.SshConnection;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Reading the gluster CLI: the volume, brick status and the progress of a rebalance or remove-brick (from --xml,
 * whose text form wraps long brick names and has no stable columns) and heal counts.
 */
final class GlusterStatus {

    /** "Number of entries: N" of `heal info`, "Total Number of entries: N" of `heal info summary`; "-": brick down. */
    private static final Pattern ENTRIES = Pattern.compile("(?m)^(?:Total )?Number of entries: (\\d+|-)\\s*$");

    private GlusterStatus() { }

    /** The volume as `gluster volume info VOL --xml` on {@code c} shows it: bricks in volume order, shape, options. */
    record Volume(List<String> bricks, int replica, int arbiter, boolean started, Map<String, String> options) {

        /** As `gluster volume info` names the shape: "replica 3", "replica 3 arbiter 1", "plain". */
        String shape() {
            return replica <= 1 ? "plain" : "replica " + replica + (arbiter > 0 ? " arbiter " + arbiter : "");
        }
    }

    /**
     * How a rebalance or a remove-brick's data migration stands: the worst status of any server (the CLI's
     * aggregate leaves out servers it could not read, and ranks only codes 0-4), the aggregate's counters. The
     * codes are glusterfs's gf_defrag_status_t (rpc/xdr/src/cli1-xdr.x, v10.3).
     */
    record Task(int status, String statusText, long files, long bytes, long failures, long skipped, double seconds) {
        static final int NOT_STARTED = 0;
        static final int IN_PROGRESS = 1;
        static final int STOPPED = 2;
        static final int COMPLETE = 3;
        static final int FAILED = 4;

        boolean running() {
            return status == IN_PROGRESS;
        }

        /** Completed: every directory's layout is fixed, though some files may have been skipped or failed. */
        boolean done() {
            return status == COMPLETE;
        }

        /** Completed and nothing failed or was skipped: only then may a remove-brick be committed. */
        boolean clean() {
            return done() && failures == 0 && skipped == 0;
        }
    }

    /**
     * What a `... status --xml` said: a task, or no task (never started, stopped or committed: {@code task} empty,
     * {@code error} null), or nothing certain ({@code error}: another transaction held the lock, glusterd was
     * restarting...), which is asked again rather than taken for "no task".
     */
    record TaskAnswer(Optional<Task> task, String error) {
        boolean none() {
            return task.isEmpty() && error == null;
        }
    }

    /** glusterd's words for "there is no such task" (glusterd-rebalance.c, v10.3). */
    private static final Pattern NO_TASK = Pattern.compile("not started for volume|is not a distribute volume"
            + "|contains only 1 brick");

    static Optional<Volume> volume(SshConnection c) {
        return volume(c.exec("gluster --mode=script volume info " + GlusterLayout.VOLUME + " --xml").out());
    }

    static Optional<Volume> volume(String xml) {
        return parse(xml).flatMap(doc -> {
            NodeList volumes = doc.getElementsByTagName("volume");
            if (volumes.getLength() == 0) {
                return Optional.empty();
            }
            Element v = (Element) volumes.item(0);
            List<String> bricks = new ArrayList<>();
            NodeList b = v.getElementsByTagName("brick");
            for (int i = 0; i < b.getLength(); i++) {
                bricks.add(text((Element) b.item(i), "name"));
            }
            Map<String, String> options = new LinkedHashMap<>();
            NodeList o = v.getElementsByTagName("option");
            for (int i = 0; i < o.getLength(); i++) {
                options.put(text((Element) o.item(i), "name"), text((Element) o.item(i), "value"));
            }
            return Optional.of(new Volume(bricks, number(v, "replicaCount"), number(v, "arbiterCount"),
                    text(v, "statusStr").equals("Started"), options));
        });
    }

    /** The answer of `gluster volume rebalance VOL status --xml` or `... remove-brick VOL BRICKS status --xml`. */
    static TaskAnswer task(String xml) {
        Optional<Document> doc = document(xml);
        if (doc.isEmpty()) {
            return new TaskAnswer(Optional.empty(), xml.isBlank() ? "no answer" : xml.strip());
        }
        Element root = doc.get().getDocumentElement();
        if (!text(root, "opRet").equals("0")) {
            String why = text(root, "opErrstr").isEmpty() ? text(root, "output") : text(root, "opErrstr");
            return new TaskAnswer(Optional.empty(), NO_TASK.matcher(why).find() ? null : why);
        }
        NodeList aggregate = root.getElementsByTagName("aggregate");
        if (aggregate.getLength() == 0) {
            return new TaskAnswer(Optional.empty(), "no <aggregate> in the answer");
        }
        Element a = (Element) aggregate.item(0);
        int status = number(a, "status");
        NodeList nodes = root.getElementsByTagName("node");
        for (int i = 0; i < nodes.getLength(); i++) {
            status = worse(status, number((Element) nodes.item(i), "status"));
        }
        return new TaskAnswer(Optional.of(new Task(status, status == number(a, "status") ? text(a, "statusStr")
                : "status " + status + " on a server", longOf(a, "files"), longOf(a, "size"), longOf(a, "failures"),
                longOf(a, "skipped"), decimal(a, "runtime"))), null);
    }

    /**
     * The servers whose part of the task {@code xml} (a rebalance's or remove-brick's status) says still runs, by
     * the name the asked server knows them by: a peer's address, or "localhost" for itself.
     */
    static List<String> runningOn(String xml) {
        List<String> out = new ArrayList<>();
        document(xml).ifPresent(doc -> {
            NodeList nodes = doc.getDocumentElement().getElementsByTagName("node");
            for (int i = 0; i < nodes.getLength(); i++) {
                Element n = (Element) nodes.item(i);
                if (number(n, "status") == Task.IN_PROGRESS) {
                    out.add(text(n, "nodeName"));
                }
            }
        });
        return out;
    }

    /** The CLI's ranking (cli-xml-output.c): running, then failed, stopped, completed, not started; others worst. */
    private static int worse(int a, int b) {
        List<Integer> rank = List.of(Task.IN_PROGRESS, Task.FAILED, Task.STOPPED, Task.COMPLETE, Task.NOT_STARTED);
        int ra = rank.indexOf(a) < 0 ? -1 : rank.indexOf(a);
        int rb = rank.indexOf(b) < 0 ? -1 : rank.indexOf(b);
        return rb < ra ? b : a;
    }

    /** The bricks of a remove-brick task the volume has (started, not yet committed or stopped), if any. */
    static List<String> removeBrickTask(SshConnection c) {
        return removeBrickTask(c.exec("gluster --mode=script volume status " + GlusterLayout.VOLUME + " --xml").out());
    }

    /** The same from the output of `gluster volume status VOL --xml`. */
    static List<String> removeBrickTask(String xml) {
        List<String> bricks = new ArrayList<>();
        parse(xml).ifPresent(doc -> {
            NodeList tasks = doc.getElementsByTagName("task");
            for (int i = 0; i < tasks.getLength(); i++) {
                Element t = (Element) tasks.item(i);
                if (text(t, "type").equals("Remove brick") && text(t, "statusStr").matches("(?i)in progress|completed"
                        + "|failed")) {
                    NodeList b = t.getElementsByTagName("brick");
                    for (int j = 0; j < b.getLength(); j++) {
                        bricks.add(b.item(j).getTextContent().strip());
                    }
                }
            }
        });
        return bricks;
    }

    /** The volume's bricks as the node {@code c} sees them: host:path -> online. */
    static Map<String, Boolean> bricks(SshConnection c) {
        return bricks(c.exec("gluster --mode=script volume status " + GlusterLayout.VOLUME + " --xml").out());
    }

    /** Of {@code bricks}, those the node {@code c} does not see online (offline, or not listed at all). */
    static List<String> offline(SshConnection c, List<String> bricks) {
        Map<String, Boolean> online = bricks(c);
        return bricks.stream().filter(b -> !Boolean.TRUE.equals(online.get(b))).toList();
    }

    /**
     * Entries waiting for self-heal as the node {@code c} sees them; -1 when a brick cannot say. The summary counts
     * without listing every entry (a full `heal info` is slow with many, glusterfs issue #584).
     */
    static long pendingHeals(SshConnection c) {
        return pendingHeals(c.exec("gluster --mode=script volume heal " + GlusterLayout.VOLUME + " info summary")
                .out());
    }

    /** A server as `gluster pool list` shows it: its UUID and whether glusterd is connected to it. */
    record PoolMember(String uuid, boolean connected) { }

    /** `gluster pool list` on {@code c}: each server by the address it was probed by, {@code c}'s as "localhost". */
    static Map<String, PoolMember> pool(SshConnection c) {
        return pool(StorageStage.must(c, "gluster --mode=script pool list"));
    }

    /** The list's columns are UUID, Hostname and State ("Connected" or "Disconnected"), under a heading line. */
    static Map<String, PoolMember> pool(String list) {
        Map<String, PoolMember> out = new LinkedHashMap<>();
        for (String line : list.lines().skip(1).toList()) {
            String[] f = line.strip().split("\\s+");
            if (f.length >= 3) {
                out.put(f[1], new PoolMember(f[0], f[2].equals("Connected")));
            }
        }
        return out;
    }

    /** host:path -> online, for every brick `gluster volume status VOL --xml` lists (daemons left out). */
    static Map<String, Boolean> bricks(String xml) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        parse(xml).ifPresent(doc -> {
            NodeList nodes = doc.getElementsByTagName("node");
            for (int i = 0; i < nodes.getLength(); i++) {
                Element n = (Element) nodes.item(i);
                String path = text(n, "path");
                if (path.startsWith("/")) {
                    out.put(text(n, "hostname") + ":" + path, text(n, "status").equals("1"));
                }
            }
        });
        return out;
    }

    /** The document, when the output holds one that says the command worked (opRet 0). */
    private static Optional<Document> parse(String xml) {
        return document(xml).filter(doc -> {
            String ret = text(doc.getDocumentElement(), "opRet");
            return ret.isEmpty() || ret.equals("0");
        });
    }

    private static Optional<Document> document(String xml) {
        int start = xml.indexOf('<');
        if (start < 0) {
            return Optional.empty();
        }
        try {
            var factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return Optional.of(factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.substring(start)
                    .getBytes(StandardCharsets.UTF_8))));
        } catch (Exception e) {
            // unreadable output: nothing is known
            return Optional.empty();
        }
    }

    private static String text(Element e, String tag) {
        NodeList l = e.getElementsByTagName(tag);
        return l.getLength() == 0 ? "" : l.item(0).getTextContent().strip();
    }

    private static int number(Element e, String tag) {
        return (int) longOf(e, tag);
    }

    private static long longOf(Element e, String tag) {
        String s = text(e, tag);
        return s.matches("-?\\d+") ? Long.parseLong(s) : 0;
    }

    private static double decimal(Element e, String tag) {
        String s = text(e, tag);
        return s.matches("\\d+(\\.\\d+)?") ? Double.parseDouble(s) : 0;
    }

    /**
     * Entries waiting for self-heal, summed over bricks, from `gluster volume heal VOL info [summary]`; -1 when a brick
     * could not say (it is down).
     */
    static long pendingHeals(String healInfo) {
        Matcher m = ENTRIES.matcher(healInfo);
        long sum = 0;
        boolean any = false;
        while (m.find()) {
            any = true;
            if (m.group(1).equals("-")) {
                return -1;
            }
            sum += Long.parseLong(m.group(1));
        }
        return any ? sum : -1;
    }
}
