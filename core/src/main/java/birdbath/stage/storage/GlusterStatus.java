package birdbath.stage.storage;

import birdbath.remote.SshConnection;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** Reading the gluster CLI: brick status (from --xml, whose text form wraps long brick names) and heal counts. */
final class GlusterStatus {

    private static final Pattern ENTRIES = Pattern.compile("(?m)^Number of entries: (\\d+|-)\\s*$");

    private GlusterStatus() { }

    /** The volume's bricks as the node {@code c} sees them: host:path -> online. */
    static Map<String, Boolean> bricks(SshConnection c) {
        return bricks(c.exec("gluster --mode=script volume status " + GlusterLayout.VOLUME + " --xml").out());
    }

    /** Entries waiting for self-heal as the node {@code c} sees them; -1 when a brick cannot say. */
    static long pendingHeals(SshConnection c) {
        return pendingHeals(c.exec("gluster --mode=script volume heal " + GlusterLayout.VOLUME + " info").out());
    }

    /** host:path -> online, for every brick `gluster volume status VOL --xml` lists (daemons left out). */
    static Map<String, Boolean> bricks(String xml) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        int start = xml.indexOf('<');
        if (start < 0) {
            return out;
        }
        try {
            var factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            var doc = factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.substring(start)
                    .getBytes(StandardCharsets.UTF_8)));
            NodeList nodes = doc.getElementsByTagName("node");
            for (int i = 0; i < nodes.getLength(); i++) {
                Element n = (Element) nodes.item(i);
                String path = text(n, "path");
                if (path.startsWith("/")) {
                    out.put(text(n, "hostname") + ":" + path, text(n, "status").equals("1"));
                }
            }
        } catch (Exception e) {
            // unreadable output: no brick is known to be online
        }
        return out;
    }

    private static String text(Element e, String tag) {
        NodeList l = e.getElementsByTagName(tag);
        return l.getLength() == 0 ? "" : l.item(0).getTextContent().strip();
    }

    /**
     * Entries waiting for self-heal, summed over bricks, from `gluster volume heal VOL info`; -1 when a brick
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
