package dev.berth.daemon;

import dev.berth.linux.Errno;
import dev.berth.linux.Libc;
import dev.berth.linux.SyscallException;
import dev.berth.state.Directories;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * The door the launcher's shell client knocks on: how a command line reaches a running supervisor with
 * no JVM on the client's side (POSIX shell builtins only: no process is started). Everything lives in
 * a spool directory under the run root that only root can enter, made anew by each supervisor:
 *
 * <table>
 * <tr><th>file</th><th>what it is</th></tr>
 * <tr><td>{@code door}</td><td>a FIFO the supervisor reads lines from: {@code K PID} (the client PID
 *     claimed slot K and waits), {@code K PID signal N} (that client got signal N; it may come first)</td></tr>
 * <tr><td>{@code slot.K}</td><td>FIFOs the answers come through, one client each: {@code exit N},
 *     {@code local} (run it yourself: nothing was done) or {@code error MESSAGE}</td></tr>
 * <tr><td>{@code claim.K}</td><td>made by a client with O_EXCL (the shell's {@code set -C}): its pid and
 *     its argv, each ended by a NUL; removed by the supervisor once the answer is read</td></tr>
 * <tr><td>{@code supervisor}</td><td>"PID DOOR-FD SLOT-FD…": the supervisor's pid and descriptors</td></tr>
 * </table>
 *
 * <p>The supervisor holds every FIFO open read-write, and a client opens them as
 * {@code /proc/PID/fd/FD}: that fails at once when the supervisor is gone (no client ever blocks on a
 * FIFO without a reader), and the client's read of its slot ends (end of file) the moment the supervisor
 * dies, since it held the slot's only writer. The client's environment and working directory are read
 * from /proc/PID; its standard streams are its fds 5, 6 and 7 (dups of 0, 1 and 2: the shell's read
 * moves fd 0 while it waits), taken with pidfd_getfd, so the container shares their open files.
 */
final class ClientDoor implements AutoCloseable {
    /** How many clients can wait at once; one more runs its command in a JVM of its own. */
    static final int SLOTS = 32;
    /** The client's fds that are dups of its stdin, stdout and stderr. */
    static final int[] STREAMS = {5, 6, 7};

    /**
     * Runs a client's command line; returns the answer line ("exit N", "local", "error …"). The
     * client's signals go to the listener given to signals (those that came before it too).
     */
    interface Host {
        String serve(List<String> argv, int pid, int pidfd, Consumer<IntConsumer> signals);
    }

    private final Path spool;
    private final Host host;
    private final int door;
    private final int[] slots = new int[SLOTS];
    private final Slot[] served = new Slot[SLOTS];
    private volatile boolean open = true;
    private final Thread reader;
    /** How often claims left behind are looked for (while no client knocks). */
    private final int sweepMillis;

    /**
     * A slot's client: signals that arrive before its command listens wait here. They are its own only:
     * a signal of a client that has had its answer, or died before knocking, never reaches the next one.
     */
    private static final class Slot {
        final int pid;
        final List<Integer> early = new ArrayList<>();
        IntConsumer listener;
        boolean served;

        Slot(int pid) {
            this.pid = pid;
        }

        synchronized void signal(int number) {
            if (listener == null) {
                early.add(number);
            } else {
                listener.accept(number);
            }
        }

        synchronized void listen(IntConsumer l) {
            listener = l;
            early.forEach(l::accept);
            early.clear();
        }
    }

    private ClientDoor(Path spool, Host host, int sweepMillis) throws IOException {
        this.spool = spool;
        this.host = host;
        this.sweepMillis = sweepMillis;
        Directories.deleteTree(spool);
        Files.createDirectories(spool.getParent());
        Libc.mkdir(spool.toString(), 0700);
        this.door = fifo(spool.resolve("door"));
        StringBuilder info = new StringBuilder().append(Libc.getpid()).append(' ').append(door);
        for (int k = 0; k < SLOTS; k++) {
            slots[k] = fifo(spool.resolve("slot." + k));
            info.append(' ').append(slots[k]);
        }
        Path temporary = spool.resolve(".supervisor");
        Files.writeString(temporary, info.append('\n'));
        Files.move(temporary, spool.resolve("supervisor"), StandardCopyOption.ATOMIC_MOVE);
        this.reader = Thread.ofPlatform().name("berth-door").daemon().start(this::read);
    }

    /** Opens the door in spool (emptied first: only one supervisor serves a run root). */
    static ClientDoor open(Path spool, Host host) throws IOException {
        return new ClientDoor(spool, host, 5_000);
    }

    /** As open, looking for abandoned claims every sweepMillis. */
    static ClientDoor open(Path spool, Host host, int sweepMillis) throws IOException {
        return new ClientDoor(spool, host, sweepMillis);
    }

    private static int fifo(Path path) {
        Libc.mkfifo(path.toString(), 0600);
        return Libc.open(path.toString(), Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0);
    }

    /** Reads the door's lines; between them, removes claims their clients left behind. */
    private void read() {
        StringBuilder line = new StringBuilder();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(4096);
            while (open) {
                if ((Libc.poll(door, Libc.POLLIN, sweepMillis) & Libc.POLLIN) == 0) {
                    removeAbandonedClaims();
                    continue;
                }
                int n = readSome(door, buffer);
                for (int i = 0; i < n; i++) {
                    char c = (char) buffer.get(ValueLayout.JAVA_BYTE, i);
                    if (c != '\n') {
                        line.append(c);
                    } else {
                        knockSafely(line.toString());
                        line.setLength(0);
                    }
                }
            }
        } catch (RuntimeException e) {
            if (open) {
                System.err.println("berth daemon: the client door failed: " + e.getMessage());
            }
        }
    }

    private static int readSome(int fd, MemorySegment buffer) {
        try {
            return Libc.read(fd, buffer, buffer.byteSize());
        } catch (SyscallException e) {
            if (e.errno() == Errno.EAGAIN || e.errno() == Errno.EINTR) {
                return 0;
            }
            throw e;
        }
    }

    /** One line's failure never stops the door: later clients would wait on their slots for ever. */
    private void knockSafely(String line) {
        try {
            knock(line);
        } catch (RuntimeException | OutOfMemoryError e) {
            System.err.println("berth daemon: client door: " + line + ": " + e);
        }
    }

    private void knock(String line) {
        String[] words = line.split(" ");
        try {
            int k = Integer.parseInt(words[0]);
            if (k < 0 || k >= SLOTS) {
                return;
            }
            int pid = Integer.parseInt(words[1]);
            if (words.length == 2) {
                Slot slot = slotFor(k, pid, true);
                if (slot != null) {
                    Thread.ofPlatform().name("berth-client-" + pid).daemon().start(() -> serve(k, pid, slot));
                }
            } else if (words.length == 4 && words[2].equals("signal")) {
                Slot slot = slotFor(k, pid, false);
                if (slot != null) {
                    slot.signal(Integer.parseInt(words[3]));
                }
            }
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            // not a line of the protocol: nothing to answer to
        }
    }

    /**
     * Slot k for client pid (its early signals kept), marked served when to serve; null when another
     * client is being served there.
     */
    private synchronized Slot slotFor(int k, int pid, boolean serve) {
        Slot slot = served[k];
        if (slot != null && slot.served && (serve || slot.pid != pid)) {
            return null;
        }
        if (slot == null || slot.pid != pid) {
            slot = new Slot(pid);
            served[k] = slot;
        }
        slot.served |= serve;
        return slot;
    }

    private void serve(int k, int pid, Slot slot) {
        int pidfd = -1;
        String answer;
        try {
            pidfd = Libc.pidfdOpen(pid);
            List<String> claim = claim(k);
            if (claim.isEmpty() || !claim.getFirst().equals(String.valueOf(pid))) {
                answer = "error slot " + k + " was not claimed by " + pid;
            } else {
                answer = open ? host.serve(claim.subList(1, claim.size()), pid, pidfd, slot::listen) : "local";
            }
        } catch (Throwable e) { // whatever happens, the client gets an answer: it waits for one
            answer = "error " + (e.getMessage() == null ? e : e.getMessage());
        }
        answer(k, answer.replace('\n', ' '));
        release(k, pidfd, slot);
    }

    /** The pid and argv a client wrote into its claim (empty when there is none). */
    private List<String> claim(int k) {
        try {
            return nulTerminated(Files.readAllBytes(spool.resolve("claim." + k)));
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The strings of a NUL-terminated list (a claim, /proc/PID/environ); an unterminated tail counts too. */
    static List<String> nulTerminated(byte[] bytes) {
        List<String> words = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                words.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < bytes.length) {
            words.add(new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8));
        }
        return words;
    }

    private void answer(int k, String answer) {
        byte[] bytes = (answer + "\n").getBytes(StandardCharsets.UTF_8);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(bytes.length);
            MemorySegment.copy(bytes, 0, buffer, ValueLayout.JAVA_BYTE, 0, bytes.length);
            Libc.writeFully(slots[k], buffer, bytes.length);
        } catch (RuntimeException e) {
            System.err.println("berth daemon: cannot answer client slot " + k + ": " + e.getMessage());
        }
    }

    /**
     * Frees slot k once its client has read the answer or is gone (bounded: 10 s, then the slot is
     * emptied anyway), so the next client of the slot reads its own answer only.
     */
    private void release(int k, int pidfd, Slot slot) {
        for (int i = 0; i < 2_000 && (Libc.poll(slots[k], Libc.POLLIN, 0) & Libc.POLLIN) != 0; i++) {
            if (pidfd >= 0 && (Libc.poll(pidfd, Libc.POLLIN, 5) & Libc.POLLIN) != 0) {
                break; // the client exited without reading
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(4096);
            for (int i = 0; i < 1_000 && readSome(slots[k], buffer) > 0; i++) {
                // what nobody read
            }
        }
        Libc.closeQuietly(pidfd);
        synchronized (this) {
            if (served[k] == slot) {
                served[k] = null;
            }
        }
        try {
            Files.deleteIfExists(spool.resolve("claim." + k));
        } catch (IOException e) {
            System.err.println("berth daemon: cannot free client slot " + k + ": " + e.getMessage());
        }
    }

    /**
     * Claims of clients that died before knocking (killed in between), and signals nobody will take:
     * their slots become free again.
     */
    private void removeAbandonedClaims() {
        for (int k = 0; k < SLOTS; k++) {
            synchronized (this) {
                if (served[k] != null && served[k].served) {
                    continue;
                }
            }
            Path claim = spool.resolve("claim." + k);
            try {
                boolean abandoned = !Files.exists(claim);
                if (!abandoned && System.currentTimeMillis() - Files.getLastModifiedTime(claim).toMillis() > 2_000) {
                    List<String> words = claim(k);
                    abandoned = words.isEmpty() || !Files.exists(Path.of("/proc/" + words.getFirst()));
                    if (abandoned) {
                        Files.deleteIfExists(claim);
                    }
                }
                if (abandoned) {
                    synchronized (this) {
                        if (served[k] != null && !served[k].served) {
                            served[k] = null;
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // looked at again in a few seconds
            }
        }
    }

    /**
     * No new client from now on: the supervisor file goes, so clients run their commands themselves;
     * one that read it a moment before is still answered ("local" unless the host runs it).
     */
    void closeToNewClients() {
        try {
            Files.deleteIfExists(spool.resolve("supervisor"));
        } catch (IOException e) {
            System.err.println("berth daemon: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        closeToNewClients();
        open = false;
        reader.interrupt();
    }
}
