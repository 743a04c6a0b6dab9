package dev.berth.dns;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The small part of DNS (RFC 1035) an embedded resolver needs: the header and first question of a
 * query, and answers built for it (A and PTR records, NXDOMAIN, SERVFAIL).
 */
public record DnsMessage(int id, int flags, String name, int type, int questionClass, int questionEnd) {
    public static final int TYPE_A = 1, TYPE_PTR = 12, TYPE_AAAA = 28, CLASS_IN = 1;
    static final int RCODE_NOERROR = 0, RCODE_SERVFAIL = 2, RCODE_NXDOMAIN = 3;

    /** The query in packet, or null when it is not one berth can read (no question, compressed names). */
    public static DnsMessage parseQuery(byte[] packet, int length) {
        if (length < 12) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(packet, 0, length);
        int id = Short.toUnsignedInt(b.getShort(0));
        int flags = Short.toUnsignedInt(b.getShort(2));
        int questions = Short.toUnsignedInt(b.getShort(4));
        if ((flags & 0x8000) != 0 || questions < 1) {
            return null;
        }
        StringBuilder name = new StringBuilder();
        int at = 12;
        while (true) {
            if (at >= length) {
                return null;
            }
            int label = packet[at] & 0xff;
            if (label == 0) {
                at++;
                break;
            }
            if (label > 63 || at + 1 + label > length) {
                return null;
            }
            if (!name.isEmpty()) {
                name.append('.');
            }
            name.append(new String(packet, at + 1, label, StandardCharsets.US_ASCII));
            at += 1 + label;
        }
        if (at + 4 > length) {
            return null;
        }
        int type = Short.toUnsignedInt(b.getShort(at));
        int qclass = Short.toUnsignedInt(b.getShort(at + 2));
        return new DnsMessage(id, flags, name.toString().toLowerCase(Locale.ROOT), type, qclass, at + 4);
    }

    /** An answer to this query: A records for addresses, or one PTR record for ptrName. */
    public byte[] answer(byte[] query, List<byte[]> addresses, String ptrName, int rcode) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int count = ptrName != null ? 1 : addresses.size();
        int responseFlags = 0x8000 | (flags & 0x0100) | 0x0400 /* AA */ | 0x0080 /* RA */ | rcode;
        writeShort(out, id);
        writeShort(out, responseFlags);
        writeShort(out, 1);
        writeShort(out, count);
        writeShort(out, 0);
        writeShort(out, 0);
        out.write(query, 12, questionEnd - 12);
        for (int i = 0; i < count; i++) {
            writeShort(out, 0xc00c); // the name: a pointer to the question's
            writeShort(out, ptrName != null ? TYPE_PTR : TYPE_A);
            writeShort(out, CLASS_IN);
            writeShort(out, 0);
            writeShort(out, 10); // TTL: 10 s, names come and go with containers
            if (ptrName != null) {
                byte[] encoded = encodeName(ptrName);
                writeShort(out, encoded.length);
                out.writeBytes(encoded);
            } else {
                writeShort(out, 4);
                out.writeBytes(addresses.get(i));
            }
        }
        return out.toByteArray();
    }

    static byte[] encodeName(String name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String label : name.split("\\.")) {
            byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
            out.write(bytes.length);
            out.writeBytes(bytes);
        }
        out.write(0);
        return out.toByteArray();
    }

    private static void writeShort(ByteArrayOutputStream out, int value) {
        out.write((value >>> 8) & 0xff);
        out.write(value & 0xff);
    }
}
