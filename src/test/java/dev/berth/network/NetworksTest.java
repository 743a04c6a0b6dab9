package dev.berth.network;

import dev.berth.BerthException;
import dev.berth.netlink.FakeNetworkKernel;
import dev.berth.state.Attachment;
import dev.berth.state.BerthPaths;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What joining a container to each kind of network sends to the kernel, checked on a scripted kernel. */
class NetworksTest {
    @TempDir
    Path dir;

    private final FakeNetworkKernel kernel = new FakeNetworkKernel();
    private final List<String> explained = new ArrayList<>();
    private Networks networks;
    private BerthPaths paths;

    @BeforeEach
    void setUp() {
        paths = new BerthPaths(dir.resolve("root"), dir.resolve("run"));
        kernel.hostLink("eth0", "", 9000);
        kernel.hostRoute("172.17.0.0", 16, "eth0"); // docker0's subnet is taken on this host
        networks = new Networks(paths, kernel, new InMemoryAddressStore(), explained::add);
    }

    @Test
    void theDefaultBridgeIsCreatedOnFirstUseOnAFreeSubnetWithTheUplinksMtu() {
        NetworkRecord berth0 = networks.get("berth0");
        assertThat(berth0.subnet()).isEqualTo("172.18.0.0/16"); // 172.17 is routed on the host already
        assertThat(berth0.gateway()).isEqualTo("172.18.0.1");
        assertThat(kernel.log(FakeNetworkKernel.HOST)).containsExactly(
                "link add " + paths.defaultBridge() + " mtu 1500 type bridge",
                "addr add 172.18.0.1/16 dev " + paths.defaultBridge(),
                "link set " + paths.defaultBridge() + " up");
    }

    @Test
    void aBridgeAttachIsAPortOfTheBridgeWithThePeerMadeInsideTheNamespace() {
        Attachment a = networks.plan("berth0", "c1", "web", null);
        networks.setUp(a, "berth-web");

        assertThat(a.ipAddress()).isEqualTo("172.18.0.2");
        assertThat(paths.isOwnHostVeth(a.hostInterface())).isTrue();
        assertThat(kernel.log(FakeNetworkKernel.HOST)).last().isEqualTo(
                "link add " + a.hostInterface() + " master " + paths.defaultBridge() + " up mtu 1500 type veth peer name eth0 netns berth-web");
        assertThat(kernel.log("berth-web")).containsExactly(
                "link set lo up",
                "addr add 172.18.0.2/16 dev eth0",
                "link set eth0 up",
                "route add default via 172.18.0.1 dev eth0");
        assertThat(kernel.pins()).containsKeys(Path.of(a.namespacePath()), Path.of(a.visiblePath()));
        assertThat(explained).contains("ip netns add berth-web",
                "ip netns exec berth-web ip route add default via 172.18.0.1 dev eth0");
    }

    @Test
    void theVethDriverIsTheTutorialsPointToPointPair() {
        Attachment a = networks.plan("veth", "c1", "p2p", null);
        networks.setUp(a, "berth-p2p");

        assertThat(networks.get("veth").subnet()).isEqualTo("192.168.10.0/24");
        assertThat(kernel.log(FakeNetworkKernel.HOST)).containsExactly(
                "link add " + a.hostInterface() + " up mtu 1500 type veth peer name eth0 netns berth-p2p",
                "addr add 192.168.10.1/32 dev " + a.hostInterface(),
                "route add 192.168.10.2/32 dev " + a.hostInterface());
        assertThat(kernel.addresses("berth-p2p", "eth0")).containsExactly("192.168.10.2/24");
    }

    @Test
    void aBridgeTeardownRemovesTheAddressAndThePinsAndLeavesThePairToTheKernel() {
        Attachment a = networks.plan("berth0", "c1", "web", null);
        networks.setUp(a, "berth-web");
        networks.tearDown(a, "c1");

        assertThat(kernel.log("berth-web")).last().isEqualTo("addr del 172.18.0.2/16 dev eth0");
        assertThat(kernel.log(FakeNetworkKernel.HOST)).noneMatch(l -> l.startsWith("link del"));
        assertThat(kernel.pins()).isEmpty();
        assertThat(networks.users("berth0")).isEmpty();
    }

    @Test
    void aVethTeardownDeletesTheHostEndAtOnce() {
        Attachment a = networks.plan("veth", "c1", "p2p", null);
        networks.setUp(a, "berth-p2p");
        networks.tearDown(a, "c1");

        assertThat(kernel.log(FakeNetworkKernel.HOST)).last().isEqualTo("link del " + a.hostInterface());
        assertThat(kernel.pins()).isEmpty();
    }

    @Test
    void aJoinedNetworkIsTheNextInterfaceInTheSameNamespaceWithoutADefaultRouteAndLeavingDeletesIt() {
        Attachment first = networks.plan("berth0", "c1", "web", null);
        networks.setUp(first, "berth-web");
        networks.create("back", "bridge", "10.77.0.0/24", null, null, false);

        Attachment joined = networks.planJoin("back", "c1", first, "eth1", null);
        networks.join(joined, "berth-web");
        assertThat(joined.namespacePath()).isEqualTo(first.namespacePath());
        assertThat(joined.ipAddress()).isEqualTo("10.77.0.2");
        assertThat(kernel.log("berth-web")).endsWith("addr add 10.77.0.2/24 dev eth1", "link set eth1 up");
        assertThat(kernel.links("berth-web")).contains("eth0", "eth1");
        assertThat(networks.users("back")).containsExactly("c1");

        networks.leave(joined, "c1");
        assertThat(kernel.links(FakeNetworkKernel.HOST)).doesNotContain(joined.hostInterface())
                .contains(first.hostInterface());
        assertThat(networks.users("back")).isEmpty();
        assertThat(kernel.isPinned(Path.of(first.namespacePath()))).as("the namespace stays").isTrue();
    }

    @Test
    void aTeardownOfAHalfMadeAttachmentSucceeds() {
        Attachment a = networks.plan("berth0", "c1", "web", null); // recorded, never set up
        networks.tearDown(a, "c1");
        assertThat(networks.users("berth0")).isEmpty();
    }

    @Test
    void aRunningContainerWhoseHostEndWasDeletedIsWiredAgain() {
        Attachment a = networks.plan("berth0", "c1", "web", null);
        networks.setUp(a, "berth-web");
        assertThat(networks.rewire(a, "berth-web", true)).isFalse();

        kernel.deleteHostLink(a.hostInterface());
        assertThat(networks.rewire(a, "berth-web", true)).isTrue();
        assertThat(kernel.links(FakeNetworkKernel.HOST)).contains(a.hostInterface());
    }

    @Test
    void gcTakesVethEndsPinsAndReservationsThatNoLiveContainerOwns() {
        Attachment live = networks.plan("berth0", "live", "a", null);
        networks.setUp(live, "berth-a");
        Attachment dead = networks.plan("berth0", "dead", "b", null);
        networks.setUp(dead, "berth-b");

        kernel.hostLink("vb0123456789a", "veth", 1500); // the default installation's, not this root's: left alone

        List<String> removed = networks.gc(Set.of("live"), Set.of(live.hostInterface()), Set.of(live.visiblePath()), Set.of());

        assertThat(removed).contains("link " + dead.hostInterface(), "address 172.18.0.3 on berth0");
        assertThat(kernel.links(FakeNetworkKernel.HOST)).contains(live.hostInterface(), "vb0123456789a")
                .doesNotContain(dead.hostInterface());
        assertThat(networks.users("berth0")).containsExactly("live");
    }

    @Test
    void kernelObjectNamesCarryTheInstallationsIdentity() {
        Attachment a = networks.plan("berth0", "c1", "web", null);
        assertThat(paths.installation()).matches("[0-9a-f]{4}");
        assertThat(a.hostInterface()).matches("v" + paths.installation() + "-[0-9a-f]{8}").hasSizeLessThanOrEqualTo(15);
        assertThat(a.visiblePath()).isEqualTo("/run/netns/berth-" + paths.installation() + "-web");
        assertThat(networks.get("berth0").bridge()).isEqualTo("berth0-" + paths.installation());
        BerthPaths standard = new BerthPaths(Path.of(BerthPaths.DEFAULT_ROOT), Path.of(BerthPaths.DEFAULT_RUN_ROOT));
        assertThat(standard.installation()).isEmpty();
        assertThat(standard.defaultBridge()).isEqualTo("berth0");
        assertThat(standard.visibleNetns("web")).isEqualTo(Path.of("/run/netns/berth-web"));
        assertThat(standard.newHostVeth("0123456789abcdef")).isEqualTo("vb0123456789a");
        assertThat(standard.isOwnHostVeth(a.hostInterface())).isFalse();
        assertThat(paths.isOwnHostVeth("vb0123456789a")).isFalse();
    }

    @Test
    void userNetworksAreValidatedBeforeAnythingIsMade() {
        assertThatThrownBy(() -> networks.create("bad name", "bridge", null, null, null, false))
                .isInstanceOf(BerthException.class).hasMessage("invalid network name 'bad name'");
        assertThatThrownBy(() -> networks.create("lab", "macvlan", null, null, null, false))
                .hasMessage("unknown network driver 'macvlan': use bridge or veth");
        assertThatThrownBy(() -> networks.create("lab", "bridge", null, null, 20, false))
                .hasMessageContaining("invalid MTU 20");
        assertThatThrownBy(() -> networks.create("lab", "bridge", "10.9.0.0/24", "10.9.1.1", null, false))
                .hasMessage("gateway 10.9.1.1 is not a host address of 10.9.0.0/24");
        networks.create("lab", "bridge", "10.9.0.0/24", null, null, false);
        assertThatThrownBy(() -> networks.create("lab2", "bridge", "10.9.0.128/25", null, null, false))
                .hasMessage("subnet 10.9.0.128/25 overlaps network lab (10.9.0.0/24)");
        assertThat(kernel.log(FakeNetworkKernel.HOST)).hasSize(3); // one bridge, its address, up
    }

    @Test
    void aNetworkWithContainersCannotBeRemovedAndAnEmptyOneTakesItsBridge() {
        NetworkRecord lab = networks.create("lab", "bridge", "10.9.0.0/24", null, 1400, false);
        Attachment a = networks.plan("lab", "c1", "x", null);
        assertThatThrownBy(() -> networks.remove("lab")).hasMessageContaining("has active endpoints (1 container(s))");
        networks.tearDown(a, "c1");
        networks.remove("lab");
        assertThat(kernel.log(FakeNetworkKernel.HOST)).last().isEqualTo("link del " + lab.bridge());
        assertThat(networks.list()).isEmpty();
        assertThat(Networks.hasNameService(lab)).isTrue();
        assertThat(Networks.hasNameService(networks.get("berth0"))).isFalse();
    }

    @Test
    void aBridgeThatAnotherStateRootAddressedIsRefused() {
        kernel.hostLink(paths.defaultBridge(), "bridge", 1500);
        NetworkRecord other = networks.create("elsewhere", "bridge", "10.1.0.0/24", null, null, false);
        assertThat(other.bridge()).startsWith("berth-");
        // the bridge exists with no address: berth adopts it and gives it the gateway
        assertThat(networks.get("berth0").bridge()).isEqualTo(paths.defaultBridge());
        assertThat(kernel.addresses(FakeNetworkKernel.HOST, paths.defaultBridge())).containsExactly("172.18.0.1/16");
    }
}
