package dev.berth.cli;

import dev.berth.api.RunOptions;
import dev.berth.image.ImageRecord;
import dev.berth.linux.Libc;
import dev.berth.state.BerthPaths;
import dev.berth.state.ContainerRecord;
import dev.berth.state.Directories;
import dev.berth.json.Json;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The workload the launcher records a JDK AOT cache from ({@code -XX:AOTCacheOutput}): it loads and
 * links what a typical command needs (picocli's model of every verb, JSON records, the libc bindings)
 * without touching any state or running a container, so it needs no root.
 */
final class AotTraining {
    static final String FLAG = "--aot-training";
    /** berth-oci's cache's workload: its verbs on a bundle (a container only as root). */
    static final String OCI_FLAG = "--aot-training-oci";

    private AotTraining() {}

    static int run() throws Exception {
        for (String[] args : List.of(new String[] {"run", "--rm", "-i", "-e", "A=B", "-w", "/", "busybox", "true"},
                new String[] {"ps", "-a"}, new String[] {"image", "ls"}, new String[] {"rm", "-f", "x"})) {
            CommandLine cli = new CommandLine(new Main());
            Main.addSubcommands(cli, null);
            cli.parseArgs(args);
        }
        ContainerRecord record = ContainerRecord.beingCreated("0".repeat(64), "n", "2026-01-01T00:00:00Z",
                new ContainerRecord.Source("busybox", null, "/", null, List.of("true")), 1, 1,
                new ContainerRecord.Network("none", null, List.of(), List.of()), new ContainerRecord.Policy(true, "no", 0, false));
        Json.parse(Json.render(record), ContainerRecord.class);
        Json.parse(Json.render(new ImageRecord("sha256:" + "0".repeat(64), List.of("docker.io/library/b:latest"), List.of(),
                "t", "s", List.of("0".repeat(64)), dev.berth.image.ImageConfig.command(List.of("sh")), 0, "linux/amd64", null)),
                ImageRecord.class);
        Json.render(RunOptions.of("busybox", List.of("true")));
        Libc.linkAll();
        speakToARegistry();
        if (Libc.geteuid() == 0) {
            runAContainer();
        }
        return 0;
    }

    /** A pull's start: the JDK's HTTP client against a stand-in registry on loopback (its classes are many). */
    private static void speakToARegistry() throws Exception {
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 4);
        byte[] manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestURI().getPath().contains("/manifests/") ? manifest : new byte[0];
            exchange.getResponseHeaders().set("Content-Type", "application/vnd.oci.image.manifest.v1+json");
            exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
            try (var out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        try {
            var client = dev.berth.registry.RegistryClient.connect("127.0.0.1:" + server.getAddress().getPort(),
                    java.util.Optional.empty(), java.util.Set.of());
            client.manifest("training/image", "latest");
            dev.berth.image.ImageReference.parse("127.0.0.1:5000/training/image:latest").familiar();
        } finally {
            server.stop(0);
        }
    }

    /** As root, the real thing: a busybox container in throw-away roots, so its code paths are cached too. */
    private static void runAContainer() throws Exception {
        Path scratch = Files.createTempDirectory("berth-aot-training-");
        Lifecycle.autoSupervisor = false; // no supervisor outlives the training
        try {
            Main.execute("--root=" + scratch.resolve("root"), "--run-root=" + scratch.resolve("run"),
                    "run", "--rm", "--network", "none", "busybox", "true"); // no kernel object outlives it
        } finally {
            Directories.deleteTree(scratch);
        }
    }

    /**
     * berth-oci's verbs on a one-binary busybox bundle (its default spec, without a terminal), so an
     * engine's every call starts from the cache: run is create, start, wait and delete in one JVM.
     */
    static void runAnOciBundle() throws Exception {
        dev.berth.oci.OciCli.execute("--root=/nonexistent", "state", "none"); // what every call does: parse, answer
        dev.berth.oci.OciCli.execute("--help");
        if (Libc.geteuid() != 0 || !Files.isExecutable(Path.of("/bin/busybox"))) {
            return;
        }
        Path scratch = Files.createTempDirectory("berth-aot-training-");
        try {
            Path bundle = scratch.resolve("bundle");
            Files.createDirectories(bundle.resolve("rootfs/bin"));
            Files.copy(Path.of("/bin/busybox"), bundle.resolve("rootfs/bin/busybox"));
            Files.createSymbolicLink(bundle.resolve("rootfs/bin/true"), Path.of("busybox"));
            String root = "--root=" + scratch.resolve("oci");
            dev.berth.oci.OciCli.execute("spec", "--bundle", bundle.toString());
            Path config = bundle.resolve("config.json");
            Files.writeString(config, Files.readString(config).replace("\"terminal\": true", "\"terminal\": false")
                    .replace("\"sh\"]", "\"true\"]").replace("\"readonly\": true", "\"readonly\": false"));
            String id = "berth-aot-training-" + ProcessHandle.current().pid(); // its group: /berth-oci/ID, removed after
            dev.berth.oci.OciCli.execute(root, "run", "--bundle", bundle.toString(), id);
            for (String[] args : List.of(new String[] {root, "state", id}, new String[] {root, "list"},
                    new String[] {root, "delete", "--force", id}, new String[] {root, "features"})) {
                dev.berth.oci.OciCli.execute(args);
            }
        } finally {
            Directories.deleteTree(scratch);
        }
    }
}
