package dev.berth.it;

import dev.berth.testing.BerthCli;
import dev.berth.testing.BerthCli.Result;
import dev.berth.testing.Wait;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tutorial's Part 2, checked from both sides: the container's own address and routes seen with
 * busybox inside, and with ip, ss, ping and curl from the (sandboxed) host.
 */
class NetworkIT {
    private static final String PAGE = "Hello from the Container!";

    @TempDir
    static Path dir;
    static BerthCli berth;
    private final List<Process> started = new ArrayList<>();

    @BeforeAll
    static void busyboxImage() {
        berth = BerthCli.withBusybox(dir);
    }

    @AfterEach
    void removeContainers() {
        berth.removeContainers();
        started.forEach(Process::destroyForcibly);
    }

    @AfterAll
    static void removeNetworks() {
        if (berth != null) {
            berth.removeEverything();
            assertThat(BerthCli.linksOnceVethsAreFreed()).doesNotContain("berth0");
        }
    }

    static Result ok(Result r) {
        return RunIT.ok(r);
    }

    /** Starts a container serving text on port over HTTP in the background; returns its address once it answers. */
    String serve(String name, int port, String text, String... options) {
        List<String> args = new ArrayList<>(List.of("run", "--rm", "--name", name));
        args.addAll(List.of(options));
        args.addAll(List.of("busybox", "sh", "-c",
                "mkdir -p /www && echo '" + text + "' > /www/index.html && exec httpd -f -p " + port + " -h /www"));
        started.add(berth.start(args.toArray(String[]::new)));
        String[] ip = new String[1];
        Wait.until(name + " to be running", Duration.ofSeconds(30), () -> {
            Result inspect = berth.run("inspect", name);
            Matcher m = Pattern.compile("\"IPAddress\" : \"([0-9.]+)\"").matcher(inspect.out());
            if (inspect.exitCode() == 0 && inspect.out().contains("\"Running\" : true") && m.find()) {
                ip[0] = m.group(1);
                return true;
            }
            return false;
        });
        Wait.until(name + " to answer on :" + port, Duration.ofSeconds(30),
                () -> BerthCli.host("curl", "-s", "-m", "1", "http://" + ip[0] + ":" + port + "/").out().contains(text));
        return ip[0];
    }

    @Test
    void theContainerHasOnlyLoAndEth0WithItsAddressAndADefaultRoute() {
        String out = ok(berth.run("run", "--rm", "--name", "probe", "busybox", "sh", "-c",
                "ip -o link | cut -d: -f2 | cut -d@ -f1; ip -o -4 addr show eth0 | awk '{print $4}'; ip route | head -1; "
                        + "tail -1 /etc/hosts")).out();
        List<String> lines = out.lines().map(String::strip).toList();
        assertThat(lines.subList(0, 2)).containsExactly("lo", "eth0");
        assertThat(lines.get(2)).matches("172\\.\\d+\\.0\\.2/16");
        String gateway = lines.get(2).replaceFirst("\\.2/16$", ".1");
        assertThat(lines.get(3)).startsWith("default via " + gateway + " dev eth0");
        assertThat(lines.get(4)).isEqualTo(lines.get(2).replace("/16", "") + "\tprobe");
        assertThat(BerthCli.host("ip", "-o", "addr", "show", berth.paths().defaultBridge()).out()).contains("inet " + gateway + "/16");
    }

    @Test
    void aServiceInsideAnswersTheHostYetIsAbsentFromTheHostsSockets() {
        String ip = serve("web", 8080, PAGE);
        assertThat(BerthCli.host("curl", "-s", "-m", "5", "http://" + ip + ":8080/").out()).isEqualTo(PAGE + "\n");
        assertThat(BerthCli.host("ss", "-tln").out()).doesNotContain(":8080");
        assertThat(ok(BerthCli.host("ip", "netns", "exec", berth.paths().visibleNetns("web").getFileName().toString(), "ss", "-tln")).out()).contains(":8080");
        ok(BerthCli.host("ping", "-c", "1", "-W", "2", ip));
        String gateway = ip.replaceFirst("\\.\\d+$", ".1");
        ok(berth.run("run", "--rm", "busybox", "ping", "-c", "1", "-W", "2", gateway));
    }

    @Test
    void twoContainersListenOnPort80AtOnceEachAtItsOwnAddress() {
        String a = serve("first", 80, "first page");
        String b = serve("second", 80, "second page");
        assertThat(a).isNotEqualTo(b);
        assertThat(BerthCli.host("curl", "-s", "-m", "5", "http://" + a + "/").out()).isEqualTo("first page\n");
        assertThat(BerthCli.host("curl", "-s", "-m", "5", "http://" + b + "/").out()).isEqualTo("second page\n");
    }

    @Test
    void containersOnOneBridgeReachEachOther() {
        String server = serve("server", 80, "from a neighbour");
        assertThat(ok(berth.run("run", "--rm", "busybox", "sh", "-c", fetch(server, 80))).out())
                .isEqualTo("from a neighbour\n");
    }

    @Test
    void ipNetnsSeesTheContainerOnlyWhileItExists() {
        serve("visible", 8081, "x");
        assertThat(BerthCli.host("ip", "netns", "list").out()).contains(berth.paths().visibleNetns("visible").getFileName().toString());
        ok(berth.run("rm", "-f", "visible"));
        assertThat(BerthCli.host("ip", "netns", "list").out()).doesNotContain(berth.paths().visibleNetns("visible").getFileName().toString());
        assertNoContainerNetworkLeft();
    }

    @Test
    void aContainerCanJoinAnothersNetworkNamespace() {
        serve("pod", 8082, "shared namespace");
        assertThat(ok(berth.run("run", "--rm", "--network", "container:pod", "busybox", "sh", "-c",
                fetch("127.0.0.1", 8082))).out()).isEqualTo("shared namespace\n");
    }

    @Test
    void userDefinedNetworksTakeStaticAddressesAndRefuseBadOnes() {
        ok(berth.run("network", "create", "--subnet", "10.77.0.0/24", "lab"));
        try {
            String out = ok(berth.run("run", "--rm", "--network", "lab", "--ip", "10.77.0.50", "busybox", "sh", "-c",
                    "ip -o -4 addr show eth0 | awk '{print $4}'; ip route | head -1")).out();
            assertThat(out.lines().toList()).containsExactly("10.77.0.50/24", "default via 10.77.0.1 dev eth0 ");
            assertThat(ok(berth.run("network", "ls")).out()).containsPattern("lab\\s+bridge\\s+10.77.0.0/24\\s+10.77.0.1");
            assertThat(ok(berth.run("network", "inspect", "lab")).out()).contains("\"Subnet\" : \"10.77.0.0/24\"");
            for (String bad : List.of("10.78.0.5", "10.77.0.1", "10.77.0.255", "not-an-ip")) {
                Result r = berth.run("run", "--rm", "--network", "lab", "--ip", bad, "busybox", "true");
                assertThat(r.exitCode()).as(bad).isEqualTo(125);
                assertThat(r.err().lines()).hasSize(1);
            }
            serve("holder", 80, "x", "--network", "lab", "--ip", "10.77.0.60");
            Result taken = berth.run("run", "--rm", "--network", "lab", "--ip", "10.77.0.60", "busybox", "true");
            assertThat(taken.err()).contains("already in use");
            Result busy = berth.run("network", "rm", "lab");
            assertThat(busy.exitCode()).isEqualTo(125);
            assertThat(busy.err()).contains("active endpoints");
            ok(berth.run("rm", "-f", "holder"));
            Result overlapping = berth.run("network", "create", "--subnet", "10.77.0.0/16", "lab2");
            assertThat(overlapping.err()).contains("overlaps network lab");
        } finally {
            berth.run("rm", "-f", "holder");
            ok(berth.run("network", "rm", "lab"));
        }
        assertThat(BerthCli.host("ip", "-o", "link").out()).doesNotContain("10.77");
    }

    @Test
    void theVethNetworkIsTheTutorialsPointToPointPair() {
        String ip = serve("seed", 8080, PAGE, "--network", "veth");
        assertThat(ip).isEqualTo("192.168.10.2");
        String hostEnd = BerthCli.host("ip", "-o", "-4", "addr").out();
        assertThat(hostEnd).containsPattern(BerthCli.ANY_HOST_VETH + "\\s+inet 192\\.168\\.10\\.1/32");
        assertThat(BerthCli.host("ip", "link", "show", "type", "bridge").out()).doesNotContain("veth");
        assertThat(BerthCli.host("curl", "-s", "-m", "5", "http://192.168.10.2:8080/").out()).isEqualTo(PAGE + "\n");
    }

    @Test
    void concurrentRunsNeverGetTheSameAddress() throws Exception {
        List<Process> runs = new ArrayList<>();
        for (int i = 0; i < 6; i++) { // all alive together: each prints its address, then waits
            Process p = berth.start("run", "--rm", "--name", "c" + i, "busybox", "sh", "-c",
                    "ip -o -4 addr show eth0 | awk '{print $4}'; sleep 60");
            started.add(p);
            runs.add(p);
        }
        List<String> addresses = new ArrayList<>();
        for (Process p : runs) {
            addresses.add(new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine());
        }
        assertThat(addresses).doesNotHaveDuplicates().allMatch(a -> a != null && a.matches("172\\.\\d+\\.0\\.\\d+/16"));
        assertThat(berth.run("ps", "-q").out().lines()).hasSize(6);
        for (int i = 0; i < 6; i++) {
            ok(berth.run("rm", "-f", "c" + i));
        }
        assertNoContainerNetworkLeft();
    }

    @Test
    void theDemoRunsTheTutorialEndToEndAndLeavesNothing() {
        ProcessBuilder asAUser = new ProcessBuilder(berth.command("demo"));
        asAUser.environment().put("BERTH_AUTO_SUPERVISOR", "1"); // as by default: a foreground run would leave one
        Result demo = ok(BerthCli.exec(asAUser, null));
        assertThat(demo.out())
                .contains("$ ip link add v" + berth.paths().installation())
                .contains("type veth peer name eth0 netns " + berth.paths().visibleNetns("web-").getFileName())
                .contains("host -> 192.168.10.2: reachable")
                .contains("64 bytes from 192.168.10.1")
                .contains("listening on :8080 in the host's own namespace? no")
                .contains("listening on :8080 in the container's namespace? yes")
                .contains("->  " + PAGE)
                .contains("->  first server on port 80").contains("->  second server on port 80")
                .contains("veth pairs left on the host: 0");
        assertNoContainerNetworkLeft();
        assertThat(ok(berth.run("ps", "-a", "-q")).out()).isEmpty();
        assertThat(BerthCli.host("pgrep", "-af", "java").out().lines()
                .filter(l -> l.contains("--run-root=" + berth.paths().runRoot() + " daemon")))
                .as("no supervisor left running by the demo").isEmpty();
    }

    @Test
    void aKilledBerthsContainerNetworkGoesWithRmAndGcTakesWhatNoRecordOwns() throws Exception {
        Process run = berth.start("run", "--name", "orphan", "busybox", "sleep", "300");
        started.add(run);
        Wait.until("orphan to run", Duration.ofSeconds(30), () -> berth.run("ps").out().contains("orphan"));
        run.destroyForcibly();
        run.waitFor();
        String orphanPin = berth.paths().visibleNetns("orphan").getFileName().toString();
        assertThat(BerthCli.host("ip", "netns", "list").out()).contains(orphanPin);
        ok(BerthCli.host("ip", "netns", "delete", orphanPin)); // someone removes a pin berth needs
        assertThat(ok(berth.run("gc")).out()).contains("restored namespace pin /run/netns/" + orphanPin);
        assertThat(ok(BerthCli.host("ip", "netns", "exec", orphanPin, "ip", "-o", "link")).out()).contains("eth0");
        String hostEnd = ok(berth.run("inspect", "orphan")).out()
                .replaceAll("(?s).*?\"HostInterface\" : \"(" + BerthCli.ANY_HOST_VETH + ")\".*", "$1");
        ok(BerthCli.host("ip", "link", "del", hostEnd)); // and the veth pair with it
        assertThat(ok(berth.run("gc")).out()).contains("restored veth " + hostEnd);
        String ip = ok(berth.run("inspect", "orphan")).out().replaceAll("(?s).*\"IPAddress\" : \"([0-9.]+)\".*", "$1");
        ok(BerthCli.host("ping", "-c", "1", "-W", "2", ip));
        ok(berth.run("rm", "-f", "orphan"));
        assertNoContainerNetworkLeft();

        // what a crash in the middle of a set-up leaves: a veth end, namespace pins (the run root's and the
        // visible one, on one namespace); gc takes them, since their names and namespace prove them its own
        String veth = berth.paths().newHostVeth("0123456789abcdef");
        ok(BerthCli.host("ip", "link", "add", veth, "type", "veth", "peer", "name", "vbpeer"));
        String ghost = berth.paths().visibleNetns("ghost").getFileName().toString();
        ok(BerthCli.host("ip", "netns", "add", ghost));
        Path runPin = berth.paths().netnsPin("0".repeat(64));
        Files.createDirectories(runPin.getParent());
        Files.createFile(runPin);
        ok(BerthCli.host("mount", "--bind", "/run/netns/" + ghost, runPin.toString()));
        String gc = ok(berth.run("gc")).out();
        assertThat(gc).contains("link " + veth).contains(ghost).contains(runPin.toString());
        assertNoContainerNetworkLeft();
    }

    /**
     * An HTTP GET from inside a container with busybox nc, printing the body's last line (Debian's
     * busybox-static wget crashes, even on the host).
     */
    static String fetch(String host, int port) {
        return "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 " + host + " " + port + " | tail -1";
    }

    /**
     * Two state roots on one host: each has its own bridge, veth names, namespace pins, firewall table
     * and cgroup parent, a container of the same name in each, and neither's gc takes the other's objects
     * (nor a veth of the default installation's shape, which neither can prove its own).
     */
    @Test
    void twoStateRootsRunSideBySideAndNeitherGcTouchesTheOthersObjects() {
        BerthCli other = BerthCli.withBusybox(dir.resolve("other"));
        String foreignVeth = "vb0123456789a";
        try {
            assertThat(other.paths().defaultBridge()).isNotEqualTo(berth.paths().defaultBridge());
            String mine = serve("twin", 8080, "mine");
            other.start("run", "--rm", "--name", "twin", "busybox", "sleep", "300");
            String[] theirs = new String[1];
            Wait.until("the other root's twin to run", Duration.ofSeconds(30), () -> {
                Matcher m = Pattern.compile("\"IPAddress\" : \"([0-9.]+)\"").matcher(other.run("inspect", "twin").out());
                return m.find() && (theirs[0] = m.group(1)) != null;
            });
            assertThat(theirs[0]).isNotEqualTo(mine);
            ok(BerthCli.host("ip", "link", "add", foreignVeth, "type", "veth", "peer", "name", "vbforeign"));

            String gcOther = ok(other.run("gc")).out();
            String gcMine = ok(berth.run("gc")).out();
            assertThat(gcOther + gcMine).doesNotContain(foreignVeth).doesNotContain("twin").doesNotContain("cgroup");
            assertThat(BerthCli.host("curl", "-s", "-m", "5", "http://" + mine + ":8080/").out()).isEqualTo("mine\n");
            ok(BerthCli.host("ping", "-c", "1", "-W", "2", theirs[0]));
            assertThat(BerthCli.host("nft", "list", "tables").out())
                    .contains("inet " + berth.paths().objectPrefix()).contains("inet " + other.paths().objectPrefix());
            assertThat(BerthCli.host("ip", "-o", "link").out()).contains(foreignVeth);
        } finally {
            BerthCli.host("ip", "link", "del", foreignVeth);
            other.removeEverything();
        }
    }

    private static void assertNoContainerNetworkLeft() {
        assertThat(BerthCli.linksOnceVethsAreFreed()).noneMatch(l -> l.matches(BerthCli.ANY_HOST_VETH));
        assertThat(BerthCli.host("ip", "netns", "list").out()).isEmpty();
        Path pins = berth.root().resolveSibling("run").resolve("netns");
        if (Files.isDirectory(pins)) {
            try (Stream<Path> left = Files.list(pins)) {
                assertThat(left.toList()).isEmpty();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        try (Stream<Path> addresses = Files.walk(berth.root().resolve("networks"))) {
            assertThat(addresses.filter(p -> p.getParent().getFileName().toString().equals("addresses")).toList()).isEmpty();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
