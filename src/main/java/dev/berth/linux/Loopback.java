package dev.berth.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** Brings {@code lo} up in the calling thread's network namespace (SIOCSIFFLAGS on an ifreq). */
public final class Loopback {
    private static final int AF_INET = 2, SOCK_DGRAM = 2, SOCK_CLOEXEC = 02000000;
    private static final long SIOCGIFFLAGS = 0x8913, SIOCSIFFLAGS = 0x8914;
    private static final short IFF_UP = 1;

    private Loopback() {}

    public static void up() {
        int fd = Libc.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifreq = arena.allocate(40);
            ifreq.setString(0, "lo");
            Libc.ioctl(fd, SIOCGIFFLAGS, ifreq);
            ifreq.set(JAVA_SHORT, 16, (short) (ifreq.get(JAVA_SHORT, 16) | IFF_UP));
            Libc.ioctl(fd, SIOCSIFFLAGS, ifreq);
        } finally {
            Libc.closeQuietly(fd);
        }
    }
}
