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

    private ContainerSpec withPrivileges(RunOptions.Privileges privileges, String network) {
        return convert(RunOptions.builder().image("busybox").network(network).privileges(privileges).build());
    }

    private static RunOptions.Privileges privileges(List<String> securityOpt, List<String> groupAdd, List<String> devices,
                                                    Map<String, String> sysctls, List<String> ulimits) {
        return new RunOptions.Privileges(List.of(), List.of(), false, securityOpt, groupAdd, devices, sysctls, ulimits);
    }

    @Test
    void securityOptionsChooseTheSeccompFilterAndNoNewPrivileges() {
        ContainerSpec confined = convert(RunOptions.of("busybox", List.of()));
        assertThat(confined.linux().seccomp()).isNotNull();
        assertThat(confined.linux().seccomp().defaultAction()).isEqualTo("SCMP_ACT_ERRNO");

        ContainerSpec unconfined = withPrivileges(privileges(List.of("seccomp=unconfined", "no-new-privileges=false",
                "apparmor=unconfined", "label=disable"), List.of(), List.of(), Map.of(), List.of()), "none");
        assertThat(unconfined.linux().seccomp()).isNull();
        assertThat(unconfined.process().noNewPrivileges()).isFalse();

        ContainerSpec own = withPrivileges(privileges(List.of("seccomp={\"defaultAction\": \"SCMP_ACT_LOG\"}",
                "systempaths=unconfined"), List.of(), List.of(), Map.of(), List.of()), "none");
        assertThat(own.linux().seccomp().defaultAction()).isEqualTo("SCMP_ACT_LOG");
        assertThat(own.linux().maskedPaths()).isEmpty();

        ContainerSpec privileged = withPrivileges(new RunOptions.Privileges(List.of(), List.of(), true), "none");
        assertThat(privileged.linux().seccomp()).isNull();
        assertThat(privileged.linux().deviceAllow()).containsExactly("a *:* rwm");

        for (String bad : List.of("seccomp=/a/file/the/cli/should/have/read", "no-new-privileges=maybe", "selinux", "systempaths=x")) {
            assertThatThrownBy(() -> withPrivileges(privileges(List.of(bad), List.of(), List.of(), Map.of(), List.of()), "none"))
                    .isInstanceOf(BerthException.class).hasMessageStartingWith("invalid --security-opt '" + bad + "'");
        }
    }

    @Test
    void devicesAreMadeInsideAndAllowedInTheCgroupWithTheirPermissions() {
        ContainerSpec spec = withPrivileges(privileges(List.of(), List.of(), List.of("/dev/null:/dev/mynull:r"),
                Map.of(), List.of()), "none");
        assertThat(spec.linux().devices()).containsExactly(new dev.berth.spec.LinuxSpec.Device("/dev/mynull", "c", 1, 3, 0666));
        assertThat(spec.linux().deviceAllow()).containsAll(Defaults.DEVICE_ALLOW).contains("c 1:3 r");

        for (String[] bad : List.of(new String[] {"/etc/hostname", "is not a device node"},
                new String[] {"/dev/no-such-device", "no such file"}, new String[] {"/dev/null:/x:rwx", "permissions"},
                new String[] {"dev/null", "absolute"})) {
            assertThatThrownBy(() -> withPrivileges(privileges(List.of(), List.of(), List.of(bad[0]), Map.of(), List.of()), "none"))
                    .hasMessageStartingWith("invalid --device '" + bad[0] + "'").hasMessageContaining(bad[1]);
        }
    }

    @Test
    void onlyNamespacedSysctlsAreAccepted() {
        ContainerSpec spec = withPrivileges(privileges(List.of(), List.of(), List.of(),
                Map.of("net.ipv4.ip_unprivileged_port_start", "0", "kernel.shmmax", "1000000", "fs.mqueue.msg_max", "20"),
                List.of()), "none");
        assertThat(spec.linux().sysctl()).containsEntry("net.ipv4.ip_unprivileged_port_start", "0").hasSize(3);

        assertThatThrownBy(() -> withPrivileges(privileges(List.of(), List.of(), List.of(), Map.of("kernel.panic", "1"),
                List.of()), "none")).hasMessage("sysctl 'kernel.panic' is not in a separate kernel namespace");
        assertThatThrownBy(() -> withPrivileges(privileges(List.of(), List.of(), List.of(), Map.of("net.core.somaxconn", "1"),
                List.of()), "host")).hasMessageContaining("shares a network namespace");
        assertThatThrownBy(() -> Sysctls.parse(List.of("net.core.somaxconn"))).hasMessageContaining("expected KEY=VALUE");
    }

    @Test
    void ulimitsAreDockersSyntaxAndGroupsAreAdded() {
        ContainerSpec spec = withPrivileges(privileges(List.of(), List.of("10", "0"), List.of(), Map.of(),
                List.of("nofile=512:1024", "core=0", "stack=-1")), "none");
        assertThat(spec.process().rlimits()).containsExactly(new dev.berth.spec.ProcessSpec.Rlimit("RLIMIT_NOFILE", 1024, 512),
                new dev.berth.spec.ProcessSpec.Rlimit("RLIMIT_CORE", 0, 0), new dev.berth.spec.ProcessSpec.Rlimit("RLIMIT_STACK", -1, -1));
        assertThat(spec.process().user().additionalGids()).containsExactly(10, 0);

        for (String bad : List.of("nofile", "fly=1", "nofile=2:1", "nofile=x", "nofile=1:2:3", "nofile=-2")) {
            assertThatThrownBy(() -> Ulimits.parse(List.of(bad))).isInstanceOf(BerthException.class)
                    .hasMessageStartingWith("invalid --ulimit '" + bad + "'");
        }
        assertThatThrownBy(() -> withPrivileges(privileges(List.of(), List.of("wheel-of-no-image"), List.of(), Map.of(),
                List.of()), "none")).hasMessageContaining("unable to find group wheel-of-no-image");
    }
}
