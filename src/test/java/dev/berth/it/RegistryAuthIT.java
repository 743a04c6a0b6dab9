package dev.berth.it;

import dev.berth.testing.BerthCli;
import dev.berth.testing.BerthCli.Result;
import dev.berth.testing.OciLayout;
import dev.berth.testing.Privileged;
import dev.berth.testing.Registry;
import dev.berth.testing.TokenServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pulls from registries that want a login: one with the distribution spec's token auth (a token server
 * in this test signs RS256 JWTs), one with Basic auth from an htpasswd file. Logins come from
 * {@code berth login} or from the user's Docker config.
 */
class RegistryAuthIT {
    @TempDir
    static Path dir;
    static BerthCli berth;
    static TokenServer tokens;
    static Registry tokenRegistry;
    static Registry basicRegistry;
    static Path noDockerConfig;

    @BeforeAll
    static void registries() throws IOException {
        Privileged.require();
        Privileged.requireTool("htpasswd", "apache2-utils");
        berth = new BerthCli(dir.resolve("berth"));
        noDockerConfig = Files.createDirectories(dir.resolve("no-docker-config"));
        tokens = TokenServer.start(Files.createDirectories(dir.resolve("tokens")), "alice", "s3cret");
        tokenRegistry = Registry.start(Files.createDirectories(dir.resolve("token-registry")), tokens.registryAuthYaml());
        Path htpasswd = dir.resolve("htpasswd");
        Result hash = BerthCli.exec(new ProcessBuilder("htpasswd", "-Bbn", "bob", "hunter2"), null);
        assertThat(hash.exitCode()).as(hash.describe()).isZero();
        Files.writeString(htpasswd, hash.out());
        basicRegistry = Registry.start(Files.createDirectories(dir.resolve("basic-registry")), """
                auth:
                  htpasswd:
                    realm: berth-test
                    path: %s
                """.formatted(htpasswd));
        OciLayout layout = new OciLayout(dir.resolve("layout"));
        byte[] busybox = Files.readAllBytes(Path.of("/bin/busybox"));
        OciLayout.Blob layer = layout.layer(OciLayout.Compression.GZIP, tar -> tar.dir("bin")
                .file("bin/busybox", busybox, 0755).symlink("bin/sh", "busybox").symlink("bin/echo", "busybox"));
        layout.tag("secret", layout.image("amd64", Map.of("Cmd", List.of("echo", "the secret image")), List.of(layer), null));
        tokenRegistry.push(layout, "secret", "private/app:1", "alice:s3cret");
        basicRegistry.push(layout, "secret", "private/app:1", "bob:hunter2");
    }

    @AfterAll
    static void stop() {
        if (berth != null) {
            berth.removeEverything();
            for (String id : berth.run("image", "ls", "-q").out().lines().toList()) {
                berth.run("image", "rm", id);
            }
        }
        for (AutoCloseable c : new AutoCloseable[] {basicRegistry, tokenRegistry, tokens}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    static Result berth(Path dockerConfig, String stdin, String... args) {
        ProcessBuilder builder = new ProcessBuilder(berth.command(args));
        builder.environment().put("DOCKER_CONFIG", dockerConfig.toString());
        return BerthCli.exec(builder, stdin);
    }

    @Test
    void aTokenRegistryRefusesTheAnonymousAndServesWhoeverLoggedInWithBerth() throws IOException {
        String image = tokenRegistry.host() + "/private/app:1";
        Result anonymous = berth(noDockerConfig, null, "pull", image);
        assertThat(anonymous.exitCode()).as(anonymous.describe()).isEqualTo(125);
        assertThat(anonymous.err()).contains("authentication required (berth login " + tokenRegistry.host() + ")");

        Result wrong = berth(noDockerConfig, "not-it\n", "login", "-u", "alice", "--password-stdin", tokenRegistry.host());
        assertThat(wrong.exitCode()).isEqualTo(125);
        assertThat(wrong.err().strip().lines()).hasSize(1);
        assertThat(wrong.err()).contains("refused the login of alice");
        Path auth = berth.root().resolve("auth.json");
        assertThat(Files.exists(auth) ? Files.readString(auth) : "").as("nothing kept for a refused login")
                .doesNotContain(tokenRegistry.host());

        Result login = berth(noDockerConfig, "s3cret\n", "login", "-u", "alice", "--password-stdin", tokenRegistry.host());
        assertThat(login.out()).as(login.describe()).isEqualTo("Login Succeeded\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(berth.root().resolve("auth.json"))))
                .isEqualTo("rw-------");
        int before = tokens.issued();
        Result run = berth(noDockerConfig, null, "run", "--rm", "-q", image);
        assertThat(run.out()).as(run.describe()).isEqualTo("the secret image\n");
        assertThat(tokens.issued()).as("tokens asked for").isGreaterThan(before);

        assertThat(berth(noDockerConfig, null, "logout", tokenRegistry.host()).out()).contains("Removing login credentials");
        assertThat(berth(noDockerConfig, null, "pull", "--platform", "linux/amd64", image).exitCode())
                .as("pulling again after logout").isEqualTo(125);
    }

    @Test
    void aBasicAuthRegistryTakesTheLoginFromTheUsersDockerConfig() throws IOException {
        String image = basicRegistry.host() + "/private/app:1";
        Result anonymous = berth(noDockerConfig, null, "pull", image);
        assertThat(anonymous.exitCode()).as(anonymous.describe()).isEqualTo(125);
        assertThat(anonymous.err()).contains("requires a login: berth login " + basicRegistry.host());

        Path docker = Files.createDirectories(dir.resolve("docker-config"));
        Files.writeString(docker.resolve("config.json"), """
                {"auths": {"%s": {"auth": "%s"}}}
                """.formatted(basicRegistry.host(),
                Base64.getEncoder().encodeToString("bob:hunter2".getBytes(StandardCharsets.UTF_8))));
        Result pull = berth(docker, null, "pull", "-q", image);
        assertThat(pull.out()).as(pull.describe()).isEqualTo(basicRegistry.host() + "/private/app:1\n");
        assertThat(berth(docker, null, "run", "--rm", image).out()).isEqualTo("the secret image\n");
    }

    /**
     * A proxy of the test's own in front of the token registry: it answers the first manifest request
     * 503 (once), and sends every blob request to another host (127.0.0.2, where a second server reads
     * the blob from the registry's storage), as registries on blob storage do.
     */
    @Test
    void redirectsToBlobStorageNeverCarryTheRegistrysAuthorizationAnd503IsRetried() throws Exception {
        java.util.concurrent.atomic.AtomicInteger unavailable = new java.util.concurrent.atomic.AtomicInteger();
        java.util.List<String> authorizationsAtStorage = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer storage = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getByName("127.0.0.2"), 0), 8);
        storage.createContext("/blob/", exchange -> {
            authorizationsAtStorage.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            String hex = exchange.getRequestURI().getPath().substring("/blob/".length());
            byte[] blob = Files.readAllBytes(tokenRegistry.blobFile(new dev.berth.image.Digest(hex)));
            exchange.sendResponseHeaders(200, blob.length);
            try (var out = exchange.getResponseBody()) {
                out.write(blob);
            }
        });
        java.net.http.HttpClient forward = java.net.http.HttpClient.newBuilder()
                .followRedirects(java.net.http.HttpClient.Redirect.NEVER).build();
        com.sun.net.httpserver.HttpServer proxy = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 8);
        proxy.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            if (path.contains("/manifests/") && unavailable.getAndIncrement() == 0) {
                exchange.sendResponseHeaders(503, -1);
                exchange.close();
                return;
            }
            if (path.contains("/blobs/sha256:")) {
                exchange.getResponseHeaders().set("Location", "http://127.0.0.2:" + storage.getAddress().getPort()
                        + "/blob/" + path.substring(path.indexOf("sha256:") + 7));
                exchange.sendResponseHeaders(307, -1);
                exchange.close();
                return;
            }
            var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + tokenRegistry.host()
                    + exchange.getRequestURI()));
            for (String header : List.of("Authorization", "Accept")) {
                String value = exchange.getRequestHeaders().getFirst(header);
                if (value != null) {
                    request.header(header, value);
                }
            }
            try {
                var response = forward.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
                for (String header : List.of("Content-Type", "Docker-Content-Digest", "WWW-Authenticate")) {
                    response.headers().firstValue(header).ifPresent(v -> exchange.getResponseHeaders().set(header, v));
                }
                exchange.sendResponseHeaders(response.statusCode(), response.body().length == 0 ? -1 : response.body().length);
                try (var out = exchange.getResponseBody()) {
                    out.write(response.body());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        storage.start();
        proxy.start();
        try {
            String host = "127.0.0.1:" + proxy.getAddress().getPort();
            Result login = berth(noDockerConfig, "s3cret\n", "login", "-u", "alice", "--password-stdin", host);
            assertThat(login.exitCode()).as(login.describe()).isZero();
            Result run = berth(noDockerConfig, null, "run", "--rm", "-q", host + "/private/app:1");
            assertThat(run.out()).as(run.describe()).isEqualTo("the secret image\n");
            assertThat(unavailable.get()).as("manifest requests (the first answered 503)").isGreaterThan(1);
            assertThat(authorizationsAtStorage).as("blob requests at the other host").isNotEmpty().containsOnly("null");
            berth(noDockerConfig, null, "logout", host);
        } finally {
            proxy.stop(0);
            storage.stop(0);
        }
    }
}
