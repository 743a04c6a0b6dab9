package dev.berth.oci;

import dev.berth.BerthException;

/** An error of berth-oci: one line, and exit status 1 (runc's, which engines expect of a runtime). */
public final class OciException extends BerthException {
    public static final int EXIT = 1;

    public OciException(String message) {
        super(EXIT, message, null);
    }

    public OciException(String message, Throwable cause) {
        super(EXIT, message, cause);
    }
}
