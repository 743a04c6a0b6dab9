package dev.berth.engine;

import dev.berth.json.Json;
import dev.berth.state.ContainerRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Docker's {@code filters} query parameter for container lists: a JSON object of names to values
 * ({@code {"name":{"web":true}}}, or lists in older clients). id and name match by prefix and substring
 * as Docker's do; status exactly; label=KEY or label=KEY=VALUE all of them.
 */
record Filters(Map<String, List<String>> values) {
    static Filters parse(String json) {
        Map<String, List<String>> values = new java.util.LinkedHashMap<>();
        if (json != null && !json.isBlank()) {
            Json.parseObject(json).forEach((key, value) -> {
                List<String> list = new ArrayList<>();
                if (value instanceof Map<?, ?> map) {
                    map.keySet().forEach(k -> list.add(String.valueOf(k)));
                } else if (value instanceof List<?> items) {
                    items.forEach(v -> list.add(String.valueOf(v)));
                }
                values.put(key, list);
            });
        }
        return new Filters(values);
    }

    boolean matches(ContainerRecord r) {
        for (var filter : values.entrySet()) {
            List<String> wanted = filter.getValue();
            boolean any = switch (filter.getKey()) {
                case "id" -> wanted.stream().anyMatch(r.id()::startsWith);
                case "name" -> wanted.stream().anyMatch(n -> r.name().contains(n.startsWith("/") ? n.substring(1) : n));
                case "status" -> wanted.contains(DockerViews.status(r));
                case "label" -> wanted.stream().allMatch(l -> hasLabel(r.source().labels(), l));
                default -> true;
            };
            if (!any) {
                return false;
            }
        }
        return true;
    }

    /** label=KEY: the container has it; label=KEY=VALUE: with that value. */
    static boolean hasLabel(Map<String, String> labels, String filter) {
        int eq = filter.indexOf('=');
        return eq < 0 ? labels.containsKey(filter) : filter.substring(eq + 1).equals(labels.get(filter.substring(0, eq)));
    }
}
