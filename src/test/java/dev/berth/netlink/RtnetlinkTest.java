package dev.berth.netlink;

import dev.berth.Explain;
import dev.berth.linux.Errno;
import dev.berth.linux.SyscallException;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Links, addresses and routes through the codec, answered by a scripted kernel. */
class RtnetlinkTest {
    private final FakeNetworkKernel kernel = new FakeNetworkKernel();
    private final List<String> said = new ArrayList<>();

    private Rtnetlink host() {
        return kernel.host(said::add);
    }

    @Test
    void aLinkIsFoundByNameWithItsKindStateAndMtu() {
        kernel.hostLink("eth0", "", 9000);
        try (Rtnetlink host = host()) {
            Rtnetlink.Link eth0 = host.link("eth0").orElseThrow();
            assertThat(eth0.name()).isEqualTo("eth0");
            assertThat(eth0.mtu()).isEqualTo(9000);
            assertThat(eth0.up()).isTrue();
            assertThat(host.link("nosuch")).isEmpty();
            assertThat(host.links()).extracting(Rtnetlink.Link::name).containsExactly("lo", "eth0");
        }
    }

    @Test
    void aBridgeThenAPortOfItCarryTheirMasterByIndex() {
        try (Rtnetlink host = host(); NetworkKernel.NamespaceFd ns = openNew("c")) {
            host.createBridge("br0", 1400);
            host.createVeth("vb1", "eth0", ns.fd(), "c", 1400, "br0");
            Rtnetlink.Link port = host.link("vb1").orElseThrow();
            assertThat(port.master()).isEqualTo(host.link("br0").orElseThrow().index());
            assertThat(port.kind()).isEqualTo("veth");
        }
        assertThat(kernel.links("c")).containsExactly("lo", "eth0");
        assertThat(said).containsExactly("ip link add br0 type bridge mtu 1400",
                "ip link add vb1 master br0 up mtu 1400 type veth peer name eth0 netns c");
    }

    private NetworkKernel.NamespaceFd openNew(String label) {
        kernel.createNamespace(List.of(java.nio.file.Path.of("/pins/" + label)), label, Explain.NONE).close();
        return kernel.open("/pins/" + label);
    }

    @Test
    void creatingALinkThatExistsIsEexistNamingWhatWasBeingDone() {
        try (Rtnetlink host = host()) {
            host.createBridge("br0", 0);
            assertThatThrownBy(() -> host.createBridge("br0", 0)).isInstanceOfSatisfying(SyscallException.class,
                    e -> assertThat(e.errno()).isEqualTo(Errno.EEXIST));
        }
    }

    @Test
    void deleteIfPresentIsFalseForALinkThatIsNotThere() {
        try (Rtnetlink host = host()) {
            host.createBridge("br0", 0);
            assertThat(host.deleteIfPresent("br0")).isTrue();
            assertThat(host.deleteIfPresent("br0")).isFalse();
        }
    }

    @Test
    void settingAMissingLinkUpIsAnErrorThatNamesIt() {
        try (Rtnetlink host = host()) {
            assertThatThrownBy(() -> host.setUp("ghost")).isInstanceOf(SyscallException.class)
                    .hasMessageContaining("no link named ghost");
        }
    }

    @Test
    void addressesAreAddedListedAndRemovedOnce() throws Exception {
        InetAddress ip = InetAddress.getByName("10.1.2.3");
        try (Rtnetlink host = host()) {
            host.createBridge("br0", 0);
            host.addAddress("br0", ip, 24);
            assertThat(host.addresses()).containsExactly(new Rtnetlink.Address(host.link("br0").orElseThrow().index(), ip, 24));
            assertThat(host.deleteAddress("br0", ip, 24)).isTrue();
            assertThat(host.deleteAddress("br0", ip, 24)).isFalse();
        }
        assertThat(said).contains("ip addr add 10.1.2.3/24 dev br0", "ip addr del 10.1.2.3/24 dev br0");
    }

    @Test
    void routesOfTheMainTableAreListedWithTheirDestinationAndDevice() throws Exception {
        kernel.hostLink("eth0", "", 1500);
        kernel.hostRoute("192.0.2.0", 24, "eth0");
        try (Rtnetlink host = host()) {
            host.addDefaultRoute(InetAddress.getByName("192.0.2.1"), "eth0");
            int eth0 = host.link("eth0").orElseThrow().index();
            assertThat(host.routes()).contains(new Rtnetlink.Route(InetAddress.getByName("192.0.2.0"), 24, null, eth0));
        }
        assertThat(kernel.log(FakeNetworkKernel.HOST)).containsExactly("route add default via 192.0.2.1 dev eth0");
    }

    @Test
    void explanationsInsideANamespaceArePrefixedWithIpNetnsExec() {
        try (Rtnetlink inside = kernel.createNamespace(List.of(java.nio.file.Path.of("/pins/x")), "berth-x", said::add)) {
            assertThat(inside.label()).isEqualTo("berth-x");
        }
        assertThat(said).containsExactly("ip netns exec berth-x ip link set lo up");
    }
}
