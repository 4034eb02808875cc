package birdbath.plan;

/** One thing `up` would do to the cloud, as `plan` prints it: "+ instance demo-1 (g6-standard-2, us-east)". */
public sealed interface Change permits Change.Create, Change.Update, Change.Delete {

    String kind();

    String name();

    String detail();

    char symbol();

    record Create(String kind, String name, String detail) implements Change {
        public char symbol() {
            return '+';
        }
    }

    record Update(String kind, String name, String detail) implements Change {
        public char symbol() {
            return '~';
        }
    }

    record Delete(String kind, String name, String detail) implements Change {
        public char symbol() {
            return '-';
        }
    }
}
