package birdbath.stage.storage;

import birdbath.BirdbathException;
import java.util.List;

/**
 * How the volume's bricks must change to become the layout's: whole replica sets appended (grow) or taken from
 * the end (shrink), never anything else. Bricks keep node order, so with replica 3 the nodes 1-3 form the first
 * set, 4-6 the second and so on; a change of shape (plain, replica 2, arbiter, replica 3) is refused, as is
 * removing the last set.
 */
record VolumeReshape(List<String> add, List<String> remove) {

    static VolumeReshape between(GlusterStatus.Volume volume, GlusterLayout target) {
        List<String> now = volume.bricks();
        List<String> wanted = target.bricks();
        if (now.equals(wanted)) {
            return new VolumeReshape(List.of(), List.of());
        }
        if (wanted.isEmpty()) {
            throw refusal(volume, target, "that would remove its last bricks and every file on them");
        }
        if (!volume.shape().equals(target.type())) {
            throw refusal(volume, target, "birdbath adds and removes bricks only in whole sets of the same shape");
        }
        if (wanted.size() > now.size() && wanted.subList(0, now.size()).equals(now)) {
            return new VolumeReshape(wanted.subList(now.size(), wanted.size()), List.of());
        }
        if (wanted.size() < now.size() && now.subList(0, wanted.size()).equals(wanted)) {
            return new VolumeReshape(List.of(), now.subList(wanted.size(), now.size()));
        }
        throw refusal(volume, target, "the bricks it has are not the first of those the config asks for (" + wanted
                + "), so no whole replica set can be added or removed to get there");
    }

    private static String bricks(int n) {
        return n + (n == 1 ? " brick" : " bricks");
    }

    boolean none() {
        return add.isEmpty() && remove.isEmpty();
    }

    private static BirdbathException refusal(GlusterStatus.Volume volume, GlusterLayout target, String why) {
        return new BirdbathException("storage: volume " + GlusterLayout.VOLUME + " is " + volume.shape() + " on "
                + bricks(volume.bricks().size()) + " " + volume.bricks() + " and the config asks for "
                + target.type() + " on " + bricks(target.bricks().size()) + ": " + why + ". Replica 3 volumes grow and"
                + " shrink by whole sets of three storage nodes (storage.nodes 3, 6, 9...); set storage.nodes"
                + " back, or move the data to a new cluster");
    }
}
