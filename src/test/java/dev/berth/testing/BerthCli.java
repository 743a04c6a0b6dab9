package dev.berth.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the packaged berth CLI as its own process, the way a user does, with state and run roots of
 * its own so tests never share state with each other or with the machine.
 */
public final class BerthCli {
    public static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Path root;
    private final Path runRoot;

    public BerthCli(Path dir) {
        this.root = dir.resolve("root");
        this.runRoot = dir.resolve("run");
    }

    public Path root() {
        return root;
    }

    /** This instance's paths, and with them the names its kernel objects get (bridge, veths, pins, table). */
    public dev.berth.state.BerthPaths paths() {
        return new dev.berth.state.BerthPaths(root, runRoot);
    }

    /** A host veth end of any installation: vb + 11 hex digits (the default root's), or vID- + 8. */
    public static final String ANY_HOST_VETH = "(?:vb[0-9a-f]{11}|v[0-9a-f]{4}-[0-9a-f]{8})";

    public record Result(int exitCode, String out, String err) {
        public String describe() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /**
     * The command line that starts berth with this instance's roots: the launcher, as a user runs it
     * (with a supervisor running, its shell code hands the command over; otherwise it starts the jar).
     */
    public List<String> command(String... args) {
        List<String> command = new ArrayList<>();
        command.add(launcher().toString());
        command.add("--root=" + root);
        command.add("--run-root=" + runRoot);
        command.addAll(List.of(args));
        return command;
    }

    /** Where a JVM the tests start writes its crash report (hs_err): never the work tree. */
    public static Path crashDir() {
        return Path.of(System.getProperty("berth.crashDir", "target/crash"));
    }

    /** The launcher beside the jar's target directory: ./berth. */
    public static Path launcher() {
        return jar().toAbsolutePath().getParent().resolveSibling("berth");
    }

    /** The environment every berth process of the tests gets: its cgroup parent, where a JVM crash report goes. */
    public static void environment(java.util.Map<String, String> env) {
        env.put("BERTH_CGROUP_PARENT", CGROUP_PARENT);
        env.putIfAbsent("BERTH_AUTO_SUPERVISOR", "0");
        env.put("BERTH_JAVA_OPTIONS", "-XX:ErrorFile=" + crashDir().toAbsolutePath().resolve("hs_err_pid%p.log"));
        env.put("BERTH_NO_INSTALL", "1");
    }

    public static Path jar() {
        Path jar = Path.of(System.getProperty("berth.jar", "target/berth.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no berth jar at " + jar + ": run through ./mvnw verify");
        }
        return jar;
    }

    public Result run(String... args) {
        return runWithInput(null, args);
    }

    public Result runWithInput(String stdin, String... args) {
        return exec(new ProcessBuilder(command(args)), stdin);
    }

    /** Runs berth with a file as its standard input (a tar stream for {@code cp -}). */
    public Result runWithInputFrom(Path input, String... args) {
        return exec(new ProcessBuilder(command(args)).redirectInput(input.toFile()), null);
    }

    /** Runs berth with its standard output into a file (binary output: {@code cp CTR:PATH -}). */
    public Result runWithOutputTo(Path output, String... args) {
        ProcessBuilder builder = new ProcessBuilder(command(args)).redirectOutput(output.toFile());
        return exec(builder, null);
    }

    /** Starts berth without waiting: for tests that signal or kill it. */
    public Process start(String... args) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command(args));
            environment(builder.environment());
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The cgroup parent of every container this test run starts, so it never mixes with a real berth's
     * or with another test run on the same machine (cgroups are not namespaced by the sandbox).
     */
    public static final String CGROUP_PARENT = "berth-test-" + ProcessHandle.current().pid();

    /**
     * Runs a command to its end (bounded). berth's own processes start no supervisor after a foreground
     * run here (BERTH_AUTO_SUPERVISOR=0) unless the test's builder says otherwise: each test class's
     * roots would keep one running.
     */
    public static Result exec(ProcessBuilder builder, String stdin) {
        environment(builder.environment());
        try {
            Path out = Files.createTempFile("berth-out", ".txt");
            Path err = Files.createTempFile("berth-err", ".txt");
            try {
                if (builder.redirectOutput() == ProcessBuilder.Redirect.PIPE) {
                    builder.redirectOutput(out.toFile());
                }
                builder.redirectError(err.toFile());
                if (stdin == null && builder.redirectInput() == ProcessBuilder.Redirect.PIPE) {
                    builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                }
                Process process = builder.start();
                if (stdin != null) {
                    try (var in = process.getOutputStream()) {
                        in.write(stdin.getBytes(StandardCharsets.UTF_8));
                    }
                }
                if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                    throw new AssertionError("timed out after " + TIMEOUT + ": " + builder.command());
                }
                return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A privileged test's berth: its own roots under dir, with the busybox image created. */
    public static BerthCli withBusybox(Path dir) {
        Privileged.require();
        BerthCli berth = new BerthCli(dir);
        Result image = berth.run("image", "create", "busybox");
        if (image.exitCode() != 0) {
            throw new AssertionError("cannot create the busybox image: " + image.describe());
        }
        return berth;
    }

    /** The directories of an image's layers, top first, as {@code image inspect} shows them (GraphDriver.Data.LowerDir). */
    public List<Path> imageLayers(String image) {
        Result inspect = run("image", "inspect", image);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"LowerDir\" : \"([^\"]+)\"").matcher(inspect.out());
        if (inspect.exitCode() != 0 || !m.find()) {
            throw new AssertionError("cannot inspect image " + image + ": " + inspect.describe());
        }
        return java.util.Arrays.stream(m.group(1).split(":")).map(Path::of).toList();
    }

    /** Removes every container, killing running ones. */
    public void removeContainers() {
        for (String id : run("ps", "-a", "-q").out().lines().toList()) {
            run("rm", "-f", id);
        }
    }

    /** Removes every container (killing running ones) and every network of this instance. */
    public void removeEverything() {
        removeContainers();
        for (String line : run("network", "ls").out().lines().skip(1).toList()) {
            run("network", "rm", line.split("\\s+")[1]);
        }
        run("daemon", "--stop");
    }

    /** Runs a host tool as an independent observer (ip, ss, mount…). */
    public static Result host(String... command) {
        return exec(new ProcessBuilder(command), null);
    }

    /**
     * The sandbox's links once the kernel has freed every torn-down container veth (berth drops a
     * namespace and lets the kernel free the pair in it, asynchronously): waits, bounded, for no link
     * named as a host veth end to be left, and returns the names of the links.
     */
    public static List<String> linksOnceVethsAreFreed() {
        Wait.until("the kernel to free the veth pairs of removed containers", Duration.ofSeconds(10),
                () -> host("ip", "-o", "link").out().lines().noneMatch(l -> l.split(": ")[1].replaceAll("@.*", "").matches(ANY_HOST_VETH)));
        return host("ip", "-o", "link").out().lines().map(l -> l.split(": ")[1].replaceAll("@.*", "")).toList();
    }
}
