package dev.berth.netlink;

import dev.berth.Explain;

import java.nio.file.Path;
import java.util.List;

/**
 * Where rtnetlink conversations and network namespaces come from: the namespace berth runs in, a pinned
 * one, a new one. {@link #LINUX} is the kernel; tests give a scripted one, so that a network attach can
 * be checked message by message without root.
 */
public interface NetworkKernel {
    NetworkKernel LINUX = new LinuxNetworkKernel();

    /** Links, addresses and routes of the namespace berth runs in. */
    Rtnetlink host(Explain explain);

    /** Of the namespace pinned at nsPath; label names it in explanations ({@code ip netns exec LABEL …}). */
    Rtnetlink in(String nsPath, String label, Explain explain);

    /**
     * Creates a namespace with lo up, pinned at every path of pins (the first is berth's own); returns an
     * rtnetlink conversation inside it for the caller to close.
     */
    Rtnetlink createNamespace(List<Path> pins, String label, Explain explain);

    /** An open descriptor of the namespace at nsPath (for IFLA_NET_NS_FD), closed by the caller. */
    NamespaceFd open(String nsPath);

    /** Pins the network namespace of a running process at pin again (after someone removed the pin). */
    void repin(int pid, Path pin);

    /** Removes a pin (unmount, unlink); the namespace dies with its last pin and process. */
    void unpin(Path pin);

    /** True when pin is a bind-mounted namespace pin, not just a file. */
    boolean isPinned(Path pin);

    /** A namespace held open by a file descriptor. */
    interface NamespaceFd extends AutoCloseable {
        int fd();

        @Override
        void close();

        /** A descriptor that closer releases. */
        static NamespaceFd of(int fd, Runnable closer) {
            return new NamespaceFd() {
                @Override
                public int fd() {
                    return fd;
                }

                @Override
                public void close() {
                    closer.run();
                }
            };
        }
    }
}
