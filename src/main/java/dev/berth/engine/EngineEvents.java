package dev.berth.engine;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Docker's event stream ({@code GET /events}): what happened to containers, images, networks and
 * volumes, as Docker words it (create, start, die, destroy, pull, …). The last events are kept so that
 * {@code since} can replay them; subscribers get each new one.
 */
final class EngineEvents {
    private static final int KEPT = 1000;

    /** One event; Docker's JSON from {@link #json}. */
    record Event(String type, String action, String id, Map<String, String> attributes, Instant time) {
        Map<String, Object> json() {
            Map<String, Object> e = new LinkedHashMap<>();
            if (type.equals("container")) {
                e.put("status", action);
                e.put("id", id);
                e.put("from", attributes.getOrDefault("image", ""));
            }
            e.put("Type", type);
            e.put("Action", action);
            e.put("Actor", Map.of("ID", id, "Attributes", attributes));
            e.put("scope", "local");
            e.put("time", time.getEpochSecond());
            e.put("timeNano", time.getEpochSecond() * 1_000_000_000L + time.getNano());
            return e;
        }

        /** Docker's filters: type, event (action), container (id or name), image, network, volume, label. */
        boolean matches(Map<String, List<String>> filters) {
            for (var f : filters.entrySet()) {
                List<String> wanted = f.getValue();
                boolean any = switch (f.getKey()) {
                    case "type" -> wanted.contains(type);
                    case "event" -> wanted.contains(action);
                    case "container" -> type.equals("container") && wanted.stream().anyMatch(w ->
                            id.startsWith(w) || w.equals(attributes.get("name")));
                    case "image" -> wanted.contains(attributes.getOrDefault("image", type.equals("image") ? id : ""));
                    case "network", "volume" -> type.equals(f.getKey()) && wanted.stream().anyMatch(w ->
                            id.startsWith(w) || w.equals(attributes.get("name")));
                    case "label" -> wanted.stream().allMatch(l -> Filters.hasLabel(attributes, l));
                    default -> true;
                };
                if (!any) {
                    return false;
                }
            }
            return true;
        }
    }

    private final Deque<Event> kept = new ArrayDeque<>();
    private final List<BlockingQueue<Event>> subscribers = new CopyOnWriteArrayList<>();

    void publish(String type, String action, String id, Map<String, String> attributes) {
        Event event = new Event(type, action, id, Map.copyOf(attributes), Instant.now());
        synchronized (kept) {
            kept.addLast(event);
            if (kept.size() > KEPT) {
                kept.removeFirst();
            }
            subscribers.forEach(q -> q.offer(event)); // under the lock: a new subscriber sees it once
        }
    }

    /** The kept events from since on (null: none), and from now on every new one through the queue. */
    Subscription subscribe(Instant since) {
        BlockingQueue<Event> queue = new LinkedBlockingQueue<>(10_000);
        List<Event> past = new ArrayList<>();
        synchronized (kept) {
            if (since != null) {
                kept.stream().filter(e -> !e.time().isBefore(since)).forEach(past::add);
            }
            subscribers.add(queue);
        }
        return new Subscription(past, queue, () -> subscribers.remove(queue));
    }

    record Subscription(List<Event> past, BlockingQueue<Event> queue, Runnable cancel) implements AutoCloseable {
        @Override
        public void close() {
            cancel.run();
        }
    }
}
