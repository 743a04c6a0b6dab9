package dev.berth;

/**
 * Every error berth reports to its user: one line of text and the exit code the CLI returns for it.
 * Exit codes follow Docker's convention.
 */
public class BerthException extends RuntimeException {
    /** berth itself failed, or the request was invalid. */
    public static final int RUNTIME_ERROR = 125;
    /** The container's command exists but cannot be executed. */
    public static final int NOT_EXECUTABLE = 126;
    /** The container's command was not found. */
    public static final int NOT_FOUND = 127;

    private final int exitCode;

    public BerthException(String message) {
        this(RUNTIME_ERROR, message, null);
    }

    public BerthException(String message, Throwable cause) {
        this(RUNTIME_ERROR, message, cause);
    }

    public BerthException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
