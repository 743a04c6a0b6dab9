package dev.berth.netlink;

import dev.berth.Explain;
import dev.berth.linux.Errno;
import dev.berth.linux.SyscallException;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A scripted kernel for rtnetlink: namespaces with links, addresses and routes, fed by the very bytes
 * {@link Rtnetlink} puts on the wire. Each request is decoded (so the codec is checked too), applied
 * and logged per namespace in {@code ip}'s words; lookups, dumps and errors (EEXIST, ENODEV) are answered
 * as the kernel answers them. No root, no socket.
 */
public final class FakeNetworkKernel implements NetworkKernel {
    public static final String HOST = "host";

    private final Map<String, Namespace> namespaces = new LinkedHashMap<>();
    private final Map<Path, String> pins = new HashMap<>();
    private final Map<Integer, String> fds = new HashMap<>();
    private int nextFd = 100;
    private int nextIndex = 1;
    private int nextNamespace = 1;

    public FakeNetworkKernel() {
        namespaces.put(HOST, new Namespace(HOST));
        namespace(HOST).addLink("lo", "", true, 65536, 0);
    }

    /** Everything sent to the namespace called name (HOST, or the label of a created one), in ip's words. */
    public List<String> log(String name) {
        return List.copyOf(namespace(name).log);
    }

    /** All requests, each prefixed with its namespace. */
    public List<String> log() {
        List<String> all = new ArrayList<>();
        for (Namespace ns : namespaces.values()) {
            ns.log.forEach(line -> all.add(ns.name + ": " + line));
        }
        return all;
    }

    public List<String> links(String namespace) {
        return List.copyOf(namespace(namespace).links.keySet());
    }

    /** Address/prefix strings on device in namespace. */
    public List<String> addresses(String namespace, String device) {
        Namespace ns = namespace(namespace);
        int index = ns.links.get(device).index;
        return ns.addresses.stream().filter(a -> a.index == index).map(a -> a.address.getHostAddress() + "/" + a.prefix).toList();
    }

    /** Pins that exist: path → namespace name. */
    public Map<Path, String> pins() {
        return Map.copyOf(pins);
    }

    /** Adds a route of the host, as if another program had (for subnet choice). */
    public void hostRoute(String destination, int prefix, String device) {
        Namespace host = namespace(HOST);
        host.routes.add(new Route(inet(destination), prefix, null, host.links.get(device).index));
    }

    /** Adds a link of the host, as if another program had made it. */
    public void hostLink(String name, String kind, int mtu) {
        namespace(HOST).addLink(name, kind, true, mtu, 0);
    }

    /** Deletes a host link as someone else would (ip link del). */
    public void deleteHostLink(String name) {
        namespace(HOST).links.remove(name);
    }

    public boolean open(int fd) {
        return fds.containsKey(fd);
    }

    private Namespace namespace(String name) {
        Namespace ns = namespaces.get(name);
        if (ns == null) {
            throw new IllegalArgumentException("no namespace " + name + " (have " + namespaces.keySet() + ")");
        }
        return ns;
    }

    // ---- NetworkKernel ----------------------------------------------------------------------------------

    @Override
    public Rtnetlink host(Explain explain) {
        return Rtnetlink.over(namespace(HOST), explain, "");
    }

    @Override
    public Rtnetlink in(String nsPath, String label, Explain explain) {
        String name = pins.get(Path.of(nsPath));
        if (name == null) {
            throw new SyscallException("open", nsPath, Errno.ENOENT);
        }
        return Rtnetlink.over(namespace(name), explain, label);
    }

    @Override
    public Rtnetlink createNamespace(List<Path> pinPaths, String label, Explain explain) {
        String name = namespaces.containsKey(label) ? label + "#" + nextNamespace++ : label;
        Namespace ns = new Namespace(name);
        namespaces.put(name, ns);
        ns.addLink("lo", "", false, 65536, 0);
        pinPaths.forEach(p -> pins.put(p, name));
        Rtnetlink inside = Rtnetlink.over(ns, explain, label);
        inside.setUp("lo");
        return inside;
    }

    @Override
    public NamespaceFd open(String nsPath) {
        String name = pins.get(Path.of(nsPath));
        if (name == null) {
            throw new SyscallException("open", nsPath, Errno.ENOENT);
        }
        int fd = nextFd++;
        fds.put(fd, name);
        return NamespaceFd.of(fd, () -> fds.remove(fd));
    }

    @Override
    public void repin(int pid, Path pin) {
        pins.put(pin, "pid " + pid);
    }

    @Override
    public void unpin(Path pin) {
        pins.remove(pin);
    }

    @Override
    public boolean isPinned(Path pin) {
        return pins.containsKey(pin);
    }

    // ---- the scripted namespaces ------------------------------------------------------------------------

    private record Link(int index, String kind, boolean up, int mtu, int master) {}

    private record Address(int index, InetAddress address, int prefix) {}

    private record Route(InetAddress destination, int prefix, InetAddress gateway, int outputIndex) {}

    private final class Namespace implements NetlinkTransport {
        final String name;
        final Map<String, Link> links = new LinkedHashMap<>();
        final List<Address> addresses = new ArrayList<>();
        final List<Route> routes = new ArrayList<>();
        final List<String> log = new ArrayList<>();

        Namespace(String name) {
            this.name = name;
        }

        void addLink(String link, String kind, boolean up, int mtu, int master) {
            links.put(link, new Link(nextIndex++, kind, up, mtu, master));
        }

        String nameOf(int index) {
            return links.entrySet().stream().filter(e -> e.getValue().index == index).map(Map.Entry::getKey)
                    .findFirst().orElseThrow(() -> new SyscallException("netlink", "no link " + index, Errno.ENODEV));
        }

        @Override
        public List<ByteBuffer> query(Message message, String what) {
            ByteBuffer m = ByteBuffer.wrap(message.bytes(1)).order(ByteOrder.nativeOrder());
            int type = m.getShort(4);
            int flags = m.getShort(6);
            return switch (type) {
                case Rtnetlink.RTM_NEWLINK -> newLink(m, flags);
                case Rtnetlink.RTM_GETLINK -> {
                    String link = Attributes.parse(m, 32, m.limit()).string(Rtnetlink.IFLA_IFNAME);
                    if (!links.containsKey(link)) {
                        throw new SyscallException("netlink", what, Errno.ENODEV);
                    }
                    yield List.of(linkMessage(link));
                }
                case Rtnetlink.RTM_DELLINK -> {
                    String link = Attributes.parse(m, 32, m.limit()).string(Rtnetlink.IFLA_IFNAME);
                    if (links.remove(link) == null) {
                        throw new SyscallException("netlink", what, Errno.ENODEV);
                    }
                    log.add("link del " + link);
                    yield List.of();
                }
                case Rtnetlink.RTM_NEWADDR, Rtnetlink.RTM_DELADDR -> address(m, type, what);
                case Rtnetlink.RTM_NEWROUTE -> newRoute(m);
                default -> throw new IllegalArgumentException("unexpected request type " + type + ": " + what);
            };
        }

        private List<ByteBuffer> newLink(ByteBuffer m, int flags) {
            int index = m.getInt(20);
            boolean up = (m.getInt(24) & 1) != 0;
            Attributes a = Attributes.parse(m, 32, m.limit());
            if ((flags & NetlinkTransport.NLM_F_CREATE) == 0) { // ip link set up
                String link = nameOf(index);
                Link l = links.get(link);
                links.put(link, new Link(l.index, l.kind, l.up || up, l.mtu, l.master));
                log.add("link set " + link + (up ? " up" : ""));
                return List.of();
            }
            String link = a.string(Rtnetlink.IFLA_IFNAME);
            if (links.containsKey(link)) {
                throw new SyscallException("netlink", "creating " + link, Errno.EEXIST);
            }
            Attributes info = a.nested(Rtnetlink.IFLA_LINKINFO);
            String kind = info.string(Rtnetlink.IFLA_INFO_KIND);
            int mtu = a.integer(Rtnetlink.IFLA_MTU) == null ? 1500 : a.integer(Rtnetlink.IFLA_MTU);
            int master = a.integer(Rtnetlink.IFLA_MASTER) == null ? 0 : a.integer(Rtnetlink.IFLA_MASTER);
            String line = "link add " + link + (master != 0 ? " master " + nameOf(master) : "") + (up ? " up" : "")
                    + " mtu " + mtu + " type " + kind;
            if ("veth".equals(kind)) {
                byte[] peer = info.nested(Rtnetlink.IFLA_INFO_DATA).bytes(Rtnetlink.VETH_INFO_PEER);
                Attributes p = Attributes.parse(ByteBuffer.wrap(peer).order(ByteOrder.nativeOrder()), 16, peer.length);
                String peerName = p.string(Rtnetlink.IFLA_IFNAME);
                String peerNs = fds.get(p.integer(Rtnetlink.IFLA_NET_NS_FD));
                if (peerNs == null) {
                    throw new SyscallException("netlink", "veth peer namespace fd", Errno.EBADF);
                }
                namespace(peerNs).addLink(peerName, "veth", false, p.integer(Rtnetlink.IFLA_MTU) == null ? 1500
                        : p.integer(Rtnetlink.IFLA_MTU), 0);
                line += " peer name " + peerName + " netns " + peerNs;
            }
            links.put(link, new Link(nextIndex++, kind, up, mtu, master));
            log.add(line);
            return List.of();
        }

        private List<ByteBuffer> address(ByteBuffer m, int type, String what) {
            int prefix = Byte.toUnsignedInt(m.get(17));
            int index = m.getInt(20);
            InetAddress address = inet(Attributes.parse(m, 24, m.limit()).bytes(Rtnetlink.IFA_LOCAL));
            String device = nameOf(index);
            Address entry = new Address(index, address, prefix);
            if (type == Rtnetlink.RTM_NEWADDR) {
                if (addresses.contains(entry)) {
                    throw new SyscallException("netlink", what, Errno.EEXIST);
                }
                addresses.add(entry);
                log.add("addr add " + address.getHostAddress() + "/" + prefix + " dev " + device);
            } else {
                if (!addresses.remove(entry)) {
                    throw new SyscallException("netlink", what, Errno.EADDRNOTAVAIL);
                }
                log.add("addr del " + address.getHostAddress() + "/" + prefix + " dev " + device);
            }
            return List.of();
        }

        private List<ByteBuffer> newRoute(ByteBuffer m) {
            int prefix = Byte.toUnsignedInt(m.get(17));
            Attributes a = Attributes.parse(m, 28, m.limit());
            InetAddress destination = a.bytes(Rtnetlink.RTA_DST) == null ? null : inet(a.bytes(Rtnetlink.RTA_DST));
            InetAddress gateway = a.bytes(Rtnetlink.RTA_GATEWAY) == null ? null : inet(a.bytes(Rtnetlink.RTA_GATEWAY));
            int oif = a.integer(Rtnetlink.RTA_OIF);
            routes.add(new Route(destination, prefix, gateway, oif));
            log.add("route add " + (destination == null ? "default" : destination.getHostAddress() + "/" + prefix)
                    + (gateway != null ? " via " + gateway.getHostAddress() : "") + " dev " + nameOf(oif));
            return List.of();
        }

        @Override
        public List<ByteBuffer> dump(Message message, String what) {
            int type = ByteBuffer.wrap(message.bytes(1)).order(ByteOrder.nativeOrder()).getShort(4);
            List<ByteBuffer> replies = new ArrayList<>();
            switch (type) {
                case Rtnetlink.RTM_GETLINK -> links.keySet().forEach(l -> replies.add(linkMessage(l)));
                case Rtnetlink.RTM_GETADDR -> addresses.forEach(a -> replies.add(wrap(new Message(Rtnetlink.RTM_NEWADDR, 0)
                        .ifaddr(Rtnetlink.AF_INET, a.prefix, 0, a.index).attr(Rtnetlink.IFA_LOCAL, a.address.getAddress()))));
                case Rtnetlink.RTM_GETROUTE -> routes.forEach(r -> {
                    Message reply = new Message(Rtnetlink.RTM_NEWROUTE, 0).rtmsg(Rtnetlink.AF_INET, r.prefix,
                            Rtnetlink.RT_TABLE_MAIN, 0, 0, 1);
                    if (r.destination != null) {
                        reply.attr(Rtnetlink.RTA_DST, r.destination.getAddress());
                    }
                    replies.add(wrap(reply.attr(Rtnetlink.RTA_OIF, r.outputIndex)));
                });
                default -> throw new IllegalArgumentException("unexpected dump " + type + ": " + what);
            }
            return replies;
        }

        private ByteBuffer linkMessage(String link) {
            Link l = links.get(link);
            return wrap(new Message(Rtnetlink.RTM_NEWLINK, 0).ifinfo(0, l.index, l.up ? 1 : 0, 0)
                    .attr(Rtnetlink.IFLA_IFNAME, link).attr(Rtnetlink.IFLA_MTU, l.mtu).attr(Rtnetlink.IFLA_MASTER, l.master)
                    .begin(Rtnetlink.IFLA_LINKINFO).attr(Rtnetlink.IFLA_INFO_KIND, l.kind).end());
        }

        @Override
        public void close() {
        }
    }

    private static ByteBuffer wrap(Message message) {
        return ByteBuffer.wrap(message.bytes(1)).order(ByteOrder.nativeOrder());
    }

    private static InetAddress inet(byte[] raw) {
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static InetAddress inet(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
