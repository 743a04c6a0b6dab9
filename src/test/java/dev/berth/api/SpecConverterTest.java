package dev.berth.api;

import dev.berth.BerthException;
import dev.berth.image.ImageConfig;
import dev.berth.image.ImageRecord;
import dev.berth.spec.ContainerSpec;
import dev.berth.spec.Defaults;
import dev.berth.spec.NamespaceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How run options and an image's defaults become the container's OCI-shaped spec. */
class SpecConverterTest {
    @TempDir
    Path lower;

    private static final ImageRecord BUSYBOX = image(new ImageConfig(null, List.of("sh"), List.of("IMG=1"), null, null,
            null, null, null));

    private static ImageRecord image(ImageConfig config) {
        return new ImageRecord("sha256:" + "a".repeat(64), List.of("docker.io/library/busybox:latest"), List.of(), "t",
                "s", List.of("k"), config, 0, "linux/amd64", null);
    }

    private ContainerSpec convert(RunOptions options) {
        NetworkPlacement placement = switch (options.network().mode()) {
            case "host" -> new NetworkPlacement.Host();
            case "none" -> new NetworkPlacement.Own();
            default -> new NetworkPlacement.Join("/run/berth/netns/x");
        };
        return SpecConverter.convert(options, BUSYBOX, List.of(lower), "web", Path.of("/m"), Map.of("FROM_HOST", "h"), placement, List.of());
    }

    private static RunOptions options(List<String> env, String workdir, String network, boolean tty) {
        return RunOptions.builder().image("busybox").env(env).workdir(workdir).network(network).tty(tty).build();
    }

    @Test
    void theImagesCommandIsTheDefaultAndEveryNamespaceButTheHostsIsNew() {
        ContainerSpec spec = convert(RunOptions.of("busybox", List.of()));
        assertThat(spec.process().args()).containsExactly("sh");
        assertThat(spec.hostname()).isEqualTo("web");
        assertThat(spec.root().path()).isEqualTo("/m");
        assertThat(spec.linux().namespaces()).extracting(n -> n.kind()).containsExactlyInAnyOrder(
                NamespaceType.PID, NamespaceType.IPC, NamespaceType.UTS, NamespaceType.MOUNT, NamespaceType.CGROUP,
                NamespaceType.NETWORK);
        assertThat(spec.process().capabilities()).isEqualTo(Defaults.CAPABILITIES);
        assertThat(spec.process().noNewPrivileges()).isTrue();
    }

    @Test
    void environmentIsDefaultsThenImageThenOptionsAndBareKeysComeFromTheHost() {
        ContainerSpec spec = convert(options(List.of("A=1", "IMG=2", "FROM_HOST", "UNSET_ON_HOST"), null, "none", true));
        assertThat(spec.process().env()).containsExactly("PATH=" + Defaults.PATH, "HOSTNAME=web", "HOME=/root",
                "TERM=xterm", "IMG=2", "A=1", "FROM_HOST=h");
    }

    @Test
    void hostNetworkHasNoNetworkNamespace() {
        assertThat(convert(options(List.of(), null, "host", false)).hasNamespace(NamespaceType.NETWORK)).isFalse();
    }

    @Test
    void aNetworkJoinsItsPinnedNamespace() {
        ContainerSpec spec = convert(options(List.of(), null, "lab", false));
        assertThat(spec.linux().namespaces()).filteredOn(n -> n.kind() == NamespaceType.NETWORK)
                .extracting(n -> n.path()).containsExactly("/run/berth/netns/x");
    }

    @Test
    void badInputIsRefusedWithAReason() {
        assertThatThrownBy(() -> convert(options(List.of(), "relative/dir", "none", false)))
                .isInstanceOf(BerthException.class).hasMessageContaining("must be an absolute path");
        assertThatThrownBy(() -> convert(options(List.of("=x"), null, "none", false)))
                .hasMessageContaining("invalid environment variable");
        assertThatThrownBy(() -> SpecConverter.convert(RunOptions.of(null, List.of()), null, List.of(lower), "web", Path.of("/m"), Map.of(),
                new NetworkPlacement.Own(), List.of()))
                .hasMessage("no command specified");
    }

    @Test
    void theEntrypointComesFirstAndTheCommandReplacesOnlyTheImagesCmd() {
        ImageConfig config = new ImageConfig(List.of("/entry.sh", "-x"), List.of("serve"), null, "/srv", "daemon",
                null, null, null);
        RunOptions plain = RunOptions.of("app", List.of());
        assertThat(SpecConverter.arguments(plain, config)).containsExactly("/entry.sh", "-x", "serve");
        assertThat(SpecConverter.arguments(RunOptions.of("app", List.of("debug")), config))
                .containsExactly("/entry.sh", "-x", "debug");
        RunOptions other = RunOptions.builder().image("app").entrypoint("/bin/sh").build();
        assertThat(SpecConverter.arguments(other, config)).containsExactly("/bin/sh"); // the image's Cmd goes too
        RunOptions none = RunOptions.builder().image("app").entrypoint("").command(List.of("true")).build();
        assertThat(SpecConverter.arguments(none, config)).containsExactly("true");
    }

    @Test
    void theImagesWorkingDirectoryAndEnvironmentAreDefaultsThatOptionsOverride() {
        ImageRecord app = image(new ImageConfig(null, List.of("run"), List.of("PATH=/app/bin:/bin", "MODE=prod"), "/srv",
                null, null, null, null));
        ContainerSpec spec = SpecConverter.convert(RunOptions.builder().image("app").env(List.of("MODE=dev")).build(), app,
                List.of(lower), "web", Path.of("/m"), Map.of(), new NetworkPlacement.Own(), List.of());
        assertThat(spec.process().cwd()).isEqualTo("/srv");
        assertThat(spec.process().env()).contains("PATH=/app/bin:/bin", "MODE=dev");
    }

    @Test
    void capAddAndDropChangeDockersSetAndPrivilegedGivesAllWithProcUnmaskedAndSysWritable() {
        ContainerSpec adjusted = convert(RunOptions.builder().image("busybox")
                .privileges(new RunOptions.Privileges(List.of("net_admin"), List.of("NET_RAW"), false)).build());
        assertThat(adjusted.process().capabilities()).contains("CAP_NET_ADMIN").doesNotContain("CAP_NET_RAW");
        assertThat(adjusted.linux().maskedPaths()).contains("/proc/kcore");

        ContainerSpec privileged = convert(RunOptions.builder().image("busybox")
                .privileges(new RunOptions.Privileges(List.of(), List.of(), true)).build());
        assertThat(privileged.process().capabilities()).isEqualTo(dev.berth.spec.CapabilityNames.held());
        assertThat(privileged.linux().maskedPaths()).isEmpty();
        assertThat(privileged.linux().readonlyPaths()).isEmpty();
        assertThat(privileged.mounts()).filteredOn(m -> m.destination().equals("/sys")).singleElement()
                .satisfies(m -> assertThat(m.options()).doesNotContain("ro"));

        assertThatThrownBy(() -> convert(RunOptions.builder().image("busybox")
                .privileges(new RunOptions.Privileges(List.of("FLY"), List.of(), false)).build()))
                .hasMessage("unknown capability: \"FLY\"");
    }
}
