package dev.berth.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** The {@code rtattr} attributes of a received message (the last value of each type wins). */
final class Attributes {
    private final Map<Integer, byte[]> values = new HashMap<>();

    static Attributes parse(ByteBuffer buffer, int from, int to) {
        Attributes attributes = new Attributes();
        int at = from;
        while (at + 4 <= to) {
            int length = Short.toUnsignedInt(buffer.getShort(at));
            int type = Short.toUnsignedInt(buffer.getShort(at + 2)) & 0x3fff; // without NLA_F_NESTED/BYTEORDER
            if (length < 4 || at + length > to) {
                break;
            }
            byte[] value = new byte[length - 4];
            buffer.get(at + 4, value);
            attributes.values.put(type, value);
            at += (length + 3) & ~3;
        }
        return attributes;
    }

    byte[] bytes(int type) {
        return values.get(type);
    }

    String string(int type) {
        byte[] v = values.get(type);
        if (v == null) {
            return null;
        }
        int end = 0;
        while (end < v.length && v[end] != 0) {
            end++;
        }
        return new String(v, 0, end, StandardCharsets.US_ASCII);
    }

    Integer integer(int type) {
        byte[] v = values.get(type);
        return v == null || v.length < 4 ? null : ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getInt();
    }

    Attributes nested(int type) {
        byte[] v = values.get(type);
        return v == null ? new Attributes() : parse(ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()), 0, v.length);
    }
}
