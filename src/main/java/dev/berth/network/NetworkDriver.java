package dev.berth.network;

import dev.berth.netlink.Rtnetlink;
import dev.berth.state.Attachment;

import java.util.List;

/**
 * How one kind of network joins a container to the host (netavark's driver interface): what the
 * network itself needs in the kernel, and the host side of a container's veth pair. What every driver
 * does inside the container (address, eth0 up, default route) is {@link Networks}' part.
 */
public sealed interface NetworkDriver permits BridgeDriver, VethDriver {
    /** The driver's name in {@code network create --driver}. */
    String name();

    /** The subnets tried first for a new network of this driver (the rest come after). */
    default List<Subnet> preferredSubnets() {
        return List.of();
    }

    /** The network's own kernel objects (a bridge), made again if something removed them. */
    void ensureNetwork(NetworkRecord network);

    /** Removes the network's own kernel objects. */
    void removeNetwork(NetworkRecord network);

    /**
     * Creates the container's veth pair, its peer directly inside the namespace nsFd points at, and
     * whatever the host side needs (bridge port, or the gateway address and a route).
     */
    void attachHostSide(Attachment a, Rtnetlink host, int nsFd, String nsLabel);

    /** Undoes the host side of an attachment, whatever part of it exists. */
    void detachHostSide(Attachment a);
}
