package dev.berth.daemon;

import dev.berth.BerthException;
import dev.berth.state.BerthPaths;
import dev.berth.json.Json;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;

/** Talks to the supervisor, starting it first when none answers (berth daemon, in its own session). */
public final class SupervisorClient {
    private SupervisorClient() {}

    /** Sends request; when no supervisor answers, starts one with startCommand (berth ... daemon) first. */
    public static Response call(BerthPaths paths, Request request, List<String> startCommand) {
        try {
            return send(paths, request);
        } catch (IOException notRunning) {
            startSupervisor(paths, startCommand);
            try {
                return send(paths, request);
            } catch (IOException e) {
                throw new BerthException("cannot reach the supervisor: " + e.getMessage(), e);
            }
        }
    }

    /** Whether a supervisor answers on this run root. */
    public static boolean running(BerthPaths paths) {
        try {
            return send(paths, Request.of("ping", null)).ok();
        } catch (IOException e) {
            return false;
        }
    }

    private static Response send(BerthPaths paths, Request request) throws IOException {
        if (!Files.exists(paths.supervisorSocket())) {
            throw new IOException("no supervisor socket");
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(paths.supervisorSocket()));
            var out = Channels.newOutputStream(channel);
            out.write((Json.render(request).replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String line = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8))
                    .readLine();
            if (line == null) {
                throw new IOException("the supervisor closed the connection");
            }
            return Json.parse(line, Response.class);
        }
    }

    private static void startSupervisor(BerthPaths paths, List<String> command) {
        try {
            Files.createDirectories(paths.runRoot());
            new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(paths.supervisorLog().toFile()))
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw new BerthException("cannot start the supervisor: " + e.getMessage(), e);
        }
        for (int attempt = 0; attempt < 300; attempt++) { // up to 15 s for its JVM to start
            if (running(paths)) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new BerthException("the supervisor did not start (see " + paths.supervisorLog() + ")");
    }
}
