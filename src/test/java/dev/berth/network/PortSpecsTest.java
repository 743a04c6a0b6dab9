package dev.berth.network;

import dev.berth.BerthException;
import dev.berth.state.PortMapping;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PortSpecsTest {
    @Test
    void dockersFormsAreUnderstood() {
        assertThat(PortSpecs.parse("8080:80")).containsExactly(new PortMapping(null, 8080, 80, "tcp"));
        assertThat(PortSpecs.parse("127.0.0.1:9000:9000")).containsExactly(new PortMapping("127.0.0.1", 9000, 9000, "tcp"));
        assertThat(PortSpecs.parse("5353:53/udp")).containsExactly(new PortMapping(null, 5353, 53, "udp"));
        assertThat(PortSpecs.parse("0.0.0.0:8000-8001:80-81")).containsExactly(
                new PortMapping(null, 8000, 80, "tcp"), new PortMapping(null, 8001, 81, "tcp"));
    }

    @Test
    void withoutAHostPortTheHostPortIsAnyFreeOne() {
        assertThat(PortSpecs.parse("80")).containsExactly(new PortMapping(null, 0, 80, "tcp"));
        assertThat(PortSpecs.parse("127.0.0.1::53/udp")).containsExactly(new PortMapping("127.0.0.1", 0, 53, "udp"));
        assertThat(PortSpecs.parse("8080/tcp")).as("an image's ExposedPorts, for -P")
                .containsExactly(new PortMapping(null, 0, 8080, "tcp"));
    }

    @Test
    void badSpecsAreRefusedWithTheReason() {
        for (String bad : List.of("x", "x:80", "8080:80/sctp", "70000:80", "8000-8002:80-81", "1.2.3:80:80")) {
            assertThatThrownBy(() -> PortSpecs.parse(bad)).as(bad).isInstanceOf(BerthException.class);
        }
    }

    @Test
    void anAllAddressesPublicationClashesWithAnyOnTheSamePort() {
        PortMapping all = new PortMapping(null, 80, 80, "tcp");
        assertThat(all.clashesWith(new PortMapping("127.0.0.1", 80, 8080, "tcp"))).isTrue();
        assertThat(all.clashesWith(new PortMapping(null, 80, 80, "udp"))).isFalse();
        assertThat(new PortMapping("127.0.0.1", 80, 80, "tcp").clashesWith(new PortMapping("10.0.0.1", 80, 80, "tcp"))).isFalse();
    }
}
