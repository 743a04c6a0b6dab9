package dev.berth.nftables;

import dev.berth.json.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * libnftables as a test sees it: every batch is recorded, and berth's table is kept as the last batch
 * built it, so a listing answers as nft would (the table's chains and rules, or "No such file" when the
 * table does not exist). {@link #flushRuleset()} plays someone's {@code nft flush ruleset}.
 */
final class RecordingNftables implements Nftables {
    final List<String> commits = new ArrayList<>();
    int listings;
    boolean available = true;
    private List<Map<String, Object>> table; // null: no table

    @Override
    @SuppressWarnings("unchecked")
    public String run(String batch) {
        List<Object> commands = (List<Object>) Json.parseObject(batch).get("nftables");
        if (commands.size() == 1 && ((Map<String, Object>) commands.getFirst()).containsKey("list")) {
            listings++;
            if (table == null) {
                throw new Libnftables.NftablesException("Error: No such file or directory", batch);
            }
            Map<String, Object> listing = new LinkedHashMap<>();
            List<Object> objects = new ArrayList<>();
            objects.add(Map.of("metainfo", Map.of("json_schema_version", 1)));
            objects.addAll(table);
            listing.put("nftables", objects);
            return Json.render(listing);
        }
        commits.add(batch);
        List<Map<String, Object>> built = null;
        for (Object c : commands) {
            Map<String, Object> command = (Map<String, Object>) c;
            if (command.containsKey("delete")) {
                built = null;
            } else if (command.get("add") instanceof Map<?, ?> add) {
                if (add.containsKey("table")) {
                    built = built == null ? new ArrayList<>() : built;
                }
                if (built != null) {
                    built.add((Map<String, Object>) add);
                }
            }
        }
        table = built;
        return "";
    }

    @Override
    public boolean available() {
        return available;
    }

    /** Someone else empties the ruleset: berth's table is gone. */
    void flushRuleset() {
        table = null;
    }

    /** Someone deletes berth's rules but leaves the table and its chains. */
    void flushTable() {
        table.removeIf(o -> o.containsKey("rule"));
    }
}
