package birdbath.haircolor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The grammar: what is allowed comes out canonical; anything else is refused with a reason. */
class BackgroundTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            #D51F6F                                              | #d51f6f
            #abc                                                 | #abc
            #abcd                                                | #abcd
            #0011aaff                                            | #0011aaff
            RebeccaPurple                                        | rebeccapurple
            transparent                                          | transparent
            linear-gradient(to bottom, #E936AF, #48145F 40%)     | linear-gradient(to bottom, #e936af, #48145f 40%)
            linear-gradient(#01B48F 30%,#31A994 50%,  #1B2D49)   | linear-gradient(#01b48f 30%, #31a994 50%, #1b2d49)
            linear-gradient(45deg, red, blue)                    | linear-gradient(45deg, red, blue)
            linear-gradient(-0.25turn, red 0% 10%, blue 100%)    | linear-gradient(-0.25turn, red 0% 10%, blue 100%)
            linear-gradient(to top right, gold, navy)            | linear-gradient(to top right, gold, navy)
            radial-gradient(circle, #fff, #000)                  | radial-gradient(circle, #fff, #000)
            radial-gradient(ellipse at top left, red, blue 50%)  | radial-gradient(ellipse at top left, red, blue 50%)
            radial-gradient(at center, red, blue)                | radial-gradient(at center, red, blue)
            """)
    void allowedBackgroundsComeOutCanonical(String input, String canonical) throws Exception {
        assertThat(Background.parse(input).css()).isEqualTo(canonical);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "", "   ", "red;", "red; color: blue", "red} body { background: url(x)", "url(http://evil/x.png)",
            "expression(alert(1))", "red /* comment */", "#d51f6f !important", "linear-gradient(red, url(x))",
            "linear-gradient(red)", "linear-gradient(to bottom, red)", "linear-gradient(to middle, red, blue)",
            "linear-gradient(to left left, red, blue)", "linear-gradient(red 101%, blue)",
            "linear-gradient(red 10% 20% 30%, blue)", "linear-gradient(red, blue", "linear-gradient((red), blue)",
            "conic-gradient(red, blue)", "var(--x)", "currentcolor", "notacolor", "#12", "#12345", "#ggg",
            "rgb(1,2,3)", "red\\3b", "\"red\"", "'red'", "red<script>", "linear-gradient(99999deg, red, blue)",
            "radial-gradient(at nowhere, red, blue)", "radial-gradient(square, red, blue)", "red, blue", "red blue"})
    void everythingElseIsRefusedWithAReason(String input) {
        assertThatThrownBy(() -> Background.parse(input)).isInstanceOf(Background.Invalid.class)
                .hasMessageNotContaining("null");
    }

    @org.junit.jupiter.api.Test
    void overlongInputIsRefused() {
        assertThatThrownBy(() -> Background.parse("linear-gradient(" + "red, ".repeat(200) + "blue)"))
                .hasMessageContaining("longer than 512");
    }

    @org.junit.jupiter.api.Test
    void theOriginalsHistoryIsValid() {
        assertThat(ColorStore.seed()).hasSize(8).first().extracting(e -> e.background().css()).isEqualTo("#d51f6f");
    }
}
