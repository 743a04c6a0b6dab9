package dev.berth.api;

import dev.berth.BerthException;
import dev.berth.json.Json;
import dev.berth.spec.NetworkMode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunOptionsTest {
    @Test
    void theDefaultsAreThoseOfBerthRunWithNoNetwork() {
        RunOptions o = RunOptions.of("busybox", List.of("true"));
        assertThat(o.network().mode()).isEqualTo("none");
        assertThat(o.network().parsedMode()).isEqualTo(new NetworkMode.None());
        assertThat(o.lifecycle()).isEqualTo(new RunOptions.Lifecycle(false, "no", false, null));
        assertThat(o.process().oomScoreAdj()).isNull();
        assertThat(o.network().dns()).isEqualTo(RunOptions.Dns.HOST);
    }

    @Test
    void optionsTravelToTheSupervisorAsJsonAndComeBackEqual() {
        RunOptions o = RunOptions.builder().image("busybox").command(List.of("sh", "-c", "x")).name("web")
                .env(List.of("A=1")).tty(true).network("lab").ip("10.0.0.9").publish(List.of("8080:80"))
                .dns(new RunOptions.Dns(List.of("203.0.113.53"), List.of("corp.test"), List.of("ndots:2")))
                .addHosts(List.of("gw:host-gateway")).aliases(List.of("api")).oomScoreAdj(-200).restart("always")
                .detach(true).autoRemove(false).readOnly(true).build();
        assertThat(Json.parse(Json.render(o), RunOptions.class)).isEqualTo(o);
    }

    @Test
    void aBadNetworkModeIsABerthError() {
        RunOptions o = RunOptions.builder().network("container:").build();
        assertThatThrownBy(() -> o.network().parsedMode()).isInstanceOf(BerthException.class)
                .hasMessageContaining("needs a container name");
    }

    @Test
    void aDnsServerMustBeAnAddressAndANameIsNeverEchoedWithARawNewline() {
        assertThatThrownBy(() -> new RunOptions.Dns(List.of("notanip"), List.of(), List.of()))
                .isInstanceOf(BerthException.class).hasMessage("invalid --dns 'notanip': expected an IP address");
        assertThat(new RunOptions.Dns(List.of("203.0.113.53", "2001:db8::53"), List.of(), List.of()).servers()).hasSize(2);
        assertThat(Names.printable("a\nb")).isEqualTo("a\\x0ab");
    }
}
