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
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Detached containers under the supervisor: start, leave, come back, look inside, stop — and crashes. */
class LifecycleIT {
    @TempDir
    static Path dir;
    static BerthCli berth;

    @BeforeAll
    static void busyboxImage() {
        berth = BerthCli.withBusybox(dir);
    }

    @AfterEach
    void removeContainers() {
        berth.removeContainers();
    }

    @AfterAll
    static void stopTheSupervisor() {
        if (berth != null) {
            berth.removeEverything();
            Wait.until("the supervisor to exit", Duration.ofSeconds(10), () -> supervisorPid() == null);
        }
    }

    static Result ok(Result r) {
        return RunIT.ok(r);
    }

    /** The supervisor serving this test's run root, seen from the host's process list. */
    static String supervisorPid() {
        for (String line : BerthCli.host("pgrep", "-af", "java").out().lines().toList()) {
            if (line.contains("--run-root=" + dir.resolve("run")) && line.endsWith(" daemon")) {
                return line.split(" ")[0];
            }
        }
        return null;
    }

    String state(String name, String key) {
        String out = ok(berth.run("inspect", name)).out();
        return out.replaceAll("(?s).*\"" + key + "\" : \"?([^\",\\n]*)\"?,?\\n.*", "$1");
    }

    @Test
    void aDetachedContainerOutlivesTheCliAndLogsItsOutput() {
        String id = ok(berth.run("run", "-d", "--name", "ticker", "busybox", "sh", "-c",
                "i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.2; done")).out().strip();
        assertThat(id).matches("[0-9a-f]{64}");
        Wait.until("three ticks in the log", Duration.ofSeconds(20),
                () -> berth.run("logs", "ticker").out().lines().count() >= 3);
        assertThat(ok(berth.run("ps")).out()).contains("ticker").contains("Up ");
        assertThat(ok(berth.run("logs", "--tail", "1", "ticker")).out().lines().toList()).hasSize(1)
                .allMatch(l -> l.startsWith("tick "));
        assertThat(ok(berth.run("logs", "--timestamps", "--tail", "2", "ticker")).out().lines().toList()).hasSize(2)
                .allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z tick \\d+"));
        assertThat(supervisorPid()).as("berth daemon shows as such in ps").isNotNull();
    }

    @Test
    void execJoinsTheContainersNamespacesAndPassesItsExitCode() {
        ok(berth.run("run", "-d", "--name", "box", "--hostname", "inside", "busybox", "sleep", "300"));
        String out = ok(berth.run("exec", "box", "sh", "-c", "hostname; cat /proc/1/cmdline | tr '\\0' ' '; echo; echo $$")).out();
        List<String> lines = out.lines().toList();
        assertThat(lines.get(0)).isEqualTo("inside");
        assertThat(lines.get(1).strip()).isEqualTo("sleep 300");
        assertThat(Integer.parseInt(lines.get(2))).isGreaterThan(1);
        assertThat(berth.run("exec", "box", "sh", "-c", "exit 7").exitCode()).isEqualTo(7);
        assertThat(ok(berth.run("exec", "-u", "nobody", "-e", "X=1", "-w", "/tmp", "box", "sh", "-c", "id -u; echo $X; pwd")).out())
                .isEqualTo("65534\n1\n/tmp\n");
        assertThat(berth.run("exec", "box", "no-such-command").exitCode()).isEqualTo(127);
        assertThat(ok(berth.run("top", "box")).out()).contains("sleep 300");
        ok(berth.run("rename", "box", "crate"));
        assertThat(ok(berth.run("ps", "--format", "json")).out()).contains("\"Name\" : \"crate\"");
        assertThat(ok(berth.run("exec", "crate", "hostname")).out()).isEqualTo("inside\n");
    }

    @Test
    void exitCodesReachWaitAndInspectAndStopStartAndKillWork() {
        ok(berth.run("run", "-d", "--name", "five", "busybox", "sh", "-c", "sleep 0.5; exit 5"));
        assertThat(ok(berth.run("wait", "five")).out()).isEqualTo("5\n");
        assertThat(state("five", "ExitCode")).isEqualTo("5");

        ok(berth.run("run", "-d", "--name", "svc", "busybox", "sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done"));
        ok(berth.run("stop", "-t", "5", "svc"));
        assertThat(state("svc", "Status")).isEqualTo("exited");
        assertThat(state("svc", "ExitCode")).isEqualTo("0");
        ok(berth.run("start", "svc"));
        assertThat(state("svc", "Status")).isEqualTo("running");
        for (int i = 0; i < 3; i++) { // at once: the kernel may still be freeing the previous run's veth pair
            ok(berth.run("restart", "-t", "1", "svc"));
            assertThat(state("svc", "Status")).isEqualTo("running");
            ok(BerthCli.host("ping", "-c", "1", "-W", "2", state("svc", "IPAddress")));
        }
        ok(berth.run("kill", "-s", "KILL", "svc"));
        assertThat(ok(berth.run("wait", "svc")).out()).isEqualTo("137\n");
    }

    /**
     * A new user's first foreground run leaves a supervisor behind (started while its container runs, not
     * waited for), the next run is its child, and it exits once idle for BERTH_SUPERVISOR_IDLE seconds.
     */
    @Test
    void aForegroundRunLeavesASupervisorForTheNextRunThatExitsOnceIdle() throws Exception {
        BerthCli fresh = BerthCli.withBusybox(dir.resolve("fresh"));
        java.util.function.Function<String[], ProcessBuilder> auto = args -> {
            ProcessBuilder b = new ProcessBuilder(fresh.command(args));
            b.environment().put("BERTH_AUTO_SUPERVISOR", "1");
            b.environment().put("BERTH_SUPERVISOR_IDLE", "3");
            b.environment().put("BERTH_CGROUP_PARENT", BerthCli.CGROUP_PARENT); // as exec gives every berth
            return b;
        };
        java.util.function.Supplier<String> freshSupervisor = () -> BerthCli.host("pgrep", "-af", "java").out().lines()
                .filter(l -> l.contains("--run-root=" + dir.resolve("fresh/run")) && l.contains(" daemon --idle-exit 3"))
                .map(l -> l.split(" ")[0]).findFirst().orElse(null);
        try {
            assertThat(freshSupervisor.get()).isNull();
            ok(BerthCli.exec(auto.apply(new String[] {"run", "--rm", "--network", "none", "busybox", "true"}), null));
            Wait.until("a supervisor for the next run", Duration.ofSeconds(30), () -> freshSupervisor.get() != null
                    && Files.exists(fresh.paths().supervisorSocket()));
            String supervisor = freshSupervisor.get();

            Process second = auto.apply(new String[] {"run", "--name", "second", "--network", "none", "busybox", "sh", "-c",
                    "trap 'exit 0' TERM; sleep 30 & wait"}).start();
            try {
                Wait.until("second to run", Duration.ofSeconds(30), () -> fresh.run("ps").out().contains("second"));
                String pid = fresh.run("inspect", "second").out().replaceAll("(?s).*\"Pid\" : ([0-9]+).*", "$1");
                assertThat(BerthCli.host("sh", "-c", "grep PPid /proc/" + pid + "/status").out())
                        .as("the second run is the supervisor's").contains(supervisor);
            } finally {
                second.destroy();
                second.waitFor(30, TimeUnit.SECONDS);
                fresh.removeContainers();
            }
            Wait.until("the idle supervisor to exit", Duration.ofSeconds(30), () -> freshSupervisor.get() == null);
            assertThat(fresh.paths().supervisorSocket()).doesNotExist();

            ProcessBuilder off = auto.apply(new String[] {"run", "--rm", "--network", "none", "busybox", "true"});
            off.environment().put("BERTH_AUTO_SUPERVISOR", "0");
            ok(BerthCli.exec(off, null)); // a supervisor would have been started before this run ended
            assertThat(freshSupervisor.get()).as("BERTH_AUTO_SUPERVISOR=0 starts none").isNull();
        } finally {
            String left = freshSupervisor.get();
            if (left != null) {
                BerthCli.host("kill", left);
            }
        }
    }

    @Test
    void whileASupervisorRunsItRunsForegroundCommandsWithTheClientsStreamsAndSignals() throws Exception {
        ok(berth.run("run", "-d", "--name", "keeper", "busybox", "sleep", "300")); // a supervisor is up
        String supervisor = supervisorPid();

        Result r = berth.runWithInput("from the client\n", "run", "--rm", "-i", "-e", "WHO=client", "busybox", "sh", "-c",
                "cat; echo out $WHO; echo err >&2; exit 3");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.out()).isEqualTo("from the client\nout client\n");
        assertThat(r.err()).isEqualTo("err\n");

        Process client = berth.start("run", "--name", "fg", "busybox", "sh", "-c",
                "trap 'echo got TERM; exit 42' TERM; echo ready; while :; do sleep 0.1; done");
        Wait.until("fg to run", Duration.ofSeconds(30), () -> berth.run("ps").out().contains("fg"));
        String pid = state("fg", "Pid");
        assertThat(BerthCli.host("sh", "-c", "grep PPid /proc/" + pid + "/status").out())
                .as("the container is the supervisor's child, not the client's").contains(supervisor);
        ok(BerthCli.host("kill", "-TERM", String.valueOf(client.pid())));
        assertThat(client.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(client.exitValue()).isEqualTo(42);
        assertThat(new String(client.getInputStream().readAllBytes())).isEqualTo("ready\ngot TERM\n");

        ok(berth.run("exec", "keeper", "sh", "-c", "echo exec out; echo exec err >&2; exit 0"));
        assertThat(berth.run("exec", "keeper", "sh", "-c", "exit 9").exitCode()).isEqualTo(9);
        Result missing = berth.run("run", "--rm", "--pull", "never", "no-such-image", "true"); // no pull from Docker Hub
        assertThat(missing.exitCode()).isEqualTo(125);
        assertThat(missing.err()).isEqualTo("berth: no such image: no-such-image (and --pull never)\n");
    }

    @Test
    void theClientOfASupervisorIsNoJvmAndASupervisorDyingMidRunIsReportedWithoutRunningTheCommandAgain() throws Exception {
        ok(berth.run("run", "-d", "--name", "keeper", "busybox", "sleep", "300"));
        String supervisor = supervisorPid();
        Path runs = dir.resolve("runs");
        Files.createDirectories(runs);
        Path clientErr = dir.resolve("client.err"); // a file: the container shares the client's streams, and outlives it
        ProcessBuilder builder = new ProcessBuilder(berth.command("run", "--name", "midrun", "-v", runs + ":/out", "busybox",
                "sh", "-c", "echo ran >> /out/log; sleep 300")).redirectError(clientErr.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        BerthCli.environment(builder.environment());
        Process client = builder.start();
        Wait.until("midrun to run", Duration.ofSeconds(30), () -> Files.exists(runs.resolve("log")));
        // and recorded as running (the record follows the command's first output): rm -f finds its process
        Wait.until("midrun's record", Duration.ofSeconds(30), () -> berth.run("ps").out().contains("midrun"));
        assertThat(Files.readSymbolicLink(Path.of("/proc/" + client.pid() + "/exe")).toString())
                .as("the client is the launcher's shell").endsWith("dash");
        ok(BerthCli.host("kill", "-9", supervisor));
        assertThat(client.waitFor(30, TimeUnit.SECONDS)).as("the client notices").isTrue();
        assertThat(client.exitValue()).isEqualTo(125);
        assertThat(Files.readAllLines(clientErr))
                .singleElement().asString().startsWith("berth: the supervisor went away while running the command");
        assertThat(runs.resolve("log")).as("the command ran once").hasContent("ran");
        Wait.until("the supervisor to die", Duration.ofSeconds(10), () -> !supervisor.equals(supervisorPid()));
        ok(berth.run("rm", "-f", "midrun", "keeper")); // no supervisor: done by its own JVM
        assertThat(ok(berth.run("ps", "-a")).out()).doesNotContain("midrun");
    }

    @Test
    void throughASupervisorFileRedirectionsAndTerminalsBehaveAsWithoutOne() {
        ok(berth.run("run", "-d", "--name", "keeper", "busybox", "sleep", "300"));
        String run = String.join(" ", berth.command("run", "--rm", "-i", "busybox")) + " ";
        String exec = String.join(" ", berth.command("exec", "keeper")) + " ";
        Path out = dir.resolve("out.txt");
        Path in = dir.resolve("in.txt");
        // > and 2>&1 (no O_APPEND): the supervisor writes through an offset of its own and hands it back
        ok(BerthCli.host("sh", "-c", "{ echo zero; " + run + "sh -c 'echo out; echo err >&2; echo out2';"
                + exec + "echo from-exec; echo last; } > " + out + " 2>&1"));
        assertThat(out).hasContent("zero\nout\nerr\nout2\nfrom-exec\nlast");
        // < file with -i: what the container reads is consumed for whatever reads the file next
        ok(BerthCli.host("sh", "-c", "printf 'a\\nb\\n' > " + in));
        assertThat(ok(BerthCli.host("sh", "-c", "{ " + run + "cat > /dev/null; cat; echo end; } < " + in)).out())
                .isEqualTo("end\n");
        // a terminal: the supervisor relays between the client's and the container's, sized as the client's
        for (String verbAndTarget : List.of("run --rm -t busybox", "exec -t keeper")) {
            List<String> command = new ArrayList<>(berth.command(verbAndTarget.split(" ")));
            command.addAll(List.of("sh", "-c", "'tty; stty size; exit 3'"));
            Result tty = BerthCli.exec(new ProcessBuilder("script", "-qec", "stty cols 91 rows 27; " + String.join(" ", command),
                    "/dev/null"), null);
            assertThat(tty.exitCode()).as(tty.describe()).isEqualTo(3);
            // script echoes the end of its own (empty) input as ^@, wherever it falls in the output
            assertThat(tty.out().replace("\r", "").replace("^@", "").lines().toList()).as(tty.describe())
                    .containsSubsequence("/dev/pts/0", "27 91");
        }
    }

    @Test
    void onFailureRestartsWithBackOffAndStopsAtTheLimit() {
        ok(berth.run("run", "-d", "--name", "flaky", "--restart", "on-failure:2", "busybox", "sh", "-c", "echo try; exit 3"));
        Wait.until("two restarts and a final exit", Duration.ofSeconds(30),
                () -> berth.run("logs", "flaky").out().lines().count() == 3 && state("flaky", "Status").equals("exited"));
        assertThat(state("flaky", "RestartCount")).isEqualTo("2");
        assertThat(state("flaky", "ExitCode")).isEqualTo("3");
    }

    @Test
    void aRestartedContainerKeepsItsOomScoreAdjustment() {
        ok(berth.run("run", "-d", "--name", "scored", "--restart", "on-failure:1", "--oom-score-adj", "321", "busybox",
                "sh", "-c", "cat /proc/self/oom_score_adj; exit 1"));
        Wait.until("one restart and a final exit", Duration.ofSeconds(30),
                () -> berth.run("logs", "scored").out().lines().count() == 2 && state("scored", "Status").equals("exited"));
        assertThat(berth.run("logs", "scored").out()).isEqualTo("321\n321\n");
        ok(berth.run("start", "scored"));
        Wait.until("the started container to exit", Duration.ofSeconds(30),
                () -> berth.run("logs", "scored").out().lines().count() >= 3 && state("scored", "Status").equals("exited"));
        assertThat(berth.run("logs", "scored").out()).startsWith("321\n321\n321\n");
    }

    @Test
    void tenConcurrentDetachedRunsGetTenNamesAndAddresses() throws Exception {
        ok(berth.run("run", "-d", "--name", "warm", "busybox", "true")); // the supervisor is up before the rush
        List<Process> runs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            runs.add(berth.start("run", "-d", "busybox", "sleep", "60"));
        }
        for (Process p : runs) {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(new String(p.getErrorStream().readAllBytes())).isZero();
        }
        List<String> ids = ok(berth.run("ps", "-q")).out().lines().toList();
        assertThat(ids).hasSize(10);
        List<String> names = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        for (String id : ids) {
            names.add(state(id, "Name"));
            addresses.add(state(id, "IPAddress"));
        }
        assertThat(names).doesNotHaveDuplicates();
        assertThat(addresses).doesNotHaveDuplicates().allMatch(a -> a.matches("172\\.\\d+\\.0\\.\\d+"));
    }

    @Test
    void killingTheSupervisorLeavesContainersRunningAndANewOneAdoptsThem() {
        ok(berth.run("run", "-d", "--name", "survivor", "busybox", "sleep", "300"));
        String daemon = supervisorPid();
        assertThat(daemon).isNotNull();
        ok(BerthCli.host("kill", "-9", daemon));
        Wait.until("the supervisor to die", Duration.ofSeconds(10), () -> !daemon.equals(supervisorPid()));
        assertThat(ok(berth.run("ps")).out()).contains("survivor").contains("Up ");
        ok(berth.run("run", "-d", "--name", "after", "busybox", "sleep", "300")); // starts a new supervisor
        assertThat(ok(berth.run("ps")).out()).contains("survivor").contains("after");
        ok(berth.run("stop", "-t", "1", "survivor"));
        assertThat(state("survivor", "Status")).isEqualTo("exited");
        // output written while no supervisor ran is kept, not lost and not fatal to the container
        ok(berth.run("run", "-d", "--name", "chatty", "busybox", "sh", "-c", "echo before; sleep 2; echo during; sleep 300"));
        Wait.until("the first line", Duration.ofSeconds(20), () -> berth.run("logs", "chatty").out().contains("before"));
        ok(BerthCli.host("kill", "-9", supervisorPid()));
        Wait.until("the supervisor to die", Duration.ofSeconds(10), () -> supervisorPid() == null);
        ok(berth.run("run", "-d", "--name", "restarter", "busybox", "true")); // a new supervisor adopts chatty
        Wait.until("the line written meanwhile", Duration.ofSeconds(20), () -> berth.run("logs", "chatty").out().contains("during"));
        assertThat(ok(berth.run("ps")).out()).contains("chatty");
    }

    @Test
    void namesAndAliasesResolveBetweenContainersOnAUserNetwork() {
        ok(berth.run("network", "create", "--subnet", "10.55.0.0/24", "app"));
        try {
            ok(berth.run("run", "-d", "--network", "app", "--name", "api", "--network-alias", "backend", "--ip", "10.55.0.10",
                    "busybox", "sleep", "300"));
            ok(berth.run("run", "-d", "--network", "app", "--name", "api2", "--network-alias", "backend", "--ip", "10.55.0.11",
                    "busybox", "sleep", "300"));
            String out = ok(berth.run("run", "--rm", "--network", "app", "busybox", "sh", "-c",
                    "nslookup -type=a api; nslookup -type=a backend; nslookup 10.55.0.11; ping -c1 -W2 api2 | head -1")).out();
            assertThat(out).contains("Name:\tapi\nAddress: 10.55.0.10")
                    .contains("Address: 10.55.0.10").contains("Address: 10.55.0.11")
                    .contains("name = api2").contains("PING api2 (10.55.0.11)");
            assertThat(ok(berth.run("run", "--rm", "--network", "app", "busybox", "cat", "/etc/resolv.conf")).out())
                    .contains("nameserver 10.55.0.1");
        } finally {
            berth.run("rm", "-f", "api", "api2");
            berth.run("network", "rm", "app");
        }
    }

    @Test
    void badRequestsAreOneLineErrors() {
        ok(berth.run("run", "-d", "--name", "once", "busybox", "true"));
        assertThat(ok(berth.run("wait", "once")).out()).isEqualTo("0\n");
        for (String[] args : List.of(new String[] {"exec", "once", "true"}, new String[] {"stop", "once"},
                new String[] {"logs", "nobody-here"}, new String[] {"kill", "once"},
                new String[] {"run", "--restart", "sometimes", "-d", "busybox", "true"},
                new String[] {"run", "--restart", "always", "busybox", "true"})) {
            Result r = berth.run(args);
            assertThat(r.exitCode()).as(String.join(" ", args)).isEqualTo(125);
            assertThat(r.err().lines()).as(String.join(" ", args)).hasSize(1);
        }
        Result second = berth.run("daemon");
        assertThat(second.exitCode()).isEqualTo(125);
        assertThat(second.err()).contains("already running");
    }
}
