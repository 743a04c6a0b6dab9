package dev.berth.network;

import dev.berth.Explain;
import dev.berth.netlink.NetworkKernel;
import dev.berth.netlink.Rtnetlink;
import dev.berth.state.Attachment;

import java.net.InetAddress;
import java.util.List;

/**
 * The tutorial's point-to-point pair: no bridge; the host end carries the gateway address and a /32 route
 * to the container (192.168.10.1 ↔ 192.168.10.2 on the built-in {@code veth} network).
 */
public final class VethDriver implements NetworkDriver {
    private final NetworkKernel kernel;
    private final Explain explain;

    public VethDriver(NetworkKernel kernel, Explain explain) {
        this.kernel = kernel;
        this.explain = explain;
    }

    @Override
    public String name() {
        return NetworkRecord.VETH;
    }

    @Override
    public List<Subnet> preferredSubnets() {
        return List.of(Subnet.parse("192.168.10.0/24")); // the tutorial's
    }

    @Override
    public void ensureNetwork(NetworkRecord network) {
        // nothing outside the containers' own pairs
    }

    @Override
    public void removeNetwork(NetworkRecord network) {
        // nothing outside the containers' own pairs
    }

    @Override
    public void attachHostSide(Attachment a, Rtnetlink host, int nsFd, String nsLabel) {
        host.createVeth(a.hostInterface(), a.containerInterface(), nsFd, nsLabel, a.mtu(), null);
        InetAddress ip = Subnet.parseAddress(a.ipAddress());
        host.addAddress(a.hostInterface(), Subnet.parseAddress(a.gateway()), 32);
        host.addLinkRoute(ip, 32, a.hostInterface());
    }

    /** The host end holds the gateway address and a route to the container: it goes first, and at once. */
    @Override
    public void detachHostSide(Attachment a) {
        try (Rtnetlink host = kernel.host(explain)) {
            host.deleteIfPresent(a.hostInterface());
        }
    }
}
