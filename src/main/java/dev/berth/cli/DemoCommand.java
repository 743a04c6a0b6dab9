package dev.berth.cli;

import dev.berth.api.Host;
import dev.berth.api.Berth;
import dev.berth.api.Container;
import dev.berth.api.RunOptions;
import dev.berth.image.BusyboxImage;
import dev.berth.runtime.ContainerProcess;
import dev.berth.runtime.ContainerStarter;
import dev.berth.state.BerthPaths;
import dev.berth.state.ContainerRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code berth demo}: the tutorial's Part 2, end to end, narrated, with the kernel operations berth
 * performs shown as the tutorial's own commands. Every packet stays on this machine.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "The tutorial's scenario end to end: isolated containers with their own addresses, a "
                + "service the host's sockets cannot see, two servers on port 80 at once, then a clean teardown.")
final class DemoCommand implements Callable<Integer> {
    private static final String PAGE = "Hello from the Container!";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private PrintWriter out;
    private Berth berth;
    private final List<String> containers = new ArrayList<>();
    private final List<ContainerProcess> processes = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        Main main = (Main) spec.root().userObject();
        Main.requireRoot();
        berth = new Berth(new BerthPaths(main.root, main.runRoot), command -> {
            out.println("    $ " + command);
            out.flush();
        });
        List<String> networksBefore = berth.listNetworks().stream().map(n -> n.name()).toList();
        String suffix = Long.toHexString(System.nanoTime() & 0xffffff);
        try {
            step("0. The root filesystem (Part 1's my_container): berth's built-in busybox image");
            if (!berth.hasImage(BusyboxImage.NAME)) {
                berth.ensureBusyboxImage();
            }
            dev.berth.image.ImageRecord image = berth.image(BusyboxImage.NAME);
            say("image busybox: " + image.id() + ", one layer in " + berth.paths().imageLayer(image.layers().getFirst()));

            step("1-5. A container in its own network namespace, wired to the host by a veth pair "
                    + "(the tutorial's exact topology: --network veth)");
            ContainerRecord web = start("web-" + suffix, "veth", 8080, PAGE);
            String ip = web.attachment().ipAddress();
            say("container " + web.name() + " has " + ip + "/" + web.attachment().prefixLength()
                    + "; the host end " + web.attachment().hostInterface() + " has " + web.attachment().gateway());

            step("6. Host <-> container connectivity");
            say("host -> " + ip + ": " + (InetAddress.getByName(ip).isReachable(2000) ? "reachable" : "NOT reachable"));
            String pong = runToEnd("ping-" + suffix, "veth", "ping", "-c", "1", "-W", "2", web.attachment().gateway());
            say("container -> host (" + web.attachment().gateway() + "): "
                    + pong.lines().filter(l -> l.contains("bytes from")).findFirst().orElse("no answer"));

            step("Section 5. A service on :8080 inside the container");
            say("listening on :8080 in the host's own namespace? "
                    + (Host.listens(Path.of("/proc/self/net"), 8080) ? "yes" : "no (ss -tln shows nothing)"));
            say("listening on :8080 in the container's namespace? "
                    + (Host.listens(Path.of("/proc/" + web.pid() + "/net"), 8080) ? "yes" : "no"));
            say("curl http://" + ip + ":8080/  ->  " + get(ip, 8080));

            step("Isolation: two containers both listen on port 80, each at its own address (default bridge "
                    + "network berth0)");
            ContainerRecord a = start("web80a-" + suffix, "berth0", 80, "first server on port 80");
            ContainerRecord b = start("web80b-" + suffix, "berth0", 80, "second server on port 80");
            say("curl http://" + a.attachment().ipAddress() + "/  ->  " + get(a.attachment().ipAddress(), 80));
            say("curl http://" + b.attachment().ipAddress() + "/  ->  " + get(b.attachment().ipAddress(), 80));

            step("The tutorial's tools still work: ip netns list");
            try (var pins = Files.list(Path.of("/run/netns"))) {
                pins.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("berth-") && n.endsWith(suffix))
                        .sorted().forEach(n -> say(n));
            }
        } finally {
            step("Teardown");
            for (String name : containers.reversed()) {
                try {
                    berth.remove(name, true);
                } catch (RuntimeException e) {
                    say("could not remove " + name + ": " + e.getMessage());
                }
            }
            processes.forEach(p -> {
                p.waitFor();
                p.close();
            });
            for (var network : berth.listNetworks()) {
                if (!networksBefore.contains(network.name())) {
                    berth.removeNetwork(network.name());
                }
            }
            // the kernel frees a removed container's veth pair with its namespace, moments later
            long left = berth.hostVeths();
            for (int polls = 0; left > 0 && polls < 100; polls++) {
                Thread.sleep(20);
                left = berth.hostVeths();
            }
            say("veth pairs left on the host: " + left);
        }
        step("Done: every namespace, veth and address the demo made is gone.");
        return 0;
    }

    private ContainerRecord start(String name, String network, int port, String text) throws Exception {
        Container c = berth.create(RunOptions.builder().image(BusyboxImage.NAME).command(List.of("sh", "-c",
                "mkdir -p /www && echo '" + text + "' > /www/index.html && exec httpd -f -p " + port + " -h /www"))
                .name(name).autoRemove(true).network(network).build());
        containers.add(name);
        processes.add(berth.start(c, ContainerStarter.Stdin.NULL));
        ContainerRecord record = berth.inspect(name);
        awaitPort(record.attachment().ipAddress(), port);
        return record;
    }

    /** Runs a short command in a throw-away container and returns what it printed. */
    private String runToEnd(String name, String network, String... command) throws Exception {
        Path output = Files.createTempFile("berth-demo", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                    "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-cp", System.getProperty("java.class.path"),
                    Main.class.getName(), "--root=" + berth.paths().root(), "--run-root=" + berth.paths().runRoot(),
                    "run", "--rm", "--name", name, "--network", network, "busybox");
            pb.command().addAll(List.of(command));
            pb.environment().put("BERTH_AUTO_SUPERVISOR", "0"); // the demo leaves nothing running behind it
            Process p = pb.redirectErrorStream(true).redirectOutput(output.toFile()).start();
            p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            p.destroyForcibly();
            return Files.readString(output);
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static void awaitPort(String ip, int port) throws InterruptedException {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(ip, port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("nothing answered on " + ip + ":" + port + " within 5 s");
    }

    /** A minimal HTTP/1.0 GET: the last line of the body. */
    private static String get(String ip, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(ip, port), 2000);
            s.setSoTimeout(5000);
            OutputStream o = s.getOutputStream();
            o.write(("GET / HTTP/1.0\r\nHost: " + ip + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            o.flush();
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return response.strip().lines().reduce((first, second) -> second).orElse("");
        }
    }

    private void step(String title) {
        out.println();
        out.println("== " + title);
        out.flush();
    }

    private void say(String line) {
        out.println("   " + line);
        out.flush();
    }
}
