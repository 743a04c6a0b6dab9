package dev.berth.daemon;

import dev.berth.linux.Libc;
import dev.berth.linux.Procfs;
import dev.berth.linux.SyscallException;
import dev.berth.runtime.ContainerStarter;
import dev.berth.state.BerthPaths;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntConsumer;

/**
 * A berth command line the supervisor runs for a client (see {@link Delegation}): its arguments,
 * environment and working directory, and the client's own standard streams, opened again through
 * /proc/PID/fd so that a container started for it reads and writes them directly, as if the client's
 * JVM had started it. A regular file opened again gets a file offset of its own: it starts where the
 * client's is, and where it ends is sent back for the client to move its own to ({@link #offsets}), so
 * that {@code { berth run …; echo next; } > file} reads as it would without a supervisor. Signals the
 * client receives arrive here and go to whoever listens.
 */
public final class Invocation implements AutoCloseable {
    /** Thrown when the supervisor cannot run this command line for the client: the client runs it itself. */
    public static final class Declined extends RuntimeException {
        public Declined(String reason) {
            super(reason, null, false, false);
        }
    }

    private final List<String> argv;
    private final Map<String, String> env;
    private final Path cwd;
    private final int pid;
    private final BerthPaths paths;
    private final Function<Request, Response> supervisor;
    private final int[] fds = {-1, -1, -1};
    /** Streams that are regular files: their offset goes back to the client. */
    private final boolean[] regularFile = new boolean[3];
    private final PrintWriter out;
    private final PrintWriter err;
    private final List<Integer> pendingSignals = new ArrayList<>();
    private IntConsumer signalListener;

    Invocation(List<String> argv, Map<String, String> env, Path cwd, int pid, BerthPaths paths,
               Function<Request, Response> supervisor) {
        this.argv = List.copyOf(argv);
        this.env = Map.copyOf(env);
        this.cwd = cwd;
        this.pid = pid;
        this.paths = paths;
        this.supervisor = supervisor;
        try {
            this.out = writer(stream(1));
            this.err = writer(stream(2));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public List<String> argv() { return argv; }

    /** The client's environment. */
    public Map<String, String> env() { return env; }

    /** The client's working directory. */
    public Path cwd() { return cwd; }

    /** The state and run roots of this supervisor: a command line for other roots is declined. */
    public BerthPaths paths() { return paths; }

    /** Asks the supervisor running this command line directly, as a client would through its socket. */
    public Response ask(Request request) {
        return supervisor.apply(request);
    }

    public PrintWriter out() { return out; }

    public PrintWriter err() { return err; }

    /**
     * The client's streams for a process: stdin only when asked (interactive), or for a terminal, whose
     * master berth feeds from the client's stdin and empties into its stdout.
     */
    public ContainerStarter.Stdio stdio(boolean interactive, boolean terminal) {
        return new ContainerStarter.Stdio(interactive ? ContainerStarter.Stdin.INHERIT : ContainerStarter.Stdin.NULL,
                interactive || terminal ? stream(0) : -1, stream(1), stream(2));
    }

    /** Signals the client received, from now on (and those that came before) go to listener. */
    public synchronized void onSignal(IntConsumer listener) {
        signalListener = listener;
        pendingSignals.forEach(listener::accept);
        pendingSignals.clear();
    }

    synchronized void signal(int number) {
        if (signalListener == null) {
            pendingSignals.add(number);
        } else {
            signalListener.accept(number);
        }
    }

    /**
     * The client's stream n opened again here. Declined when that cannot be done: a socket cannot be
     * opened through /proc. The client's stderr that is one open file with its stdout (2>&1) is the
     * same descriptor here too, so that both write at one offset.
     */
    private synchronized int stream(int n) {
        if (fds[n] >= 0) {
            return fds[n];
        }
        if (n == 2 && fds[1] >= 0 && sameOpenFile(1, 2)) {
            fds[2] = fds[1];
            return fds[2];
        }
        Path link = Path.of("/proc/" + pid + "/fd/" + n);
        String target;
        String info;
        try {
            target = Files.readSymbolicLink(link).toString();
            info = Procfs.read("/proc/" + pid + "/fdinfo/" + n);
        } catch (IOException e) {
            throw new Declined("cannot see the client's stream " + n);
        }
        if (target.startsWith("socket:") || target.startsWith("anon_inode:")) {
            throw new Declined("the client's stream " + n + " is a " + target);
        }
        int flags = Integer.parseInt(field(info, "flags"), 8);
        boolean regular = Files.isRegularFile(link);
        int access = n == 0 ? Libc.O_RDONLY : Libc.O_WRONLY | (flags & Libc.O_APPEND);
        try {
            // non-blocking: opening a pipe whose other end is closed must not wait for a new one
            int fd = Libc.open(link.toString(), access | Libc.O_NONBLOCK | Libc.O_NOCTTY | Libc.O_CLOEXEC, 0);
            Libc.fcntl(fd, Libc.F_SETFL, Libc.fcntl(fd, Libc.F_GETFL, 0) & ~Libc.O_NONBLOCK);
            if (regular) {
                Libc.lseek(fd, Long.parseLong(field(info, "pos")), Libc.SEEK_SET);
                regularFile[n] = true;
            }
            fds[n] = fd;
            return fd;
        } catch (SyscallException e) {
            throw new Declined("cannot open the client's stream " + n + ": " + e.getMessage());
        }
    }

    private boolean sameOpenFile(int fd1, int fd2) {
        try {
            return Libc.sameOpenFile(pid, fd1, pid, fd2);
        } catch (SyscallException e) {
            return false;
        }
    }

    /**
     * " seek FD:OFFSET" for each stream that is a regular file, where its offset is now: the client
     * moves its own there (stdout and stderr that are one open file move together).
     */
    public synchronized String offsets() {
        StringBuilder seeks = new StringBuilder();
        for (int n = 0; n < fds.length; n++) {
            if (regularFile[n] && !(n == 2 && fds[2] == fds[1])) {
                try {
                    seeks.append(" seek ").append(n).append(':').append(Libc.lseek(fds[n], 0, Libc.SEEK_CUR));
                } catch (SyscallException e) {
                    // not seekable after all: the client keeps its offset
                }
            }
        }
        return seeks.toString();
    }

    private static String field(String fdinfo, String name) {
        return fdinfo.lines().filter(l -> l.startsWith(name + ":")).map(l -> l.substring(name.length() + 1).strip())
                .findFirst().orElse("0");
    }

    private static PrintWriter writer(int fd) {
        return new PrintWriter(new OutputStreamWriter(new FdOutputStream(fd), StandardCharsets.UTF_8), true);
    }

    @Override
    public synchronized void close() {
        if (out != null) {
            out.flush();
        }
        if (err != null) {
            err.flush();
        }
        for (int i = 0; i < fds.length; i++) {
            if (i != 2 || fds[2] != fds[1]) {
                Libc.closeQuietly(fds[i]);
            }
        }
        java.util.Arrays.fill(fds, -1);
    }

    /** Writes to a file descriptor this class owns. */
    private static final class FdOutputStream extends OutputStream {
        private final int fd;

        FdOutputStream(int fd) {
            this.fd = fd;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment buffer = arena.allocate(Math.max(length, 1));
                MemorySegment.copy(bytes, offset, buffer, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, length);
                Libc.writeFully(fd, buffer, length);
            } catch (SyscallException e) {
                // the client's stream is gone (EPIPE): nothing to tell it any more
            }
        }
    }
}
