package dev.berth.netlink;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/** The bytes berth puts on the wire, compared with the layouts of linux/netlink.h and linux/rtnetlink.h. */
class MessageTest {
    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    @Test
    void aLinkRequestIsHeaderIfinfomsgAndPaddedAttributes() {
        byte[] bytes = new Message(16 /* RTM_NEWLINK */, 0x600).ifinfo(0, 0, 0, 0).attr(3 /* IFLA_IFNAME */, "br0")
                .bytes(7);
        // nlmsghdr: len 40, type 16, flags 0x600, seq 7, pid 0 | ifinfomsg: 16 zero bytes | rtattr len 8 type 3 "br0\0"
        assertThat(hex(bytes)).isEqualTo("28000000" + "1000" + "0006" + "07000000" + "00000000"
                + "00".repeat(16) + "0800" + "0300" + "62723000");
    }

    @Test
    void stringsArePaddedToFourBytesAndNestsCarryTheirTotalLength() {
        byte[] bytes = new Message(16, 0).ifinfo(0, 0, 0, 0)
                .begin(18 /* IFLA_LINKINFO */).attr(1 /* IFLA_INFO_KIND */, "veth").end().bytes(1);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        int nest = 32;
        assertThat(b.getShort(nest)).isEqualTo((short) 16);     // 4 header + 12 ("veth\0" attr: 9, padded to 12)
        assertThat(b.getShort(nest + 2)).isEqualTo((short) 18);
        assertThat(b.getShort(nest + 4)).isEqualTo((short) 9);  // the attribute's own length excludes padding
        assertThat(b.getInt(0)).isEqualTo(bytes.length).isEqualTo(48);
    }

    @Test
    void anAddressRequestCarriesIfaddrmsgAndTheRawAddress() {
        byte[] bytes = new Message(20 /* RTM_NEWADDR */, 0).ifaddr(2, 24, 0, 5).attr(2 /* IFA_LOCAL */,
                new byte[] {10, 77, 0, 50}).bytes(1);
        assertThat(hex(bytes).substring(32)).isEqualTo("02" + "18" + "00" + "00" + "05000000" + "0800" + "0200" + "0a4d0032");
    }

    @Test
    void receivedAttributesAreParsedBackIncludingNestedOnes() {
        byte[] bytes = new Message(16, 0).ifinfo(0, 0, 0, 0).attr(3, "eth0").attr(4, 1500)
                .begin(18).attr(1, "veth").end().bytes(1);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        Attributes a = Attributes.parse(b, 32, bytes.length);
        assertThat(a.string(3)).isEqualTo("eth0");
        assertThat(a.integer(4)).isEqualTo(1500);
        assertThat(a.nested(18).string(1)).isEqualTo("veth");
        assertThat(a.string(99)).isNull();
    }
}
