package dev.berth.netlink;

import dev.berth.Explain;
import dev.berth.linux.Errno;
import dev.berth.linux.Libc;
import dev.berth.linux.SyscallException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Network namespaces that outlive any process: a namespace is pinned by bind-mounting its nsfs file
 * onto plain files (berth's own pin under the run root, and one under /run/netns so the tutorial's
 * {@code ip netns list}/{@code exec} see it). Namespace membership is per thread, so the creating
 * thread is a throw-away one.
 */
final class NetworkNamespace {
    private static final int CLONE_NEWNET = 0x40000000;
    private static final long MS_BIND = 4096;

    private NetworkNamespace() {}

    /**
     * Creates a namespace with lo up, pinned at every path of pins (the first is berth's own); returns
     * an rtnetlink socket of the new namespace (opened by the creating thread) for the caller to close.
     */
    static Rtnetlink create(List<Path> pins, String label, Explain explain) {
        AtomicReference<Object> result = new AtomicReference<>();
        Thread thread = Thread.ofPlatform().name("berth-netns-add").start(() -> {
            try {
                Libc.unshare(CLONE_NEWNET);
                for (Path pin : pins) {
                    Files.createDirectories(pin.getParent());
                    Files.deleteIfExists(pin);
                    Files.createFile(pin);
                    Libc.mount("/proc/thread-self/ns/net", pin.toString(), null, MS_BIND, null);
                }
                Rtnetlink inside = Rtnetlink.over(new NetlinkSocket(), explain, label);
                result.set(inside);
                inside.setUp("lo");
            } catch (Throwable t) {
                if (result.get() instanceof Rtnetlink inside) {
                    inside.close();
                }
                result.set(t);
            }
        });
        join(thread);
        if (result.get() instanceof Rtnetlink inside) {
            return inside;
        }
        pins.forEach(NetworkNamespace::unpin);
        if (result.get() instanceof RuntimeException e) {
            throw e;
        }
        throw new IllegalStateException((Throwable) result.get());
    }

    /** Pins the network namespace of a running process at pin again (after someone removed the pin). */
    static void repin(int pid, Path pin) {
        try {
            Files.createDirectories(pin.getParent());
            Files.deleteIfExists(pin);
            Files.createFile(pin);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + pin, e);
        }
        Libc.mount("/proc/" + pid + "/ns/net", pin.toString(), null, MS_BIND, null);
    }

    /** Removes a pin (unmount, unlink); the namespace dies with its last pin and process. */
    static void unpin(Path pin) {
        try {
            Libc.umount2(pin.toString(), 2 /* MNT_DETACH */);
        } catch (SyscallException e) {
            if (e.errno() != Errno.EINVAL && e.errno() != Errno.ENOENT) {
                throw e;
            }
        }
        try {
            Files.deleteIfExists(pin);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + pin, e);
        }
    }

    static void join(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** True when path is a bind-mounted namespace pin (an nsfs mount), not just a file. */
    static boolean isPinned(Path pin) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length > 4 && f[4].equals(pin.toString())) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
