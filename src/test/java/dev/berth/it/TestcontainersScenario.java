package dev.berth.it;

import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What a Testcontainers user writes, run against berth's Engine API: a GenericContainer with an exposed
 * port, a copied file, an HTTP wait strategy, execInContainer and a file copied back. Runs in a JVM of
 * its own (EngineIT starts it) because Testcontainers takes DOCKER_HOST from the environment; prints one
 * line per step and exits non-zero on the first failure.
 */
public final class TestcontainersScenario {
    private TestcontainersScenario() {}

    public static void main(String[] args) throws Exception {
        Path page = Files.createTempFile("berth-tc", ".html");
        Files.writeString(page, "copied by testcontainers\n");
        try (GenericContainer<?> web = new GenericContainer<>(DockerImageName.parse("busybox:latest"))
                .withCommand("httpd", "-f", "-p", "8080", "-h", "/www")
                .withExposedPorts(8080)
                .withCopyFileToContainer(MountableFile.forHostPath(page), "/www/index.html")
                .withLabel("org.example.scenario", "testcontainers")
                .waitingFor(Wait.forHttp("/index.html").forStatusCode(200).withStartupTimeout(Duration.ofSeconds(30)))) {
            web.start();
            step("started", web.isRunning());

            String url = "http://" + web.getHost() + ":" + web.getMappedPort(8080) + "/index.html";
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            step("mapped port serves the copied file", response.body().equals("copied by testcontainers\n"));

            ExecResult exec = web.execInContainer("sh", "-c", "cat /www/index.html; echo oops >&2; exit 3");
            step("execInContainer exit code " + exec.getExitCode(), exec.getExitCode() == 3);
            step("execInContainer stdout", exec.getStdout().equals("copied by testcontainers\n"));
            step("execInContainer stderr", exec.getStderr().equals("oops\n"));

            String back = web.copyFileFromContainer("/www/index.html", TestcontainersScenario::text);
            step("file copied back", back.equals("copied by testcontainers\n"));
        } finally {
            Files.deleteIfExists(page);
        }
        System.out.println("scenario passed");
    }

    private static String text(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    private static void step(String what, boolean ok) {
        System.out.println((ok ? "ok: " : "FAILED: ") + what);
        if (!ok) {
            System.exit(1);
        }
    }
}
