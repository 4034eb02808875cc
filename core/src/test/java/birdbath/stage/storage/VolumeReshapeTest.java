package birdbath.stage.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which bricks a change of storage.nodes adds or removes, and which changes are refused. */
class VolumeReshapeTest {

    private static GlusterLayout layout(int total, int storage) {
        return GlusterLayout.of(GlusterLayoutTest.nodes(total, storage));
    }

    private static GlusterStatus.Volume volume(GlusterLayout l) {
        return new GlusterStatus.Volume(l.bricks(), l.replica(), l.arbiter() == null ? 0 : 1, true, Map.of());
    }

    @Test
    void growingAndShrinkingGoByWholeSetsAtTheEnd() {
        VolumeReshape grow = VolumeReshape.between(volume(layout(3, 3)), layout(6, 6));
        assertThat(grow.add()).containsExactlyElementsOf(layout(6, 6).bricks().subList(3, 6));
        assertThat(grow.remove()).isEmpty();
        VolumeReshape shrink = VolumeReshape.between(volume(layout(9, 9)), layout(6, 6));
        assertThat(shrink.remove()).containsExactlyElementsOf(layout(9, 9).bricks().subList(6, 9));
        assertThat(VolumeReshape.between(volume(layout(6, 6)), layout(6, 6)).none()).isTrue();
        // five storage nodes use one set; nodes 4 and 5 wait for a sixth
        assertThat(VolumeReshape.between(volume(layout(6, 6)), layout(5, 5)).remove()).hasSize(3);
        assertThat(VolumeReshape.between(volume(layout(3, 3)), layout(5, 5)).none()).isTrue();
    }

    @Test
    void aChangeOfShapeTheLastSetOrBricksOutOfOrderAreRefused() {
        assertThatThrownBy(() -> VolumeReshape.between(volume(layout(3, 3)), layout(3, 2)))
                .hasMessageContaining("is replica 3 on 3 bricks").hasMessageContaining("asks for replica 3 arbiter 1")
                .hasMessageContaining("whole sets of the same shape");
        assertThatThrownBy(() -> VolumeReshape.between(volume(layout(1, 1)), layout(3, 3)))
                .hasMessageContaining("is plain on 1 brick ");
        assertThatThrownBy(() -> VolumeReshape.between(volume(layout(3, 3)), layout(3, 0)))
                .hasMessageContaining("remove its last bricks");
        GlusterStatus.Volume swapped = new GlusterStatus.Volume(List.of(layout(6, 6).bricks().get(3),
                layout(6, 6).bricks().get(4), layout(6, 6).bricks().get(5)), 3, 0, true, Map.of());
        assertThatThrownBy(() -> VolumeReshape.between(swapped, layout(6, 6)))
                .hasMessageContaining("are not the first of those the config asks for");
    }
}
