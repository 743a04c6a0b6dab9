package dev.berth.daemon;

import dev.berth.linux.Libc;
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
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntConsumer;

/**
 * A berth command line the supervisor runs for a client (see {@link ClientDoor}): its arguments, the
 * environment and working directory of the client's process, and its standard streams, taken with
 * pidfd_getfd, so that a container started for it reads and writes the very open files the client
 * has (their offsets included: {@code { berth run …; echo next; } > file} reads as it would without a
 * supervisor), as if the client had started it itself. Signals the client receives arrive here and go
 * to whoever listens.
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
    private final int pidfd;
    private final int[] streamFds;
    private final BerthPaths paths;
    private final Function<Request, Response> supervisor;
    private final Consumer<IntConsumer> signals;
    private final int[] fds = {-1, -1, -1};
    private final PrintWriter out;
    private final PrintWriter err;

    /**
     * @param pidfd     the client's process (not owned)
     * @param streamFds the client's fds that are its stdin, stdout and stderr
     * @param signals   takes the listener of the client's signals
     */
    Invocation(List<String> argv, Map<String, String> env, Path cwd, int pidfd, int[] streamFds, BerthPaths paths,
               Function<Request, Response> supervisor, Consumer<IntConsumer> signals) {
        this.argv = List.copyOf(argv);
        this.env = Map.copyOf(env);
        this.cwd = cwd;
        this.pidfd = pidfd;
        this.streamFds = streamFds.clone();
        this.paths = paths;
        this.supervisor = supervisor;
        this.signals = signals;
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
    public void onSignal(IntConsumer listener) {
        signals.accept(listener);
    }

    /** The client's stream n, shared with it. Declined when the client has no such stream. */
    private synchronized int stream(int n) {
        if (fds[n] < 0) {
            try {
                fds[n] = Libc.pidfdGetfd(pidfd, streamFds[n]);
            } catch (SyscallException e) {
                throw new Declined("cannot take the client's stream " + n + ": " + e.getMessage());
            }
        }
        return fds[n];
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
        for (int fd : fds) {
            Libc.closeQuietly(fd);
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
