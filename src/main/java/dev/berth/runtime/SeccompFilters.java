package dev.berth.runtime;

import dev.berth.BerthException;
import dev.berth.linux.Libseccomp;
import dev.berth.spec.SeccompSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * OCI seccomp specs compiled into BPF programs with libseccomp, as runc compiles them: one rule per call,
 * its argument conditions ANDed (or each its own rule when two test the same argument), calls libseccomp
 * does not know skipped, rules that repeat the default action dropped. A compiled program is kept for the
 * next container with the same spec: in memory (a supervisor compiles Docker's default once) and, once
 * {@link #keepCompiledIn} names a directory, in a file named by the spec's digest, which a new JVM reads
 * instead of compiling (libseccomp's linking and compilation cost tens of milliseconds cold).
 */
public final class SeccompFilters {
    private static final int EPERM = 1, ENOSYS = 38;
    private static final int CACHED = 16;
    private static final Map<SeccompSpec, byte[]> COMPILED = new ConcurrentHashMap<>();
    private static volatile Path directory;

    private SeccompFilters() {}

    /** Where compiled programs are kept across JVMs (a root-only directory: the files are trusted as filters). */
    public static void keepCompiledIn(Path dir) {
        directory = dir;
    }

    /** The program for spec, compiled on first use; null for no spec (unconfined). */
    public static byte[] program(SeccompSpec spec) {
        if (spec == null) {
            return null;
        }
        byte[] program = COMPILED.get(spec);
        if (program == null) {
            Path dir = directory;
            Path file = dir == null ? null : dir.resolve(digest(spec) + ".bpf");
            program = file == null ? null : read(file);
            if (program == null) {
                program = compile(spec);
                if (file != null) {
                    write(file, program);
                }
            }
            if (COMPILED.size() >= CACHED) {
                COMPILED.clear();
            }
            COMPILED.put(spec, program);
        }
        return program;
    }

    /** A digest of the spec as JSON, and of the libseccomp that compiles it. */
    private static String digest(SeccompSpec spec) {
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            sha.update(("libseccomp.so.2 binary-tree\n" + System.getProperty("os.arch") + "\n").getBytes(StandardCharsets.UTF_8));
            sha.update(spec.toString().getBytes(StandardCharsets.UTF_8)); // records print every component
            return java.util.HexFormat.of().formatHex(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] read(Path file) {
        try {
            byte[] program = Files.readAllBytes(file);
            return program.length > 0 && program.length % 8 == 0 ? program : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Written whole under a temporary name then renamed: a reader never sees half a program. */
    private static void write(Path file, byte[] program) {
        try {
            Files.createDirectories(file.getParent(), java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
            Path temporary = Files.createTempFile(file.getParent(), ".new-", ".bpf");
            Files.write(temporary, program);
            Files.move(temporary, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | UnsupportedOperationException e) {
            // the cache is an optimisation: the compiled program is used all the same
        }
    }

    /**
     * berth's filter is in force from the spawn on (runc's from its execve), so the spawn's own calls must
     * pass: a profile that names neither gets clone3 refused with ENOSYS (runc's answer to calls newer
     * than a profile; glibc then uses clone) and close_range allowed (closing one's own descriptors).
     */
    private static void addSpawnNeeds(SeccompSpec spec, int defaultAction, Libseccomp.Filter filter) {
        if (defaultAction == Libseccomp.ACT_ALLOW) {
            return;
        }
        java.util.Set<String> named = new java.util.HashSet<>();
        spec.syscalls().forEach(rule -> named.addAll(rule.names()));
        if (!named.contains("clone3")) {
            filter.addRule(Libseccomp.ACT_ERRNO | ENOSYS, "clone3", List.of());
        }
        if (!named.contains("close_range")) {
            filter.addRule(Libseccomp.ACT_ALLOW, "close_range", List.of());
        }
    }

    /** From how many calls a program searches them as a binary tree (runc's threshold). */
    private static final int BINARY_TREE_FROM = 32;

    static byte[] compile(SeccompSpec spec) {
        int defaultAction = action(spec.defaultAction(), spec.defaultErrnoRet());
        try (Libseccomp.Filter filter = Libseccomp.Filter.create(defaultAction)) {
            if (spec.syscalls().stream().mapToInt(rule -> rule.names().size()).sum() > BINARY_TREE_FROM) {
                filter.searchAsBinaryTree(); // Docker's profile: ~350 calls, three architectures
            }
            for (String arch : spec.architectures()) {
                String name = arch.replaceFirst("^SCMP_ARCH_", "").toLowerCase(Locale.ROOT);
                if (!filter.addArchitecture(name)) {
                    throw new BerthException("seccomp: unknown architecture " + arch);
                }
            }
            for (SeccompSpec.Syscall rule : spec.syscalls()) {
                int action = action(rule.action(), rule.errnoRet());
                if (action == defaultAction) {
                    continue;
                }
                for (List<Libseccomp.Condition> conditions : conditionSets(rule.args())) {
                    for (String name : rule.names()) {
                        filter.addRule(action, name, conditions);
                    }
                }
            }
            addSpawnNeeds(spec, defaultAction, filter);
            return filter.export();
        }
    }

    /**
     * The rules one syscall entry becomes: all its conditions in one rule (ANDed), unless two test the
     * same argument, which libseccomp cannot AND: then each alone (ORed), runc's reading of such profiles.
     */
    static List<List<Libseccomp.Condition>> conditionSets(List<SeccompSpec.Arg> args) {
        List<Libseccomp.Condition> all = new ArrayList<>();
        boolean repeated = false;
        boolean[] seen = new boolean[6];
        for (SeccompSpec.Arg arg : args) {
            if (arg.index() < 0 || arg.index() > 5) {
                throw new BerthException("seccomp: argument index " + arg.index() + " is out of range 0..5");
            }
            repeated |= seen[arg.index()];
            seen[arg.index()] = true;
            all.add(new Libseccomp.Condition(arg.index(), comparison(arg.op()), arg.value(), arg.valueTwo()));
        }
        return repeated ? all.stream().map(List::of).toList() : List.of(all);
    }

    static int action(String name, Integer errno) {
        return switch (name) {
            case "SCMP_ACT_ALLOW" -> Libseccomp.ACT_ALLOW;
            case "SCMP_ACT_ERRNO" -> Libseccomp.ACT_ERRNO | ((errno == null ? EPERM : errno) & 0xffff);
            case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD" -> Libseccomp.ACT_KILL_THREAD;
            case "SCMP_ACT_KILL_PROCESS" -> Libseccomp.ACT_KILL_PROCESS;
            case "SCMP_ACT_TRAP" -> Libseccomp.ACT_TRAP;
            case "SCMP_ACT_TRACE" -> Libseccomp.ACT_TRACE | ((errno == null ? EPERM : errno) & 0xffff);
            case "SCMP_ACT_LOG" -> Libseccomp.ACT_LOG;
            default -> throw new BerthException("seccomp: unsupported action " + name);
        };
    }

    private static int comparison(String op) {
        return switch (op) {
            case "SCMP_CMP_NE" -> Libseccomp.CMP_NE;
            case "SCMP_CMP_LT" -> Libseccomp.CMP_LT;
            case "SCMP_CMP_LE" -> Libseccomp.CMP_LE;
            case "SCMP_CMP_EQ" -> Libseccomp.CMP_EQ;
            case "SCMP_CMP_GE" -> Libseccomp.CMP_GE;
            case "SCMP_CMP_GT" -> Libseccomp.CMP_GT;
            case "SCMP_CMP_MASKED_EQ" -> Libseccomp.CMP_MASKED_EQ;
            default -> throw new BerthException("seccomp: unknown comparison " + op);
        };
    }
}
