package dev.berth.daemon;

import dev.berth.state.BerthPaths;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The launcher's shell client against the supervisor's door: what a command line carries over, and
 * when the client runs the command itself. The client is the launcher's own code, up to where it
 * would start a JVM (there it prints "ran here" and exits 99).
 */
class ClientDoorTest {
    @TempDir
    Path dir;
    BerthPaths paths;
    Path client;
    ClientDoor door;
    volatile ClientDoor.Host supervisor = (argv, pid, pidfd, signals) -> "exit 0";

    record Result(int exitCode, String out, String err) {}

    @BeforeEach
    void openTheDoor() throws Exception {
        paths = new BerthPaths(dir.resolve("root"), dir.resolve("run"));
        door = ClientDoor.open(paths.clientDoor(), (argv, pid, pidfd, signals) -> supervisor.serve(argv, pid, pidfd, signals),
                100);
        String launcher = Files.readString(Path.of("berth"));
        client = dir.resolve("client.sh");
        Files.writeString(client, launcher.substring(0, launcher.indexOf("\ncase \"$0\" in"))
                + "\necho ran here\nexit 99\n");
    }

    @AfterEach
    void closeTheDoor() {
        door.close();
    }

    Process start(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("sh", client.toString(), "--root", paths.root().toString(),
                "--run-root=" + paths.runRoot()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().put("GREETING", "hi there");
        builder.environment().remove("BERTH_NO_DELEGATION");
        return builder.start();
    }

    static Result finish(Process p) throws Exception {
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("the client ends").isTrue();
        return new Result(p.exitValue(), out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS));
    }

    Result run(String... args) throws Exception {
        return finish(start(args));
    }

    static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Test
    void theSupervisorRunsTheClientsCommandLineInItsEnvironmentDirectoryAndStreams() throws Exception {
        supervisor = (argv, pid, pidfd, signals) -> {
            try (Invocation invocation = Delegation.accept(argv, pid, pidfd, signals, paths, request -> null)) {
                invocation.out().print(String.join("|", invocation.argv()) + "\n" + invocation.env().get("GREETING")
                        + "\n" + invocation.cwd() + "\n");
                invocation.err().print("to stderr\n");
            }
            return "exit 7";
        };
        String tricky = "echo \"quoted\" \\back\\slash\n\ttab ünïcode ☃ $HOME `x` '";
        Result r = run("run", "--rm", "busybox", "sh", "-c", tricky, "");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(7);
        assertThat(r.out()).isEqualTo("--root|" + paths.root() + "|--run-root=" + paths.runRoot() + "|run|--rm|busybox|sh|-c|"
                + tricky + "|\nhi there\n" + dir.toRealPath() + "\n");
        assertThat(r.err()).isEqualTo("to stderr\n");
    }

    @Test
    void signalsTheClientGetsReachTheCommandItRuns() throws Exception {
        CountDownLatch listening = new CountDownLatch(1);
        supervisor = (argv, pid, pidfd, signals) -> {
            CompletableFuture<Integer> signal = new CompletableFuture<>();
            signals.accept(signal::complete);
            listening.countDown();
            try {
                return "exit " + (128 + signal.get(15, TimeUnit.SECONDS));
            } catch (Exception e) {
                return "exit 1";
            }
        };
        Process p = start("run", "busybox", "sleep", "300");
        assertThat(listening.await(15, TimeUnit.SECONDS)).isTrue();
        p.destroy(); // SIGTERM
        Result r = finish(p);
        assertThat(r.exitCode()).as(r.err()).isEqualTo(143);
        assertThat(r.err()).isEmpty();
    }

    @Test
    void aSignalThatComesAfterItsClientsAnswerNeverReachesTheNextClientOfTheSlot() throws Exception {
        supervisor = (argv, pid, pidfd, signals) -> "exit 0";
        Process first = start("run", "busybox", "true");
        long firstPid = first.pid();
        assertThat(finish(first).exitCode()).isZero();
        Files.writeString(paths.clientDoor().resolve("door"), "0 " + firstPid + " signal 2\n"); // a late Ctrl-C
        supervisor = (argv, pid, pidfd, signals) -> {
            CompletableFuture<Integer> signal = new CompletableFuture<>();
            signals.accept(signal::complete);
            try {
                return "exit " + (128 + signal.get(500, TimeUnit.MILLISECONDS));
            } catch (Exception none) {
                return "exit 0";
            }
        };
        assertThat(run("run", "busybox", "true").exitCode()).isZero();
    }

    @Test
    void aClaimWhoseClientDiedBeforeKnockingIsGivenBack() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor(10, TimeUnit.SECONDS);
        Path claim = paths.clientDoor().resolve("claim.0");
        Files.writeString(claim, gone.pid() + "\0run\0");
        Files.setLastModifiedTime(claim, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        dev.berth.testing.Wait.until("the claim to go", java.time.Duration.ofSeconds(10), () -> !Files.exists(claim));
        assertThat(run("ps").exitCode()).as("slot 0 serves again").isZero();
    }

    @Test
    void eachClientReadsItsOwnAnswerOneAfterAnotherAndSideBySide() throws Exception {
        supervisor = (argv, pid, pidfd, signals) -> "exit " + argv.getLast();
        for (int i = 1; i <= 3; i++) {
            assertThat(run("inspect", String.valueOf(i)).exitCode()).isEqualTo(i);
        }
        List<Process> clients = new ArrayList<>();
        for (int i = 10; i < 20; i++) {
            clients.add(start("wait", String.valueOf(i)));
        }
        for (int i = 10; i < 20; i++) {
            assertThat(finish(clients.get(i - 10)).exitCode()).isEqualTo(i);
        }
        assertThat(Files.list(paths.clientDoor()).map(f -> f.getFileName().toString()))
                .as("every claim is given back").noneMatch(name -> name.startsWith("claim."));
    }

    @Test
    void aDeclinedCommandOrAnotherVerbRunsInTheClientItself() throws Exception {
        supervisor = (argv, pid, pidfd, signals) -> "local";
        assertThat(run("run", "busybox", "true")).isEqualTo(new Result(99, "ran here\n", ""));
        supervisor = (argv, pid, pidfd, signals) -> "exit 0";
        assertThat(run("run", "busybox", "true").exitCode()).as("the slot is free again").isZero();
        supervisor = (argv, pid, pidfd, signals) -> "exit 3";
        assertThat(run("image", "ls")).isEqualTo(new Result(99, "ran here\n", ""));
        assertThat(run("--oci-runtime", "run", "x")).isEqualTo(new Result(99, "ran here\n", ""));
    }

    @Test
    void anErrorOutsideTheCommandIsOneLineAndExitCode125() throws Exception {
        supervisor = (argv, pid, pidfd, signals) -> "error cannot do that";
        assertThat(run("ps")).isEqualTo(new Result(125, "", "berth: cannot do that\n"));
    }

    @Test
    void withoutASupervisorOrAFreeSlotTheClientRunsTheCommandItself() throws Exception {
        for (int k = 0; k < ClientDoor.SLOTS; k++) {
            Files.writeString(paths.clientDoor().resolve("claim." + k), ProcessHandle.current().pid() + "\0");
        }
        assertThat(run("ps")).isEqualTo(new Result(99, "ran here\n", ""));
        door.close();
        assertThat(run("ps")).isEqualTo(new Result(99, "ran here\n", ""));
    }
}
