package dev.berth.runtime;

import dev.berth.linux.Libc;
import dev.berth.linux.Syscalls;
import dev.berth.spec.ContainerSpec;
import dev.berth.spec.Defaults;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

import static dev.berth.runtime.MountOptions.MS_PRIVATE;
import static dev.berth.runtime.MountOptions.MS_REC;

/**
 * Work done as if inside a container's filesystem ({@code berth cp}): on a throw-away thread whose root
 * is the container's, so every path the work opens, symbolic links included, resolves inside the
 * container, as the kernel resolves them for the container's own processes; {@code ..} stops at its root.
 * A running container's mount namespace is joined; a stopped one's root (overlay and mounts) is built in
 * a private mount namespace that disappears with the thread, so nothing is ever mounted on the host.
 */
public final class ContainerFilesystem {
    private static final int CLONE_FS = 0x200, CLONE_NEWNS = 0x20000;

    private ContainerFilesystem() {}

    /** Runs work inside the mount namespace of the running process pid. */
    public static <T> T ofRunning(int pid, Callable<T> work) {
        Syscalls sys = Syscalls.LINUX;
        return onThread(() -> {
            int ns = sys.open("/proc/" + pid + "/ns/mnt", Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
            try {
                sys.unshare(CLONE_FS);
                sys.setns(ns, CLONE_NEWNS);
            } finally {
                sys.closeQuietly(ns);
            }
            sys.chdir("/");
            return work.call();
        });
    }

    /** Runs work inside a stopped container's root, assembled for the work's duration. */
    public static <T> T ofStopped(ContainerSpec spec, Overlay overlay, Callable<T> work) {
        Syscalls sys = Syscalls.LINUX;
        Path root = Path.of(spec.root().path());
        return onThread(() -> {
            sys.unshare(CLONE_FS | CLONE_NEWNS);
            sys.mount(null, "/", null, MS_REC | MS_PRIVATE, null);
            sys.mount("overlay", root.toString(), "overlay", 0, overlay.mountData());
            MountsInRoot mounts = new MountsInRoot(sys, root);
            spec.mounts().stream().filter(m -> !Defaults.MOUNTS.contains(m) && !m.type().equals("proc")).forEach(mounts::mount);
            Libc.chroot(root.toString());
            sys.chdir("/");
            return work.call();
        });
    }

    private static <T> T onThread(Callable<T> work) {
        AtomicReference<Object> outcome = new AtomicReference<>();
        ClassPathJar.openNow();
        Thread thread = Thread.ofPlatform().name("berth-files").unstarted(() -> {
            try {
                outcome.set(new Result(work.call()));
            } catch (Throwable t) {
                outcome.set(t);
            }
        });
        thread.start();
        ProcessSetup.joinQuietly(thread);
        return switch (outcome.get()) {
            case Result result -> cast(result.value());
            case RuntimeException e -> throw e;
            case Error e -> throw e;
            case Throwable t -> throw new IllegalStateException(t.getMessage(), t);
            default -> throw new IllegalStateException("the container's filesystem thread ended without an answer");
        };
    }

    private record Result(Object value) {}

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object value) {
        return (T) value;
    }
}
