package birdbath.stage.apps;

/**
 * The images this repository builds (`mvn package`: apps/NAME/target/NAME-image.tar), loaded onto the nodes
 * by `birdbath image load`; their tag is the project's version (AppImagesTest keeps the two equal).
 */
public final class AppImages {

    public static final String VERSION = "0.1.0-SNAPSHOT";
    public static final String HAIRCOLOR = "birdbath/haircolor:" + VERSION;
    public static final String OWNTRACKS2DB = "birdbath/owntracks2db:" + VERSION;

    private AppImages() { }
}
