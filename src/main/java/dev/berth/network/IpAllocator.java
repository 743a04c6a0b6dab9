package dev.berth.network;

import dev.berth.BerthException;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/**
 * Address management of berth's networks: a requested address is checked and taken, otherwise the
 * lowest free host address (never the network, broadcast or gateway address). Every decision is made
 * under the network's lock, so concurrent {@code berth run}s never get the same address.
 */
public final class IpAllocator {
    private final AddressStore store;

    public IpAllocator(AddressStore store) {
        this.store = store;
    }

    /** Reserves requestedIp (null: the lowest free address) of network for containerId. */
    public InetAddress reserve(NetworkRecord network, String containerId, String requestedIp) {
        Subnet subnet = network.parsedSubnet();
        InetAddress gateway = Subnet.parseAddress(network.gateway());
        return store.locked(network.name(), () -> {
            Map<String, String> held = store.reservations(network.name());
            if (requestedIp != null) {
                InetAddress ip = Subnet.parseAddress(requestedIp);
                if (!subnet.contains(ip)) {
                    throw new BerthException("address " + requestedIp + " is not in network " + network.name()
                            + "'s subnet " + subnet);
                }
                if (ip.equals(subnet.network()) || ip.equals(subnet.broadcast()) || ip.equals(gateway)) {
                    throw new BerthException("address " + requestedIp + " is the network, broadcast or gateway address of "
                            + subnet);
                }
                if (held.containsKey(ip.getHostAddress())) {
                    throw new BerthException("address " + ip.getHostAddress() + " is already in use on network "
                            + network.name());
                }
                store.put(network.name(), ip.getHostAddress(), containerId);
                return ip;
            }
            for (long n = 1; n < subnet.size() - 1; n++) {
                InetAddress ip = subnet.address(n);
                if (!ip.equals(gateway) && !held.containsKey(ip.getHostAddress())) {
                    store.put(network.name(), ip.getHostAddress(), containerId);
                    return ip;
                }
            }
            throw new BerthException("no free address left in network " + network.name() + " (" + subnet + ")");
        });
    }

    /** Gives back address when containerId (still) holds it. */
    public void release(String network, String containerId, String address) {
        store.locked(network, () -> {
            if (containerId.equals(store.reservations(network).get(address))) {
                store.delete(network, address);
            }
            return null;
        });
    }

    /** Gives back every address containerId holds on network. */
    public void releaseAll(String network, String containerId) {
        store.locked(network, () -> {
            store.reservations(network).forEach((address, holder) -> {
                if (holder.equals(containerId)) {
                    store.delete(network, address);
                }
            });
            return null;
        });
    }

    /** The ids of the containers holding an address on network. */
    public List<String> holders(String network) {
        return List.copyOf(store.reservations(network).values());
    }

    /** Gives back every reservation on network whose holder is not in live; returns the addresses. */
    public List<String> releaseUnowned(String network, java.util.Set<String> live) {
        return store.locked(network, () -> {
            List<String> released = new java.util.ArrayList<>();
            store.reservations(network).forEach((address, holder) -> {
                if (!live.contains(holder)) {
                    store.delete(network, address);
                    released.add(address);
                }
            });
            return released;
        });
    }
}
