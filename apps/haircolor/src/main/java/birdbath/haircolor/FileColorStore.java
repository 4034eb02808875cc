package birdbath.haircolor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/** The history as a JSON file in HAIRCOLOR_DATA_DIR, replaced atomically on every change. */
final class FileColorStore implements ColorStore {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private List<Entry> history;

    FileColorStore(Path dir) {
        this.file = dir.resolve("history.json");
        try {
            Files.createDirectories(dir);
            if (Files.exists(file)) {
                history = read(file);
            } else {
                history = new ArrayList<>(ColorStore.seed());
                write();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use " + file + ": " + e.getMessage(), e);
        }
    }

    private static List<Entry> read(Path file) throws IOException {
        List<Entry> out = new ArrayList<>();
        JsonNode doc = JSON.readTree(file.toFile());
        for (JsonNode e : doc) {
            try {
                out.add(new Entry(e.path("since").asText(), Background.parse(e.path("background").asText())));
            } catch (Background.Invalid ex) {
                throw new IOException(file + ": a stored colour is no longer allowed: " + ex.getMessage());
            }
        }
        if (out.isEmpty()) {
            throw new IOException(file + " holds no colour");
        }
        return out;
    }

    @Override
    public synchronized List<Entry> history() {
        return List.copyOf(history);
    }

    @Override
    public synchronized void add(Entry entry) {
        history.add(entry);
        try {
            write();
        } catch (IOException e) {
            history.remove(history.size() - 1);
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private void write() throws IOException {
        ArrayNode doc = JSON.createArrayNode();
        for (Entry e : history) {
            doc.addObject().put("since", e.since()).put("background", e.background().css());
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".new");
        Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(doc));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
