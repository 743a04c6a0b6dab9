package dev.berth.api;

import dev.berth.spec.Defaults;
import dev.berth.spec.SeccompSpec;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Docker-format profiles settled for a container's capabilities, architecture and kernel, as moby does. */
class SeccompProfileTest {
    private static final int[] KERNEL = {6, 1};

    private static SeccompSpec defaultFor(List<String> caps) {
        return SeccompProfile.resolve(SeccompProfile.defaultJson(), caps, "amd64", KERNEL);
    }

    private static List<SeccompSpec.Syscall> rulesFor(SeccompSpec spec, String call) {
        return spec.syscalls().stream().filter(r -> r.names().contains(call)).toList();
    }

    @Test
    void theDefaultDeniesWithEpermAndFiltersAllThreeX86Abis() {
        SeccompSpec spec = defaultFor(Defaults.CAPABILITIES);
        assertThat(spec.defaultAction()).isEqualTo("SCMP_ACT_ERRNO");
        assertThat(spec.defaultErrnoRet()).isEqualTo(1);
        assertThat(spec.architectures()).containsExactly("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32");
        long allowed = spec.syscalls().stream().filter(r -> r.action().equals("SCMP_ACT_ALLOW"))
                .mapToLong(r -> r.names().size()).sum();
        assertThat(allowed).isGreaterThan(340);
    }

    @Test
    void keyringsNamespacesAndMountsAreNotAllowedWithDockersDefaultCapabilities() {
        SeccompSpec spec = defaultFor(Defaults.CAPABILITIES);
        for (String call : List.of("keyctl", "add_key", "request_key", "unshare", "mount", "setns", "perf_event_open",
                "bpf", "ptrace_but_not_a_call", "kexec_load", "init_module", "open_by_handle_at")) {
            assertThat(rulesFor(spec, call)).as(call).isEmpty();
        }
        // clone only without namespace flags; clone3 answers ENOSYS so libc falls back to clone
        assertThat(rulesFor(spec, "clone")).singleElement().satisfies(r -> assertThat(r.args())
                .containsExactly(new SeccompSpec.Arg(0, 0x7E020000L, 0, "SCMP_CMP_MASKED_EQ")));
        assertThat(rulesFor(spec, "clone3")).singleElement().satisfies(r -> {
            assertThat(r.action()).isEqualTo("SCMP_ACT_ERRNO");
            assertThat(r.errnoRet()).isEqualTo(38);
        });
        assertThat(rulesFor(spec, "socket")).singleElement().satisfies(r -> assertThat(r.args())
                .containsExactly(new SeccompSpec.Arg(0, 40, 0, "SCMP_CMP_NE")));   // no AF_VSOCK
        assertThat(rulesFor(spec, "personality")).extracting(r -> r.args().getFirst().value())
                .containsExactlyInAnyOrder(0L, 8L, 0x20000L, 0x20008L, 0xffffffffL);
        assertThat(rulesFor(spec, "chroot")).hasSize(1);   // CAP_SYS_CHROOT is a default capability
    }

    @Test
    void capabilitiesOpenTheirGroups() {
        List<String> caps = new ArrayList<>(Defaults.CAPABILITIES);
        caps.add("CAP_SYS_ADMIN");
        caps.add("CAP_SYS_PTRACE");
        SeccompSpec spec = defaultFor(caps);
        assertThat(rulesFor(spec, "mount")).hasSize(1);
        assertThat(rulesFor(spec, "unshare")).hasSize(1);
        assertThat(rulesFor(spec, "clone")).singleElement().satisfies(r -> assertThat(r.args()).isEmpty());
        assertThat(rulesFor(spec, "clone3")).singleElement().satisfies(r -> assertThat(r.action()).isEqualTo("SCMP_ACT_ALLOW"));
        assertThat(rulesFor(spec, "kcmp")).hasSize(1);
        assertThat(rulesFor(spec, "chroot")).hasSize(1);

        SeccompSpec none = defaultFor(List.of());
        assertThat(rulesFor(none, "chroot")).isEmpty();
    }

    @Test
    void architectureAndKernelConditionsAreSettledForTheHost() {
        SeccompSpec amd64 = defaultFor(Defaults.CAPABILITIES);
        assertThat(rulesFor(amd64, "arch_prctl")).hasSize(1);
        assertThat(rulesFor(amd64, "set_tls")).isEmpty();          // arm only
        assertThat(rulesFor(amd64, "ptrace")).hasSize(1);          // minKernel 4.8

        SeccompSpec old = SeccompProfile.resolve(SeccompProfile.defaultJson(), Defaults.CAPABILITIES, "amd64", new int[] {4, 4});
        assertThat(rulesFor(old, "ptrace")).isEmpty();

        SeccompSpec arm = SeccompProfile.resolve(SeccompProfile.defaultJson(), Defaults.CAPABILITIES, "arm64", KERNEL);
        assertThat(arm.architectures()).containsExactly("SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM");
        assertThat(rulesFor(arm, "set_tls")).hasSize(1);
        assertThat(rulesFor(arm, "arch_prctl")).isEmpty();
    }

    @Test
    void aProfileOfTheUsersInTheOlderShapeIsReadToo() {
        SeccompSpec spec = SeccompProfile.resolve("""
                {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
                 "syscalls": [{"name": "mkdir", "action": "SCMP_ACT_ERRNO"},
                              {"names": ["chmod"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
                               "args": [{"index": 1, "value": 511, "op": "SCMP_CMP_EQ"}]}]}""",
                List.of(), "amd64", KERNEL);
        assertThat(spec.architectures()).containsExactly("SCMP_ARCH_X86_64");
        assertThat(spec.syscalls()).containsExactly(
                new SeccompSpec.Syscall(List.of("mkdir"), "SCMP_ACT_ERRNO", null, List.of()),
                new SeccompSpec.Syscall(List.of("chmod"), "SCMP_ACT_ERRNO", 13, List.of(new SeccompSpec.Arg(1, 511, 0, "SCMP_CMP_EQ"))));
    }

    @Test
    void aBrokenProfileIsOneClearError() {
        assertThatThrownBy(() -> SeccompProfile.resolve("{not json", List.of(), "amd64", KERNEL))
                .hasMessageStartingWith("decoding seccomp profile failed");
        assertThatThrownBy(() -> SeccompProfile.resolve("{\"syscalls\": []}", List.of(), "amd64", KERNEL))
                .hasMessageContaining("defaultAction is missing");
        assertThatThrownBy(() -> SeccompProfile.resolve("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"x\"]}]}",
                List.of(), "amd64", KERNEL)).hasMessageContaining("has no action");
    }

    @Test
    void theDefaultProfileCompilesOnceIntoAProgramTheKernelTakes() {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.berth.linux.Libseccomp.available(), "libseccomp.so.2 is not installed");
        SeccompSpec spec = SeccompProfile.resolve(SeccompProfile.defaultJson(), Defaults.CAPABILITIES);
        byte[] program = dev.berth.runtime.SeccompFilters.program(spec);
        assertThat(program.length % 8).isZero();
        assertThat(program.length / 8).isBetween(100, 4096);   // BPF_MAXINSNS
        assertThat(dev.berth.runtime.SeccompFilters.program(spec)).isSameAs(program);
        assertThat(dev.berth.runtime.SeccompFilters.program(null)).isNull();
    }

    @Test
    void kernelReleasesAreReadUpToTheirMinorVersion() {
        assertThat(SeccompProfile.version("6.18.44-fc-v1045")).containsExactly(6, 18);
        assertThat(SeccompProfile.version("5.4.0-150-generic")).containsExactly(5, 4);
        assertThat(SeccompProfile.version("4.8")).containsExactly(4, 8);
    }
}
