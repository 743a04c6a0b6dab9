package dev.berth.runtime;

import dev.berth.BerthException;
import dev.berth.linux.Libseccomp;
import dev.berth.spec.SeccompSpec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** OCI seccomp specs compiled by libseccomp (no kernel involved: the program is only built). */
class SeccompFiltersTest {
    @Test
    void conditionsOnDifferentArgumentsAreAndedAndOnTheSameArgumentOred() {
        SeccompSpec.Arg a0 = new SeccompSpec.Arg(0, 1, 0, "SCMP_CMP_EQ");
        SeccompSpec.Arg a1 = new SeccompSpec.Arg(1, 2, 0, "SCMP_CMP_NE");
        SeccompSpec.Arg a0b = new SeccompSpec.Arg(0, 3, 0, "SCMP_CMP_EQ");
        assertThat(SeccompFilters.conditionSets(List.of())).containsExactly(List.of());
        assertThat(SeccompFilters.conditionSets(List.of(a0, a1))).singleElement().asList().hasSize(2);
        assertThat(SeccompFilters.conditionSets(List.of(a0, a0b))).hasSize(2).allSatisfy(s -> assertThat(s).hasSize(1));
    }

    @Test
    void actionsCarryTheirErrnoAndUnknownNamesAreErrors() {
        assertThat(SeccompFilters.action("SCMP_ACT_ERRNO", null)).isEqualTo(Libseccomp.ACT_ERRNO | 1);
        assertThat(SeccompFilters.action("SCMP_ACT_ERRNO", 38)).isEqualTo(Libseccomp.ACT_ERRNO | 38);
        assertThat(SeccompFilters.action("SCMP_ACT_ALLOW", null)).isEqualTo(Libseccomp.ACT_ALLOW);
        assertThatThrownBy(() -> SeccompFilters.action("SCMP_ACT_NOTIFY", null)).isInstanceOf(BerthException.class)
                .hasMessageContaining("unsupported action");
        assertThatThrownBy(() -> SeccompFilters.conditionSets(List.of(new SeccompSpec.Arg(6, 0, 0, "SCMP_CMP_EQ"))))
                .hasMessageContaining("out of range");
    }

    @Test
    void callsUnknownToLibseccompAreSkippedAsRuncSkipsThem() {
        assumeTrue(Libseccomp.available(), "libseccomp.so.2 is not installed");
        SeccompSpec spec = new SeccompSpec("SCMP_ACT_ERRNO", null, List.of("SCMP_ARCH_X86_64"), List.of(
                new SeccompSpec.Syscall(List.of("read", "no_such_call_anywhere"), "SCMP_ACT_ALLOW", null, List.of()),
                new SeccompSpec.Syscall(List.of("write"), "SCMP_ACT_ERRNO", null, List.of()))); // = default: dropped
        assertThat(SeccompFilters.compile(spec)).isNotEmpty();
    }
}
