package dev.berth.image;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an image says a container of it starts with: the {@code config} object of an OCI image
 * configuration (Docker's {@code Config}), the part {@code run} honours.
 *
 * @param exposedPorts "80/tcp" and the like, for {@code -P}
 * @param volumes      the image's VOLUME paths: each gets an anonymous volume
 */
public record ImageConfig(List<String> entrypoint, List<String> cmd, List<String> env, String workingDir, String user,
                          List<String> exposedPorts, String stopSignal, Map<String, String> labels, List<String> volumes) {
    public static final ImageConfig EMPTY = new ImageConfig(null, null, null, null, null, null, null, null);

    public ImageConfig(List<String> entrypoint, List<String> cmd, List<String> env, String workingDir, String user,
                       List<String> exposedPorts, String stopSignal, Map<String, String> labels) {
        this(entrypoint, cmd, env, workingDir, user, exposedPorts, stopSignal, labels, null);
    }

    public ImageConfig {
        entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
        cmd = cmd == null ? List.of() : List.copyOf(cmd);
        env = env == null ? List.of() : List.copyOf(env);
        workingDir = workingDir == null || workingDir.isEmpty() ? null : workingDir;
        user = user == null || user.isEmpty() ? null : user;
        exposedPorts = exposedPorts == null ? List.of() : List.copyOf(exposedPorts);
        stopSignal = stopSignal == null || stopSignal.isEmpty() ? null : stopSignal;
        labels = labels == null ? Map.of() : Map.copyOf(new TreeMap<>(labels));
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
    }

    public static ImageConfig command(List<String> cmd) {
        return new ImageConfig(null, cmd, null, null, null, null, null, null);
    }

    /** The defaults an image configuration blob ({@code application/vnd.oci.image.config.v1+json}) gives. */
    public static ImageConfig fromConfigBlob(Map<String, Object> blob) {
        return fromJson(Manifests.map(blob.get("config")));
    }

    /** Reads the {@code config} object of an image configuration blob (absent fields stay empty). */
    static ImageConfig fromJson(Map<String, Object> config) {
        if (config == null) {
            return EMPTY;
        }
        Map<String, Object> ports = Manifests.map(config.get("ExposedPorts"));
        return new ImageConfig(strings(config.get("Entrypoint")), strings(config.get("Cmd")), strings(config.get("Env")),
                string(config.get("WorkingDir")), string(config.get("User")), new ArrayList<>(ports.keySet()),
                string(config.get("StopSignal")), stringMap(config.get("Labels")),
                new ArrayList<>(Manifests.map(config.get("Volumes")).keySet()));
    }

    /** The {@code config} object in Docker's shape, as {@code image inspect} and {@code save} write it. */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        Map<String, Object> ports = new LinkedHashMap<>();
        exposedPorts.forEach(p -> ports.put(p, Map.of()));
        json.put("User", user == null ? "" : user);
        json.put("ExposedPorts", ports);
        json.put("Env", env);
        json.put("Entrypoint", entrypoint.isEmpty() ? null : entrypoint);
        json.put("Cmd", cmd.isEmpty() ? null : cmd);
        json.put("WorkingDir", workingDir == null ? "" : workingDir);
        json.put("Labels", labels);
        json.put("StopSignal", stopSignal);
        Map<String, Object> volumeSet = new LinkedHashMap<>();
        volumes.forEach(v -> volumeSet.put(v, Map.of()));
        json.put("Volumes", volumeSet.isEmpty() ? null : volumeSet);
        return json;
    }

    static List<String> strings(Object value) {
        if (!(value instanceof List<?> list)) {
            return null;
        }
        return list.stream().map(String::valueOf).toList();
    }

    static String string(Object value) {
        return value instanceof String s ? s : null;
    }

    private static Map<String, String> stringMap(Object value) {
        Map<String, String> out = new LinkedHashMap<>();
        Manifests.map(value).forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }
}
