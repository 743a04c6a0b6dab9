package dev.berth.archive;

/**
 * A path's name, size, mode (Go's os.FileMode), modification time (RFC 3339) and link target, as Docker's
 * {@code X-Docker-Container-Path-Stat} gives them.
 */
public record PathStat(String name, long size, long mode, String mtime, String linkTarget) {
    /** Go's FileMode: the permission bits, with the type and set-id bits where Go keeps them. */
    public static long goMode(int unix) {
        long mode = unix & 0777;
        switch (unix & 0170000) {
            case 0040000 -> mode |= 1L << 31;                  // directory
            case 0120000 -> mode |= 1L << 27;                  // symbolic link
            case 0010000 -> mode |= 1L << 25;                  // named pipe
            case 0140000 -> mode |= 1L << 24;                  // socket
            case 0020000 -> mode |= (1L << 26) | (1L << 21);   // character device
            case 0060000 -> mode |= 1L << 26;                  // block device
            default -> { }
        }
        if ((unix & 04000) != 0) {
            mode |= 1L << 23;
        }
        if ((unix & 02000) != 0) {
            mode |= 1L << 22;
        }
        if ((unix & 01000) != 0) {
            mode |= 1L << 20;
        }
        return mode;
    }
}

