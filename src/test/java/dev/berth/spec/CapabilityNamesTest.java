package dev.berth.spec;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** --cap-add and --cap-drop as Docker reads them (moby's TweakCapabilities). */
class CapabilityNamesTest {
    private static final List<String> DEFAULTS = Defaults.CAPABILITIES;

    @Test
    void namesAreTakenWithOrWithoutThePrefixInAnyCase() {
        assertThat(CapabilityNames.canonical("net_admin")).isEqualTo("CAP_NET_ADMIN");
        assertThat(CapabilityNames.canonical("CAP_SYS_TIME")).isEqualTo("CAP_SYS_TIME");
        assertThat(CapabilityNames.canonical("all")).isEqualTo("ALL");
        assertThatThrownBy(() -> CapabilityNames.canonical("FLY")).hasMessage("unknown capability: \"FLY\"");
    }

    @Test
    void addsJoinAndDropsLeaveTheDefaultsInTheKernelsOrder() {
        List<String> caps = CapabilityNames.adjusted(DEFAULTS, List.of("NET_ADMIN"), List.of("net_raw", "MKNOD"));
        assertThat(caps).contains("CAP_NET_ADMIN", "CAP_CHOWN").doesNotContain("CAP_NET_RAW", "CAP_MKNOD");
        assertThat(caps).isSortedAccordingTo((a, b) -> CapabilityNames.ALL.indexOf(a) - CapabilityNames.ALL.indexOf(b));
    }

    @Test
    void allAmongTheDropsLeavesOnlyTheAddsAndAllAmongTheAddsEverythingButTheDrops() {
        assertThat(CapabilityNames.adjusted(DEFAULTS, List.of("CHOWN"), List.of("ALL"))).containsExactly("CAP_CHOWN");
        List<String> all = CapabilityNames.adjusted(DEFAULTS, List.of("ALL"), List.of("SYS_ADMIN"));
        assertThat(all).doesNotContain("CAP_SYS_ADMIN").containsAll(CapabilityNames.held().stream()
                .filter(c -> !c.equals("CAP_SYS_ADMIN")).toList());
    }
}
