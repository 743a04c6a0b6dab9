package dev.berth.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Builds one netlink request: the 16-byte {@code nlmsghdr}, a fixed family header ({@code ifinfomsg},
 * {@code ifaddrmsg}, {@code rtmsg}) and {@code rtattr} attributes, nested ones included, each padded
 * to 4 bytes. Every attribute berth sends is encoded here.
 */
public final class Message {
    static final int HEADER = 16;

    private final ByteBuffer buffer = ByteBuffer.allocate(4096).order(ByteOrder.nativeOrder());
    private final Deque<Integer> nests = new ArrayDeque<>();

    Message(int type, int flags) {
        buffer.putInt(0); // length, filled in by bytes()
        buffer.putShort((short) type);
        buffer.putShort((short) flags);
        buffer.putInt(0); // sequence, set by the socket
        buffer.putInt(0); // port id: the kernel
    }

    /** struct ifinfomsg: family, type, index, flags, change. */
    Message ifinfo(int family, int index, int flags, int change) {
        buffer.put((byte) family).put((byte) 0).putShort((short) 0);
        buffer.putInt(index).putInt(flags).putInt(change);
        return this;
    }

    /** struct ifaddrmsg: family, prefix length, flags, scope, index. */
    Message ifaddr(int family, int prefixLength, int scope, int index) {
        buffer.put((byte) family).put((byte) prefixLength).put((byte) 0).put((byte) scope).putInt(index);
        return this;
    }

    /** struct rtmsg. */
    Message rtmsg(int family, int dstLength, int table, int protocol, int scope, int type) {
        buffer.put((byte) family).put((byte) dstLength).put((byte) 0).put((byte) 0);
        buffer.put((byte) table).put((byte) protocol).put((byte) scope).put((byte) type).putInt(0);
        return this;
    }

    Message attr(int type, byte[] value) {
        buffer.putShort((short) (4 + value.length)).putShort((short) type).put(value);
        pad();
        return this;
    }

    Message attr(int type, int value) {
        return attr(type, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array());
    }

    /** A NUL-terminated string attribute (interface names, link kinds). */
    Message attr(int type, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        byte[] terminated = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, terminated, 0, bytes.length);
        return attr(type, terminated);
    }

    Message begin(int type) {
        nests.push(buffer.position());
        buffer.putShort((short) 0).putShort((short) type);
        return this;
    }

    Message end() {
        int start = nests.pop();
        buffer.putShort(start, (short) (buffer.position() - start));
        return this;
    }

    private void pad() {
        while (buffer.position() % 4 != 0) {
            buffer.put((byte) 0);
        }
    }

    /** The message as sent, with its length and sequence number filled in. */
    public byte[] bytes(int sequence) {
        if (!nests.isEmpty()) {
            throw new IllegalStateException("unclosed nested attribute");
        }
        buffer.putInt(0, buffer.position());
        buffer.putInt(8, sequence);
        byte[] out = new byte[buffer.position()];
        buffer.get(0, out);
        return out;
    }
}
