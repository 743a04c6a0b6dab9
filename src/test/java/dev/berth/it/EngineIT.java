package dev.berth.it;

import dev.berth.testing.BerthCli;
import dev.berth.testing.BerthCli.Result;
import dev.berth.testing.OciLayout;
import dev.berth.testing.OciLayout.Compression;
import dev.berth.testing.Privileged;
import dev.berth.testing.Registry;
import dev.berth.testing.Wait;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * berth's Engine API through the clients people already have, unchanged: Debian's docker CLI (20.10,
 * API 1.41), docker-compose 1.29 (docker-py) and Testcontainers-java (docker-java, API 1.44), each
 * talking to the supervisor's docker.sock. Whatever they do is then checked from outside as well: with
 * curl on published ports, and with berth's own CLI.
 */
class EngineIT {
    static final String DOCKER = "/usr/bin/docker";
    @TempDir
    static Path dir;
    static BerthCli berth;
    static Process supervisor;
    static Path socket;

    @BeforeAll
    static void supervisorServingTheEngineApi() throws IOException {
        Privileged.requireTool(DOCKER, "docker.io");
        Privileged.requireTool("docker-compose", "docker-compose");
        berth = BerthCli.withBusybox(dir.resolve("berth"));
        socket = dir.resolve("berth/run/docker.sock");
        supervisor = berth.start("daemon");
        Wait.until("the Engine API to answer on " + socket, Duration.ofSeconds(30),
                () -> BerthCli.host("curl", "-sf", "--unix-socket", socket.toString(), "http://berth/_ping").out().equals("OK"));
        Files.createDirectories(dir.resolve("docker-config"));
    }

    @AfterAll
    static void nothingLeftBehind() throws InterruptedException {
        if (berth == null) {
            return;
        }
        try {
            assertThat(berth.run("ps", "-a", "-q").out()).as("containers left by the tests").isEmpty();
            assertThat(berth.run("network", "ls").out()).as("networks left by the tests").doesNotContain("demo", "enginenet",
                    "enginefront", "engineback");
        } finally {
            berth.removeEverything();
            if (supervisor != null && !supervisor.waitFor(30, TimeUnit.SECONDS)) {
                supervisor.destroyForcibly();
            }
        }
        assertThat(Files.exists(socket)).as("the supervisor removes docker.sock when it stops").isFalse();
    }

    static Result docker(String... args) {
        return dockerWithInput(null, args);
    }

    static Result dockerWithInput(String stdin, String... args) {
        List<String> command = new ArrayList<>(List.of(DOCKER));
        command.addAll(List.of(args));
        return BerthCli.exec(client(new ProcessBuilder(command)), stdin);
    }

    /** A client's environment: berth's socket, a configuration of the test's own. */
    static ProcessBuilder client(ProcessBuilder builder) {
        builder.environment().put("DOCKER_HOST", "unix://" + socket);
        builder.environment().put("DOCKER_CONFIG", dir.resolve("docker-config").toString());
        return builder;
    }

    static Result ok(Result result) {
        assertThat(result.exitCode()).as(result.describe()).isZero();
        return result;
    }

    static String curl(int port, String path) {
        return BerthCli.host("curl", "-s", "--max-time", "2", "http://127.0.0.1:" + port + path).out();
    }

    @Test
    void runRemoveGivesTheExitCodeAndTheOutputAndLeavesNothing() {
        Result run = docker("run", "--rm", "busybox", "sh", "-c", "echo to stdout; echo to stderr >&2; exit 3");
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(3);
        assertThat(run.out()).isEqualTo("to stdout\n");
        assertThat(run.err()).isEqualTo("to stderr\n");
        assertThat(ok(docker("ps", "-a", "-q")).out()).isEmpty();

        assertThat(ok(docker("run", "--rm", "-e", "GREETING=hi", "-w", "/etc", "busybox", "sh", "-c", "echo $GREETING from $(pwd)")).out())
                .isEqualTo("hi from /etc\n");
        assertThat(ok(docker("run", "--rm", "--cap-drop", "ALL", "--cap-add", "kill", "busybox", "grep", "CapEff", "/proc/self/status")).out())
                .isEqualTo("CapEff:\t0000000000000020\n");
        assertThat(ok(docker("run", "--rm", "--privileged", "busybox", "grep", "CapEff", "/proc/self/status")).out())
                .isEqualTo("CapEff:\t" + RunIT.heldMask() + "\n");
    }

    /** The docker CLI reads a --security-opt seccomp file and sends its JSON; the default profile applies otherwise. */
    @Test
    void seccompIsDockersDefaultOrTheProfileTheClientSends() throws IOException {
        assertThat(ok(docker("run", "--rm", "busybox", "grep", "Seccomp:", "/proc/self/status")).out()).isEqualTo("Seccomp:\t2\n");
        Result unshare = docker("run", "--rm", "busybox", "unshare", "-U", "true");
        assertThat(unshare.exitCode()).isEqualTo(1);
        assertThat(unshare.err()).contains("Operation not permitted");
        Path profile = dir.resolve("no-mkdir.json");
        Files.writeString(profile, """
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}""");
        Result mkdir = docker("run", "--rm", "--security-opt", "seccomp=" + profile, "busybox", "mkdir", "/tmp/x");
        assertThat(mkdir.exitCode()).isEqualTo(1);
        assertThat(mkdir.err()).contains("Operation not permitted");
        assertThat(ok(docker("run", "--rm", "--security-opt", "seccomp=unconfined", "busybox", "grep", "Seccomp:", "/proc/self/status")).out())
                .isEqualTo("Seccomp:\t0\n");
    }

    /** HostConfig's Devices, Sysctls, Ulimits and GroupAdd, as the docker CLI sends them. */
    @Test
    void devicesSysctlsUlimitsAndGroupsFromTheDockerCli() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(Path.of("/dev/fuse")), "this host has no /dev/fuse");
        assertThat(ok(docker("run", "--rm", "--device", "/dev/fuse:/dev/f:r", "--sysctl", "net.core.somaxconn=77",
                "--ulimit", "nofile=512:1024", "--group-add", "1234", "busybox", "sh", "-c",
                "(: < /dev/f) && echo read; (: <> /dev/f) 2>/dev/null || echo no-write; cat /proc/sys/net/core/somaxconn; "
                        + "ulimit -n; ulimit -Hn; id -G")).out().lines().toList())
                .containsExactly("read", "no-write", "77", "512", "1024", "0 1234");
        Result refused = docker("run", "--rm", "--network", "host", "--sysctl", "net.core.somaxconn=1", "busybox", "true");
        assertThat(refused.exitCode()).isEqualTo(125);
        assertThat(refused.err()).contains("sysctl 'net.core.somaxconn' is not allowed: the container shares a network namespace");
    }

    @Test
    void detachedContainerWithAPublishedPortIsListedLoggedInspectedAndExecutedIn() throws IOException {
        String id = ok(docker("run", "-d", "--name", "web", "-p", "80", "-l", "org.example.role=web", "busybox",
                "sh", "-c", "echo serving; echo warming up >&2; exec httpd -f -p 80 -h /etc")).out().strip();
        try {
            assertThat(id).matches("[0-9a-f]{64}");
            String port = ok(docker("inspect", "-f", "{{(index (index .NetworkSettings.Ports \"80/tcp\") 0).HostPort}}", "web")).out().strip();
            assertThat(port).as("an empty host port is a free one").matches("[0-9]+").isNotEqualTo("0");
            Wait.until("the published port to answer", Duration.ofSeconds(10), () -> curl(Integer.parseInt(port), "/hostname").length() > 0);
            assertThat(curl(Integer.parseInt(port), "/passwd")).contains("root:");

            assertThat(ok(docker("ps", "--filter", "label=org.example.role=web", "--format", "{{.Names}} {{.Status}}")).out())
                    .startsWith("web Up");
            assertThat(ok(docker("ps", "--filter", "label=org.example.role=db", "-q")).out()).isEmpty();
            assertThat(ok(docker("inspect", "-f", "{{.State.Running}} {{.Config.Labels}} {{.Name}}", "web")).out())
                    .isEqualTo("true map[org.example.role:web] /web\n");
            assertThat(ok(berth.run("ps")).out()).as("berth's own CLI sees the container").contains("web");
            Wait.until("the log to show the first lines", Duration.ofSeconds(10), () -> docker("logs", "web").err().contains("warming up"));
            Result logs = ok(docker("logs", "web"));
            assertThat(logs.out()).as("stdout's lines on stdout").isEqualTo("serving\n");
            assertThat(logs.err()).as("stderr's lines on stderr").isEqualTo("warming up\n");

            Result exec = docker("exec", "web", "sh", "-c", "echo inside; echo oops >&2; exit 5");
            assertThat(exec.exitCode()).as(exec.describe()).isEqualTo(5);
            assertThat(exec.out()).isEqualTo("inside\n");
            assertThat(exec.err()).isEqualTo("oops\n");
            assertThat(ok(dockerWithInput("from stdin\n", "exec", "-i", "web", "cat")).out()).isEqualTo("from stdin\n");

            Path file = Files.writeString(dir.resolve("copied.txt"), "copied in\n");
            ok(docker("cp", file.toString(), "web:/tmp/"));
            assertThat(ok(docker("exec", "web", "cat", "/tmp/copied.txt")).out()).isEqualTo("copied in\n");
            ok(docker("cp", "web:/etc/passwd", dir.resolve("passwd").toString()));
            assertThat(Files.readString(dir.resolve("passwd"))).startsWith("root:");

            assertThat(ok(docker("stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}}", "web")).out()).isEqualTo("web 1\n");
            assertThat(ok(docker("top", "web")).out()).contains("httpd");

            ok(docker("stop", "-t", "1", "web"));
            assertThat(ok(docker("inspect", "-f", "{{.State.Status}}", "web")).out()).isEqualTo("exited\n");
            ok(docker("start", "web"));
            assertThat(ok(docker("inspect", "-f", "{{.State.Status}}", "web")).out()).isEqualTo("running\n");
        } finally {
            ok(docker("rm", "-f", "web"));
        }
        Result gone = docker("inspect", "web");
        assertThat(gone.exitCode()).isEqualTo(1);
        assertThat(gone.err()).contains("No such object: web");
    }

    @Test
    void terminalsAndStdinAreTheContainersAsWithDocker() {
        Result tty = docker("run", "--rm", "-t", "busybox", "sh", "-c", "tty; echo hi; exit 4");
        assertThat(tty.exitCode()).as(tty.describe()).isEqualTo(4);
        assertThat(tty.out()).as("a terminal's output, raw").isEqualTo("/dev/pts/0\r\nhi\r\n");

        assertThat(ok(dockerWithInput("line 1\nline 2\n", "run", "--rm", "-i", "busybox", "sh", "-c", "cat; echo end of input")).out())
                .isEqualTo("line 1\nline 2\nend of input\n");

        // docker run -it wants a terminal of its own: script(1) gives it one, and types into it
        Result interactive = BerthCli.exec(client(new ProcessBuilder("script", "-qec",
                "stty cols 91 rows 27; " + DOCKER + " run --rm -it busybox sh", "/dev/null")), "stty size\necho typed-$((6*7))\nexit 3\n");
        assertThat(interactive.exitCode()).as(interactive.describe()).isEqualTo(3);
        assertThat(interactive.out().replace("\r", "")).as("the client's window size, and what was typed")
                .contains("27 91\n", "typed-42\n");
        assertThat(ok(docker("ps", "-a", "-q")).out()).isEmpty();
    }

    @Test
    void eventsTellAContainersLifeInOrder() {
        long since = System.currentTimeMillis() / 1000 - 1;
        ok(docker("run", "--rm", "--name", "evented", "busybox", "true"));
        Result events = ok(docker("events", "--since", String.valueOf(since), "--until", String.valueOf(System.currentTimeMillis() / 1000 + 1),
                "--filter", "container=evented", "--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}}"));
        assertThat(events.out().lines()).containsExactly("container create evented", "container start evented",
                "container die evented", "container destroy evented");
    }

    @Test
    void containersOnAUserNetworkFindEachOtherByName() {
        ok(docker("network", "create", "--label", "org.example.team=a", "enginenet"));
        try {
            assertThat(ok(docker("network", "ls", "--format", "{{.Name}} {{.Driver}}")).out()).contains("enginenet bridge\n");
            assertThat(ok(docker("network", "ls", "--filter", "label=org.example.team=a", "--format", "{{.Name}}")).out())
                    .isEqualTo("enginenet\n");
            ok(docker("network", "prune", "-f", "--filter", "label=org.example.team=b"));
            assertThat(ok(docker("network", "inspect", "-f", "{{.Labels}}", "enginenet")).out())
                    .as("a prune by another label leaves it").isEqualTo("map[org.example.team:a]\n");
            ok(docker("run", "-d", "--name", "db", "--network", "enginenet", "busybox", "sleep", "60"));
            String address = ok(docker("inspect", "-f", "{{.NetworkSettings.Networks.enginenet.IPAddress}}", "db")).out().strip();
            assertThat(ok(docker("run", "--rm", "--network", "enginenet", "busybox", "nslookup", "db")).out())
                    .contains("Address: " + address);
            assertThat(ok(docker("network", "inspect", "-f", "{{range .Containers}}{{.Name}}{{end}}", "enginenet")).out())
                    .isEqualTo("db\n");
        } finally {
            docker("rm", "-f", "db");
            ok(docker("network", "rm", "enginenet"));
        }
    }

    @Test
    void containersJoinAndLeaveNetworksWhileTheyRun() {
        ok(docker("network", "create", "enginefront"));
        ok(docker("network", "create", "engineback"));
        try {
            ok(docker("run", "-d", "--name", "store", "--network", "engineback", "busybox", "sleep", "60"));
            ok(docker("run", "-d", "--name", "app", "--network", "enginefront", "busybox", "sleep", "60"));
            ok(docker("run", "-d", "--name", "edge", "--network", "enginefront", "busybox", "sleep", "60"));
            assertThat(docker("exec", "app", "nslookup", "store").out()).doesNotContain("Name:\tstore");

            ok(docker("network", "connect", "--alias", "api", "engineback", "app"));
            String backAddress = ok(docker("inspect", "-f", "{{.NetworkSettings.Networks.engineback.IPAddress}}", "app")).out().strip();
            assertThat(ok(docker("exec", "app", "ip", "-o", "-4", "addr", "show", "eth1")).out()).contains(backAddress + "/");
            String storeAddress = ok(docker("inspect", "-f", "{{.NetworkSettings.Networks.engineback.IPAddress}}", "store")).out().strip();
            assertThat(ok(docker("exec", "app", "nslookup", "store")).out()).as("a name on the joined network")
                    .contains("Address: " + storeAddress);
            assertThat(ok(docker("exec", "store", "nslookup", "api")).out()).as("the joined container's alias")
                    .contains("Address: " + backAddress);
            ok(docker("exec", "app", "ping", "-c", "1", "-W", "2", storeAddress));
            assertThat(docker("exec", "edge", "nslookup", "store").out()).as("a container only on the first network")
                    .doesNotContain("Name:\tstore");
            assertThat(ok(docker("network", "inspect", "-f", "{{range .Containers}}{{.Name}} {{end}}", "engineback")).out())
                    .contains("app", "store");

            ok(berth.run("network", "disconnect", "engineback", "app")); // berth's own CLI does it too
            assertThat(ok(docker("exec", "app", "ip", "-o", "link")).out()).doesNotContain("eth1");
            assertThat(docker("exec", "app", "ping", "-c", "1", "-W", "1", storeAddress).exitCode()).isNotZero();
            ok(berth.run("network", "connect", "engineback", "edge"));
            assertThat(ok(docker("exec", "edge", "nslookup", "store")).out()).contains("Address: " + storeAddress);

            Result primary = docker("network", "disconnect", "enginefront", "app");
            assertThat(primary.exitCode()).isEqualTo(1);
            assertThat(primary.err()).contains("was created on network enginefront");
        } finally {
            docker("rm", "-f", "store", "app", "edge");
            ok(docker("network", "rm", "enginefront", "engineback"));
        }
    }

    @Test
    void errorsAreDockersMessagesAndExitCodes() {
        Result missing = docker("rm", "nosuch");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("No such container: nosuch");

        Result badPull = docker("pull", "127.0.0.1:1/nothing/here:1");
        assertThat(badPull.exitCode()).isNotZero();
        assertThat(badPull.err()).isNotEmpty();

        ok(docker("run", "-d", "--name", "taken", "busybox", "sleep", "60"));
        try {
            Result conflict = docker("run", "-d", "--name", "taken", "busybox", "true");
            assertThat(conflict.exitCode()).isEqualTo(125);
            assertThat(conflict.err()).contains("already in use");
            Result running = docker("rm", "taken");
            assertThat(running.exitCode()).isEqualTo(1);
            assertThat(running.err()).contains("container is running");
        } finally {
            ok(docker("rm", "-f", "taken"));
        }
    }

    @Test
    void imagesArePulledFromARegistryAndRun() throws IOException {
        Path registryDir = Files.createDirectories(dir.resolve("registry"));
        try (Registry registry = Registry.start(registryDir, null)) {
            OciLayout layout = new OciLayout(dir.resolve("layout"));
            byte[] busybox = Files.readAllBytes(Path.of("/bin/busybox"));
            OciLayout.Blob layer = layout.layer(Compression.GZIP, tar -> tar.dir("bin").file("bin/busybox", busybox, 0755)
                    .symlink("bin/sh", "busybox").symlink("bin/echo", "busybox").dir("etc").file("etc/motd", "pulled\n"));
            layout.tag("motd", layout.image("amd64", Map.of("Env", List.of("PATH=/bin"), "Cmd", List.of("sh", "-c", "echo $(cat /etc/motd)")),
                    List.of(layer), null));
            registry.push(layout, "motd", "test/motd:1.0", null);
            String image = registry.host() + "/test/motd:1.0";

            ok(docker("pull", image));
            assertThat(ok(docker("images", "--format", "{{.Repository}}:{{.Tag}}")).out()).contains(image);
            assertThat(ok(docker("run", "--rm", image)).out()).isEqualTo("pulled\n");
            ok(docker("tag", image, "motd:local"));
            assertThat(ok(docker("run", "--rm", "motd:local")).out()).isEqualTo("pulled\n");
            ok(docker("rmi", "motd:local", image));
            assertThat(docker("image", "inspect", image).exitCode()).isEqualTo(1);
        }
    }

    @Test
    void composeBringsUpTwoServicesThatResolveEachOtherAndTakesThemDown() throws IOException {
        Path project = Files.createDirectories(dir.resolve("demo"));
        Files.createDirectories(project.resolve("site"));
        Files.writeString(project.resolve("site/index.html"), "compose page\n");
        Files.writeString(project.resolve("docker-compose.yml"), """
                version: "3.8"
                services:
                  web:
                    image: busybox
                    command: httpd -f -p 80 -h /site
                    volumes:
                      - ./site:/site:ro
                    ports:
                      - "80"
                  client:
                    image: busybox
                    command: sleep 120
                    depends_on:
                      - web
                """);
        try {
            ok(compose(project, "up", "-d"));
            assertThat(ok(compose(project, "ps")).out()).contains("demo_web_1", "demo_client_1");
            assertThat(ok(docker("ps", "--filter", "label=com.docker.compose.project=demo", "--format", "{{.Names}}")).out().lines().sorted())
                    .containsExactly("demo_client_1", "demo_web_1");
            assertThat(ok(compose(project, "exec", "-T", "client", "nslookup", "web")).out()).contains("Name:\tweb");
            assertThat(ok(compose(project, "exec", "-T", "client", "sh", "-c", "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc web 80")).out())
                    .contains("200 OK", "compose page");
            String port = ok(compose(project, "port", "web", "80")).out().strip().replaceAll(".*:", "");
            assertThat(curl(Integer.parseInt(port), "/")).isEqualTo("compose page\n");
        } finally {
            ok(compose(project, "down"));
        }
        assertThat(ok(docker("ps", "-a", "-q")).out()).isEmpty();
        assertThat(ok(docker("network", "ls", "--format", "{{.Name}}")).out()).doesNotContain("demo_default");
    }

    static Result compose(Path project, String... args) {
        List<String> command = new ArrayList<>(List.of("docker-compose", "--no-ansi", "-p", "demo"));
        command.addAll(List.of(args));
        return BerthCli.exec(client(new ProcessBuilder(command).directory(project.toFile())), null);
    }

    @Test
    void testcontainersRunsAGenericContainer() throws IOException {
        Path home = Files.createDirectories(dir.resolve("tc-home"));
        ProcessBuilder scenario = client(new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                "-XX:ErrorFile=" + BerthCli.crashDir().resolve("hs_err_pid%p.log"),
                "-cp", System.getProperty("java.class.path"), TestcontainersScenario.class.getName()));
        Map<String, String> env = scenario.environment();
        env.put("HOME", home.toString());               // no ~/.testcontainers.properties of the machine's
        env.put("TESTCONTAINERS_RYUK_DISABLED", "true"); // its image cannot be pulled here
        env.put("TESTCONTAINERS_CHECKS_DISABLE", "true");
        env.put("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1"); // this machine has /.dockerenv
        Result result = BerthCli.exec(scenario, null);
        assertThat(result.exitCode()).as(result.describe()).isZero();
        assertThat(result.out()).contains("ok: execInContainer stderr", "scenario passed");
        assertThat(ok(docker("ps", "-a", "-q")).out()).as("Testcontainers removed its container").isEmpty();
    }
}
