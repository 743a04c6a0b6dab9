package dev.berth.linux;

/** A failed system call: which call, on what, and the errno it returned. */
public final class SyscallException extends RuntimeException {
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
