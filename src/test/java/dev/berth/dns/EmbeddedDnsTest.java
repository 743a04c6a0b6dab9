package dev.berth.dns;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The DNS wire format berth reads and writes, against hand-built packets. */
class EmbeddedDnsTest {
    /** A query as resolvers send it: id, RD flag, one question. */
    static byte[] query(int id, String name, int type) {
        ByteBuffer b = ByteBuffer.allocate(512);
        b.putShort((short) id).putShort((short) 0x0100).putShort((short) 1).putShort((short) 0).putShort((short) 0).putShort((short) 0);
        b.put(DnsMessage.encodeName(name)).putShort((short) type).putShort((short) 1);
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    @Test
    void aQuestionIsReadAndAnsweredWithARecords() throws Exception {
        byte[] q = query(0x1234, "API", DnsMessage.TYPE_A);
        DnsMessage m = DnsMessage.parseQuery(q, q.length);
        assertThat(m.name()).isEqualTo("api");
        assertThat(m.type()).isEqualTo(DnsMessage.TYPE_A);
        byte[] answer = m.answer(q, List.of(new byte[] {10, 0, 0, 2}, new byte[] {10, 0, 0, 3}), null, 0);
        ByteBuffer b = ByteBuffer.wrap(answer);
        assertThat(b.getShort(0)).isEqualTo((short) 0x1234);
        assertThat(b.getShort(2) & 0x8000).isNotZero();            // a response
        assertThat(b.getShort(6)).isEqualTo((short) 2);               // two answers
        assertThat(answer[answer.length - 4]).isEqualTo((byte) 10);  // the last one ends with 10.0.0.3
        assertThat(answer[answer.length - 1]).isEqualTo((byte) 3);
    }

    @Test
    void containersAreFoundByNameAndByAddressAndUnknownNamesFail() throws Exception {
        InetAddress web = InetAddress.getByAddress(new byte[] {10, 0, 0, 2});
        EmbeddedDns.Directory directory = new EmbeddedDns.Directory() {
            @Override
            public List<InetAddress> lookup(String name, InetAddress client) {
                return name.equals("web") ? List.of(web) : List.of();
            }

            @Override
            public String nameOf(InetAddress address) {
                return address.equals(web) ? "web" : null;
            }
        };
        assertThat(EmbeddedDns.resolve(query(1, "web", DnsMessage.TYPE_A), null, directory, List.of())).isNotNull();
        byte[] ptr = EmbeddedDns.resolve(query(2, "2.0.0.10.in-addr.arpa", DnsMessage.TYPE_PTR), null, directory, List.of());
        assertThat(new String(ptr)).contains("web");
        byte[] unknown = EmbeddedDns.resolve(query(3, "nowhere.test", DnsMessage.TYPE_A), null, directory, List.of());
        assertThat(unknown[3] & 0x0f).as("SERVFAIL without upstreams").isEqualTo(2);
    }
}
