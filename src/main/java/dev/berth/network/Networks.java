package dev.berth.network;

import dev.berth.BerthException;
import dev.berth.Explain;
import dev.berth.netlink.NetworkKernel;
import dev.berth.netlink.Rtnetlink;
import dev.berth.state.Attachment;
import dev.berth.state.BerthPaths;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * berth's networks: records ({@link NetworkStore}), addresses ({@link IpAllocator}) and the kernel objects
 * that join a container to one, through its {@link NetworkDriver}. Every object carries a berth name and
 * is recorded before it is made, so {@link #gc} can always take away what a crash left.
 */
public final class Networks {
    public static final String DEFAULT = "berth0";
    /** Networks that exist as soon as they are used: the default bridge, and the tutorial's veth pairs. */
    private static final Map<String, String> BUILT_IN = Map.of(DEFAULT, NetworkRecord.BRIDGE, "veth", NetworkRecord.VETH);
    private static final String CONTAINER_INTERFACE = "eth0";
    private static final int DEFAULT_MTU = 1500;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final BerthPaths paths;
    private final NetworkKernel kernel;
    private final Explain explain;
    private final NetworkStore store;
    private final IpAllocator addresses;
    private final Map<String, NetworkDriver> drivers;

    public Networks(BerthPaths paths, Explain explain) {
        this(paths, NetworkKernel.LINUX, new FileAddressStore(paths), explain);
    }

    public Networks(BerthPaths paths, NetworkKernel kernel, AddressStore addressStore, Explain explain) {
        this.paths = paths;
        this.kernel = kernel;
        this.explain = explain;
        this.store = new NetworkStore(paths);
        this.addresses = new IpAllocator(addressStore);
        this.drivers = Map.of(NetworkRecord.BRIDGE, new BridgeDriver(kernel, explain),
                NetworkRecord.VETH, new VethDriver(kernel, explain));
    }

    // ---- networks as objects -------------------------------------------------------------------------

    public NetworkRecord create(String name, String driverName, String subnet, String gateway, Integer mtu, boolean internal) {
        return create(name, driverName, subnet, gateway, mtu, internal, java.util.Map.of());
    }

    public NetworkRecord create(String name, String driverName, String subnet, String gateway, Integer mtu, boolean internal,
                                java.util.Map<String, String> labels) {
        if (!NetworkStore.isValidName(name)) {
            throw new BerthException("invalid network name '" + name + "'");
        }
        NetworkDriver driver = drivers.get(driverName);
        if (driver == null) {
            throw new BerthException("unknown network driver '" + driverName + "': use bridge or veth");
        }
        if (mtu != null && (mtu < 68 || mtu > 65535)) {
            throw new BerthException("invalid MTU " + mtu + ": it must be between 68 and 65535");
        }
        return store.locked(() -> {
            if (store.find(name).isPresent()) {
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
            String id = randomHex(32);
            String bridge = driver instanceof BridgeDriver ? (name.equals(DEFAULT) ? paths.defaultBridge() : "berth-" + id.substring(0, 8)) : null;
            NetworkRecord record = new NetworkRecord(name, id, driver.name(), chosen.toString(), gw.getHostAddress(),
                    mtu != null ? mtu : uplinkMtu(), bridge, internal, Instant.now().toString(), labels);
            store.add(record);
            try {
                driver.ensureNetwork(record);
            } catch (RuntimeException e) {
                store.delete(name);
                throw e;
            }
            return record;
        });
    }

    public List<NetworkRecord> list() {
        return store.list();
    }

    /** A network by name; a built-in one is created on first use. */
    public NetworkRecord get(String name) {
        return store.find(name).orElseGet(() -> {
            if (!BUILT_IN.containsKey(name)) {
                throw new BerthException("network " + name + " not found");
            }
            try {
                return create(name, BUILT_IN.get(name), null, null, null, false);
            } catch (BerthException e) {
                return store.find(name).orElseThrow(() -> e); // or a concurrent berth made it first
            }
        });
    }

    /** Whether name is one of the networks that exist as soon as they are used (berth0, veth). */
    public static boolean isBuiltIn(String name) {
        return BUILT_IN.containsKey(name);
    }

    /** User-defined networks get an embedded DNS server for container names; the built-in ones do not. */
    public static boolean hasNameService(NetworkRecord network) {
        return !BUILT_IN.containsKey(network.name()) && network.bridge() != null;
    }

    /** The ids of the containers holding an address on the network. */
    public List<String> users(String name) {
        return addresses.holders(name);
    }

    public void remove(String name) {
        NetworkRecord record = get(name);
        store.locked(() -> {
            List<String> users = users(name);
            if (!users.isEmpty()) {
                throw new BerthException("network " + name + " has active endpoints (" + users.size()
                        + " container(s)): remove them first");
            }
            driverOf(record).removeNetwork(record);
            store.delete(name);
            return null;
        });
    }

    private NetworkDriver driverOf(NetworkRecord network) {
        NetworkDriver driver = drivers.get(network.driver());
        if (driver == null) {
            throw new BerthException("network " + network.name() + " has an unknown driver '" + network.driver() + "'");
        }
        return driver;
    }

    // ---- containers on networks ----------------------------------------------------------------------

    /**
     * Reserves an address (requestedIp, or the lowest free one) for the container and names everything
     * its attachment will create. Nothing is made in the kernel yet.
     */
    public Attachment plan(String networkName, String containerId, String containerName, String requestedIp) {
        NetworkRecord network = get(networkName);
        InetAddress ip = addresses.reserve(network, containerId, requestedIp);
        return new Attachment(network.name(), network.driver(), ip.getHostAddress(), network.parsedSubnet().prefixLength(),
                network.gateway(), hostInterfaceName(), CONTAINER_INTERFACE, network.mtu(),
                paths.netnsPin(containerId).toString(), paths.visibleNetns(containerName).toString(), network.bridge());
    }

    /**
     * Reserves an address on another network for a container already on primary's: the same namespace,
     * its next interface (eth1, eth2…). Nothing is made in the kernel yet.
     */
    public Attachment planJoin(String networkName, String containerId, Attachment primary, String containerInterface,
                               String requestedIp) {
        NetworkRecord network = get(networkName);
        InetAddress ip = addresses.reserve(network, containerId, requestedIp);
        return new Attachment(network.name(), network.driver(), ip.getHostAddress(), network.parsedSubnet().prefixLength(),
                network.gateway(), hostInterfaceName(), containerInterface, network.mtu(), primary.namespacePath(),
                primary.visiblePath(), network.bridge());
    }

    /** Wires a joined network into the container's existing namespace: no default route (the first network keeps it). */
    public void join(Attachment a, String label) {
        try (Rtnetlink inside = kernel.in(a.namespacePath(), label, explain)) {
            wireHostSide(a, inside);
        }
    }

    /**
     * Takes a joined network out of a living container: its veth pair goes (deleting the host end takes
     * the other with it), and its address is given back.
     */
    public void leave(Attachment a, String containerId) {
        try (Rtnetlink host = kernel.host(explain)) {
            host.deleteIfPresent(a.hostInterface());
        }
        addresses.release(a.network(), containerId, a.ipAddress());
    }

    /**
     * A fresh name for a host veth end ({@link BerthPaths#newHostVeth}: random, carrying the installation's
     * identity). A restarted container gets a new
     * one, since the kernel may still be freeing the pair of its previous run (teardown leaves that to
     * the namespace's clean-up).
     */
    private String hostInterfaceName() {
        return paths.newHostVeth(randomHex(6));
    }

    /** Creates the namespace and wires it as planned: the tutorial's steps 1 to 5, plus the default route. */
    public void setUp(Attachment a, String label) {
        explain.say("ip netns add " + label);
        try (Rtnetlink inside = kernel.createNamespace(List.of(Path.of(a.namespacePath()), Path.of(a.visiblePath())),
                label, explain)) {
            wire(a, inside);
        }
    }

    /**
     * Wires a running container's namespace again when its veth pair is gone (someone deleted the host
     * end, or the bridge with it): true when it had to. defaultRoute: the network it was created on.
     */
    public boolean rewire(Attachment a, String label, boolean defaultRoute) {
        try (Rtnetlink host = kernel.host(explain)) {
            if (host.link(a.hostInterface()).isPresent()) {
                return false;
            }
        }
        try (Rtnetlink inside = kernel.in(a.namespacePath(), label, explain)) {
            if (defaultRoute) {
                wire(a, inside);
            } else {
                wireHostSide(a, inside);
            }
        }
        return true;
    }

    /** The host side as the driver does it, then the container's address, eth0 up and its default route. */
    private void wire(Attachment a, Rtnetlink inside) {
        wireHostSide(a, inside);
        inside.addDefaultRoute(Subnet.parseAddress(a.gateway()), a.containerInterface());
    }

    /** The host side as the driver does it, then the container's address and its interface up. */
    private void wireHostSide(Attachment a, Rtnetlink inside) {
        NetworkRecord network = get(a.network());
        NetworkDriver driver = driverOf(network);
        driver.ensureNetwork(network);
        try (Rtnetlink host = kernel.host(explain); NetworkKernel.NamespaceFd ns = kernel.open(a.namespacePath())) {
            driver.attachHostSide(a, host, ns.fd(), inside.label());
        }
        inside.addAddress(a.containerInterface(), Subnet.parseAddress(a.ipAddress()), a.prefixLength());
        inside.setUp(a.containerInterface());
    }

    /** Undoes an attachment, whatever part of it exists: the driver's host side, the pins, the address. */
    public void tearDown(Attachment a, String containerId) {
        NetworkDriver driver = drivers.get(a.driver());
        (driver != null ? driver : drivers.get(a.bridge() != null ? NetworkRecord.BRIDGE : NetworkRecord.VETH))
                .detachHostSide(a);
        explain.say("ip netns del " + Path.of(a.visiblePath()).getFileName());
        kernel.unpin(Path.of(a.visiblePath()));
        kernel.unpin(Path.of(a.namespacePath()));
        addresses.release(a.network(), containerId, a.ipAddress());
    }

    /** Gives back every address the container holds on the network. */
    public void release(String networkName, String containerId) {
        addresses.releaseAll(networkName, containerId);
    }

    /**
     * Removes what no live container owns and what is provably this installation's: host veth ends with
     * its identity in their names, namespace pins under its run root, pins under /run/netns that are of
     * its own dead containers (deadVisiblePins) or pin the same namespace as one of its stale run-root
     * pins, and address reservations. Another installation's objects are never touched. Returns what it
     * removed.
     */
    public List<String> gc(Set<String> liveIds, Set<String> liveInterfaces, Set<String> liveVisiblePins,
                           Set<String> deadVisiblePins) {
        List<String> removed = new ArrayList<>();
        try (Rtnetlink host = kernel.host(explain)) {
            for (Rtnetlink.Link link : host.links()) {
                if (paths.isOwnHostVeth(link.name()) && !liveInterfaces.contains(link.name())
                        && host.deleteIfPresent(link.name())) {
                    removed.add("link " + link.name());
                }
            }
        }
        Set<Object> staleNamespaces = new java.util.HashSet<>();
        forEachPin(paths.netnsPins(), p -> {
            if (!liveIds.contains(p.getFileName().toString())) {
                staleNamespaces.add(namespaceOf(p));
            }
        });
        staleNamespaces.remove(null);
        removed.addAll(unpinUnowned(paths.netnsPins(), p -> liveIds.contains(p.getFileName().toString())));
        String prefix = paths.objectPrefix() + "-";
        removed.addAll(unpinUnowned(Path.of("/run/netns"), p -> !p.getFileName().toString().startsWith(prefix)
                || liveVisiblePins.contains(p.toString())
                || !deadVisiblePins.contains(p.toString()) && !staleNamespaces.contains(namespaceOf(p))));
        for (NetworkRecord network : list()) {
            for (String address : addresses.releaseUnowned(network.name(), liveIds)) {
                removed.add("address " + address + " on " + network.name());
            }
        }
        return removed;
    }

    /** The namespace a pin holds, as its device and inode (null when it cannot be read). */
    private static Object namespaceOf(Path pin) {
        try {
            Map<String, Object> a = Files.readAttributes(pin, "unix:dev,ino");
            return a.get("dev") + ":" + a.get("ino");
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    private static void forEachPin(Path dir, java.util.function.Consumer<Path> action) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> pins = Files.list(dir)) {
            pins.forEach(action);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> unpinUnowned(Path dir, Predicate<Path> owned) {
        List<String> removed = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return removed;
        }
        try (Stream<Path> pins = Files.list(dir)) {
            for (Path pin : pins.toList()) {
                if (!owned.test(pin)) {
                    kernel.unpin(pin);
                    removed.add("namespace pin " + pin);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return removed;
    }

    /** Puts back the pins of a running container (first process pid) that someone removed; returns them. */
    public List<String> repin(Attachment a, int pid) {
        List<String> restored = new ArrayList<>();
        for (String pin : List.of(a.namespacePath(), a.visiblePath())) {
            if (!kernel.isPinned(Path.of(pin))) {
                kernel.repin(pid, Path.of(pin));
                restored.add(pin);
            }
        }
        return restored;
    }

    /** {rx bytes, tx bytes} of the host end of a container's veth pair. */
    public long[] hostCounters(Attachment a) {
        try (Rtnetlink host = kernel.host(Explain.NONE)) {
            return host.byteCounters(a.hostInterface());
        }
    }

    /** How many of this installation's host veth ends exist: the kernel frees a removed container's pair moments later. */
    public long hostVeths() {
        try (Rtnetlink host = kernel.host(Explain.NONE)) {
            return host.links().stream().filter(l -> paths.isOwnHostVeth(l.name())).count();
        }
    }

    // ---- choosing subnets ------------------------------------------------------------------------------

    /** A subnet that no route, address or network of this host already uses. */
    private Subnet freeSubnet(NetworkDriver driver) {
        List<Subnet> taken = new ArrayList<>();
        list().forEach(n -> taken.add(n.parsedSubnet()));
        try (Rtnetlink host = kernel.host(Explain.NONE)) {
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
        List<Subnet> candidates = new ArrayList<>(driver.preferredSubnets());
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
    private int uplinkMtu() {
        try (Rtnetlink host = kernel.host(Explain.NONE)) {
            int index = host.routes().stream().filter(r -> r.destination() == null && r.prefixLength() == 0)
                    .mapToInt(Rtnetlink.Route::outputIndex).findFirst().orElse(0);
            return host.links().stream().filter(l -> l.index() == index && l.mtu() > 0)
                    .mapToInt(Rtnetlink.Link::mtu).findFirst().orElse(DEFAULT_MTU);
        }
    }

    private static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return HexFormat.of().formatHex(random);
    }
}
