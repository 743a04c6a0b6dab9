package dev.berth.registry;

import dev.berth.BerthException;
import dev.berth.json.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Registry logins, in Docker's {@code config.json} shape ({@code {"auths": {"HOST": {"auth": base64(user:password)}}}}):
 * berth's own file first (written by {@code berth login}, readable by root only), then the user's
 * {@code ~/.docker/config.json}, so existing {@code docker login}s work.
 */
public final class Credentials {
    public record Login(String username, String password) {
        String basic() {
            return Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        }
    }

    private final Path berthFile;
    private final List<Path> readOnly;

    public Credentials(Path berthFile, List<Path> readOnly) {
        this.berthFile = berthFile;
        this.readOnly = List.copyOf(readOnly);
    }

    /** berth's file, then ~/.docker/config.json (or $DOCKER_CONFIG/config.json). */
    public static Credentials standard(Path berthFile, Map<String, String> env) {
        String dockerConfig = env.get("DOCKER_CONFIG");
        Path docker = dockerConfig != null ? Path.of(dockerConfig, "config.json")
                : Path.of(env.getOrDefault("HOME", "/root"), ".docker", "config.json");
        return new Credentials(berthFile, List.of(docker));
    }

    public Optional<Login> find(String registry) {
        for (Path file : java.util.stream.Stream.concat(java.util.stream.Stream.of(berthFile), readOnly.stream()).toList()) {
            Optional<Login> login = read(file, registry);
            if (login.isPresent()) {
                return login;
            }
        }
        return Optional.empty();
    }

    public void store(String registry, Login login) {
        Map<String, Object> root = Files.isRegularFile(berthFile) ? new LinkedHashMap<>(parse(berthFile)) : new LinkedHashMap<>();
        Map<String, Object> auths = new LinkedHashMap<>(map(root.get("auths")));
        auths.put(registry, Map.of("auth", login.basic()));
        root.put("auths", auths);
        write(root);
    }

    /** Forgets the login for registry; false when there was none. */
    public boolean remove(String registry) {
        if (!Files.isRegularFile(berthFile)) {
            return false;
        }
        Map<String, Object> root = new LinkedHashMap<>(parse(berthFile));
        Map<String, Object> auths = new LinkedHashMap<>(map(root.get("auths")));
        boolean had = auths.remove(registry) != null;
        root.put("auths", auths);
        write(root);
        return had;
    }

    private void write(Map<String, Object> root) {
        try {
            Files.createDirectories(berthFile.getParent());
            Path tmp = Files.createTempFile(berthFile.getParent(), ".auth-", ".json",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, Json.render(root));
            Files.move(tmp, berthFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new BerthException("cannot write " + berthFile + ": " + e.getMessage(), e);
        }
    }

    private static Optional<Login> read(Path file, String registry) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Map<String, Object> auths = map(parse(file).get("auths"));
        for (String key : List.of(registry, "https://" + registry, "http://" + registry,
                registry.equals("docker.io") ? "https://index.docker.io/v1/" : registry)) {
            Object entry = auths.get(key);
            if (entry instanceof Map<?, ?> m && m.get("auth") instanceof String auth && !auth.isEmpty()) {
                String decoded = new String(Base64.getDecoder().decode(auth), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon > 0) {
                    return Optional.of(new Login(decoded.substring(0, colon), decoded.substring(colon + 1)));
                }
            }
        }
        return Optional.empty();
    }

    private static Map<String, Object> parse(Path file) {
        try {
            return Json.parseObject(Files.readString(file));
        } catch (IOException | RuntimeException e) {
            throw new BerthException("cannot read credentials from " + file + ": " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }
}
