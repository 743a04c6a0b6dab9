package dev.berth.netlink;

import dev.berth.Explain;
import dev.berth.linux.Errno;
import dev.berth.linux.SyscallException;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Links, addresses and routes of one network namespace through rtnetlink: what the tutorial does with
 * {@code ip link}, {@code ip addr} and {@code ip route}, each operation announced to an {@link Explain}
 * as that very command.
 */
public final class Rtnetlink implements AutoCloseable {
    static final int RTM_NEWLINK = 16, RTM_DELLINK = 17, RTM_GETLINK = 18, RTM_NEWADDR = 20,
            RTM_DELADDR = 21, RTM_GETADDR = 22, RTM_NEWROUTE = 24, RTM_GETROUTE = 26;
    static final int IFLA_ADDRESS = 1, IFLA_IFNAME = 3, IFLA_MTU = 4, IFLA_MASTER = 10, IFLA_LINKINFO = 18,
            IFLA_STATS64 = 23, IFLA_NET_NS_FD = 28, IFLA_INFO_KIND = 1, IFLA_INFO_DATA = 2, VETH_INFO_PEER = 1;
    static final int IFA_ADDRESS = 1, IFA_LOCAL = 2;
    static final int RTA_DST = 1, RTA_OIF = 4, RTA_GATEWAY = 5, RTA_TABLE = 15;
    static final int AF_UNSPEC = 0, AF_INET = 2, AF_INET6 = 10, IFF_UP = 1;
    static final int RT_TABLE_MAIN = 254, RTPROT_BOOT = 3, RT_SCOPE_UNIVERSE = 0, RT_SCOPE_LINK = 253,
            RTN_UNICAST = 1;

    private final NetlinkTransport socket;
    private final Explain explain;
    private final String prefix;

    private Rtnetlink(NetlinkTransport socket, Explain explain, String prefix) {
        this.socket = socket;
        this.explain = explain;
        this.prefix = prefix;
    }

    /**
     * Links, addresses and routes over transport, announced to explain; label names the namespace in
     * explanations ({@code ip netns exec LABEL …}), empty for the one berth runs in.
     */
    public static Rtnetlink over(NetlinkTransport transport, Explain explain, String label) {
        return new Rtnetlink(transport, explain, label.isEmpty() ? "" : "ip netns exec " + label + " ");
    }

    /** The namespace's name in explanations (empty for the calling thread's own namespace). */
    public String label() {
        return prefix.isEmpty() ? "" : prefix.substring("ip netns exec ".length(), prefix.length() - 1);
    }

    // ---- links --------------------------------------------------------------------------------------

    public record Link(int index, String name, String kind, boolean up, int mtu, int master) {}

    public List<Link> links() {
        return parseLinks(socket.dump(new Message(RTM_GETLINK, 0).ifinfo(AF_UNSPEC, 0, 0, 0), "listing links"));
    }

    /** One link by name (RTM_GETLINK with IFLA_IFNAME: no dump of every link). */
    public Optional<Link> link(String name) {
        try {
            return parseLinks(socket.query(new Message(RTM_GETLINK, 0).ifinfo(AF_UNSPEC, 0, 0, 0)
                    .attr(IFLA_IFNAME, name), "looking up link " + name)).stream().findFirst();
        } catch (SyscallException e) {
            if (e.errno() == Errno.ENODEV) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static List<Link> parseLinks(List<ByteBuffer> messages) {
        List<Link> links = new ArrayList<>();
        for (ByteBuffer m : messages) {
            if (Short.toUnsignedInt(m.getShort(4)) != RTM_NEWLINK) {
                continue;
            }
            int index = m.getInt(20);
            int flags = m.getInt(24);
            Attributes a = Attributes.parse(m, 32, m.limit());
            Integer mtu = a.integer(IFLA_MTU);
            Integer master = a.integer(IFLA_MASTER);
            links.add(new Link(index, a.string(IFLA_IFNAME), a.nested(IFLA_LINKINFO).string(IFLA_INFO_KIND),
                    (flags & IFF_UP) != 0, mtu == null ? 0 : mtu, master == null ? 0 : master));
        }
        return links;
    }

    private int index(String name) {
        return link(name).orElseThrow(() -> new SyscallException("netlink", "no link named " + name, Errno.ENOENT)).index();
    }

    /**
     * A veth pair whose peer is created directly inside the namespace peerNsFd points at (one request,
     * so no window where the peer sits in this namespace); the host end is attached to master (when not
     * null) and brought up in the same request.
     */
    public void createVeth(String name, String peerName, int peerNsFd, String peerNsLabel, int mtu, String master) {
        explain.say(prefix + "ip link add " + name + (master != null ? " master " + master : "") + " up"
                + (mtu > 0 ? " mtu " + mtu : "") + " type veth peer name " + peerName + " netns " + peerNsLabel);
        Message m = new Message(RTM_NEWLINK, NetlinkTransport.NLM_F_CREATE | NetlinkTransport.NLM_F_EXCL)
                .ifinfo(AF_UNSPEC, 0, IFF_UP, IFF_UP).attr(IFLA_IFNAME, name);
        if (mtu > 0) {
            m.attr(IFLA_MTU, mtu);
        }
        if (master != null) {
            m.attr(IFLA_MASTER, index(master));
        }
        m.begin(IFLA_LINKINFO).attr(IFLA_INFO_KIND, "veth").begin(IFLA_INFO_DATA).begin(VETH_INFO_PEER)
                .ifinfo(AF_UNSPEC, 0, 0, 0).attr(IFLA_IFNAME, peerName).attr(IFLA_NET_NS_FD, peerNsFd);
        if (mtu > 0) {
            m.attr(IFLA_MTU, mtu);
        }
        m.end().end().end();
        socket.query(m, "creating veth " + name);
    }

    public void createBridge(String name, int mtu) {
        explain.say(prefix + "ip link add " + name + " type bridge" + (mtu > 0 ? " mtu " + mtu : ""));
        Message m = new Message(RTM_NEWLINK, NetlinkTransport.NLM_F_CREATE | NetlinkTransport.NLM_F_EXCL)
                .ifinfo(AF_UNSPEC, 0, 0, 0).attr(IFLA_IFNAME, name);
        if (mtu > 0) {
            m.attr(IFLA_MTU, mtu);
        }
        m.begin(IFLA_LINKINFO).attr(IFLA_INFO_KIND, "bridge").end();
        socket.query(m, "creating bridge " + name);
    }

    public void setUp(String name) {
        explain.say(prefix + "ip link set " + name + " up");
        socket.query(new Message(RTM_NEWLINK, 0).ifinfo(AF_UNSPEC, index(name), IFF_UP, IFF_UP),
                "setting " + name + " up");
    }

    public void delete(String name) {
        explain.say(prefix + "ip link del " + name);
        socket.query(new Message(RTM_DELLINK, 0).ifinfo(AF_UNSPEC, 0, 0, 0).attr(IFLA_IFNAME, name),
                "deleting link " + name);
    }

    /** Deletes a link when it exists; true when it did. */
    public boolean deleteIfPresent(String name) {
        if (link(name).isEmpty()) {
            return false;
        }
        try {
            delete(name);
            return true;
        } catch (SyscallException e) {
            if (e.errno() == Errno.ENODEV || e.errno() == Errno.ENOENT) {
                return false;
            }
            throw e;
        }
    }

    /** {rx bytes, tx bytes} of a link, from IFLA_STATS64 (struct rtnl_link_stats64). */
    public long[] byteCounters(String name) {
        List<ByteBuffer> replies = socket.query(new Message(RTM_GETLINK, 0).ifinfo(AF_UNSPEC, 0, 0, 0)
                .attr(IFLA_IFNAME, name), "reading the counters of " + name);
        for (ByteBuffer m : replies) {
            byte[] stats = Attributes.parse(m, 32, m.limit()).bytes(IFLA_STATS64);
            if (stats != null && stats.length >= 32) {
                ByteBuffer b = ByteBuffer.wrap(stats).order(java.nio.ByteOrder.nativeOrder());
                return new long[] {b.getLong(16), b.getLong(24)};
            }
        }
        return new long[] {0, 0};
    }

    // ---- addresses ----------------------------------------------------------------------------------

    public record Address(int index, InetAddress address, int prefixLength) {}

    public void addAddress(String device, InetAddress address, int prefixLength) {
        explain.say(prefix + "ip addr add " + address.getHostAddress() + "/" + prefixLength + " dev " + device);
        byte[] raw = address.getAddress();
        socket.query(new Message(RTM_NEWADDR, NetlinkTransport.NLM_F_CREATE | NetlinkTransport.NLM_F_EXCL)
                .ifaddr(family(address), prefixLength, RT_SCOPE_UNIVERSE, index(device))
                .attr(IFA_LOCAL, raw).attr(IFA_ADDRESS, raw), "adding " + address.getHostAddress() + " to " + device);
    }

    /** Removes an address from a device; false when the device or the address is not there. */
    public boolean deleteAddress(String device, InetAddress address, int prefixLength) {
        explain.say(prefix + "ip addr del " + address.getHostAddress() + "/" + prefixLength + " dev " + device);
        byte[] raw = address.getAddress();
        try {
            socket.query(new Message(RTM_DELADDR, 0).ifaddr(family(address), prefixLength, RT_SCOPE_UNIVERSE, index(device))
                    .attr(IFA_LOCAL, raw).attr(IFA_ADDRESS, raw), "removing " + address.getHostAddress() + " from " + device);
            return true;
        } catch (SyscallException e) {
            if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENODEV || e.errno() == Errno.EADDRNOTAVAIL) {
                return false;
            }
            throw e;
        }
    }

    public List<Address> addresses() {
        List<Address> addresses = new ArrayList<>();
        for (ByteBuffer m : socket.dump(new Message(RTM_GETADDR, 0).ifaddr(AF_UNSPEC, 0, 0, 0), "listing addresses")) {
            int prefixLength = Byte.toUnsignedInt(m.get(17));
            int index = m.getInt(20);
            Attributes a = Attributes.parse(m, 24, m.limit());
            byte[] raw = a.bytes(IFA_LOCAL) != null ? a.bytes(IFA_LOCAL) : a.bytes(IFA_ADDRESS);
            if (raw != null) {
                addresses.add(new Address(index, address(raw), prefixLength));
            }
        }
        return addresses;
    }

    // ---- routes -------------------------------------------------------------------------------------

    /** A route of the main table; destination null for the default route. */
    public record Route(InetAddress destination, int prefixLength, InetAddress gateway, int outputIndex) {}

    public void addDefaultRoute(InetAddress gateway, String device) {
        explain.say(prefix + "ip route add default via " + gateway.getHostAddress() + " dev " + device);
        socket.query(new Message(RTM_NEWROUTE, NetlinkTransport.NLM_F_CREATE | NetlinkTransport.NLM_F_EXCL)
                .rtmsg(family(gateway), 0, RT_TABLE_MAIN, RTPROT_BOOT, RT_SCOPE_UNIVERSE, RTN_UNICAST)
                .attr(RTA_GATEWAY, gateway.getAddress()).attr(RTA_OIF, index(device)), "adding the default route");
    }

    /** A directly connected route: destination/prefixLength reached through device. */
    public void addLinkRoute(InetAddress destination, int prefixLength, String device) {
        explain.say(prefix + "ip route add " + destination.getHostAddress() + "/" + prefixLength + " dev " + device);
        socket.query(new Message(RTM_NEWROUTE, NetlinkTransport.NLM_F_CREATE | NetlinkTransport.NLM_F_EXCL)
                .rtmsg(family(destination), prefixLength, RT_TABLE_MAIN, RTPROT_BOOT, RT_SCOPE_LINK, RTN_UNICAST)
                .attr(RTA_DST, destination.getAddress()).attr(RTA_OIF, index(device)),
                "adding a route to " + destination.getHostAddress() + "/" + prefixLength);
    }

    public List<Route> routes() {
        List<Route> routes = new ArrayList<>();
        for (ByteBuffer m : socket.dump(new Message(RTM_GETROUTE, 0).rtmsg(AF_UNSPEC, 0, 0, 0, 0, 0), "listing routes")) {
            int dstLength = Byte.toUnsignedInt(m.get(17));
            int table = Byte.toUnsignedInt(m.get(20));
            Attributes a = Attributes.parse(m, 28, m.limit());
            Integer tableAttr = a.integer(RTA_TABLE);
            if ((tableAttr != null ? tableAttr : table) != RT_TABLE_MAIN) {
                continue;
            }
            Integer oif = a.integer(RTA_OIF);
            routes.add(new Route(a.bytes(RTA_DST) == null ? null : address(a.bytes(RTA_DST)), dstLength,
                    a.bytes(RTA_GATEWAY) == null ? null : address(a.bytes(RTA_GATEWAY)), oif == null ? 0 : oif));
        }
        return routes;
    }

    private static int family(InetAddress address) {
        return address instanceof Inet6Address ? AF_INET6 : AF_INET;
    }

    private static InetAddress address(byte[] raw) {
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static boolean isIpv4(InetAddress address) {
        return address instanceof Inet4Address;
    }

    @Override
    public void close() {
        socket.close();
    }
}
