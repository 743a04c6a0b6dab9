package dev.berth.runtime;

import dev.berth.linux.Errno;
import dev.berth.linux.Libc;
import dev.berth.linux.Tty;
import dev.berth.linux.SyscallException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A pseudo-terminal allocated from the container's own devpts instance ({@code -t}): the container's
 * command gets the slave as its controlling terminal, berth keeps the master and copies bytes between it
 * and the user's side: its own standard streams, or a client's (when a supervisor runs the command).
 */
public final class Terminal implements AutoCloseable {
    private final int master;
    private final int number;
    private MemorySegment savedHostMode;
    private Thread output;
    /** The user's terminal, whose window size the container's follows (-1: none). */
    private volatile int userTerminal = -1;
    private int userIn = -1;

    private Terminal(int master, int number) {
        this.master = master;
        this.number = number;
    }

    static Terminal open(String ptmxPath) {
        int master = Libc.open(ptmxPath, Libc.O_RDWR | Libc.O_NOCTTY | Libc.O_CLOEXEC, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            Libc.ioctl(master, Tty.TIOCSPTLCK, value); // value 0: unlock the slave
            Libc.ioctl(master, Tty.TIOCGPTN, value);
            return new Terminal(master, value.get(JAVA_INT, 0));
        } catch (RuntimeException e) {
            Libc.closeQuietly(master);
            throw e;
        }
    }

    /** The master side's descriptor (to hand it to an engine's console socket). */
    public int masterFd() {
        return master;
    }

    /** The slave's path inside the container. */
    String slavePath() {
        return "/dev/pts/" + number;
    }

    /** The user's terminal among in and out (-1 when neither is one). */
    static int userTerminal(int in, int out) {
        return Tty.isatty(in) ? in : Tty.isatty(out) ? out : -1;
    }

    /** Gives the container's terminal the size of the user's, when the user is on one. */
    void copyWindowSize(int from) {
        userTerminal = from;
        resize();
    }

    /** The user's window changed size (SIGWINCH): the container's follows. */
    public void resize() {
        int from = userTerminal;
        if (from < 0) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment size = arena.allocate(8);
            Libc.ioctl(from, Tty.TIOCGWINSZ, size);
            Libc.ioctl(master, Tty.TIOCSWINSZ, size);
        }
    }

    /** Sets the container's window size (the Engine API's resize, where no user terminal is at hand). */
    public void resize(int rows, int columns) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment size = arena.allocate(8);
            size.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 0, (short) rows);
            size.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 2, (short) columns);
            Libc.ioctl(master, Tty.TIOCSWINSZ, size);
        }
    }

    /**
     * Puts the user's terminal (in) in raw mode, restored by close, and starts copying: in to the
     * container, the container to out.
     */
    public void attach(int in, int out) {
        attach(in, out, false);
    }

    /**
     * As attach, for an input that is berth's own pipe: the copy closes it once it reads its end, so that
     * no other thread ever closes a descriptor this one may still read (and find reused).
     */
    public void attachOwningInput(int in, int out) {
        attach(in, out, true);
    }

    private void attach(int in, int out, boolean ownsInput) {
        if (Tty.isatty(in)) {
            Arena arena = Arena.ofAuto();
            savedHostMode = arena.allocate(Tty.TERMIOS_SIZE);
            Tty.tcgetattr(in, savedHostMode);
            MemorySegment raw = arena.allocate(Tty.TERMIOS_SIZE);
            raw.copyFrom(savedHostMode);
            Tty.cfmakeraw(raw);
            Tty.tcsetattr(in, raw);
            userIn = in;
        }
        Thread.ofPlatform().daemon().name("berth-tty-in").start(() -> {
            copy(in, master);
            if (ownsInput) {
                Libc.closeQuietly(in);
            }
        });
        output = Thread.ofPlatform().daemon().name("berth-tty-out").start(() -> copy(master, out));
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
                Libc.writeFully(to, buffer, n);
            }
        } catch (RuntimeException e) {
            // the other side went away; nothing left to copy
        }
    }

    @Override
    public void close() {
        if (savedHostMode != null) {
            Tty.tcsetattr(userIn, savedHostMode);
            savedHostMode = null;
        }
        Libc.closeQuietly(master);
    }
}
