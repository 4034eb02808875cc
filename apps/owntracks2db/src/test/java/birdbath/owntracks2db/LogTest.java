package birdbath.owntracks2db;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A log line is one JSON object: escaped text, numbers as numbers. */
class LogTest {

    @Test
    void logLinesAreJsonWithTheirFields() throws Exception {
        String line = Log.line("warn", "writing a batch failed", "messages", 500, "error", "say \"no\"\nnow");
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
        assertThat(json.get("level").asText()).isEqualTo("warn");
        assertThat(json.get("msg").asText()).isEqualTo("writing a batch failed");
        assertThat(json.get("messages").isNumber()).isTrue();
        assertThat(json.get("error").asText()).isEqualTo("say \"no\"\nnow");
        assertThat(line).doesNotContain("\n");
    }
}
