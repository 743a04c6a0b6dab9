package dev.berth.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A plain text table with columns padded to their widest cell, like docker's listings. */
final class Table {
    private final List<String[]> rows = new ArrayList<>();

    Table(String... header) {
        rows.add(header);
    }

    void add(String... cells) {
        rows.add(cells);
    }

    void print(PrintWriter out) {
        int columns = rows.getFirst().length;
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(i == columns - 1 ? row[i] : String.format("%-" + (widths[i] + 3) + "s", row[i]));
            }
            out.println(line.toString().stripTrailing());
        }
        out.flush();
    }

    /** "5 seconds ago", "3 minutes ago"… from an ISO instant. */
    static String ago(String isoInstant) {
        if (isoInstant == null || isoInstant.isEmpty()) {
            return "";
        }
        try {
            return duration(Duration.between(java.time.OffsetDateTime.parse(isoInstant).toInstant(), Instant.now())) + " ago";
        } catch (java.time.format.DateTimeParseException e) {
            return ""; // an image's creation time is whatever its builder wrote
        }
    }

    static String duration(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + (s == 1 ? " second" : " seconds");
        }
        if (s < 3600) {
            return s / 60 + (s / 60 == 1 ? " minute" : " minutes");
        }
        if (s < 86400) {
            return s / 3600 + (s / 3600 == 1 ? " hour" : " hours");
        }
        return s / 86400 + (s / 86400 == 1 ? " day" : " days");
    }

    /** A size as Docker prints it: base 1000 (kB, MB: image sizes, pulls) or 1024 (KiB, MiB: memory). */
    static String size(long bytes, int base) {
        if (bytes < base) {
            return bytes + "B";
        }
        String[] units = base == 1000 ? new String[] {"kB", "MB", "GB", "TB"} : new String[] {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= base && unit < units.length - 1) {
            value /= base;
            unit++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f%s", value, units[unit]);
    }
}
