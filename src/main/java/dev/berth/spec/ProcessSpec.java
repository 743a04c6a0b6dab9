package dev.berth.spec;

import java.util.List;

/**
 * The container's first process (OCI {@code process}).
 *
 * @param oomScoreAdj the process's /proc/PID/oom_score_adj (OCI {@code process.oomScoreAdj}), null to inherit
 * @param rlimits     its resource limits (OCI {@code process.rlimits}); the others are berth's own
 * @param capabilities   the bounding set, and every other set unless capabilitySets gives them
 * @param capabilitySets OCI's effective, permitted, inheritable and ambient sets, when a config gives
 *                       them; null for berth's (and Docker's) model: each is the bounding set for root,
 *                       empty for other users
 */
public record ProcessSpec(
        boolean terminal,
        User user,
        List<String> args,
        List<String> env,
        String cwd,
        List<String> capabilities,
        boolean noNewPrivileges,
        Integer oomScoreAdj,
        List<Rlimit> rlimits,
        CapabilitySets capabilitySets) {

    public ProcessSpec {
        args = List.copyOf(args);
        env = List.copyOf(env);
        capabilities = List.copyOf(capabilities);
        rlimits = rlimits == null ? List.of() : List.copyOf(rlimits);
    }

    public ProcessSpec(boolean terminal, User user, List<String> args, List<String> env, String cwd,
                       List<String> capabilities, boolean noNewPrivileges, Integer oomScoreAdj, List<Rlimit> rlimits) {
        this(terminal, user, args, env, cwd, capabilities, noNewPrivileges, oomScoreAdj, rlimits, null);
    }

    public ProcessSpec(boolean terminal, User user, List<String> args, List<String> env, String cwd,
                       List<String> capabilities, boolean noNewPrivileges, Integer oomScoreAdj) {
        this(terminal, user, args, env, cwd, capabilities, noNewPrivileges, oomScoreAdj, List.of());
    }

    /** OCI {@code process.capabilities} beyond the bounding set (names as "CAP_CHOWN"). */
    public record CapabilitySets(List<String> effective, List<String> permitted, List<String> inheritable,
                                 List<String> ambient) {
        public CapabilitySets {
            effective = List.copyOf(effective);
            permitted = List.copyOf(permitted);
            inheritable = List.copyOf(inheritable);
            ambient = List.copyOf(ambient);
        }
    }

    /** One resource limit: type is "RLIMIT_NOFILE"…; -1 is unlimited. */
    public record Rlimit(String type, long hard, long soft) {}

    /** OCI {@code process.user}: numeric ids, already resolved against the container's /etc files. */
    public record User(int uid, int gid, List<Integer> additionalGids) {
        public User {
            additionalGids = List.copyOf(additionalGids);
        }
    }

    /** The value of an environment variable in {@code env}, or null. */
    public String envValue(String key) {
        String prefix = key + "=";
        return env.stream().filter(e -> e.startsWith(prefix)).map(e -> e.substring(prefix.length()))
                .findFirst().orElse(null);
    }
}
