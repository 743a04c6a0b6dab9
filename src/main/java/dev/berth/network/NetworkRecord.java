package dev.berth.network;

/**
 * A berth network as stored in {@code networks/NAME/network.json}.
 *
 * @param driver "bridge" (one Linux bridge, containers are its ports) or "veth" (the tutorial's
 *               point-to-point pairs, the host end carrying the gateway address)
 * @param bridge the bridge's interface name (bridge driver only)
 * @param mtu    the MTU of the network's links
 * @param labels its labels (network create --label, compose's com.docker.compose.*)
 */
public record NetworkRecord(String name, String id, String driver, String subnet, String gateway, int mtu,
                            String bridge, boolean internal, String created, java.util.Map<String, String> labels) {
    public static final String BRIDGE = "bridge", VETH = "veth";

    public NetworkRecord(String name, String id, String driver, String subnet, String gateway, int mtu,
                         String bridge, boolean internal, String created) {
        this(name, id, driver, subnet, gateway, mtu, bridge, internal, created, java.util.Map.of());
    }

    public NetworkRecord {
        labels = labels == null ? java.util.Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(labels));
    }

    public Subnet parsedSubnet() {
        return Subnet.parse(subnet);
    }
}
