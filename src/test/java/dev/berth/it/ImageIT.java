package dev.berth.it;

import dev.berth.image.Digest;
import dev.berth.testing.BerthCli;
import dev.berth.testing.BerthCli.Result;
import dev.berth.testing.OciLayout;
import dev.berth.testing.OciLayout.Blob;
import dev.berth.testing.OciLayout.Compression;
import dev.berth.testing.Privileged;
import dev.berth.testing.Registry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Images from a registry: a real one (Debian's docker-registry on 127.0.0.1 in the sandbox), seeded by
 * skopeo with OCI layouts this test writes (a busybox base layer, a zstd layer with a whiteout and an
 * opaque directory, a two-platform index, hostile and corrupted images). What is pulled is checked by
 * running it and by looking into berth's store from the host.
 */
class ImageIT {
    @TempDir
    static Path dir;
    static BerthCli berth;
    static Registry registry;
    static Blob base;
    static String app;

    @BeforeAll
    static void registryWithImages() throws IOException {
        Privileged.require();
        berth = new BerthCli(dir.resolve("berth"));
        registry = Registry.start(Files.createDirectories(dir.resolve("registry")), null);
        OciLayout layout = new OciLayout(dir.resolve("layout"));
        byte[] busybox = Files.readAllBytes(Path.of("/bin/busybox"));
        base = layout.layer(Compression.GZIP, tar -> {
            tar.dir("bin").file("bin/busybox", busybox, 0755);
            for (String applet : List.of("sh", "cat", "ls", "echo", "id", "pwd", "test", "sleep")) {
                tar.symlink("bin/" + applet, "busybox");
            }
            tar.dir("etc").file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n")
                    .file("etc/group", "root:x:0:\napp:x:1000:\n").file("etc/motd", "base\n").file("etc/gone", "x\n")
                    .dir("var").dir("var/cache").file("var/cache/stale", "old\n").dir("srv").dir("home/app");
        });
        Blob top = layout.layer(Compression.ZSTD, tar -> tar.dir("etc").file("etc/.wh.gone", "")
                .dir("var/cache").file("var/cache/.wh..wh..opq", "").file("var/cache/fresh", "new\n")
                .dir("srv").file("srv/data", "from the top layer\n"));
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("Env", List.of("PATH=/bin", "GREETING=hello"));
        config.put("Cmd", List.of("sh", "-c", "echo $GREETING from $(pwd) as $(id -u); cat data"));
        config.put("WorkingDir", "/srv");
        config.put("User", "app");
        config.put("ExposedPorts", Map.of("8080/tcp", Map.of()));
        config.put("Labels", Map.of("org.example.role", "test"));
        config.put("StopSignal", "SIGUSR1");
        Blob amd64 = layout.image("amd64", config, List.of(base, top), null);
        Blob arm64 = layout.image("arm64", Map.of("Cmd", List.of("sh")), List.of(base), null);
        layout.tag("app", layout.index(new LinkedHashMap<>(Map.of(amd64, "linux/amd64", arm64, "linux/arm64"))));
        layout.tag("base", layout.image("amd64", Map.of("Cmd", List.of("sh", "-c", "echo base")), List.of(base), null));
        Blob escaping = layout.layer(Compression.GZIP, tar -> tar.file("../../escaped", "owned\n"));
        layout.tag("escaping", layout.image("amd64", Map.of("Cmd", List.of("sh")), List.of(escaping), null));
        Blob throughLink = layout.layer(Compression.GZIP, tar -> tar.symlink("etc", dir.resolve("outside").toString())
                .file("etc/passwd", "owned\n"));
        layout.tag("through-link", layout.image("amd64", Map.of("Cmd", List.of("sh")), List.of(throughLink), null));
        layout.tag("wrong-diff-id", layout.image("amd64", Map.of("Cmd", List.of("sh")), List.of(top),
                List.of(Digest.of("not this layer".getBytes()))));
        Blob doomed = layout.layer(Compression.GZIP, tar -> tar.file("doomed", "these bytes will be changed\n"));
        layout.tag("corrupted", layout.image("amd64", Map.of("Cmd", List.of("sh")), List.of(base, doomed), null));
        registry.push(layout, "app", "test/first-run:1.0", null);
        for (String name : List.of("app", "base", "escaping", "through-link", "wrong-diff-id", "corrupted")) {
            registry.push(layout, name, "test/" + name + ":1.0", null);
        }
        app = registry.host() + "/test/app:1.0";
        Path corrupt = registry.blobFile(doomed.digest());
        byte[] bytes = Files.readAllBytes(corrupt);
        bytes[bytes.length / 2] ^= 0x55; // the registry now serves bytes that do not match their digest
        Files.write(corrupt, bytes);
    }

    @AfterAll
    static void stop() {
        try {
            if (berth != null) {
                berth.removeEverything(); // containers, and the default network their runs created
                for (String id : berth.run("image", "ls", "-q").out().lines().toList()) {
                    berth.run("image", "rm", id);
                }
                assertThat(layers()).as("layers left after every image is removed").isEmpty();
            }
        } finally {
            if (registry != null) {
                registry.close();
            }
        }
    }

    static Result ok(Result result) {
        assertThat(result.exitCode()).as(result.describe()).isZero();
        return result;
    }

    static List<String> layers() {
        Path layers = berth.root().resolve("images/layers");
        if (!Files.isDirectory(layers)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(layers)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void runPullsAMissingImageAndRunsItsOwnCommandWithItsEnvironmentUserAndWorkingDirectory() {
        String fresh = registry.host() + "/test/first-run:1.0"; // the app image, by a name no other test pulls
        Result run = ok(berth.run("run", "--rm", fresh));
        assertThat(run.out()).isEqualTo("hello from /srv as 1000\nfrom the top layer\n");
        assertThat(run.err()).contains("Unable to find image '" + fresh + "' locally")
                .containsPattern("[0-9a-f]{12}: (Pull complete|Already exists)");
        Result again = ok(berth.run("run", "--rm", fresh, "echo", "no pull the second time"));
        assertThat(again.err()).doesNotContain("Unable to find");
    }

    @Test
    void whiteoutsAndOpaqueDirectoriesOfUpperLayersHideWhatIsBelow() {
        ok(berth.run("pull", "-q", app));
        Result run = ok(berth.run("run", "--rm", "--user", "0", app, "sh", "-c",
                "ls /var/cache; test -e /etc/gone && echo gone-is-there; cat /etc/motd"));
        assertThat(run.out()).isEqualTo("fresh\nbase\n");
    }

    @Test
    void theEntrypointCanBeReplacedAndTheImageConfigurationIsInspectable() {
        ok(berth.run("pull", "-q", app));
        assertThat(ok(berth.run("run", "--rm", "--entrypoint", "echo", app, "replaced")).out()).isEqualTo("replaced\n");
        String inspect = ok(berth.run("image", "inspect", app)).out();
        assertThat(inspect).contains("\"GREETING=hello\"", "\"WorkingDir\" : \"/srv\"", "\"User\" : \"app\"",
                "\"8080/tcp\"", "\"org.example.role\" : \"test\"", "\"StopSignal\" : \"SIGUSR1\"", "\"Architecture\" : \"amd64\"",
                "\"RepoTags\" : [ \"" + app + "\" ]", "\"" + registry.host() + "/test/app@sha256:");
    }

    @Test
    void publishAllPutsEveryExposedPortOnAFreeHostPort() {
        ok(berth.run("pull", "-q", app));
        ok(berth.run("run", "-d", "-P", "-p", "9090", "--name", "published", app, "sleep", "60"));
        try {
            String ports = ok(berth.run("port", "published")).out();
            assertThat(ports).containsPattern("8080/tcp -> 0\\.0\\.0\\.0:[1-9][0-9]*")
                    .containsPattern("9090/tcp -> 0\\.0\\.0\\.0:[1-9][0-9]*");
            assertThat(ports.lines().map(l -> l.substring(l.lastIndexOf(':') + 1)).distinct()).hasSize(2);
        } finally {
            ok(berth.run("rm", "-f", "published"));
        }
    }

    @Test
    void stopSendsTheImagesStopSignalUnlessTheRunSaysOtherwise() {
        ok(berth.run("pull", "-q", app));
        String script = "trap 'echo got USR1; exit 0' USR1; trap 'echo got HUP; exit 0' HUP; echo ready; while :; do sleep 0.1; done";
        ok(berth.run("run", "-d", "--name", "graceful", app, "sh", "-c", script));
        ok(berth.run("run", "-d", "--name", "hup", "--stop-signal", "HUP", app, "sh", "-c", script));
        try {
            for (String name : List.of("graceful", "hup")) {
                dev.berth.testing.Wait.until(name + " to be ready", java.time.Duration.ofSeconds(10),
                        () -> berth.run("logs", name).out().contains("ready"));
                ok(berth.run("stop", "-t", "10", name));
            }
            assertThat(ok(berth.run("logs", "graceful")).out()).contains("got USR1");
            assertThat(ok(berth.run("logs", "hup")).out()).contains("got HUP");
            assertThat(ok(berth.run("inspect", "graceful")).out()).contains("\"ExitCode\" : 0");
        } finally {
            berth.run("rm", "-f", "graceful");
            berth.run("rm", "-f", "hup");
        }
    }

    @Test
    void concurrentPullsOfTheSameLayersUnpackEachOnceAndBothSucceed() throws Exception {
        BerthCli fresh = new BerthCli(dir.resolve("concurrent"));
        List<Process> pulls = List.of(fresh.start("pull", "-q", app), fresh.start("pull", "-q", registry.host() + "/test/first-run:1.0"),
                fresh.start("pull", "-q", app));
        try {
            for (Process pull : pulls) {
                assertThat(pull.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                String err = new String(pull.getErrorStream().readAllBytes());
                assertThat(pull.exitValue()).as(err).isZero();
                assertThat(err).as("a quiet pull (zstd decoder included) writes nothing on stderr").isEmpty();
            }
            try (Stream<Path> list = Files.list(fresh.root().resolve("images/layers"))) {
                assertThat(list.map(p -> p.getFileName().toString()).sorted().toList())
                        .as("two layers, each once, no staging left").hasSize(2).noneMatch(k -> k.startsWith("."));
            }
            assertThat(ok(fresh.run("run", "--rm", "--network", "none", app)).out()).contains("from the top layer");
        } finally {
            pulls.forEach(Process::destroyForcibly);
            for (String id : fresh.run("image", "ls", "-q").out().lines().toList()) {
                fresh.run("image", "rm", id);
            }
        }
    }

    @Test
    void aLayerSharedByTwoImagesIsStoredOnceAndRemovedWithTheLastOfThem() {
        String baseRef = registry.host() + "/test/base:1.0";
        ok(berth.run("pull", "-q", app));
        ok(berth.run("pull", "-q", baseRef));
        assertThat(layers()).contains(base.diffId().hex());
        assertThat(layers().stream().filter(k -> k.equals(base.diffId().hex()))).hasSize(1);
        Result pulled = ok(berth.run("pull", baseRef));
        assertThat(pulled.out()).contains(base.digest().shortHex() + ": Already exists");
        assertThat(ok(berth.run("run", "--rm", baseRef)).out()).isEqualTo("base\n");
        ok(berth.run("image", "rm", baseRef));
        assertThat(layers()).as("the base layer stays: the app image has it").contains(base.diffId().hex());
        assertThat(ok(berth.run("image", "ls")).out()).contains(registry.host() + "/test/app").doesNotContain("test/base");
    }

    @Test
    void anIndexGivesThisMachinesPlatformUnlessAnotherIsAskedFor() {
        String ref = registry.host() + "/test/app:1.0";
        ok(berth.run("pull", "-q", "--platform", "linux/arm64", ref));
        assertThat(ok(berth.run("image", "inspect", ref)).out()).contains("\"Architecture\" : \"arm64\"");
        ok(berth.run("pull", "-q", ref)); // the tag moves back to the amd64 image
        assertThat(ok(berth.run("image", "inspect", ref)).out()).contains("\"Architecture\" : \"amd64\"");
        Result none = berth.run("pull", "--platform", "linux/s390x", ref);
        assertThat(none.exitCode()).isEqualTo(125);
        assertThat(none.err()).contains("no image for linux/s390x").contains("linux/amd64").contains("linux/arm64");
        ok(berth.run("image", "prune")); // the arm64 image lost its name
    }

    @Test
    void hostileLayersFailThePullWriteNothingOutsideAndLeaveNoImage() {
        for (String name : List.of("escaping", "through-link")) {
            Result pull = berth.run("pull", registry.host() + "/test/" + name + ":1.0");
            assertThat(pull.exitCode()).as(pull.describe()).isEqualTo(125);
            assertThat(pull.err().strip().lines()).hasSize(1);
            assertThat(pull.err()).contains("refusing tar entry");
        }
        assertThat(dir.resolve("outside")).doesNotExist();
        assertThat(Path.of("/escaped")).doesNotExist();
        assertThat(dir.resolve("berth/root/escaped")).doesNotExist();
        assertNoImageNamed("escaping", "through-link");
    }

    @Test
    void contentThatDoesNotMatchItsDigestFailsThePullAndLeavesNoPartialLayer() {
        Result wrongDiffId = berth.run("pull", registry.host() + "/test/wrong-diff-id:1.0");
        assertThat(wrongDiffId.exitCode()).isEqualTo(125);
        assertThat(wrongDiffId.err()).contains("not to the diff_id");
        Result corrupted = berth.run("pull", registry.host() + "/test/corrupted:1.0");
        assertThat(corrupted.exitCode()).as(corrupted.describe()).isEqualTo(125);
        assertThat(corrupted.err()).contains("does not match its digest");
        assertNoImageNamed("wrong-diff-id", "corrupted");
        assertThat(layers()).noneMatch(k -> k.startsWith(".new-"));
    }

    @Test
    void saveAndLoadMoveImagesWithoutARegistryInTheFormatsSkopeoReadsAndWrites() {
        String baseRef = registry.host() + "/test/base:1.0";
        ok(berth.run("pull", "-q", baseRef));
        Path saved = dir.resolve("saved.tar");
        ok(berth.run("save", "-o", saved.toString(), baseRef));
        Result read = BerthCli.exec(new ProcessBuilder("skopeo", "inspect", "docker-archive:" + saved), null);
        assertThat(read.exitCode()).as("skopeo reads berth's archive as docker save's\n" + read.describe()).isZero();
        assertThat(read.out()).contains("\"Architecture\": \"amd64\"");
        ok(berth.run("image", "rm", baseRef));
        assertThat(ok(berth.run("load", "-i", saved.toString())).out()).isEqualTo("Loaded image: " + baseRef + "\n");
        assertThat(ok(berth.run("run", "--rm", "--pull", "never", baseRef)).out()).isEqualTo("base\n");

        Path legacy = dir.resolve("legacy.tar"); // the ID/layer.tar shape docker save wrote before Docker 25
        Result written = BerthCli.exec(new ProcessBuilder("skopeo", "copy", "--quiet", "--src-tls-verify=false",
                "docker://" + baseRef, "docker-archive:" + legacy + ":legacy/base:old"), null);
        assertThat(written.exitCode()).as(written.describe()).isZero();
        assertThat(ok(berth.run("load", "-q", "-i", legacy.toString())).out()).isEqualTo("Loaded image: legacy/base:old\n");
        assertThat(ok(berth.run("run", "--rm", "--pull", "never", "legacy/base:old")).out()).isEqualTo("base\n");

        Result junk = berth.runWithInput("not an archive", "load");
        assertThat(junk.exitCode()).isEqualTo(125);
        assertThat(junk.err().strip().lines()).hasSize(1);
        Result busybox = berth.run("save", "-o", dir.resolve("no.tar").toString(), "no-such-image");
        assertThat(busybox.exitCode()).isEqualTo(125);
        assertThat(dir.resolve("no.tar")).doesNotExist();
    }

    @Test
    void badReferencesAndUnknownImagesAreOneLineExit125() {
        for (String[] args : List.of(new String[] {"pull", "UPPER/case"}, new String[] {"pull", registry.host() + "/test/nothing:1.0"},
                new String[] {"run", "--rm", "--pull", "never", registry.host() + "/test/base:9"},
                new String[] {"pull", registry.host() + "/test/app@sha256:" + "0".repeat(64)})) {
            Result result = berth.run(args);
            assertThat(result.exitCode()).as(String.join(" ", args) + "\n" + result.describe()).isEqualTo(125);
            assertThat(result.err().strip().lines()).as(result.describe()).hasSize(1);
        }
    }

    /**
     * An archive that decompresses past the layer cap (a gzip bomb: 64 MiB of zeros in ~64 KiB) stops at
     * the cap; one with a FIFO imports (the FIFO made, never opened); neither leaves a staging directory.
     */
    @Test
    void hostileImportsStopAtTheLayerCapAndLeaveNothingHalfMade() throws Exception {
        Path src = Files.createDirectories(dir.resolve("bomb-src"));
        ok(BerthCli.host("truncate", "-s", "64M", src.resolve("zeros").toString()));
        Path bomb = dir.resolve("bomb.tar.gz");
        ok(BerthCli.host("tar", "czf", bomb.toString(), "-C", src.toString(), "zeros"));
        assertThat(Files.size(bomb)).isLessThan(1 << 20);
        ProcessBuilder capped = new ProcessBuilder(berth.command("image", "import", bomb.toString(), "bomb"));
        capped.environment().put("BERTH_MAX_LAYER_SIZE", "16m");
        Result refused = BerthCli.exec(capped, null);
        assertThat(refused.exitCode()).as(refused.describe()).isEqualTo(125);
        assertThat(refused.err()).isEqualTo("berth: " + bomb + " unpacks to more than 16777216 bytes, the most a layer may "
                + "take (BERTH_MAX_LAYER_SIZE, or the free space of the image store)\n");
        assertThat(ok(berth.run("image", "ls")).out()).doesNotContain("bomb");

        Path fifoSrc = Files.createDirectories(dir.resolve("fifo-src"));
        ok(BerthCli.host("mkfifo", fifoSrc.resolve("pipe").toString()));
        Files.writeString(fifoSrc.resolve("file"), "x");
        Path fifoTar = dir.resolve("fifo.tar");
        ok(BerthCli.host("tar", "cf", fifoTar.toString(), "-C", fifoSrc.toString(), "pipe", "file"));
        ok(berth.run("image", "import", fifoTar.toString(), "with-fifo"));
        ok(berth.run("image", "rm", "with-fifo"));
        try (java.util.stream.Stream<Path> left = Files.list(berth.root().resolve("images"))) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".new-"));
        }
    }

    private static void assertNoImageNamed(String... names) {
        String images = ok(berth.run("image", "ls")).out();
        for (String name : names) {
            assertThat(images).doesNotContain("test/" + name);
        }
    }
}
