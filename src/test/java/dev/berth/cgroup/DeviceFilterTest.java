package dev.berth.cgroup;

import dev.berth.spec.Defaults;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The device program decides as its allow-list does: run on a small interpreter of the instructions it
 * uses, for the accesses that matter and for many random ones, against the rules read directly.
 */
class DeviceFilterTest {
    private static final List<DeviceRule> DEFAULTS = Defaults.DEVICE_ALLOW.stream().map(DeviceRule::parse).toList();

    /** type 'c'/'b', access a subset of "rwm" */
    private static boolean allows(List<DeviceRule> rules, char type, String access, int major, int minor) {
        return rules.stream().anyMatch(r -> (r.type() == 'a' || r.type() == type) && (r.major() < 0 || r.major() == major)
                && (r.minor() < 0 || r.minor() == minor) && access.chars().allMatch(c -> r.access().indexOf(c) >= 0));
    }

    /** Interprets the program for one access, as the kernel's BPF machine would. */
    private static boolean run(byte[] program, char type, String access, int major, int minor) {
        int acc = (access.contains("m") ? 1 : 0) | (access.contains("r") ? 2 : 0) | (access.contains("w") ? 4 : 0);
        int[] ctx = {acc << 16 | (type == 'b' ? 1 : 2), major, minor};
        long[] reg = new long[11];
        ByteBuffer code = ByteBuffer.wrap(program).order(ByteOrder.LITTLE_ENDIAN);
        for (int pc = 0, steps = 0; steps < 4096; steps++) {
            int op = code.get(pc * 8) & 0xff;
            int dst = code.get(pc * 8 + 1) & 0xf;
            int src = (code.get(pc * 8 + 1) >> 4) & 0xf;
            short off = code.getShort(pc * 8 + 2);
            int imm = code.getInt(pc * 8 + 4);
            pc++;
            switch (op) {
                case 0x61 -> reg[dst] = ctx[off / 4] & 0xffffffffL;
                case 0x54 -> reg[dst] = (reg[dst] & imm) & 0xffffffffL;
                case 0x74 -> reg[dst] = (reg[dst] & 0xffffffffL) >>> imm;
                case 0xbc -> reg[dst] = reg[src] & 0xffffffffL;
                case 0xb4 -> reg[dst] = imm & 0xffffffffL;
                case 0x55 -> pc += reg[dst] != (long) imm ? off : 0;
                case 0x5d -> pc += reg[dst] != reg[src] ? off : 0;
                case 0x95 -> {
                    return reg[0] == 1;
                }
                default -> throw new AssertionError("unexpected opcode 0x" + Integer.toHexString(op));
            }
        }
        throw new AssertionError("the program did not exit");
    }

    @Test
    void dockersDefaultsAllowTheContainersOwnNodesAndMknodButNoHostDevice() {
        byte[] program = DeviceFilter.program(DEFAULTS);
        assertThat(run(program, 'c', "rw", 1, 3)).as("/dev/null").isTrue();
        assertThat(run(program, 'c', "rw", 136, 7)).as("a pty").isTrue();
        assertThat(run(program, 'c', "m", 1, 11)).as("mknod of /dev/kmsg's numbers").isTrue();
        assertThat(run(program, 'c', "w", 1, 11)).as("writing /dev/kmsg").isFalse();
        assertThat(run(program, 'b', "r", 8, 0)).as("reading a disk").isFalse();
        assertThat(run(program, 'b', "m", 8, 0)).as("mknod of a disk").isTrue();
    }

    @Test
    void everyAccessIsDecidedAsTheRulesSay() {
        List<DeviceRule> rules = new java.util.ArrayList<>(DEFAULTS);
        rules.add(new DeviceRule('c', 10, 229, "r"));
        rules.add(new DeviceRule('b', 7, -1, "rw"));
        byte[] program = DeviceFilter.program(rules);
        Random random = new Random(42);
        String[] accesses = {"r", "w", "m", "rw", "rm", "wm", "rwm"};
        for (int i = 0; i < 20_000; i++) {
            char type = random.nextBoolean() ? 'c' : 'b';
            String access = accesses[random.nextInt(accesses.length)];
            int major = random.nextInt(12) == 0 ? random.nextInt(300) : new int[] {1, 5, 7, 10, 136}[random.nextInt(5)];
            int minor = random.nextInt(4) == 0 ? random.nextInt(300) : new int[] {0, 1, 2, 3, 5, 7, 8, 9, 200, 229}[random.nextInt(10)];
            assertThat(run(program, type, access, major, minor)).as("%c %d:%d %s", type, major, minor, access)
                    .isEqualTo(allows(rules, type, access, major, minor));
        }
    }

    @Test
    void anEmptyListDeniesEverythingAndAllAllowsEverything() {
        assertThat(run(DeviceFilter.program(List.of()), 'c', "r", 1, 3)).isFalse();
        assertThat(run(DeviceFilter.program(List.of(DeviceRule.parse("a"))), 'b', "rwm", 8, 0)).isTrue();
    }
}
