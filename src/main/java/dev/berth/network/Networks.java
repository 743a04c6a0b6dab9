package dev.berth.network;

import dev.berth.BerthException;
import dev.berth.Explain;
import dev.berth.linux.Errno;
import dev.berth.linux.Libc;
import dev.berth.linux.SyscallException;
import dev.berth.netlink.NetworkNamespace;
import dev.berth.netlink.Rtnetlink;
import dev.berth.state.Attachment;
import dev.berth.state.BerthPaths;
import dev.berth.state.Directories;
import dev.berth.state.FileLock;
import dev.berth.state.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * berth's networks: their records, address allocation, and the kernel objects that join a container to
 * one (namespace pins, veth pair, bridge, addresses, routes). Every object carries a berth name and is
 * recorded before it is made, so {@link #gc} can always take away what a crash left.
 */
public final class Networks {
    public static final String DEFAULT = "berth0";
    /** Networks that exist as soon as they are used: the default bridge, and the tutorial's veth pairs. */
    private static final java.util.Map<String, String> BUILT_IN =
            java.util.Map.of(DEFAULT, NetworkRecord.BRIDGE, "veth", NetworkRecord.VETH);
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}");
    private static final String CONTAINER_INTERFACE = "eth0";
    private static final int DEFAULT_MTU = 1500;

    private final BerthPaths paths;
    private final Explain explain;
    /** Bridges this instance has checked for their address: later attaches only check they are up. */
    private final Set<String> bridgesReady = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public Networks(BerthPaths paths, Explain explain) {
        this.paths = paths;
        this.explain = explain;
    }

    // ---- networks as objects -------------------------------------------------------------------------

    public NetworkRecord create(String name, String driver, String subnet, String gateway, Integer mtu, boolean internal) {
        if (!NAME.matcher(name).matches()) {
            throw new BerthException("invalid network name '" + name + "'");
        }
        if (!driver.equals(NetworkRecord.BRIDGE) && !driver.equals(NetworkRecord.VETH)) {
            throw new BerthException("unknown network driver '" + driver + "': use bridge or veth");
        }
        if (mtu != null && (mtu < 68 || mtu > 65535)) {
            throw new BerthException("invalid MTU " + mtu + ": it must be between 68 and 65535");
        }
        try (FileLock ignored = FileLock.acquire(paths.lock("networks"))) {
            if (Files.exists(paths.networkRecord(name))) {
                throw new BerthException("network " + name + " already exists");
            }
            Subnet chosen = subnet != null ? Subnet.parse(subnet) : freeSubnet(driver);
            for (NetworkRecord other : list()) {
                if (other.parsedSubnet().overlaps(chosen)) {
                    throw new BerthException("subnet " + chosen + " overlaps network " + other.name() + " (" + other.subnet() + ")");
                }
            }
            InetAddress gw = gateway != null ? Subnet.parseAddress(gateway) : chosen.address(1);
            if (!chosen.contains(gw) || gw.equals(chosen.network()) || gw.equals(chosen.broadcast())) {
                throw new BerthException("gateway " + gw.getHostAddress() + " is not a host address of " + chosen);
            }
            String id = newId();
            String bridge = driver.equals(NetworkRecord.BRIDGE) ? (name.equals(DEFAULT) ? DEFAULT : "berth-" + id.substring(0, 8)) : null;
            NetworkRecord record = new NetworkRecord(name, id, driver, chosen.toString(), gw.getHostAddress(),
                    mtu != null ? mtu : uplinkMtu(), bridge, internal, Instant.now().toString());
            Files.createDirectories(paths.networkAddresses(name));
            Json.writeAtomically(paths.networkRecord(name), record);
            if (bridge != null) {
                try {
                    ensureBridge(record);
                } catch (RuntimeException e) {
                    Directories.deleteTree(paths.network(name));
                    throw e;
                }
            }
            return record;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<NetworkRecord> list() {
        if (!Files.isDirectory(paths.networks())) {
            return List.of();
        }
        List<NetworkRecord> networks = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(paths.networks())) {
            for (Path dir : dirs.toList()) {
                if (Files.isRegularFile(dir.resolve("network.json"))) {
                    networks.add(Json.read(dir.resolve("network.json"), NetworkRecord.class));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        networks.sort(Comparator.comparing(NetworkRecord::name));
        return networks;
    }

    public NetworkRecord get(String name) {
        if (BUILT_IN.containsKey(name) && !Files.exists(paths.networkRecord(name))) {
            return builtIn(name);
        }
        if (!NAME.matcher(name).matches() || !Files.isRegularFile(paths.networkRecord(name))) {
            throw new BerthException("network " + name + " not found");
        }
        return Json.read(paths.networkRecord(name), NetworkRecord.class);
    }

    /** Whether name is one of the networks that exist as soon as they are used (berth0, veth). */
    public static boolean isBuiltIn(String name) {
        return BUILT_IN.containsKey(name);
    }

    /** User-defined networks get an embedded DNS server for container names; the built-in ones do not. */
    public static boolean hasNameService(NetworkRecord network) {
        return !BUILT_IN.containsKey(network.name()) && network.bridge() != null;
    }

    /** A built-in network (berth0, veth), created on first use. */
    private NetworkRecord builtIn(String name) {
        try {
            return create(name, BUILT_IN.get(name), null, null, null, false);
        } catch (BerthException e) {
            if (Files.exists(paths.networkRecord(name))) { // a concurrent berth made it first
                return Json.read(paths.networkRecord(name), NetworkRecord.class);
            }
            throw e;
        }
    }

    /** The ids of the containers holding an address on the network. */
    public List<String> users(String name) {
        Path dir = paths.networkAddresses(name);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<String> ids = new ArrayList<>();
            for (Path f : files.toList()) {
                ids.add(Files.readString(f).strip());
            }
            return ids;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void remove(String name) {
        NetworkRecord record = get(name);
        try (FileLock ignored = FileLock.acquire(paths.lock("networks"))) {
            if (!users(name).isEmpty()) {
                throw new BerthException("network " + name + " has active endpoints (" + users(name).size()
                        + " container(s)): remove them first");
            }
            if (record.bridge() != null) {
                try (Rtnetlink host = Rtnetlink.here(explain)) {
                    host.deleteIfPresent(record.bridge());
                }
            }
            Directories.deleteTree(paths.network(name));
        }
    }

    // ---- containers on networks ----------------------------------------------------------------------

    /**
     * Reserves an address (requestedIp, or the lowest free one) for the container and names everything
     * its attachment will create. Nothing is made in the kernel yet.
     */
    public Attachment plan(String networkName, String containerId, String containerName, String requestedIp) {
        NetworkRecord network = get(networkName);
        InetAddress ip = reserve(network, containerId, requestedIp);
        Subnet subnet = network.parsedSubnet();
        return new Attachment(network.name(), network.driver(), ip.getHostAddress(), subnet.prefixLength(),
                network.gateway(), hostInterfaceName(), CONTAINER_INTERFACE, network.mtu(),
                paths.netnsPin(containerId).toString(), paths.visibleNetns(containerName).toString(), network.bridge());
    }

    /**
     * A fresh name for a host veth end: vb and 11 random hex digits. A restarted container gets a new
     * one, since the kernel may still be freeing the pair of its previous run (teardown leaves that to
     * the namespace's clean-up).
     */
    private static String hostInterfaceName() {
        byte[] random = new byte[6];
        RANDOM.nextBytes(random);
        return "vb" + HexFormat.of().formatHex(random).substring(0, 11);
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    /** Creates the namespace and wires it as planned: the tutorial's steps 1 to 5, plus the default route. */
    public void setUp(Attachment a, String label) {
        try (Rtnetlink inside = NetworkNamespace.create(List.of(Path.of(a.namespacePath()), Path.of(a.visiblePath())),
                label, explain)) {
            wire(a, inside);
        }
    }

    /**
     * Wires a running container's namespace again when its veth pair is gone (someone deleted the host
     * end, or the bridge with it): true when it had to.
     */
    public boolean rewire(Attachment a, String label) {
        try (Rtnetlink host = Rtnetlink.here(explain)) {
            if (host.link(a.hostInterface()).isPresent()) {
                return false;
            }
        }
        try (Rtnetlink inside = Rtnetlink.in(a.namespacePath(), label, explain)) {
            wire(a, inside);
        }
        return true;
    }

    /** The veth pair into the pinned namespace, the bridge or point-to-point addresses, eth0 and the route. */
    private void wire(Attachment a, Rtnetlink inside) {
        NetworkRecord network = get(a.network());
        InetAddress ip = Subnet.parseAddress(a.ipAddress());
        InetAddress gateway = Subnet.parseAddress(a.gateway());
        try (Rtnetlink host = Rtnetlink.here(explain)) {
            if (a.bridge() != null) {
                ensureBridge(network);
            }
            int nsFd = Libc.open(a.namespacePath(), Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
            try {
                host.createVeth(a.hostInterface(), a.containerInterface(), nsFd, inside.label(), a.mtu(), a.bridge());
            } finally {
                Libc.closeQuietly(nsFd);
            }
            if (a.bridge() == null) {
                // the tutorial's point-to-point pair: the host end carries the gateway address
                host.addAddress(a.hostInterface(), gateway, 32);
                host.addLinkRoute(ip, 32, a.hostInterface());
            }
        }
        inside.addAddress(a.containerInterface(), ip, a.prefixLength());
        inside.setUp(a.containerInterface());
        inside.addDefaultRoute(gateway, a.containerInterface());
    }

    /**
     * Undoes an attachment, whatever part of it exists. On a bridge the container's address goes first,
     * so that nothing answers for it any more, then the pins: the kernel frees the namespace and the veth
     * pair in it by itself, in its own batched clean-up, instead of one RCU grace period per deleted link
     * here (names are never reused: each plan draws a new one). The point-to-point driver's host
     * end holds the gateway address and a route to the container, so it is deleted first and at once.
     */
    public void tearDown(Attachment a, String containerId) {
        if (a.bridge() == null) {
            try (Rtnetlink host = Rtnetlink.here(explain)) {
                host.deleteIfPresent(a.hostInterface());
            }
        } else {
            try (Rtnetlink inside = Rtnetlink.in(a.namespacePath(), label(a), explain)) {
                inside.deleteAddress(a.containerInterface(), Subnet.parseAddress(a.ipAddress()), a.prefixLength());
            } catch (SyscallException e) {
                if (e.errno() != Errno.ENOENT && e.errno() != Errno.EINVAL) { // no pin, or a pin no longer mounted
                    throw e;
                }
            }
        }
        explain.say("ip netns del " + label(a));
        NetworkNamespace.unpin(Path.of(a.visiblePath()));
        NetworkNamespace.unpin(Path.of(a.namespacePath()));
        release(a.network(), containerId, a.ipAddress());
    }

    /** What explanations call the attachment's namespace: the name of its pin under /run/netns. */
    private static String label(Attachment a) {
        return Path.of(a.visiblePath()).getFileName().toString();
    }

    /**
     * Removes what no live container owns: host veth ends named vb…, namespace pins under the run root
     * and berth-… pins under /run/netns, and address reservations. Returns what it removed.
     */
    public List<String> gc(Set<String> liveIds, Set<String> liveInterfaces, Set<String> liveVisiblePins) {
        List<String> removed = new ArrayList<>();
        try (Rtnetlink host = Rtnetlink.here(explain)) {
            for (Rtnetlink.Link link : host.links()) {
                if (link.name().matches("vb[0-9a-f]{11}") && !liveInterfaces.contains(link.name())
                        && host.deleteIfPresent(link.name())) {
                    removed.add("link " + link.name());
                }
            }
        }
        removed.addAll(unpinUnowned(paths.netnsPins(), p -> liveIds.contains(p.getFileName().toString())));
        removed.addAll(unpinUnowned(Path.of("/run/netns"), p -> !p.getFileName().toString().startsWith("berth-")
                || liveVisiblePins.contains(p.toString())));
        for (NetworkRecord network : list()) {
            Path dir = paths.networkAddresses(network.name());
            try (Stream<Path> files = Files.exists(dir) ? Files.list(dir) : Stream.empty()) {
                for (Path f : files.toList()) {
                    if (!liveIds.contains(Files.readString(f).strip())) {
                        Files.deleteIfExists(f);
                        removed.add("address " + f.getFileName() + " on " + network.name());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return removed;
    }

    private static List<String> unpinUnowned(Path dir, java.util.function.Predicate<Path> owned) {
        List<String> removed = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return removed;
        }
        try (Stream<Path> pins = Files.list(dir)) {
            for (Path pin : pins.toList()) {
                if (!owned.test(pin)) {
                    NetworkNamespace.unpin(pin);
                    removed.add("namespace pin " + pin);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return removed;
    }

    // ---- addresses -----------------------------------------------------------------------------------

    private InetAddress reserve(NetworkRecord network, String containerId, String requestedIp) {
        Subnet subnet = network.parsedSubnet();
        InetAddress gateway = Subnet.parseAddress(network.gateway());
        Path dir = paths.networkAddresses(network.name());
        try (FileLock ignored = FileLock.acquire(paths.lock("network-" + network.name()))) {
            Files.createDirectories(dir);
            if (requestedIp != null) {
                InetAddress ip = Subnet.parseAddress(requestedIp);
                if (!subnet.contains(ip)) {
                    throw new BerthException("address " + requestedIp + " is not in network " + network.name() + "'s subnet " + subnet);
                }
                if (ip.equals(subnet.network()) || ip.equals(subnet.broadcast()) || ip.equals(gateway)) {
                    throw new BerthException("address " + requestedIp + " is the network, broadcast or gateway address of " + subnet);
                }
                return take(dir, ip, containerId, network);
            }
            for (long n = 1; n < subnet.size() - 1; n++) {
                InetAddress ip = subnet.address(n);
                if (!ip.equals(gateway) && !Files.exists(dir.resolve(ip.getHostAddress()))) {
                    return take(dir, ip, containerId, network);
                }
            }
            throw new BerthException("no free address left in network " + network.name() + " (" + subnet + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InetAddress take(Path dir, InetAddress ip, String containerId, NetworkRecord network) throws IOException {
        Path file = dir.resolve(ip.getHostAddress());
        if (Files.exists(file)) {
            throw new BerthException("address " + ip.getHostAddress() + " is already in use on network " + network.name());
        }
        Files.writeString(file, containerId + "\n");
        return ip;
    }

    /** Gives back one address the container holds on the network. */
    private void release(String networkName, String containerId, String address) {
        Path file = paths.networkAddresses(networkName).resolve(address);
        try (FileLock ignored = FileLock.acquire(paths.lock("network-" + networkName))) {
            if (Files.exists(file) && Files.readString(file).strip().equals(containerId)) {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Gives back every address the container holds on the network. */
    public void release(String networkName, String containerId) {
        Path dir = paths.networkAddresses(networkName);
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (FileLock ignored = FileLock.acquire(paths.lock("network-" + networkName));
             Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                if (Files.readString(f).strip().equals(containerId)) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- kernel objects of a network ----------------------------------------------------------------

    /** The bridge with the gateway address, up; made again if something removed it. */
    private void ensureBridge(NetworkRecord network) {
        Subnet subnet = network.parsedSubnet();
        InetAddress gateway = Subnet.parseAddress(network.gateway());
        try (Rtnetlink host = Rtnetlink.here(explain)) {
            var link = host.link(network.bridge());
            if (link.isPresent() && link.get().up() && bridgesReady.contains(network.bridge())) {
                return;
            }
            if (link.isEmpty()) {
                host.createBridge(network.bridge(), network.mtu());
                link = host.link(network.bridge());
            }
            int index = link.orElseThrow().index();
            List<String> foreign = host.addresses().stream()
                    .filter(a -> a.index() == index && a.address().getAddress().length == 4 && !subnet.contains(a.address()))
                    .map(a -> a.address().getHostAddress() + "/" + a.prefixLength()).toList();
            if (!foreign.isEmpty()) {
                throw new BerthException("bridge " + network.bridge() + " already exists with address " + foreign.getFirst()
                        + ", outside network " + network.name() + "'s subnet " + subnet
                        + " (another berth state root uses it? remove it with: ip link del " + network.bridge() + ")");
            }
            boolean hasGateway = host.addresses().stream()
                    .anyMatch(a -> a.index() == index && a.address().equals(gateway));
            if (!hasGateway) {
                host.addAddress(network.bridge(), gateway, subnet.prefixLength());
            }
            if (!link.get().up()) {
                host.setUp(network.bridge());
            }
            bridgesReady.add(network.bridge());
        }
    }

    /** A subnet that no route, address or network of this host already uses. */
    private Subnet freeSubnet(String driver) {
        List<Subnet> taken = new ArrayList<>();
        list().forEach(n -> taken.add(n.parsedSubnet()));
        try (Rtnetlink host = Rtnetlink.here(Explain.NONE)) {
            for (Rtnetlink.Route r : host.routes()) {
                if (r.destination() != null && r.prefixLength() > 0 && r.destination().getAddress().length == 4) {
                    taken.add(new Subnet(Subnet.toInt(r.destination().getAddress()), r.prefixLength()));
                }
            }
            for (Rtnetlink.Address a : host.addresses()) {
                if (a.address().getAddress().length == 4) {
                    taken.add(new Subnet(Subnet.toInt(a.address().getAddress()), Math.max(a.prefixLength(), 8)));
                }
            }
        }
        List<Subnet> candidates = new ArrayList<>();
        if (driver.equals(NetworkRecord.VETH)) {
            candidates.add(Subnet.parse("192.168.10.0/24")); // the tutorial's
        }
        for (int second = 17; second <= 31; second++) {
            candidates.add(Subnet.parse("172." + second + ".0.0/16"));
        }
        for (int third = 0; third < 256; third += 16) {
            candidates.add(Subnet.parse("192.168." + third + ".0/20"));
        }
        return candidates.stream().filter(c -> taken.stream().noneMatch(c::overlaps)).findFirst()
                .orElseThrow(() -> new BerthException("no free private subnet left: give one with --subnet"));
    }

    /** The MTU of the interface the host's default route leaves through; 1500 without one. */
    private static int uplinkMtu() {
        try (Rtnetlink host = Rtnetlink.here(Explain.NONE)) {
            int index = host.routes().stream().filter(r -> r.destination() == null && r.prefixLength() == 0)
                    .mapToInt(Rtnetlink.Route::outputIndex).findFirst().orElse(0);
            return host.links().stream().filter(l -> l.index() == index && l.mtu() > 0)
                    .mapToInt(Rtnetlink.Link::mtu).findFirst().orElse(DEFAULT_MTU);
        }
    }

    private static String newId() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
