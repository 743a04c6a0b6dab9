package dev.berth.runtime;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MountOptionsTest {
    @Test
    void flagsBecomeMountFlagsAndTheRestBecomesData() {
        MountOptions options = MountOptions.parse(List.of("nosuid", "strictatime", "mode=755", "size=65536k"));
        assertThat(options.flags()).isEqualTo(MountOptions.MS_NOSUID | MountOptions.MS_STRICTATIME);
        assertThat(options.data()).isEqualTo("mode=755,size=65536k");
        assertThat(options.readonly()).isFalse();
    }

    @Test
    void readOnlyAndRecursiveBindAreRecognised() {
        MountOptions options = MountOptions.parse(List.of("rbind", "ro", "rw-ignored-no", "rprivate"));
        assertThat(options.isBind()).isTrue();
        assertThat(options.readonly()).isTrue();
        assertThat(options.flags() & MountOptions.MS_REC).isNotZero();
        assertThat(options.data()).isEqualTo("rw-ignored-no");
    }

    @Test
    void noOptionsMeansNoDataString() {
        assertThat(MountOptions.parse(List.of("rw")).data()).isNull();
    }
}
