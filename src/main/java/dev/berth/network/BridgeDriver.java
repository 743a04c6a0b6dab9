package dev.berth.network;

import dev.berth.BerthException;
import dev.berth.Explain;
import dev.berth.linux.Errno;
import dev.berth.linux.SyscallException;
import dev.berth.netlink.NetworkKernel;
import dev.berth.netlink.Rtnetlink;
import dev.berth.state.Attachment;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** docker0-style networks: one Linux bridge carrying the gateway address, each container a port of it. */
public final class BridgeDriver implements NetworkDriver {
    private final NetworkKernel kernel;
    private final Explain explain;
    /** Bridges this instance has checked for their address: later attaches only check they are up. */
    private final Set<String> bridgesReady = ConcurrentHashMap.newKeySet();

    public BridgeDriver(NetworkKernel kernel, Explain explain) {
        this.kernel = kernel;
        this.explain = explain;
    }

    @Override
    public String name() {
        return NetworkRecord.BRIDGE;
    }

    /** The bridge with the gateway address, up; made again if something removed it. */
    @Override
    public void ensureNetwork(NetworkRecord network) {
        Subnet subnet = network.parsedSubnet();
        InetAddress gateway = Subnet.parseAddress(network.gateway());
        try (Rtnetlink host = kernel.host(explain)) {
            var link = host.link(network.bridge());
            if (link.isPresent() && link.get().up() && bridgesReady.contains(network.bridge())) {
                return;
            }
            if (link.isEmpty()) {
                host.createBridge(network.bridge(), network.mtu());
                link = host.link(network.bridge());
            }
            int index = link.orElseThrow().index();
            List<Rtnetlink.Address> own = host.addresses().stream().filter(a -> a.index() == index).toList();
            List<String> foreign = own.stream()
                    .filter(a -> a.address().getAddress().length == 4 && !subnet.contains(a.address()))
                    .map(a -> a.address().getHostAddress() + "/" + a.prefixLength()).toList();
            if (!foreign.isEmpty()) {
                throw new BerthException("bridge " + network.bridge() + " already exists with address " + foreign.getFirst()
                        + ", outside network " + network.name() + "'s subnet " + subnet
                        + " (another berth state root uses it? remove it with: ip link del " + network.bridge() + ")");
            }
            if (own.stream().noneMatch(a -> a.address().equals(gateway))) {
                host.addAddress(network.bridge(), gateway, subnet.prefixLength());
            }
            if (!link.get().up()) {
                host.setUp(network.bridge());
            }
            bridgesReady.add(network.bridge());
        }
    }

    @Override
    public void removeNetwork(NetworkRecord network) {
        try (Rtnetlink host = kernel.host(explain)) {
            host.deleteIfPresent(network.bridge());
        }
        bridgesReady.remove(network.bridge());
    }

    @Override
    public void attachHostSide(Attachment a, Rtnetlink host, int nsFd, String nsLabel) {
        host.createVeth(a.hostInterface(), a.containerInterface(), nsFd, nsLabel, a.mtu(), a.bridge());
    }

    /**
     * The container's address goes, so that nothing answers for it any more; the kernel frees the
     * namespace and the veth pair in it by itself once the pins are gone, in its own batched clean-up,
     * instead of one RCU grace period per deleted link here (names are never reused).
     */
    @Override
    public void detachHostSide(Attachment a) {
        String label = Path.of(a.visiblePath()).getFileName().toString();
        try (Rtnetlink inside = kernel.in(a.namespacePath(), label, explain)) {
            inside.deleteAddress(a.containerInterface(), Subnet.parseAddress(a.ipAddress()), a.prefixLength());
        } catch (SyscallException e) {
            if (e.errno() != Errno.ENOENT && e.errno() != Errno.EINVAL) { // no pin, or a pin no longer mounted
                throw e;
            }
        }
    }
}
