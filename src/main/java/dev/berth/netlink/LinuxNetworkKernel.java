package dev.berth.netlink;

import dev.berth.Explain;
import dev.berth.linux.Libc;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The kernel's rtnetlink and network namespaces. Namespace membership is per thread, and a netlink
 * socket stays in the namespace of the thread that opened it: sockets of other namespaces are opened by
 * throw-away threads that join them (DESIGN.md §3).
 */
final class LinuxNetworkKernel implements NetworkKernel {
    private static final int CLONE_NEWNET = 0x40000000;

    @Override
    public Rtnetlink host(Explain explain) {
        return Rtnetlink.over(new NetlinkSocket(), explain, "");
    }

    @Override
    public Rtnetlink in(String nsPath, String label, Explain explain) {
        return onThreadIn(nsPath, () -> Rtnetlink.over(new NetlinkSocket(), explain, label));
    }

    @Override
    public Rtnetlink createNamespace(List<Path> pins, String label, Explain explain) {
        return NetworkNamespace.create(pins, label, explain);
    }

    @Override
    public NamespaceFd open(String nsPath) {
        int fd = Libc.open(nsPath, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        return NamespaceFd.of(fd, () -> Libc.closeQuietly(fd));
    }

    @Override
    public void repin(int pid, Path pin) {
        NetworkNamespace.repin(pid, pin);
    }

    @Override
    public void unpin(Path pin) {
        NetworkNamespace.unpin(pin);
    }

    @Override
    public boolean isPinned(Path pin) {
        return NetworkNamespace.isPinned(pin);
    }

    /** Runs opener on a throw-away platform thread that has joined the namespace at nsPath. */
    private static <T> T onThreadIn(String nsPath, java.util.function.Supplier<T> opener) {
        AtomicReference<Object> result = new AtomicReference<>();
        Thread thread = Thread.ofPlatform().name("berth-netns").start(() -> {
            try {
                int fd = Libc.open(nsPath, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
                try {
                    Libc.setns(fd, CLONE_NEWNET);
                } finally {
                    Libc.closeQuietly(fd);
                }
                result.set(opener.get());
            } catch (Throwable t) {
                result.set(t);
            }
        });
        NetworkNamespace.join(thread);
        if (result.get() instanceof RuntimeException e) {
            throw e;
        }
        if (result.get() instanceof Throwable t) {
            throw new IllegalStateException(t);
        }
        @SuppressWarnings("unchecked")
        T value = (T) result.get();
        return value;
    }
}
