package dev.berth.it;

import dev.berth.testing.BerthCli;
import dev.berth.testing.BerthCli.Result;
import dev.berth.testing.OciLayout;
import dev.berth.testing.OciLayout.Compression;
import dev.berth.testing.Registry;
import dev.berth.testing.Wait;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Binds, volumes, tmpfs and {@code berth cp}, each looked at from both sides: the container's own view
 * (its /proc/mounts, its files) and the host's (the bind source, the volume's directory, the host's
 * mountinfo, which must never show a container's mount).
 */
class VolumeIT {
    @TempDir
    static Path dir;
    static BerthCli berth;

    @BeforeAll
    static void busyboxImage() {
        berth = BerthCli.withBusybox(dir.resolve("berth"));
    }

    @AfterAll
    static void nothingLeftBehind() throws IOException {
        if (berth == null) {
            return;
        }
        try {
            assertThat(berth.run("ps", "-a", "-q").out()).isEmpty();
            assertThat(berth.run("volume", "ls", "-q").out()).as("volumes left by the tests").isEmpty();
        } finally {
            berth.removeEverything();
            for (String volume : berth.run("volume", "ls", "-q").out().lines().toList()) {
                berth.run("volume", "rm", volume);
            }
        }
        assertThat(hostMountsUnder(dir)).as("mounts under the test's directory seen by the host").isEmpty();
    }

    static Result ok(Result result) {
        assertThat(result.exitCode()).as(result.describe()).isZero();
        return result;
    }

    static Result fails(Result result) {
        assertThat(result.exitCode()).as(result.describe()).isEqualTo(125);
        assertThat(result.err().lines().count()).as("one error line: " + result.err()).isEqualTo(1);
        return result;
    }

    /** The line of the container's /proc/mounts for target, from a `grep` the container ran. */
    static String mountLine(String out, String target) {
        return out.lines().filter(l -> l.split(" ").length > 3 && l.split(" ")[1].equals(target)).findFirst()
                .orElseThrow(() -> new AssertionError("no mount at " + target + " in\n" + out));
    }

    static List<String> hostMountsUnder(Path path) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .filter(l -> l.split(" ")[4].startsWith(path.toString())).toList();
    }

    static String mountpoint(String volume) {
        Matcher m = Pattern.compile("\"Mountpoint\" : \"([^\"]+)\"").matcher(ok(berth.run("volume", "inspect", volume)).out());
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    @Test
    void aBindMountIsTheHostDirectoryReadWriteOrReadOnly() throws IOException {
        Path host = Files.createDirectories(dir.resolve("bind"));
        Files.writeString(host.resolve("from-host"), "hello from the host\n");

        Result rw = ok(berth.run("run", "--rm", "--network", "none", "-v", host + ":/data", "busybox", "sh", "-c",
                "cat /data/from-host; echo written inside > /data/from-container; cat /proc/mounts"));
        assertThat(rw.out()).startsWith("hello from the host\n");
        assertThat(mountLine(rw.out(), "/data").split(" ")[3]).startsWith("rw");
        assertThat(Files.readString(host.resolve("from-container"))).isEqualTo("written inside\n");

        Result ro = berth.run("run", "--rm", "--network", "none", "-v", host + ":/data:ro", "busybox", "sh", "-c",
                "cat /proc/mounts; echo x > /data/refused");
        assertThat(ro.exitCode()).as(ro.describe()).isNotZero();
        assertThat(ro.err()).contains("Read-only file system");
        assertThat(mountLine(ro.out(), "/data").split(" ")[3]).startsWith("ro");
        assertThat(host.resolve("refused")).doesNotExist();

        Result file = ok(berth.run("run", "--rm", "--network", "none", "--mount",
                "type=bind,source=" + host.resolve("from-host") + ",target=/etc/motd,readonly", "busybox", "cat", "/etc/motd"));
        assertThat(file.out()).isEqualTo("hello from the host\n");
    }

    @Test
    void aMissingHostPathIsCreatedForVolumeButRefusedForMount() {
        Path created = dir.resolve("made-by-v/deep");
        ok(berth.run("run", "--rm", "--network", "none", "-v", created + ":/made", "busybox", "true"));
        assertThat(created).isDirectory();

        Path missing = dir.resolve("never-made");
        Result refused = fails(berth.run("run", "--rm", "--network", "none", "--name", "refused", "--mount",
                "type=bind,source=" + missing + ",target=/x", "busybox", "true"));
        assertThat(refused.err()).isEqualTo("berth: invalid mount config for type \"bind\": bind source path does not exist: "
                + missing + "\n");
        assertThat(missing).doesNotExist();
        assertThat(berth.run("inspect", "refused").exitCode()).as("no container half-made").isNotZero();

        assertThat(fails(berth.run("run", "--rm", "-v", "data:relative", "busybox", "true")).err())
                .contains("must be absolute");
        assertThat(fails(berth.run("run", "--rm", "-v", "./x:/x:bogus", "busybox", "true")).err())
                .contains("invalid mode: bogus");
        assertThat(fails(berth.run("run", "--rm", "--mount", "type=bind,target=/x,colour=blue", "busybox", "true")).err())
                .contains("unexpected key 'colour'");
    }

    @Test
    void aNamedVolumeIsFilledFromTheImageAndOutlivesItsContainers() throws IOException {
        Result first = ok(berth.run("run", "--rm", "--network", "none", "-v", "config:/etc", "busybox", "sh", "-c",
                "cat /etc/passwd | head -1; echo kept > /etc/kept"));
        assertThat(first.out()).startsWith("root:");
        Path data = Path.of(mountpoint("config"));
        assertThat(data).startsWith(berth.root());
        assertThat(Files.readString(data.resolve("passwd"))).startsWith("root:"); // the image's /etc, copied in
        assertThat(Files.readString(data.resolve("kept"))).isEqualTo("kept\n");

        Result second = ok(berth.run("run", "--rm", "--network", "none", "-v", "config:/somewhere/else", "busybox",
                "cat", "/somewhere/else/kept"));
        assertThat(second.out()).isEqualTo("kept\n");

        ok(berth.run("volume", "create", "--label", "team=db", "empty"));
        Result nocopy = ok(berth.run("run", "--rm", "--network", "none", "--mount", "type=volume,source=empty,target=/etc",
                "busybox", "sh", "-c", "ls /etc | wc -l"));
        assertThat(nocopy.out().strip()).isNotEqualTo("0"); // a fresh empty volume is filled …
        ok(berth.run("volume", "create", "bare"));
        Result bare = ok(berth.run("run", "--rm", "--network", "none", "-v", "bare:/etc:nocopy", "busybox", "ls", "/etc"));
        assertThat(bare.out()).isEmpty(); // … unless nocopy says not to
        assertThat(ok(berth.run("volume", "inspect", "empty")).out()).contains("\"team\" : \"db\"", "\"Driver\" : \"local\"");
        assertThat(ok(berth.run("volume", "ls")).out()).contains("local", "config", "empty", "bare");

        for (String volume : List.of("config", "empty", "bare")) {
            ok(berth.run("volume", "rm", volume));
        }
        assertThat(data).doesNotExist();
        assertThat(fails(berth.run("volume", "rm", "config")).err()).contains("no such volume: config");
    }

    @Test
    void aVolumeInUseCannotBeRemovedAndTheErrorSaysByWhom() {
        ok(berth.run("run", "--network", "none", "--name", "user-of-shared", "-v", "shared:/data", "busybox", "true"));
        Result refused = fails(berth.run("volume", "rm", "shared"));
        assertThat(refused.err()).contains("volume is in use by container user-of-shared");
        assertThat(ok(berth.run("volume", "prune", "-a")).out()).doesNotContain("shared");
        ok(berth.run("rm", "user-of-shared"));
        ok(berth.run("volume", "rm", "shared"));
    }

    @Test
    void anImagesVolumeGetsAnAnonymousVolumeThatRmVRemoves() throws IOException {
        try (Registry registry = Registry.start(Files.createDirectories(dir.resolve("registry")), null)) {
            OciLayout layout = new OciLayout(dir.resolve("layout"));
            byte[] busybox = Files.readAllBytes(Path.of("/bin/busybox"));
            OciLayout.Blob layer = layout.layer(Compression.GZIP, tar -> {
                tar.dir("bin").file("bin/busybox", busybox, 0755);
                for (String applet : List.of("sh", "cat", "echo", "grep", "true")) {
                    tar.symlink("bin/" + applet, "busybox");
                }
                tar.dir("var").dir("var/lib").dir("var/lib/db").file("var/lib/db/seed", "from the image\n");
            });
            layout.tag("db", layout.image("amd64", Map.of("Cmd", List.of("sh"), "Env", List.of("PATH=/bin"),
                    "Volumes", Map.of("/var/lib/db", Map.of())), List.of(layer), null));
            registry.push(layout, "db", "test/db:1.0", null);
            String image = registry.host() + "/test/db:1.0";
            ok(berth.run("pull", "-q", image));

            Result run = ok(berth.run("run", "--name", "db", "--network", "none", image, "sh", "-c",
                    "cat /var/lib/db/seed; grep /var/lib/db /proc/mounts; echo more > /var/lib/db/added"));
            assertThat(run.out()).startsWith("from the image\n");
            assertThat(run.out()).contains(" /var/lib/db ");
            List<String> volumes = berth.run("volume", "ls", "-q").out().lines().toList();
            assertThat(volumes).hasSize(1);
            String anonymous = volumes.getFirst();
            assertThat(anonymous).matches("[0-9a-f]{64}");
            assertThat(Path.of(mountpoint(anonymous)).resolve("added")).hasContent("more");
            assertThat(ok(berth.run("inspect", "db")).out()).contains("\"Name\" : \"" + anonymous + "\"",
                    "\"Destination\" : \"/var/lib/db\"");

            ok(berth.run("rm", "-v", "db"));
            assertThat(berth.run("volume", "ls", "-q").out()).isEmpty();

            ok(berth.run("run", "--rm", "--network", "none", image, "true")); // --rm takes its anonymous volume too
            assertThat(berth.run("volume", "ls", "-q").out()).isEmpty();

            ok(berth.run("run", "--name", "kept", "--network", "none", image, "true"));
            ok(berth.run("rm", "kept")); // without -v the volume stays, dangling, until prune
            assertThat(berth.run("volume", "ls", "-q").out().lines()).hasSize(1);
            assertThat(ok(berth.run("volume", "prune")).out()).contains("Total reclaimed volumes: 1");
            assertThat(berth.run("volume", "ls", "-q").out()).isEmpty();
            ok(berth.run("rmi", image));
        }
    }

    @Test
    void tmpfsMountsHaveDockersOptionsAndTheirSize() {
        Result run = ok(berth.run("run", "--rm", "--network", "none", "--tmpfs", "/scratch:size=1m,mode=1777",
                "--mount", "type=tmpfs,target=/fast,tmpfs-size=2097152", "busybox", "sh", "-c",
                "cat /proc/mounts; stat -c %a /scratch"));
        String scratch = mountLine(run.out(), "/scratch");
        assertThat(scratch).startsWith("tmpfs /scratch tmpfs ");
        assertThat(scratch.split(" ")[3].split(",")).contains("rw", "nosuid", "nodev", "noexec", "size=1024k");
        assertThat(mountLine(run.out(), "/fast").split(" ")[3]).contains("size=2048k");
        assertThat(run.out().strip()).endsWith("1777");
    }

    @Test
    void aReadOnlyRootKeepsItsVolumesWritable() {
        Result run = berth.run("run", "--rm", "--network", "none", "--read-only", "-v", "writable:/data", "--tmpfs", "/tmp",
                "busybox", "sh", "-c", "touch /data/ok && touch /tmp/ok && echo both written; touch /refused");
        assertThat(run.out()).isEqualTo("both written\n");
        assertThat(run.err()).contains("Read-only file system");
        ok(berth.run("volume", "rm", "writable"));
    }

    @Test
    void volumesFromSharesAnotherContainersMountsReadOnlyWhenAsked() throws IOException {
        Path host = Files.createDirectories(dir.resolve("shared-bind"));
        ok(berth.run("run", "--name", "source", "--network", "none", "-v", "from-source:/vol", "-v", host + ":/bind",
                "busybox", "sh", "-c", "echo v > /vol/f; echo b > /bind/f"));
        Result reader = ok(berth.run("run", "--rm", "--network", "none", "--volumes-from", "source:ro", "busybox", "sh",
                "-c", "cat /vol/f /bind/f; cat /proc/mounts"));
        assertThat(reader.out()).startsWith("v\nb\n");
        assertThat(mountLine(reader.out(), "/vol").split(" ")[3]).startsWith("ro");
        assertThat(mountLine(reader.out(), "/bind").split(" ")[3]).startsWith("ro");
        ok(berth.run("rm", "-v", "source"));
        assertThat(berth.run("volume", "ls", "-q").out()).contains("from-source"); // a named volume stays
        ok(berth.run("volume", "rm", "from-source"));
    }

    /**
     * The rootfs links /escape to a directory of the host (absolute) and /climb to it through "..": a
     * mount aimed there lands inside the container's root, and the host's directory stays untouched.
     */
    @Test
    void aMountTargetThroughASymbolicLinkStaysInsideTheRoot() throws IOException {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Path rootfs = Files.createDirectories(dir.resolve("linked-rootfs/bin"));
        Files.copy(Path.of("/bin/busybox"), rootfs.resolve("busybox"));
        for (String applet : List.of("sh", "cat", "ls", "echo")) {
            Files.createSymbolicLink(rootfs.resolve(applet), Path.of("busybox"));
        }
        Files.createSymbolicLink(rootfs.getParent().resolve("escape"), outside);
        Files.createSymbolicLink(rootfs.getParent().resolve("climb"), Path.of("../../../../../../../.." + outside));
        Path source = Files.createDirectories(dir.resolve("escape-source"));
        Files.writeString(source.resolve("f"), "bound\n");

        Result run = ok(berth.run("run", "--rm", "--network", "none", "--rootfs", rootfs.getParent().toString(),
                "-v", source + ":/escape/inner", "--tmpfs", "/climb/t", "/bin/sh", "-c",
                "cat /proc/mounts; cat " + outside + "/inner/f; echo x > /escape/inner/written"));
        assertThat(mountLine(run.out(), outside + "/inner")).isNotNull(); // inside the root, where the link leads there
        assertThat(mountLine(run.out(), outside + "/t")).startsWith("tmpfs");
        assertThat(run.out()).contains("bound\n");
        assertThat(source.resolve("written")).exists();
        try (Stream<Path> files = Files.list(outside)) {
            assertThat(files.toList()).as("what reached the host's directory").isEmpty();
        }
        assertThat(hostMountsUnder(outside)).isEmpty();
    }

    @Test
    void cpCopiesBothWaysForRunningAndStoppedContainers() throws IOException {
        Path src = Files.createDirectories(dir.resolve("cp-src/sub"));
        Files.writeString(src.getParent().resolve("top"), "top\n");
        Files.writeString(src.resolve("deep"), "deep\n");
        Files.setPosixFilePermissions(src.getParent().resolve("top"), PosixFilePermissions.fromString("rwxr-x---"));
        Files.createSymbolicLink(src.getParent().resolve("link"), Path.of("top"));

        ok(berth.run("run", "-d", "--name", "cp-running", "--network", "none", "busybox", "sleep", "60"));
        ok(berth.run("cp", src.getParent().toString(), "cp-running:/tmp")); // an existing directory: into it
        ok(berth.run("cp", src.getParent().toString(), "cp-running:/copy")); // a new path: the copy is named so
        Result inside = ok(berth.run("exec", "cp-running", "sh", "-c", "cat /tmp/cp-src/top /tmp/cp-src/sub/deep; "
                + "stat -c %a /tmp/cp-src/top; readlink /tmp/cp-src/link; cat /copy/sub/deep"));
        assertThat(inside.out()).isEqualTo("top\ndeep\n750\ntop\ndeep\n");

        ok(berth.run("exec", "cp-running", "sh", "-c", "mkdir /made && echo from the container > /made/file"));
        Path back = dir.resolve("cp-back");
        ok(berth.run("cp", "cp-running:/made", back.toString()));
        assertThat(back.resolve("file")).hasContent("from the container");

        Path tar = dir.resolve("made.tar");
        ok(berth.runWithOutputTo(tar, "cp", "cp-running:/made", "-"));
        assertThat(BerthCli.host("tar", "-tf", tar.toString()).out().lines()).contains("made/", "made/file");
        ok(berth.run("exec", "cp-running", "mkdir", "/unpacked"));
        ok(berth.runWithInputFrom(tar, "cp", "-", "cp-running:/unpacked"));
        assertThat(ok(berth.run("exec", "cp-running", "cat", "/unpacked/made/file")).out()).isEqualTo("from the container\n");

        ok(berth.run("stop", "-t", "1", "cp-running"));
        ok(berth.run("cp", src.resolve("deep").toString(), "cp-running:/tmp/while-stopped"));
        Path stopped = dir.resolve("cp-stopped");
        ok(berth.run("cp", "cp-running:/tmp/.", stopped.toString()));
        assertThat(stopped.resolve("while-stopped")).hasContent("deep");
        assertThat(stopped.resolve("cp-src/sub/deep")).hasContent("deep");
        ok(berth.run("start", "cp-running"));
        assertThat(ok(berth.run("exec", "cp-running", "cat", "/tmp/while-stopped")).out()).isEqualTo("deep\n");

        assertThat(fails(berth.run("cp", "cp-running:/no/such/file", dir.resolve("x").toString())).err())
                .contains("could not find the file /no/such/file in container cp-running");
        ok(berth.run("rm", "-f", "cp-running"));
        assertThat(hostMountsUnder(berth.root())).isEmpty();
    }

    /** A link the container made to a host path does not lead cp out of the container's root. */
    @Test
    void cpFollowsTheContainersLinksInsideItsRootOnly() throws IOException {
        Path outside = Files.createDirectories(dir.resolve("cp-outside"));
        Files.writeString(outside.resolve("secret"), "host secret\n");
        Path file = Files.writeString(dir.resolve("payload"), "payload\n");
        ok(berth.run("run", "--name", "cp-links", "--network", "none", "busybox", "sh", "-c",
                "ln -s " + outside + " /out; ln -s ../../../../../../.." + outside + " /climb; mkdir -p " + outside
                        + "; echo container file > " + outside + "/secret"));
        ok(berth.run("cp", file.toString(), "cp-links:/out/payload"));
        ok(berth.run("cp", file.toString(), "cp-links:/climb/payload2"));
        try (Stream<Path> files = Files.list(outside)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("secret");
        }
        assertThat(outside.resolve("secret")).hasContent("host secret");
        Path read = dir.resolve("read-through-link");
        ok(berth.run("cp", "cp-links:/out/secret", read.toString()));
        assertThat(read).hasContent("container file"); // the container's file, not the host's
        Path copied = dir.resolve("copied-from-container");
        ok(berth.run("cp", "cp-links:" + outside + "/.", copied.toString()));
        assertThat(copied.resolve("payload")).hasContent("payload");
        assertThat(copied.resolve("payload2")).hasContent("payload");
        ok(berth.run("rm", "cp-links"));
    }

    @Test
    void aDetachedContainersVolumeStaysMountedAcrossASupervisorRestart() {
        ok(berth.run("run", "-d", "--name", "survivor", "--network", "none", "-v", "durable:/data", "busybox", "sleep", "60"));
        ok(berth.run("daemon", "--stop"));
        Wait.until("the supervisor to exit", Duration.ofSeconds(10),
                () -> !Files.exists(berth.root().getParent().resolve("run/berth.sock")));
        ok(berth.run("exec", "survivor", "sh", "-c", "echo after restart > /data/f"));
        assertThat(Path.of(mountpoint("durable")).resolve("f")).hasContent("after restart");
        ok(berth.run("rm", "-f", "survivor"));
        ok(berth.run("volume", "rm", "durable"));
    }
}
