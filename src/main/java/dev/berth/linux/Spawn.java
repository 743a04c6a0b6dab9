package dev.berth.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

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

    // the posix_spawn family returns an error number instead of setting errno
    private static final Native.Downcall POSIX_SPAWN =
            Native.fn("posix_spawn", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    private static final Native.Downcall FA_INIT = Native.fn("posix_spawn_file_actions_init", JAVA_INT, ADDRESS);
    private static final Native.Downcall FA_DESTROY = Native.fn("posix_spawn_file_actions_destroy", JAVA_INT, ADDRESS);
    private static final Native.Downcall FA_ADDOPEN =
            Native.fn("posix_spawn_file_actions_addopen", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final Native.Downcall FA_ADDDUP2 = Native.fn("posix_spawn_file_actions_adddup2", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final Native.Downcall FA_ADDCLOSE = Native.fn("posix_spawn_file_actions_addclose", JAVA_INT, ADDRESS, JAVA_INT);
    private static final Native.Downcall FA_ADDCLOSEFROM = Native.fn("posix_spawn_file_actions_addclosefrom_np", JAVA_INT, ADDRESS, JAVA_INT);
    private static final Native.Downcall ATTR_INIT = Native.fn("posix_spawnattr_init", JAVA_INT, ADDRESS);
    private static final Native.Downcall ATTR_DESTROY = Native.fn("posix_spawnattr_destroy", JAVA_INT, ADDRESS);
    private static final Native.Downcall ATTR_SETFLAGS = Native.fn("posix_spawnattr_setflags", JAVA_INT, ADDRESS, JAVA_SHORT);
    private static final Native.Downcall ATTR_SETSIGMASK = Native.fn("posix_spawnattr_setsigmask", JAVA_INT, ADDRESS, ADDRESS);
    private static final Native.Downcall ATTR_SETSIGDEFAULT = Native.fn("posix_spawnattr_setsigdefault", JAVA_INT, ADDRESS, ADDRESS);
    private static final Native.Downcall SIGEMPTYSET = Native.fn("sigemptyset", JAVA_INT, ADDRESS);
    private static final Native.Downcall SIGFILLSET = Native.fn("sigfillset", JAVA_INT, ADDRESS);


    private final Arena arena = Arena.ofConfined();
    private final MemorySegment fileActions = arena.allocate(256, 16);
    private final MemorySegment attr = arena.allocate(512, 16);
    private short flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;

    public Spawn() {
        invoke("posix_spawn_file_actions_init", () -> (int) FA_INIT.handle().invokeExact(fileActions));
        invoke("posix_spawnattr_init", () -> (int) ATTR_INIT.handle().invokeExact(attr));
    }

    /** The child opens path on fd (after the earlier actions, in the child's root and namespaces). */
    public Spawn open(int fd, String path, int flags, int mode) {
        MemorySegment p = arena.allocateFrom(path);
        invoke("posix_spawn_file_actions_addopen",
                () -> (int) FA_ADDOPEN.handle().invokeExact(fileActions, fd, p, flags, mode));
        return this;
    }

    public Spawn dup2(int from, int to) {
        invoke("posix_spawn_file_actions_adddup2", () -> (int) FA_ADDDUP2.handle().invokeExact(fileActions, from, to));
        return this;
    }

    public Spawn close(int fd) {
        invoke("posix_spawn_file_actions_addclose", () -> (int) FA_ADDCLOSE.handle().invokeExact(fileActions, fd));
        return this;
    }

    /** The child closes every descriptor from lowest up: nothing of the JVM leaks into it. */
    public Spawn closeFrom(int lowest) {
        invoke("posix_spawn_file_actions_addclosefrom_np",
                () -> (int) FA_ADDCLOSEFROM.handle().invokeExact(fileActions, lowest));
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
        invoke("sigemptyset", () -> (int) SIGEMPTYSET.handle().invokeExact(signals));
        invoke("posix_spawnattr_setsigmask", () -> (int) ATTR_SETSIGMASK.handle().invokeExact(attr, signals));
        MemorySegment all = arena.allocate(128);
        invoke("sigfillset", () -> (int) SIGFILLSET.handle().invokeExact(all));
        invoke("posix_spawnattr_setsigdefault", () -> (int) ATTR_SETSIGDEFAULT.handle().invokeExact(attr, all));
        short f = flags;
        invoke("posix_spawnattr_setflags", () -> (int) ATTR_SETFLAGS.handle().invokeExact(attr, f));
        return posixSpawn(path, fileActions, attr, strings(argv), strings(env));
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
            int ignoredA = (int) FA_DESTROY.handle().invokeExact(fileActions);
            int ignoredB = (int) ATTR_DESTROY.handle().invokeExact(attr);
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
        check(name, rc);
    }

    /** posix_spawn(3); returns the pid, or throws with the error it reported (exec failures included). */
    private static int posixSpawn(String path, MemorySegment fileActions, MemorySegment attr,
                                 MemorySegment argv, MemorySegment envp) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pid = arena.allocate(JAVA_INT);
            int rc = (int) POSIX_SPAWN.handle().invokeExact(pid, arena.allocateFrom(path), fileActions, attr, argv, envp);
            if (rc != 0) {
                throw new SyscallException("posix_spawn", path, rc);
            }
            return pid.get(JAVA_INT, 0);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static int check(String name, int rc) {
        if (rc != 0) {
            throw new SyscallException(name, null, rc);
        }
        return rc;
    }
}
