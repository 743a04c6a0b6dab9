package dev.berth.linux;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Work done by a process in a new user namespace (or one it joins), from a JVM. unshare(CLONE_NEWUSER) and setns() into
 * a user namespace refuse a multi-threaded caller, and a JVM always is one; clone(CLONE_NEWUSER) does
 * not, but a forked JVM would be a copy without its other threads. So the new process shares this
 * JVM's memory and file table ({@code CLONE_VM | CLONE_FILES}) and, as with vfork, the calling thread
 * stays suspended until the process ends: the process runs Java code <em>as that thread</em> (an FFM
 * upcall, on a part of the thread's own stack the suspended caller does not use), with the JVM's other
 * threads (the collector, the one that writes its id maps) running beside it. Its kernel task is its
 * own: its credentials (root of the new namespace once its maps are written, with every capability
 * there), its fs (root, working directory) and the namespaces it goes on to create, which the new user
 * namespace owns. It ends when the work returns.
 */
public final class UserNamespace {
    private static final int CLONE_VM = 0x100, CLONE_FILES = 0x400, CLONE_VFORK = 0x4000,
            CLONE_NEWUSER = 0x10000000, SIGCHLD = 17;
    private static final long MAPS_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** The caller's part of its thread's stack; the new process runs below it. */
    private static final long CALLER_STACK = 2L << 20;

    private static final Native.Downcall CLONE = Native.errnoFn("clone", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS);
    private static final Native.Downcall PTHREAD_SELF = Native.fn("pthread_self", JAVA_LONG);
    private static final Native.Downcall PTHREAD_GETATTR = Native.fn("pthread_getattr_np", JAVA_INT, JAVA_LONG, ADDRESS);
    private static final Native.Downcall PTHREAD_ATTR_GETSTACK = Native.fn("pthread_attr_getstack", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    private static final Native.Downcall PTHREAD_ATTR_DESTROY = Native.fn("pthread_attr_destroy", JAVA_INT, ADDRESS);
    private static final Native.Downcall WAITPID = Native.fn("waitpid", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);

    /** The work of each process being started, by the number clone passes it. */
    private static final Map<Long, Job> JOBS = new ConcurrentHashMap<>();
    private static final AtomicLong NEXT = new AtomicLong(1);
    private static volatile MemorySegment entry;

    private UserNamespace() {}

    /** What the new process does, and how it learns that its maps are written (or which namespace it joins). */
    private record Job(Runnable work, int[] pid, int mapped, int join, Throwable[] failure) {}

    /**
     * Runs work in a new process in a new user namespace with these maps (uid_map and gid_map lines,
     * written by this JVM, root of the parent namespace, before the work starts), as root of the new
     * namespace; returns once the process has ended. The calling thread needs a stack of a few MiB
     * ({@code Thread.Builder.stackSize}): the new process runs on its lower part.
     */
    public static void run(String uidMap, String gidMap, Runnable work) {
        int[] gate = Libc.pipe(); // the maps are written: one byte, 1 (0: they could not be)
        int[] pid = {0};
        Throwable[] mapFailure = {null};
        Thread mapper = Thread.ofPlatform().name("berth-idmap").start(() -> writeMaps(pid, uidMap, gidMap, gate[1], mapFailure));
        try {
            inNewProcess(CLONE_NEWUSER, new Job(work, pid, gate[0], -1, new Throwable[1]));
        } catch (RuntimeException e) {
            synchronized (pid) {
                pid[0] = -1; // no process: the mapper gives up
            }
            throw e;
        } finally {
            try {
                mapper.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Libc.closeQuietly(gate[0]);
            Libc.closeQuietly(gate[1]);
        }
        if (mapFailure[0] != null) {
            throw new IllegalStateException("cannot write the user namespace's id maps: " + mapFailure[0].getMessage(),
                    mapFailure[0]);
        }
    }

    /**
     * Runs work in a new process that joins the user namespace of process targetPid (setns, which a
     * multi-threaded caller may not do) as its root; returns once the process has ended.
     */
    public static void join(int targetPid, Runnable work) {
        int userns = Libc.open("/proc/" + targetPid + "/ns/user", Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        try {
            inNewProcess(0, new Job(work, new int[] {0}, -1, userns, new Throwable[1]));
        } finally {
            Libc.closeQuietly(userns);
        }
    }

    private static void inNewProcess(int flags, Job job) {
        Libc.prepareExitNow();
        long id = NEXT.getAndIncrement();
        JOBS.put(id, job);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stack = MemorySegment.ofAddress(stackForChild(arena));
            int child = (int) Native.call("clone", null, (st, a) -> (int) CLONE.handle().invokeExact(st, entry(),
                    stack, CLONE_VM | CLONE_FILES | CLONE_VFORK | flags | SIGCHLD, MemorySegment.ofAddress(id)));
            MemorySegment status = arena.allocate(JAVA_INT);
            int reaped = (int) WAITPID.handle().invokeExact(child, status, 0);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        } finally {
            JOBS.remove(id);
        }
        if (job.failure()[0] != null) {
            throw new IllegalStateException("the process of the user namespace failed: " + job.failure()[0].getMessage(),
                    job.failure()[0]);
        }
    }

    /** The mapper thread: once the process has said its pid, its uid_map and gid_map; then the gate opens. */
    private static void writeMaps(int[] pid, String uidMap, String gidMap, int gate, Throwable[] failure) {
        byte result = 0;
        try {
            long deadline = System.nanoTime() + MAPS_TIMEOUT_NANOS;
            while (pidOf(pid) == 0) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the new process did not start");
                }
                LockSupport.parkNanos(20_000);
            }
            if (pidOf(pid) < 0) {
                return;
            }
            Files.writeString(Path.of("/proc/" + pidOf(pid) + "/uid_map"), uidMap);
            Files.writeString(Path.of("/proc/" + pidOf(pid) + "/gid_map"), gidMap);
            result = 1;
        } catch (IOException | RuntimeException e) {
            failure[0] = e;
        } finally {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment one = arena.allocate(1);
                one.set(JAVA_BYTE, 0, result);
                Libc.write(gate, one, 1);
            } catch (RuntimeException ignored) {
                // the process is gone already
            }
        }
    }

    private static int pidOf(int[] pid) {
        synchronized (pid) {
            return pid[0];
        }
    }

    /**
     * The new process, as the suspended thread: waits for its maps (or joins its namespace), becomes root
     * of its namespace, works.
     */
    private static int processEntry(MemorySegment arg) {
        Job job = JOBS.get(arg.address());
        try {
            synchronized (job.pid()) {
                job.pid()[0] = Libc.getpid();
            }
            if (job.join() >= 0) {
                Libc.setns(job.join(), CLONE_NEWUSER);
            } else {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment answer = arena.allocate(1);
                    if (Libc.read(job.mapped(), answer, 1) != 1 || answer.get(JAVA_BYTE, 0) != 1) {
                        return 1;
                    }
                }
            }
            Libc.setThreadIdentity(0, 0, new int[0]);
            job.work().run();
            return 0;
        } catch (Throwable t) {
            job.failure()[0] = t; // the work reports its own failures: this is the preamble's
            return 2;
        }
    }

    private static MemorySegment entry() throws ReflectiveOperationException {
        MemorySegment e = entry;
        if (e == null) {
            synchronized (UserNamespace.class) {
                if (entry == null) {
                    entry = Linker.nativeLinker().upcallStub(MethodHandles.lookup().findStatic(UserNamespace.class,
                            "processEntry", MethodType.methodType(int.class, MemorySegment.class)),
                            FunctionDescriptor.of(JAVA_INT, ADDRESS), Arena.global());
                }
                e = entry;
            }
        }
        return e;
    }

    /** The top of the new process's stack: CALLER_STACK below the top of the calling thread's own. */
    private static long stackForChild(Arena arena) throws Throwable {
        MemorySegment attr = arena.allocate(128, 16); // pthread_attr_t is 56 bytes on x86-64
        MemorySegment low = arena.allocate(JAVA_LONG);
        MemorySegment size = arena.allocate(JAVA_LONG);
        if ((int) PTHREAD_GETATTR.handle().invokeExact((long) PTHREAD_SELF.handle().invokeExact(), attr) != 0) {
            throw new IllegalStateException("pthread_getattr_np failed");
        }
        try {
            int ignored = (int) PTHREAD_ATTR_GETSTACK.handle().invokeExact(attr, low, size);
        } finally {
            int ignored = (int) PTHREAD_ATTR_DESTROY.handle().invokeExact(attr);
        }
        long bytes = size.get(JAVA_LONG, 0);
        if (bytes < 2 * CALLER_STACK) {
            throw new IllegalStateException("the calling thread's stack is too small (" + bytes + " bytes) for a new process");
        }
        return (low.get(JAVA_LONG, 0) + bytes - CALLER_STACK) & ~15L;
    }
}
