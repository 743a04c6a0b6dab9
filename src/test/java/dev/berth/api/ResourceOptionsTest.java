package dev.berth.api;

import dev.berth.BerthException;
import dev.berth.spec.ResourcesSpec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResourceOptionsTest {
    @Test
    void dockersUnitsAndCpuFractionsBecomeKernelValues() {
        ResourcesSpec r = ResourceOptions.parse("64m", "128m", "32m", "0.5", 512L, "0", 20L);
        assertThat(r.memoryLimit()).isEqualTo(64L << 20);
        assertThat(r.memorySwap()).isEqualTo(128L << 20);
        assertThat(r.memoryReservation()).isEqualTo(32L << 20);
        assertThat(r.cpuQuota()).isEqualTo(50_000L);
        assertThat(r.cpuPeriod()).isEqualTo(100_000L);
        assertThat(ResourceOptions.bytes("x", "1g")).isEqualTo(1L << 30);
        assertThat(ResourceOptions.bytes("x", "1.5k")).isEqualTo(1536);
        assertThat(ResourceOptions.parse(null, null, null, null, null, null, null)).isEqualTo(ResourcesSpec.NONE);
    }

    @Test
    void impossibleLimitsAreRefusedWithAReason() {
        assertThatThrownBy(() -> ResourceOptions.parse("1k", null, null, null, null, null, null))
                .isInstanceOf(BerthException.class).hasMessageContaining("below the minimum");
        assertThatThrownBy(() -> ResourceOptions.parse(null, null, null, "0", null, null, null)).hasMessageContaining("out of range");
        assertThatThrownBy(() -> ResourceOptions.parse(null, null, null, "999", null, null, null)).hasMessageContaining("CPUs");
        assertThatThrownBy(() -> ResourceOptions.parse(null, "64m", null, null, null, null, null)).hasMessageContaining("needs --memory");
        assertThatThrownBy(() -> ResourceOptions.parse("64m", "32m", null, null, null, null, null)).hasMessageContaining("at least");
        assertThatThrownBy(() -> ResourceOptions.parse(null, null, null, null, 1L, null, null)).hasMessageContaining("2-262144");
        assertThatThrownBy(() -> ResourceOptions.parse(null, null, null, null, null, "99", null)).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> ResourceOptions.parse("lots", null, null, null, null, null, null)).hasMessageContaining("invalid --memory");
    }

    @Test
    void valuesThatSlippedPastTheChecksAreRefusedToo() {
        assertThatThrownBy(() -> ResourceOptions.parse(null, null, null, "NaN", null, null, null))
                .isInstanceOf(BerthException.class).hasMessageContaining("--cpus NaN is out of range");
        assertThatThrownBy(() -> ResourceOptions.parse(null, null, null, "Infinity", null, null, null))
                .hasMessageContaining("out of range");
        assertThatThrownBy(() -> ResourceOptions.parse(null, null, null, null, null, null, -5L))
                .hasMessage("--pids-limit must be positive (or -1 for no limit)");
        assertThatThrownBy(() -> ResourceOptions.parse("99999999999g", null, null, null, null, null, null))
                .hasMessage("invalid --memory '99999999999g': larger than any machine (1 EiB at most)");
        assertThat(ResourceOptions.parse(null, null, null, null, null, null, -1L).pidsLimit()).isEqualTo(-1L);
    }
}
