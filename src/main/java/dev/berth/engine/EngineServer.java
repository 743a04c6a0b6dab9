package dev.berth.engine;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The Docker Engine API on a Unix socket (root only, like berth's own): HTTP/1.1, one platform thread
 * per connection (a wait or an attach blocks for as long as its container runs), keep-alive.
 */
public final class EngineServer implements AutoCloseable {
    /** BERTH_ENGINE_TRACE=1: each request and its end on the supervisor's stderr. */
    private static final boolean TRACE = System.getenv("BERTH_ENGINE_TRACE") != null;
    private final ServerSocketChannel server;
    private final Path socket;
    private final EngineApi api;

    private final java.util.function.Supplier<AutoCloseable> connectionWork;

    private EngineServer(ServerSocketChannel server, Path socket, EngineApi api,
                         java.util.function.Supplier<AutoCloseable> connectionWork) {
        this.server = server;
        this.socket = socket;
        this.api = api;
        this.connectionWork = connectionWork;
    }

    /** Listens on socket and serves on a thread of its own until closed. */
    public static EngineServer start(Path socket, EngineBackend backend) throws IOException {
        return start(socket, backend, null);
    }

    /**
     * As {@link #start(Path, EngineBackend)}; connectionWork is called as each client connects and what it
     * returns closed as it goes (the supervisor counts connections as work: null for none).
     */
    public static EngineServer start(Path socket, EngineBackend backend, java.util.function.Supplier<AutoCloseable> connectionWork)
            throws IOException {
        Files.deleteIfExists(socket);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        EngineServer engine = new EngineServer(server, socket, new EngineApi(backend), connectionWork);
        Thread.ofPlatform().name("berth-engine").daemon().start(engine::accept);
        return engine;
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel client = server.accept();
                Thread.ofPlatform().name("berth-engine-client").daemon().start(() -> serve(client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client; AutoCloseable work = connectionWork == null ? () -> { } : connectionWork.get()) {
            InputStream in = new BufferedInputStream(Channels.newInputStream(client));
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(client));
            for (HttpExchange exchange; (exchange = HttpExchange.read(in, out)) != null; ) {
                if (TRACE) {
                    System.err.println("engine: " + exchange.method + " " + exchange.path + " " + exchange.query);
                }
                api.handle(exchange);
                if (TRACE) {
                    System.err.println("engine: done " + exchange.method + " " + exchange.path);
                }
                out.flush();
                if (!exchange.keepAlive()) {
                    return;
                }
                exchange.finishReading();
            }
        } catch (Exception e) {
            // the client went away, or sent what is not HTTP
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(socket);
    }
}
