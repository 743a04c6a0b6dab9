package dev.berth.daemon;

import dev.berth.state.BerthPaths;
import dev.berth.json.Json;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The client's request is written without a JSON library: it must read back exactly. */
class DelegationTest {
    @Test
    void theRequestCarriesTheCommandLineExactlyWhateverItContains() {
        String[] args = {"run", "--rm", "busybox", "sh", "-c", "echo \"quoted\" \\back\\slash\n\ttab \u0001 ünïcode ☃"};
        BerthPaths paths = new BerthPaths(Path.of("/var/lib/berth"), Path.of("/run/berth"));
        String line = Delegation.request(paths, args);
        assertThat(line).endsWith("\n").doesNotContain("\n\t");
        Request request = Json.parse(line, Request.class);
        assertThat(request.op()).isEqualTo("invoke");
        assertThat(request.argv()).isEqualTo(List.of(args));
        assertThat(request.env()).isEqualTo(System.getenv());
        assertThat(request.pid()).isEqualTo((int) ProcessHandle.current().pid());
        assertThat(Path.of(request.cwd())).isEqualTo(Path.of("").toAbsolutePath());
        assertThat(request.root()).isEqualTo("/var/lib/berth");
        assertThat(request.runRoot()).isEqualTo("/run/berth");
    }

    @Test
    void onlyItsVerbsAreHandedOverAndOnlyWhenASupervisorListens() {
        assertThat(Delegation.tryDelegate(new String[] {"image", "ls"})).isEqualTo(-1);
        assertThat(Delegation.tryDelegate(new String[] {"--run-root", "/nonexistent-berth-run", "ps"})).isEqualTo(-1);
        assertThat(Delegation.tryDelegate(new String[] {"--run-root", "/nonexistent-berth-run", "run", "busybox"}))
                .isEqualTo(-1);
        assertThat(Delegation.tryDelegate(new String[] {"--help"})).isEqualTo(-1);
        assertThat(Delegation.tryDelegate(new String[] {"run", "@options.txt", "busybox"})).isEqualTo(-1);
    }
}
