package dev.berth.daemon;

/** The supervisor's answer: ok with the container's id, or the error line and its exit code. */
public record Response(boolean ok, String id, String error, int exitCode) {
    static Response success(String id) {
        return new Response(true, id, null, 0);
    }

    static Response failure(String error, int exitCode) {
        return new Response(false, null, error, exitCode);
    }
}
