package dev.berth.engine;

import dev.berth.api.Berth;
import dev.berth.json.Json;
import dev.berth.volume.Volume;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static dev.berth.engine.EngineApi.json;

/** The Engine API's {@code /volumes}: create, list, inspect, remove, prune (label filters). */
final class VolumeRoutes {
    private final Berth berth;
    private final EngineEvents events;

    VolumeRoutes(Berth berth, EngineEvents events) {
        this.berth = berth;
        this.events = events;
    }

    void route(HttpExchange x, String m, String[] p) throws IOException {
        if (p.length == 1 && m.equals("GET")) {
            json(x, 200, Map.of("Volumes", berth.listVolumes().stream().map(v -> DockerViews.volume(berth, v)).toList(),
                    "Warnings", List.of()));
        } else if (p.length == 2 && p[1].equals("create") && m.equals("POST")) {
            Map<String, Object> body = Json.parseObject(new String(x.bodyBytes(), StandardCharsets.UTF_8));
            Map<String, String> labels = DockerCreate.labels(body.get("Labels"));
            String name = body.get("Name") instanceof String s && !s.isEmpty() ? s : null;
            Volume volume = berth.createVolume(name, labels);
            events.publish("volume", "create", volume.name(), Map.of("driver", "local"));
            json(x, 201, DockerViews.volume(berth, volume));
        } else if (p.length == 2 && p[1].equals("prune") && m.equals("POST")) {
            Map<String, List<String>> filters = Filters.parse(x.param("filters")).values();
            List<String> labels = filters.getOrDefault("label", List.of());
            boolean all = filters.getOrDefault("all", List.of()).stream().anyMatch(v -> v.equals("true") || v.equals("1"));
            json(x, 200, Map.of("VolumesDeleted", berth.pruneVolumes(all,
                    v -> labels.stream().allMatch(l -> Filters.hasLabel(v.labels(), l))), "SpaceReclaimed", 0));
        } else if (p.length == 2 && m.equals("GET")) {
            json(x, 200, DockerViews.volume(berth, berth.inspectVolume(p[1])));
        } else if (p.length == 2 && m.equals("DELETE")) {
            berth.removeVolume(p[1]);
            events.publish("volume", "destroy", p[1], Map.of("driver", "local"));
            x.respond(204, null, new byte[0], Map.of());
        } else {
            throw new EngineApi.ApiError(404, "page not found");
        }
    }
}
