package birdbath.sim;

/** A request the simulated API refuses, rendered as Linode's {"errors":[{reason, field}]}. */
final class ApiError extends RuntimeException {
    final int status;
    final String field;

    ApiError(int status, String reason, String field) {
        super(reason, null, false, false);
        this.status = status;
        this.field = field;
    }

    static ApiError badRequest(String field, String reason) {
        return new ApiError(400, reason, field);
    }

    static ApiError notFound() {
        return new ApiError(404, "Not found", null);
    }

    /** {@code found}, or the API's 404 when it is null (an id the account does not have). */
    static <T> T orNotFound(T found) {
        if (found == null) {
            throw notFound();
        }
        return found;
    }
}
