package dev.berth.network;

/**
 * A berth network as stored in {@code networks/NAME/network.json}.
 *
 * @param driver "bridge" (one Linux bridge, containers are its ports) or "veth" (the tutorial's
 *               point-to-point pairs, the host end carrying the gateway address)
 * @param bridge the bridge's interface name (bridge driver only)
 * @param mtu    the MTU of the network's links
 */
public record NetworkRecord(String name, String id, String driver, String subnet, String gateway, int mtu,
                            String bridge, boolean internal, String created) {
    public static final String BRIDGE = "bridge", VETH = "veth";

    public Subnet parsedSubnet() {
        return Subnet.parse(subnet);
    }
}
