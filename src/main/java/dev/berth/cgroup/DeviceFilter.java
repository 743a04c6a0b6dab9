package dev.berth.cgroup;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * A device allow-list as the eBPF program the unified hierarchy runs for every device access of a
 * group's processes ({@code BPF_PROG_TYPE_CGROUP_DEVICE}, as runc and crun generate it): the context's
 * type, access, major and minor loaded into registers, one block per rule that returns 1 (allow) when
 * every test of the rule passes and falls through to the next otherwise, and 0 (deny) at the end.
 */
final class DeviceFilter {
    // the context: struct bpf_cgroup_dev_ctx { u32 access_type /* access << 16 | type */; u32 major; u32 minor; }
    private static final int DEV_BLOCK = 1, DEV_CHAR = 2;
    private static final int ACC_MKNOD = 1, ACC_READ = 2, ACC_WRITE = 4;

    private static final int LDXW = 0x61, AND32_K = 0x54, RSH32_K = 0x74, MOV32_X = 0xbc, MOV32_K = 0xb4,
            JNE_K = 0x55, JNE_X = 0x5d, EXIT = 0x95;
    private static final int R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5;

    private DeviceFilter() {}

    /** The program (struct bpf_insn[], little-endian as x86-64 and arm64 are) allowing exactly the rules. */
    static byte[] program(List<DeviceRule> allowed) {
        ByteBuffer code = ByteBuffer.allocate(8 * (8 + 8 * allowed.size())).order(ByteOrder.LITTLE_ENDIAN);
        insn(code, LDXW, R2, R1, 0, 0);
        insn(code, AND32_K, R2, 0, 0, 0xffff);          // r2 = type
        insn(code, LDXW, R3, R1, 0, 0);
        insn(code, RSH32_K, R3, 0, 0, 16);               // r3 = access
        insn(code, LDXW, R4, R1, 4, 0);                  // r4 = major
        insn(code, LDXW, R5, R1, 8, 0);                  // r5 = minor
        for (DeviceRule rule : allowed) {
            int access = access(rule.access());
            int tests = (rule.type() == 'a' ? 0 : 1) + (access == 7 ? 0 : 3) + (rule.major() < 0 ? 0 : 1) + (rule.minor() < 0 ? 0 : 1);
            int left = tests + 2;                         // instructions of the block still to come
            if (rule.type() != 'a') {
                insn(code, JNE_K, R2, 0, --left, rule.type() == 'b' ? DEV_BLOCK : DEV_CHAR);
            }
            if (access != 7) {                            // the access asked must be within the rule's
                insn(code, MOV32_X, R1, R3, 0, 0);
                --left;
                insn(code, AND32_K, R1, 0, 0, access);
                --left;
                insn(code, JNE_X, R1, R3, --left, 0);
            }
            if (rule.major() >= 0) {
                insn(code, JNE_K, R4, 0, --left, rule.major());
            }
            if (rule.minor() >= 0) {
                insn(code, JNE_K, R5, 0, --left, rule.minor());
            }
            insn(code, MOV32_K, R0, 0, 0, 1);
            insn(code, EXIT, 0, 0, 0, 0);
        }
        insn(code, MOV32_K, R0, 0, 0, 0);
        insn(code, EXIT, 0, 0, 0, 0);
        byte[] program = new byte[code.position()];
        code.flip().get(program);
        return program;
    }

    private static int access(String rwm) {
        return (rwm.indexOf('m') >= 0 ? ACC_MKNOD : 0) | (rwm.indexOf('r') >= 0 ? ACC_READ : 0) | (rwm.indexOf('w') >= 0 ? ACC_WRITE : 0);
    }

    /** struct bpf_insn { u8 code; u8 dst:4, src:4; s16 off; s32 imm; } */
    private static void insn(ByteBuffer code, int op, int dst, int src, int offset, int imm) {
        code.put((byte) op).put((byte) (dst | src << 4)).putShort((short) offset).putInt(imm);
    }
}
