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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tutorial's "Connecting to the Outside World", with the outside world simulated inside the
 * sandbox: a namespace {@code berthtest-inet} plays the upstream router (203.0.113.2, the sandbox host
 * being 203.0.113.1 and routing to it by default), a web server at 198.51.100.80 whose CGI prints the
 * client's address, and dnsmasq at 198.51.100.53 serving the zone example.test. The host's resolv.conf
 * is a systemd-resolved stub (127.0.0.53), bind-mounted over /etc/resolv.conf in the sandbox only.
 */
class OutsideWorldIT {
    private static final String INET = "berthtest-inet";
    private static final String UPSTREAM = "203.0.113.1";

    @TempDir
    static Path dir;
    static BerthCli berth;
    static final List<Process> servers = new ArrayList<>();
    private final List<Process> started = new ArrayList<>();

    static Result ok(Result r) {
        return RunIT.ok(r);
    }

    static Result inet(String... command) {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", INET));
        c.addAll(List.of(command));
        return BerthCli.host(c.toArray(String[]::new));
    }

    @BeforeAll
    static void theOutsideWorld() throws Exception {
        dev.berth.testing.Privileged.requireTool("dnsmasq", "dnsmasq-base");
        dev.berth.testing.Privileged.requireTool("nft", "nftables");
        berth = BerthCli.withBusybox(dir);
        ok(BerthCli.host("ip", "netns", "add", INET));
        ok(BerthCli.host("ip", "link", "add", "up0", "type", "veth", "peer", "name", "up1", "netns", INET));
        ok(BerthCli.host("ip", "addr", "add", UPSTREAM + "/24", "dev", "up0"));
        ok(BerthCli.host("ip", "link", "set", "up0", "up"));
        ok(BerthCli.host("ip", "route", "add", "default", "via", "203.0.113.2"));
        ok(inet("ip", "link", "set", "lo", "up"));
        ok(inet("ip", "addr", "add", "203.0.113.2/24", "dev", "up1"));
        ok(inet("ip", "link", "set", "up1", "up"));
        ok(inet("ip", "addr", "add", "198.51.100.80/32", "dev", "lo"));
        ok(inet("ip", "addr", "add", "198.51.100.53/32", "dev", "lo"));

        Path www = Files.createDirectories(dir.resolve("www/cgi-bin"));
        Files.writeString(dir.resolve("www/index.html"), "the outside world\n");
        Path cgi = Files.writeString(www.resolve("whoami"), "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n%s\\n' \"$REMOTE_ADDR\"\n");
        cgi.toFile().setExecutable(true);
        servers.add(new ProcessBuilder("ip", "netns", "exec", INET, "busybox", "httpd", "-f", "-p", "198.51.100.80:80",
                "-h", dir.resolve("www").toString()).start());
        servers.add(new ProcessBuilder("ip", "netns", "exec", INET, "dnsmasq", "--no-daemon", "--no-resolv", "--no-hosts",
                "--bind-interfaces", "--listen-address=198.51.100.53", "--address=/web.example.test/198.51.100.80",
                "--pid-file=" + dir.resolve("dnsmasq.pid"), "--user=root").start());

        Path resolv = Files.writeString(dir.resolve("resolv.conf"), "nameserver 127.0.0.53\nsearch example.test\n");
        Files.createDirectories(Path.of("/run/systemd/resolve"));
        Files.writeString(Path.of("/run/systemd/resolve/resolv.conf"), "nameserver 198.51.100.53\nsearch example.test\n");
        ok(BerthCli.host("mount", "--bind", resolv.toString(), "/etc/resolv.conf"));
        Wait.until("the outside world's web server", Duration.ofSeconds(20),
                () -> BerthCli.host("curl", "-s", "-m", "1", "http://198.51.100.80/").out().contains("outside world"));
    }

    @AfterAll
    static void removeTheOutsideWorld() throws Exception {
        if (berth == null) {
            return;
        }
        berth.removeEverything();
        servers.forEach(Process::destroyForcibly);
        for (Process p : servers) {
            p.waitFor();
        }
        BerthCli.host("umount", "/etc/resolv.conf");
        Files.deleteIfExists(Path.of("/run/systemd/resolve/resolv.conf"));
        BerthCli.host("ip", "link", "del", "up0");
        BerthCli.host("ip", "netns", "del", INET);
        assertThat(BerthCli.host("nft", "list", "tables").out()).doesNotContain("berth");
    }

    @AfterEach
    void removeContainers() {
        berth.removeContainers();
        started.forEach(Process::destroyForcibly);
    }

    String sh(String script, String... options) {
        List<String> args = new ArrayList<>(List.of("run", "--rm"));
        args.addAll(List.of(options));
        args.addAll(List.of("busybox", "sh", "-c", script));
        return ok(berth.run(args.toArray(String[]::new))).out();
    }

    /** A container serving text over HTTP in the background; returns once it answers at its own address. */
    void serve(String name, int port, String text, String... options) {
        List<String> args = new ArrayList<>(List.of("run", "--rm", "--name", name));
        args.addAll(List.of(options));
        args.addAll(List.of("busybox", "sh", "-c",
                "mkdir -p /www && echo '" + text + "' > /www/index.html && exec httpd -f -p " + port + " -h /www"));
        started.add(berth.start(args.toArray(String[]::new)));
        Wait.until(name + " to serve", Duration.ofSeconds(30), () -> {
            String out = berth.run("inspect", name).out();
            int at = out.indexOf("\"IPAddress\" : \"");
            if (at < 0) {
                return false;
            }
            String ip = out.substring(at + 15, out.indexOf('"', at + 15));
            return BerthCli.host("curl", "-s", "-m", "1", "http://" + ip + ":" + port + "/").out().contains(text);
        });
    }

    @Test
    void containersReachTheOutsideByAddressAndByNameBehindTheHostsAddress() {
        String resolv = sh("cat /etc/resolv.conf");
        assertThat(resolv).contains("nameserver 198.51.100.53").contains("search example.test").doesNotContain("127.0.0.53");
        assertThat(sh(NetworkIT.fetch("198.51.100.80", 80))).isEqualTo("the outside world\n");
        String whoami = sh("printf 'GET /cgi-bin/whoami HTTP/1.0\\r\\n\\r\\n' | nc -w 5 198.51.100.80 80 | tail -1");
        assertThat(whoami).as("the upstream sees the host's uplink address, never the container's").isEqualTo(UPSTREAM + "\n");
        assertThat(sh("nslookup -type=a web.example.test")).contains("198.51.100.80");
        assertThat(ok(BerthCli.host("sysctl", "-n", "net.ipv4.ip_forward")).out().strip()).isEqualTo("1");
    }

    @Test
    void theEmbeddedDnsForwardsNamesItDoesNotKnow() {
        ok(berth.run("network", "create", "--subnet", "10.44.0.0/24", "named"));
        try {
            assertThat(sh("nslookup -type=a web.example.test", "--network", "named")).contains("Address: 198.51.100.80");
        } finally {
            berth.run("network", "rm", "named");
        }
    }

    @Test
    void dnsOptionsAndExtraHostsAreWrittenForTheContainer() {
        String out = sh("cat /etc/resolv.conf; grep -E 'gw|db' /etc/hosts",
                "--dns", "198.51.100.53", "--dns-search", "corp.test", "--dns-option", "ndots:2",
                "--add-host", "gw:host-gateway", "--add-host", "db:10.1.2.3");
        assertThat(out).contains("nameserver 198.51.100.53\nsearch corp.test\noptions ndots:2\n")
                .containsPattern("172\\.\\d+\\.0\\.1\\tgw").contains("10.1.2.3\tdb");
    }

    @Test
    void anInternalNetworkHasNoWayOut() {
        ok(berth.run("network", "create", "--internal", "--subnet", "10.88.0.0/24", "backend"));
        String out = sh("printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 198.51.100.80 80 || echo blocked", "--network", "backend");
        assertThat(out).doesNotContain("outside world");
        ok(berth.run("network", "rm", "backend"));
    }

    @Test
    void publishedPortsAnswerFromOutsideFromTheHostAndFromContainers() {
        serve("pub", 80, "published page", "-p", "8080:80");
        assertThat(inet("curl", "-s", "-m", "5", "http://" + UPSTREAM + ":8080/").out()).isEqualTo("published page\n");
        assertThat(BerthCli.host("curl", "-s", "-m", "5", "http://" + UPSTREAM + ":8080/").out()).isEqualTo("published page\n");
        assertThat(BerthCli.host("curl", "-s", "-m", "5", "http://127.0.0.1:8080/").out()).isEqualTo("published page\n");
        assertThat(sh(NetworkIT.fetch(UPSTREAM, 8080))).isEqualTo("published page\n");
        assertThat(ok(berth.run("port", "pub")).out()).isEqualTo("80/tcp -> 0.0.0.0:8080\n");
        Result clash = berth.run("run", "--rm", "-p", "8080:80", "busybox", "true");
        assertThat(clash.exitCode()).isEqualTo(125);
        assertThat(clash.err()).contains("already published by container pub");
    }

    @Test
    void aLoopbackPublicationIsUnreachableFromOtherInterfaces() {
        serve("local", 80, "loopback only", "-p", "127.0.0.1:9000:80");
        assertThat(BerthCli.host("curl", "-s", "-m", "5", "http://127.0.0.1:9000/").out()).isEqualTo("loopback only\n");
        assertThat(inet("curl", "-s", "-m", "3", "http://" + UPSTREAM + ":9000/").exitCode()).isNotZero();
        assertThat(BerthCli.host("curl", "-s", "-m", "3", "http://" + UPSTREAM + ":9000/").exitCode()).isNotZero();
    }

    /**
     * busybox has no UDP server, so a DNS server (dnsmasq) is started in the container's network namespace
     * from outside: what is tested is berth's UDP publication, seen from the upstream namespace.
     */
    @Test
    void udpPortsArePublishedToo() throws Exception {
        started.add(berth.start("run", "--rm", "--name", "udp", "-p", "5353:53/udp", "busybox", "sleep", "300"));
        Wait.until("udp to run", Duration.ofSeconds(30), () -> berth.run("inspect", "udp").out().contains("\"Running\" : true"));
        String out = berth.run("inspect", "udp").out();
        int at = out.indexOf("\"IPAddress\" : \"");
        String ip = out.substring(at + 15, out.indexOf('"', at + 15));
        Process dns = new ProcessBuilder("ip", "netns", "exec", berth.paths().visibleNetns("udp").getFileName().toString(), "dnsmasq", "--no-daemon", "--no-resolv",
                "--no-hosts", "--bind-interfaces", "--listen-address=" + ip, "--address=/published.test/10.9.8.7",
                "--pid-file=" + dir.resolve("udp-dnsmasq.pid"), "--user=root").start();
        try {
            String[] answer = {""};
            Wait.until("an answer through the published UDP port", Duration.ofSeconds(20), () -> {
                answer[0] = inet("busybox", "nslookup", "-type=a", "-port=5353", "published.test", UPSTREAM).out();
                return answer[0].contains("10.9.8.7");
            });
            assertThat(answer[0]).contains("Address: 10.9.8.7");
        } finally {
            dns.destroyForcibly();
            dns.waitFor();
        }
    }

    @Test
    void networksAreIsolatedFromEachOther() {
        ok(berth.run("network", "create", "--subnet", "10.66.0.0/24", "other"));
        serve("elsewhere", 80, "other network", "--network", "other", "--ip", "10.66.0.10");
        String out = sh(NetworkIT.fetch("10.66.0.10", 80) + "; echo done");
        assertThat(out).doesNotContain("other network");
        // but a port it publishes is reachable from every network, through the host's address
        serve("published-elsewhere", 80, "published from other", "--network", "other", "-p", "8090:80");
        assertThat(sh(NetworkIT.fetch(UPSTREAM, 8090))).isEqualTo("published from other\n");
        berth.run("rm", "-f", "published-elsewhere");
        assertThat(BerthCli.host("curl", "-s", "-m", "3", "http://10.66.0.10/").out()).isEqualTo("other network\n");
        berth.run("rm", "-f", "elsewhere");
        ok(berth.run("network", "rm", "other"));
    }

    @Test
    void aFlushedRulesetComesBackWithTheNextBerthCommand() {
        serve("kept", 80, "still published", "-p", "8081:80");
        ok(BerthCli.host("nft", "flush", "ruleset"));
        assertThat(BerthCli.host("curl", "-s", "-m", "2", "http://127.0.0.1:8081/").out()).isEmpty();
        ok(berth.run("ps"));
        assertThat(ok(BerthCli.host("nft", "list", "table", "inet", berth.paths().objectPrefix())).out()).contains("dnat ip to");
        assertThat(BerthCli.host("curl", "-s", "-m", "5", "http://127.0.0.1:8081/").out()).isEqualTo("still published\n");
    }

    @Test
    void aPortAHostProcessHoldsIsRefused() throws Exception {
        Process holder = new ProcessBuilder("busybox", "nc", "-l", "-p", "7777").start();
        try {
            Wait.until("the host process to listen", Duration.ofSeconds(10),
                    () -> BerthCli.host("ss", "-tln").out().contains(":7777"));
            Result r = berth.run("run", "--rm", "-p", "7777:80", "busybox", "true");
            assertThat(r.exitCode()).isEqualTo(125);
            assertThat(r.err()).contains("in use by another process");
        } finally {
            holder.destroyForcibly();
            holder.waitFor();
        }
    }
}
