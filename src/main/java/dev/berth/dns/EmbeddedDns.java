package dev.berth.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A DNS server on a network's gateway address (UDP and TCP port 53) that knows the network's
 * containers by name and alias (A, and PTR for their addresses) and forwards every other question to
 * the host's upstream resolvers. Names are looked up per query, so containers coming and going never
 * disturb queries in flight.
 */
public final class EmbeddedDns implements AutoCloseable {
    /**
     * What a network's containers are called: lower-case name or alias → addresses, as the asking client
     * sees them (a container on several networks finds the containers of each).
     */
    public interface Directory {
        List<InetAddress> lookup(String name, InetAddress client);

        String nameOf(InetAddress address);
    }

    private final InetAddress address;
    private final Directory directory;
    private final Function<Void, List<InetAddress>> upstreams;
    private final DatagramChannel udp;
    private final ServerSocketChannel tcp;
    private volatile boolean open = true;

    private EmbeddedDns(InetAddress address, Directory directory, Function<Void, List<InetAddress>> upstreams)
            throws IOException {
        this.address = address;
        this.directory = directory;
        this.upstreams = upstreams;
        this.udp = DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress(address, 53));
        this.tcp = ServerSocketChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress(address, 53));
    }

    /** Starts serving on address:53. */
    public static EmbeddedDns start(InetAddress address, Directory directory, Function<Void, List<InetAddress>> upstreams)
            throws IOException {
        EmbeddedDns dns = new EmbeddedDns(address, directory, upstreams);
        Thread.ofPlatform().daemon().name("berth-dns-udp-" + address.getHostAddress()).start(dns::serveUdp);
        Thread.ofPlatform().daemon().name("berth-dns-tcp-" + address.getHostAddress()).start(dns::serveTcp);
        return dns;
    }

    public InetAddress address() {
        return address;
    }

    private void serveUdp() {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (open) {
            try {
                buffer.clear();
                var client = udp.receive(buffer);
                byte[] query = new byte[buffer.position()];
                buffer.flip().get(query);
                Thread.ofVirtual().start(() -> {
                    byte[] reply = resolve(query, client instanceof java.net.InetSocketAddress a ? a.getAddress() : null);
                    if (reply != null) {
                        try {
                            udp.send(ByteBuffer.wrap(reply), client);
                        } catch (IOException ignored) {
                            // the client is gone
                        }
                    }
                });
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serveTcp() {
        while (open) {
            try {
                SocketChannel client = tcp.accept();
                Thread.ofVirtual().start(() -> answerTcp(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void answerTcp(SocketChannel client) {
        try (client) {
            var socket = client.socket();
            socket.setSoTimeout(5000);
            var in = new java.io.DataInputStream(socket.getInputStream());
            var out = new java.io.DataOutputStream(socket.getOutputStream());
            int length = in.readUnsignedShort();
            byte[] query = in.readNBytes(length);
            byte[] reply = resolve(query, socket.getInetAddress());
            if (reply != null) {
                out.writeShort(reply.length);
                out.write(reply);
                out.flush();
            }
        } catch (IOException ignored) {
            // a client that closes early
        }
    }

    private byte[] resolve(byte[] query, InetAddress client) {
        return resolve(query, client, directory, upstreams.apply(null));
    }

    /** The answer to one query: from the directory, or from an upstream resolver (SERVFAIL without one). */
    static byte[] resolve(byte[] query, InetAddress client, Directory directory, List<InetAddress> upstreams) {
        DnsMessage q = DnsMessage.parseQuery(query, query.length);
        if (q == null) {
            return null;
        }
        if (q.questionClass() == DnsMessage.CLASS_IN) {
            if (q.type() == DnsMessage.TYPE_PTR && q.name().endsWith(".in-addr.arpa")) {
                InetAddress target = reverse(q.name());
                String name = target == null ? null : directory.nameOf(target);
                if (name != null) {
                    return q.answer(query, List.of(), name, DnsMessage.RCODE_NOERROR);
                }
            } else {
                List<InetAddress> found = directory.lookup(q.name(), client);
                if (!found.isEmpty()) {
                    List<byte[]> a = new ArrayList<>();
                    if (q.type() == DnsMessage.TYPE_A) {
                        found.forEach(x -> a.add(x.getAddress()));
                    }
                    return q.answer(query, a, null, DnsMessage.RCODE_NOERROR); // AAAA: none, but the name exists
                }
            }
        }
        return forward(query, q, upstreams);
    }

    private static byte[] forward(byte[] query, DnsMessage q, List<InetAddress> upstreams) {
        for (InetAddress upstream : upstreams) {
            try (var socket = new java.net.DatagramSocket()) {
                socket.setSoTimeout(2000);
                socket.send(new java.net.DatagramPacket(query, query.length, upstream, 53));
                byte[] buffer = new byte[4096];
                var packet = new java.net.DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                byte[] reply = new byte[packet.getLength()];
                System.arraycopy(buffer, 0, reply, 0, reply.length);
                return reply;
            } catch (SocketTimeoutException e) {
                // try the next upstream
            } catch (IOException e) {
                // try the next upstream
            }
        }
        return q.answer(query, List.of(), null, DnsMessage.RCODE_SERVFAIL);
    }

    private static InetAddress reverse(String ptrName) {
        String[] parts = ptrName.substring(0, ptrName.length() - ".in-addr.arpa".length()).split("\\.");
        if (parts.length != 4) {
            return null;
        }
        try {
            return InetAddress.getByAddress(new byte[] {(byte) Integer.parseInt(parts[3]), (byte) Integer.parseInt(parts[2]),
                    (byte) Integer.parseInt(parts[1]), (byte) Integer.parseInt(parts[0])});
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    @Override
    public void close() {
        open = false;
        try {
            udp.close();
            tcp.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
