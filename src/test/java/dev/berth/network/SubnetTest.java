package dev.berth.network;

import dev.berth.BerthException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SubnetTest {
    @Test
    void parsesAndNamesItsAddresses() {
        Subnet s = Subnet.parse("10.77.0.0/24");
        assertThat(s.toString()).isEqualTo("10.77.0.0/24");
        assertThat(s.address(1).getHostAddress()).isEqualTo("10.77.0.1");
        assertThat(s.broadcast().getHostAddress()).isEqualTo("10.77.0.255");
        assertThat(s.size()).isEqualTo(256);
        assertThat(s.contains(Subnet.parseAddress("10.77.0.9"))).isTrue();
        assertThat(s.contains(Subnet.parseAddress("10.78.0.9"))).isFalse();
    }

    @Test
    void overlapIsSymmetric() {
        Subnet wide = Subnet.parse("172.17.0.0/16");
        Subnet inside = Subnet.parse("172.17.5.0/24");
        assertThat(wide.overlaps(inside)).isTrue();
        assertThat(inside.overlaps(wide)).isTrue();
        assertThat(Subnet.parse("172.18.0.0/16").overlaps(wide)).isFalse();
    }

    @Test
    void badSubnetsAndAddressesAreClearErrors() {
        assertThatThrownBy(() -> Subnet.parse("10.77.0.5/24")).isInstanceOf(BerthException.class)
                .hasMessageContaining("host bits are set (did you mean 10.77.0.0/24?)");
        assertThatThrownBy(() -> Subnet.parse("10.77.0.0")).hasMessageContaining("expected ADDRESS/PREFIX");
        assertThatThrownBy(() -> Subnet.parse("10.0.0.0/31")).hasMessageContaining("between 8 and 30");
        assertThatThrownBy(() -> Subnet.parseAddress("example.com")).hasMessage("invalid IPv4 address 'example.com'");
        assertThatThrownBy(() -> Subnet.parseAddress("1.2.3.256")).hasMessageContaining("invalid IPv4");
    }
}
