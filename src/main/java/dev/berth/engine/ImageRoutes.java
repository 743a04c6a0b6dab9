package dev.berth.engine;

import dev.berth.BerthException;
import dev.berth.api.Berth;
import dev.berth.image.Digest;
import dev.berth.image.ImageRecord;
import dev.berth.image.ImageReference;
import dev.berth.image.Platform;
import dev.berth.image.PullProgress;
import dev.berth.json.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.berth.engine.EngineApi.json;
import static dev.berth.engine.EngineApi.line;

/** The Engine API's {@code /images}: pull with JSON progress, list, inspect, tag, remove, load, save, prune. */
final class ImageRoutes {
    private final Berth berth;
    private final EngineEvents events;

    ImageRoutes(Berth berth, EngineEvents events) {
        this.berth = berth;
        this.events = events;
    }

    void route(HttpExchange x, String m, String[] p) throws IOException {
        if (p.length == 2 && p[1].equals("json") && m.equals("GET")) {
            json(x, 200, berth.images().stream().map(DockerViews::imageSummary).toList());
        } else if (p.length == 2 && p[1].equals("create") && m.equals("POST")) {
            pull(x);
        } else if (p.length >= 3 && p[p.length - 1].equals("json") && m.equals("GET")) {
            String name = String.join("/", List.of(p).subList(1, p.length - 1));
            ImageRecord image;
            try {
                image = berth.image(name);
            } catch (BerthException e) {
                throw new EngineApi.ApiError(404, "No such image: " + name);
            }
            json(x, 200, DockerViews.image(image, berth.paths().imageLayers()));
        } else if (p.length == 2 && p[1].equals("prune") && m.equals("POST")) {
            List<String> labels = Filters.parse(x.param("filters")).values().getOrDefault("label", List.of());
            List<Map<String, String>> deleted = berth.pruneImages(image -> labels.stream()
                    .allMatch(l -> Filters.hasLabel(image.config().labels(), l))).stream()
                    .map(ImageRoutes::removal).toList();
            json(x, 200, Map.of("ImagesDeleted", deleted, "SpaceReclaimed", 0));
        } else if (p.length == 2 && p[1].equals("load") && m.equals("POST")) {
            List<String> loaded = berth.loadImages(x.body(), Platform.HOST, PullProgress.QUIET);
            x.finishReading();
            StringBuilder lines = new StringBuilder();
            loaded.forEach(name -> lines.append(Json.render(Map.of("stream", "Loaded image: " + name + "\n")).replace("\n", "")).append('\n'));
            x.respond(200, "application/json", lines.toString().getBytes(StandardCharsets.UTF_8), Map.of());
        } else if ((p.length == 2 && p[1].equals("get") || p.length >= 3 && p[p.length - 1].equals("get")) && m.equals("GET")) {
            List<String> names = p.length == 2 ? x.query.getOrDefault("names", List.of())
                    : List.of(String.join("/", List.of(p).subList(1, p.length - 1)));
            Path file = Files.createTempFile(berth.paths().root(), ".save-", ".tar");
            try {
                berth.saveImages(names, file);
                try (OutputStream out = x.stream(200, "application/x-tar")) {
                    Files.copy(file, out);
                }
            } finally {
                Files.deleteIfExists(file);
            }
        } else if (p.length >= 3 && p[p.length - 1].equals("tag") && m.equals("POST")) {
            String source = String.join("/", List.of(p).subList(1, p.length - 1));
            String repo = x.param("repo");
            String tag = x.param("tag");
            if (repo == null || repo.isEmpty()) {
                throw new EngineApi.ApiError(400, "repository name must have at least one component");
            }
            var tagged = berth.tagImage(source, tag == null || tag.isEmpty() ? repo : repo + ":" + tag);
            events.publish("image", "tag", "sha256:" + tagged.digest().hex(),
                    Map.of("name", tag == null || tag.isEmpty() ? repo : repo + ":" + tag));
            x.respond(201, null, new byte[0], Map.of());
        } else if (p.length >= 2 && m.equals("DELETE")) {
            String name = String.join("/", List.of(p).subList(1, p.length));
            List<Map<String, String>> removed = berth.removeImage(name).stream().map(ImageRoutes::removal).toList();
            removed.forEach(r -> events.publish("image", r.containsKey("Untagged") ? "untag" : "delete",
                    r.values().iterator().next(), Map.of("name", name)));
            json(x, 200, removed);
        } else {
            throw new EngineApi.ApiError(404, "page not found");
        }
    }

    /** berth's "Untagged: NAME" / "Deleted: ID" lines as Docker's {"Untagged": …} / {"Deleted": …}. */
    private static Map<String, String> removal(String line) {
        int colon = line.indexOf(':');
        return Map.of(line.startsWith("Untagged") ? "Untagged" : "Deleted", line.substring(colon + 1).strip());
    }

    /** {@code POST /images/create?fromImage=…&tag=…}: a pull, its progress as JSON lines. */
    private void pull(HttpExchange x) throws IOException {
        x.finishReading();
        String from = x.param("fromImage");
        if (from == null) {
            throw new EngineApi.ApiError(400, "berth: only pulls (fromImage) are supported");
        }
        String tag = x.param("tag");
        String reference = tag == null || tag.isEmpty() ? from : tag.startsWith("sha256:") ? from + "@" + tag : from + ":" + tag;
        try (OutputStream out = x.stream(200, "application/json")) {
            try {
                if (EngineApi.isBuiltInBusybox(reference)) {
                    berth.ensureBusyboxImage();
                } else {
                    String platform = x.param("platform");
                    berth.pull(reference, platform == null || platform.isEmpty() ? Platform.HOST : Platform.parse(platform),
                            new PullProgress() {
                                @Override
                                public void layerDone(Digest layer) {
                                    line(out, Map.of("status", "Pull complete", "id", layer.hex().substring(0, 12)));
                                }

                                @Override
                                public void layerExists(Digest layer) {
                                    line(out, Map.of("status", "Already exists", "id", layer.hex().substring(0, 12)));
                                }
                            }, Map.of());
                }
                line(out, Map.of("status", "Status: Image is up to date for " + ImageReference.parse(reference).familiar()));
                events.publish("image", "pull", ImageReference.parse(reference).familiar(),
                        Map.of("name", ImageReference.parse(reference).familiar()));
            } catch (RuntimeException e) {
                String message = String.valueOf(e.getMessage());
                line(out, Map.of("errorDetail", Map.of("message", message), "error", message));
            }
        }
    }

}
