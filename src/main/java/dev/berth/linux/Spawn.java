package dev.berth.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;

/**
 * One {@code posix_spawn} call, built up step by step: the file actions the child performs before
 * {@code execve}, then the spawn itself.
 *
 * <p>posix_spawn is the only safe way for a JVM thread to start a process while that thread sits in
 * namespaces of its own: the child is created by the calling thread (so it inherits that thread's
 * namespaces, root and working directory) and no Java code runs in it. The child always starts with an
 * empty signal mask and every signal at its default disposition, since the JVM's are no use to it.
 */
public final class Spawn implements AutoCloseable {
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08, POSIX_SPAWN_SETSID = 0x80;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment fileActions = arena.allocate(256, 16);
    private final MemorySegment attr = arena.allocate(512, 16);
    private short flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;

    public Spawn() {
        invoke("posix_spawn_file_actions_init", () -> (int) Libc.FA_INIT.handle().invokeExact(fileActions));
        invoke("posix_spawnattr_init", () -> (int) Libc.ATTR_INIT.handle().invokeExact(attr));
    }

    /** The child opens path on fd (after the earlier actions, in the child's root and namespaces). */
    public Spawn open(int fd, String path, int flags, int mode) {
        MemorySegment p = arena.allocateFrom(path);
        invoke("posix_spawn_file_actions_addopen",
                () -> (int) Libc.FA_ADDOPEN.handle().invokeExact(fileActions, fd, p, flags, mode));
        return this;
    }

    public Spawn dup2(int from, int to) {
        invoke("posix_spawn_file_actions_adddup2", () -> (int) Libc.FA_ADDDUP2.handle().invokeExact(fileActions, from, to));
        return this;
    }

    public Spawn close(int fd) {
        invoke("posix_spawn_file_actions_addclose", () -> (int) Libc.FA_ADDCLOSE.handle().invokeExact(fileActions, fd));
        return this;
    }

    /** The child closes every descriptor from lowest up: nothing of the JVM leaks into it. */
    public Spawn closeFrom(int lowest) {
        invoke("posix_spawn_file_actions_addclosefrom_np",
                () -> (int) Libc.FA_ADDCLOSEFROM.handle().invokeExact(fileActions, lowest));
        return this;
    }

    /** The child calls setsid(): it leads a new session, so a terminal it then opens becomes its own. */
    public Spawn newSession() {
        flags |= POSIX_SPAWN_SETSID;
        return this;
    }

    /** Spawns path with argv and envp; returns the child's pid as the caller's PID namespace sees it. */
    public int spawn(String path, List<String> argv, List<String> env) {
        MemorySegment signals = arena.allocate(128);
        invoke("sigemptyset", () -> (int) Libc.SIGEMPTYSET.handle().invokeExact(signals));
        invoke("posix_spawnattr_setsigmask", () -> (int) Libc.ATTR_SETSIGMASK.handle().invokeExact(attr, signals));
        MemorySegment all = arena.allocate(128);
        invoke("sigfillset", () -> (int) Libc.SIGFILLSET.handle().invokeExact(all));
        invoke("posix_spawnattr_setsigdefault", () -> (int) Libc.ATTR_SETSIGDEFAULT.handle().invokeExact(attr, all));
        short f = flags;
        invoke("posix_spawnattr_setflags", () -> (int) Libc.ATTR_SETFLAGS.handle().invokeExact(attr, f));
        return Libc.posixSpawn(path, fileActions, attr, strings(argv), strings(env));
    }

    private MemorySegment strings(List<String> values) {
        MemorySegment array = arena.allocate(ADDRESS, values.size() + 1L);
        for (int i = 0; i < values.size(); i++) {
            array.setAtIndex(ADDRESS, i, arena.allocateFrom(values.get(i)));
        }
        array.setAtIndex(ADDRESS, values.size(), MemorySegment.NULL);
        return array;
    }

    @Override
    public void close() {
        try {
            int ignoredA = (int) Libc.FA_DESTROY.handle().invokeExact(fileActions);
            int ignoredB = (int) Libc.ATTR_DESTROY.handle().invokeExact(attr);
        } catch (Throwable ignored) {
            // destroy cannot fail for initialised objects
        } finally {
            arena.close();
        }
    }

    private interface Call {
        int run() throws Throwable;
    }

    private static void invoke(String name, Call call) {
        int rc;
        try {
            rc = call.run();
        } catch (Throwable t) {
            throw new IllegalStateException(name, t);
        }
        Libc.check(name, rc);
    }
}
