package dev.berth.netlink;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The kernel end of an rtnetlink conversation: one request out, its answers in. {@link NetlinkSocket} is
 * the real one; tests put a scripted kernel here, so everything above it (the codec, links, addresses,
 * routes, a container's network attach) runs without root.
 */
public interface NetlinkTransport extends AutoCloseable {
    int NLMSG_ERROR = 2, NLMSG_DONE = 3;
    int NLM_F_REQUEST = 1, NLM_F_MULTI = 2, NLM_F_ACK = 4, NLM_F_DUMP = 0x300,
            NLM_F_REPLACE = 0x100, NLM_F_EXCL = 0x200, NLM_F_CREATE = 0x400;

    /**
     * Sends a request that wants an acknowledgement and returns the messages answering it (header
     * included); an error answer throws a {@link dev.berth.linux.SyscallException} naming what.
     */
    List<ByteBuffer> query(Message message, String what);

    /** Sends a dump request; returns each answering message (header included). */
    List<ByteBuffer> dump(Message message, String what);

    @Override
    void close();
}
