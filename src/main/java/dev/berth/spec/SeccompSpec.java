package dev.berth.spec;

import java.util.List;

/**
 * OCI {@code linux.seccomp}: the filter of a container's processes, already specific to its capabilities
 * and architecture (a Docker profile's conditions resolved by berth's Docker-profile reader).
 *
 * @param defaultAction   what a call no rule matches gets ("SCMP_ACT_ERRNO"…)
 * @param defaultErrnoRet the errno of an ERRNO default, null for EPERM
 * @param architectures   the libseccomp names of the architectures filtered ("SCMP_ARCH_X86_64"…)
 */
public record SeccompSpec(String defaultAction, Integer defaultErrnoRet, List<String> architectures,
                          List<Syscall> syscalls) {
    public SeccompSpec {
        architectures = architectures == null ? List.of() : List.copyOf(architectures);
        syscalls = syscalls == null ? List.of() : List.copyOf(syscalls);
    }

    /** A rule: the calls in names get action (with errnoRet for ERRNO) when every argument condition holds. */
    public record Syscall(List<String> names, String action, Integer errnoRet, List<Arg> args) {
        public Syscall {
            names = List.copyOf(names);
            args = args == null ? List.of() : List.copyOf(args);
        }
    }

    /** One argument condition: op is SCMP_CMP_EQ, SCMP_CMP_MASKED_EQ ((arg &amp; value) == valueTwo)… */
    public record Arg(int index, long value, long valueTwo, String op) {}
}
