package dev.berth.linux;

import dev.berth.BerthException;

/**
 * A failed system call: which call, on what, and the errno it returned. A {@link BerthException} like
 * every other error berth reports, so the CLI turns it into one line and exit code 125.
 */
public final class SyscallException extends BerthException {
    private final String call;
    private final int errno;

    public SyscallException(String call, String subject, int errno) {
        super(call + (subject == null || subject.isEmpty() ? "" : " " + subject) + ": " + Errno.name(errno));
        this.call = call;
        this.errno = errno;
    }

    public String call() { return call; }

    public int errno() { return errno; }
}
