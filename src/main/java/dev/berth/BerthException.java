package dev.berth;

/**
 * Every error berth reports to its user: one line of text and the exit code the CLI returns for it.
 * Exit codes follow Docker's convention. Whatever a message quotes of the user's input, it stays one
 * line: control characters (newlines, escape sequences) and bidirectional overrides are shown escaped.
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
        super(printable(message), cause);
        this.exitCode = exitCode;
    }

    /** text with control characters and bidirectional overrides escaped (\x0a, \u202e): safe on one line. */
    public static String printable(String text) {
        if (text == null || text.chars().noneMatch(c -> Character.isISOControl(c) || isBidiControl(c))) {
            return text;
        }
        StringBuilder out = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\x%02x", c));
            } else if (isBidiControl(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    private static boolean isBidiControl(int c) {
        return c >= 0x202a && c <= 0x202e || c >= 0x2066 && c <= 0x2069 || c == 0x200e || c == 0x200f;
    }

    public int exitCode() {
        return exitCode;
    }
}
