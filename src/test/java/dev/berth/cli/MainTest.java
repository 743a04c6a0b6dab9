package dev.berth.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MainTest {
    @Test
    void theVerbIsTheFirstWordThatIsNotAGlobalOption() {
        assertThat(Main.verb("--root", "/r", "run", "busybox")).isEqualTo("run");
        assertThat(Main.verb("--root=/r", "--run-root", "/x", "ps", "-a")).isEqualTo("ps");
        assertThat(Main.verb("--help")).isNull();
    }

    @Test
    void unknownOptionsAndVerbsExitWith125() {
        assertThat(Main.execute("run", "--no-such-flag", "busybox")).isEqualTo(125);
        assertThat(Main.execute("frobnicate")).isEqualTo(125);
        assertThat(Main.execute("image", "create", "ubuntu")).isEqualTo(125);
    }
}
