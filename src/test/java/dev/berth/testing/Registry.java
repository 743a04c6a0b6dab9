package dev.berth.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Debian's docker-registry (distribution 2.8), started by the test on 127.0.0.1 inside the sandbox with
 * a configuration of its own (never Debian's, which listens on every interface), and skopeo to push
 * OCI layouts into it.
 */
public final class Registry implements AutoCloseable {
    private final Path storage;
    private final int port;
    private final Process process;

    private Registry(Path storage, int port, Process process) {
        this.storage = storage;
        this.port = port;
        this.process = process;
    }

    /** Starts a registry storing under dir; extraHttp is more YAML under its http: key (auth is separate). */
    public static Registry start(Path dir, String authYaml) {
        Privileged.requireTool("docker-registry", "docker-registry");
        Privileged.requireTool("skopeo", "skopeo");
        try {
            int port;
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = probe.getLocalPort();
            }
            Path storage = Files.createDirectories(dir.resolve("storage"));
            Path config = dir.resolve("config.yml");
            Files.writeString(config, """
                    version: 0.1
                    log:
                      level: error
                      accesslog:
                        disabled: true
                    storage:
                      filesystem:
                        rootdirectory: %s
                      delete:
                        enabled: true
                    http:
                      addr: 127.0.0.1:%d
                    %s
                    """.formatted(storage, port, authYaml == null ? "" : authYaml));
            Process process = new ProcessBuilder("docker-registry", "serve", config.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
            Registry registry = new Registry(storage, port, process);
            HttpClient http = HttpClient.newHttpClient();
            Wait.until("the registry to answer on 127.0.0.1:" + port, Duration.ofSeconds(20), () -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("docker-registry exited: " + read(dir.resolve("registry.log")));
                }
                try {
                    int status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/"))
                            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                    return status == 200 || status == 401;
                } catch (IOException e) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            });
            return registry;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    /** host:port, as an image reference starts. */
    public String host() {
        return "127.0.0.1:" + port;
    }

    public Path storage() {
        return storage;
    }

    /** skopeo copy --all of the layout's NAME to REPOSITORY:TAG in this registry (creds: user:password or null). */
    public void push(OciLayout layout, String name, String repositoryAndTag, String creds) {
        List<String> command = new ArrayList<>(List.of("skopeo", "copy", "--all", "--quiet", "--dest-tls-verify=false",
                "--preserve-digests"));
        if (creds != null) {
            command.addAll(List.of("--dest-creds", creds));
        }
        command.addAll(List.of("oci:" + layout.dir() + ":" + name, "docker://" + host() + "/" + repositoryAndTag));
        BerthCli.Result result = BerthCli.exec(new ProcessBuilder(command), null);
        if (result.exitCode() != 0) {
            throw new IllegalStateException("skopeo could not push " + name + ": " + result.describe());
        }
    }

    /** The file the registry keeps a blob in (a test corrupts it there, to see a pull refuse it). */
    public Path blobFile(dev.berth.image.Digest digest) {
        return storage.resolve("docker/registry/v2/blobs/sha256").resolve(digest.hex().substring(0, 2))
                .resolve(digest.hex()).resolve("data");
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
