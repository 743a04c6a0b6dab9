package dev.berth.api;

import dev.berth.BerthException;
import dev.berth.state.Attachment;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The parts of a container's networking that are decided before the kernel is asked anything. */
class ContainerNetworkingTest {
    private static final Attachment ON_BRIDGE = new Attachment("berth0", "bridge", "172.18.0.2", 16, "172.18.0.1",
            "vb0123456789a", "eth0", 1500, "/run/berth/netns/x", "/run/netns/berth-web", "berth0");

    @Test
    void addHostLinesAreNormalisedAndHostGatewayIsTheNetworksGateway() {
        assertThat(ContainerNetworking.extraHosts(List.of("db:10.0.0.5", "gw:host-gateway"), ON_BRIDGE))
                .isEqualTo("10.0.0.5\tdb\n172.18.0.1\tgw\n");
    }

    @Test
    void hostGatewayNeedsANetworkAndAMalformedEntryIsRefused() {
        assertThatThrownBy(() -> ContainerNetworking.extraHosts(List.of("gw:host-gateway"), null))
                .isInstanceOf(BerthException.class).hasMessage("--add-host gw:host-gateway needs a bridge or veth network");
        assertThatThrownBy(() -> ContainerNetworking.extraHosts(List.of("nocolon"), ON_BRIDGE))
                .hasMessage("invalid --add-host 'nocolon': expected NAME:IP");
        assertThatThrownBy(() -> ContainerNetworking.extraHosts(List.of(":1.2.3.4"), ON_BRIDGE))
                .hasMessageContaining("expected NAME:IP");
    }
}
