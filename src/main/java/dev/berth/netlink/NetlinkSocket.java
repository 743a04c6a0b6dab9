package dev.berth.netlink;

import dev.berth.linux.Errno;
import dev.berth.linux.Libc;
import dev.berth.linux.SyscallException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@code AF_NETLINK}/{@code NETLINK_ROUTE} socket. It belongs to the network namespace of the thread
 * that opened it, for its whole life; requests are acknowledged, and an {@code NLMSG_ERROR} becomes a
 * {@link SyscallException} naming what was being done.
 */
final class NetlinkSocket implements NetlinkTransport {
    private static final int AF_NETLINK = 16, SOCK_RAW = 3, SOCK_CLOEXEC = 02000000, NETLINK_ROUTE = 0;

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment receive = arena.allocate(64 * 1024);
    private int sequence = (int) (System.nanoTime() & 0x3fffffff);

    NetlinkSocket() {
        this.fd = Libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    }

    @Override
    public synchronized List<ByteBuffer> query(Message message, String what) {
        return receive(send(message, NLM_F_ACK), what);
    }

    @Override
    public synchronized List<ByteBuffer> dump(Message message, String what) {
        return receive(send(message, NLM_F_DUMP), what);
    }

    private int send(Message message, int extraFlags) {
        int seq = ++sequence;
        byte[] bytes = message.bytes(seq);
        ByteBuffer header = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        header.putShort(6, (short) (header.getShort(6) | NLM_F_REQUEST | extraFlags));
        try (Arena call = Arena.ofConfined()) {
            MemorySegment out = call.allocate(bytes.length);
            out.copyFrom(MemorySegment.ofArray(bytes));
            Libc.send(fd, out, bytes.length);
        }
        return seq;
    }

    /** The data messages answering seq, up to the acknowledgement or NLMSG_DONE; an error reply throws. */
    private List<ByteBuffer> receive(int seq, String what) {
        List<ByteBuffer> replies = new ArrayList<>();
        while (true) {
            long n = recvRetrying();
            ByteBuffer buffer = ByteBuffer.wrap(receive.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE))
                    .order(ByteOrder.nativeOrder());
            int at = 0;
            while (at + Message.HEADER <= n) {
                int length = buffer.getInt(at);
                int type = Short.toUnsignedInt(buffer.getShort(at + 4));
                int replySeq = buffer.getInt(at + 8);
                if (length < Message.HEADER || at + length > n) {
                    throw new IllegalStateException("malformed netlink reply while " + what);
                }
                if (replySeq == seq) {
                    if (type == NLMSG_ERROR) {
                        int error = -buffer.getInt(at + Message.HEADER);
                        if (error != 0) {
                            throw new SyscallException("netlink", what, error);
                        }
                        return replies;
                    }
                    if (type == NLMSG_DONE) {
                        return replies;
                    }
                    replies.add(buffer.slice(at, length).order(ByteOrder.nativeOrder()));
                }
                at += (length + 3) & ~3;
            }
        }
    }

    private long recvRetrying() {
        while (true) {
            try {
                return Libc.recv(fd, receive, receive.byteSize());
            } catch (SyscallException e) {
                if (e.errno() != Errno.EINTR) {
                    throw e;
                }
            }
        }
    }

    @Override
    public void close() {
        Libc.closeQuietly(fd);
        arena.close();
    }
}
