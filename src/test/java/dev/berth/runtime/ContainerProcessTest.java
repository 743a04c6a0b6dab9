package dev.berth.runtime;

import dev.berth.linux.Libc;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ContainerProcessTest {
    @Test
    void exitStatusIsTheCodeOr128PlusTheSignal() {
        assertThat(ContainerProcess.exitCode(Libc.CLD_EXITED, 3)).isEqualTo(3);
        assertThat(ContainerProcess.exitCode(Libc.CLD_KILLED, 9)).isEqualTo(137);
        assertThat(ContainerProcess.exitCode(Libc.CLD_DUMPED, 11)).isEqualTo(139);
    }
}
