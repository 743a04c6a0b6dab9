package dev.berth.runtime;

import dev.berth.linux.Errno;
import dev.berth.linux.Libc;
import dev.berth.linux.SyscallException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A pseudo-terminal allocated from the container's own devpts instance ({@code -t}): the container's
 * command gets the slave as its controlling terminal, berth keeps the master and copies bytes between it
 * and its own standard streams.
 */
public final class Terminal implements AutoCloseable {
    private final int master;
    private final int number;
    private MemorySegment savedHostMode;
    private Thread output;

    private Terminal(int master, int number) {
        this.master = master;
        this.number = number;
    }

    static Terminal open(String ptmxPath) {
        int master = Libc.open(ptmxPath, Libc.O_RDWR | Libc.O_NOCTTY | Libc.O_CLOEXEC, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            Libc.ioctl(master, Libc.TIOCSPTLCK, value); // value 0: unlock the slave
            Libc.ioctl(master, Libc.TIOCGPTN, value);
            Terminal terminal = new Terminal(master, value.get(JAVA_INT, 0));
            terminal.copyWindowSize();
            return terminal;
        } catch (RuntimeException e) {
            Libc.closeQuietly(master);
            throw e;
        }
    }

    /** The slave's path inside the container. */
    String slavePath() {
        return "/dev/pts/" + number;
    }

    /** Gives the container's terminal the size of berth's own, when berth runs on one. */
    public void copyWindowSize() {
        if (!Libc.isatty(0)) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment size = arena.allocate(8);
            Libc.ioctl(0, Libc.TIOCGWINSZ, size);
            Libc.ioctl(master, Libc.TIOCSWINSZ, size);
        }
    }

    /** Puts berth's terminal in raw mode (restored by close) and starts copying in both directions. */
    public void attach() {
        if (Libc.isatty(0)) {
            Arena arena = Arena.ofAuto();
            savedHostMode = arena.allocate(Libc.TERMIOS_SIZE);
            Libc.tcgetattr(0, savedHostMode);
            MemorySegment raw = arena.allocate(Libc.TERMIOS_SIZE);
            raw.copyFrom(savedHostMode);
            Libc.cfmakeraw(raw);
            Libc.tcsetattr(0, raw);
        }
        Thread.ofPlatform().daemon().name("berth-tty-in").start(() -> copy(0, master));
        output = Thread.ofPlatform().daemon().name("berth-tty-out").start(() -> copy(master, 1));
    }

    /** Waits (bounded) until the container's output has been copied out; the master reads EIO at the end. */
    public void drain(long millis) throws InterruptedException {
        if (output != null) {
            output.join(millis);
        }
    }

    private static void copy(int from, int to) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(8192);
            while (true) {
                int n;
                try {
                    n = Libc.read(from, buffer, buffer.byteSize());
                } catch (SyscallException e) {
                    if (e.errno() == Errno.EINTR) {
                        continue;
                    }
                    return; // EIO: every slave descriptor is closed
                }
                if (n <= 0) {
                    return;
                }
                for (int done = 0; done < n; ) {
                    done += Libc.write(to, buffer.asSlice(done), n - done);
                }
            }
        } catch (RuntimeException e) {
            // the other side went away; nothing left to copy
        }
    }

    @Override
    public void close() {
        if (savedHostMode != null) {
            Libc.tcsetattr(0, savedHostMode);
            savedHostMode = null;
        }
        Libc.closeQuietly(master);
    }
}
