package dev.berth.engine;

import dev.berth.BerthException;
import dev.berth.api.Berth;
import dev.berth.api.Container;
import dev.berth.api.RunOptions;
import dev.berth.image.ImageReference;
import dev.berth.image.Platform;
import dev.berth.json.Json;
import dev.berth.spec.Signals;
import dev.berth.state.ContainerLog;
import dev.berth.state.ContainerRecord;
import dev.berth.volume.Volume;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Docker Engine API, the part the {@code docker} CLI needs for images, containers and volumes:
 * each route turns Docker's JSON into berth's options and berth's records into Docker's JSON
 * ({@link DockerViews}); errors are Docker's {@code {"message": …}} with its status codes, so clients
 * print them and act on them (a 404 for an image makes the CLI pull it).
 */
final class EngineApi {
    static final String API_VERSION = "1.44";
    /**
     * The Docker Engine release whose API berth speaks (1.44 is Docker 25.0): clients compare server
     * versions as numbers (Testcontainers refuses anything below 1.6.0), so a number it is.
     */
    static final String ENGINE_VERSION = "25.0.0-berth";
    static final String MIN_API_VERSION = "1.24";
    private static final Pattern VERSIONED = Pattern.compile("^/v[0-9]+\\.[0-9]+(/.*)$");
    static final String MULTIPLEXED = Multiplexed.CONTENT_TYPE;
    static final String RAW = "application/vnd.docker.raw-stream";

    private final EngineBackend backend;
    private final Berth berth;
    /** Containers created through the API and not started yet. */
    private final Map<String, Container> created = new ConcurrentHashMap<>();
    /** Containers created with OpenStdin: whether their stdin closes when the first attached client's ends. */
    private final Map<String, Boolean> stdinOnce = new ConcurrentHashMap<>();
    private final Execs execs;
    private final EngineEvents events = new EngineEvents();
    private final ImageRoutes images;
    private final VolumeRoutes volumes;
    private final NetworkRoutes networks;

    EngineApi(EngineBackend backend) {
        this.backend = backend;
        this.berth = backend.berth();
        this.execs = new Execs(berth, events);
        this.images = new ImageRoutes(berth, events);
        this.volumes = new VolumeRoutes(berth, events);
        this.networks = new NetworkRoutes(berth, events);
        backend.onExit((record, exitCode) -> {
            if (record != null) {
                containerEvent("die", record, Map.of("exitCode", String.valueOf(exitCode == null ? -1 : exitCode)));
                if (record.autoRemove()) {
                    containerEvent("destroy", record, Map.of());
                }
            }
        });
    }

    /** Publishes a container's event with Docker's attributes: its labels, image and name. */
    private void containerEvent(String action, ContainerRecord r, Map<String, String> extra) {
        events.publish("container", action, r.id(), containerAttributes(r, extra));
    }

    static Map<String, String> containerAttributes(ContainerRecord r, Map<String, String> extra) {
        Map<String, String> attributes = new LinkedHashMap<>(r.source().labels());
        attributes.put("image", r.image() == null ? "" : r.image());
        attributes.put("name", r.name());
        attributes.putAll(extra);
        return attributes;
    }

    /** An error with the HTTP status Docker gives it. */
    static final class ApiError extends RuntimeException {
        final int status;

        ApiError(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    void handle(HttpExchange x) throws IOException {
        Matcher versioned = VERSIONED.matcher(x.path);
        String path = versioned.matches() ? versioned.group(1) : x.path;
        try {
            route(x, path);
        } catch (ApiError e) {
            error(x, e.status, e.getMessage());
        } catch (BerthException e) {
            error(x, statusOf(e.getMessage()), e.getMessage());
        } catch (RuntimeException e) {
            error(x, 500, String.valueOf(e.getMessage()));
        }
    }

    private static int statusOf(String message) {
        String m = String.valueOf(message).toLowerCase(Locale.ROOT);
        if (m.startsWith("no such")) {
            return 404;
        }
        if (m.contains("already in use") || m.contains("is in use") || m.contains("is running")) {
            return 409;
        }
        if (m.startsWith("invalid") || m.contains("must be")) {
            return 400;
        }
        return 500;
    }

    private void error(HttpExchange x, int status, String message) throws IOException {
        if (x.responded()) {
            return; // a stream had started: the connection just ends
        }
        String text = message;
        if (status == 404 && text.startsWith("no such image: ")) {
            text = "No such image: " + text.substring("no such image: ".length());
        } else if (status == 404 && text.startsWith("no such container: ")) {
            text = "No such container: " + text.substring("no such container: ".length());
        }
        json(x, status, Map.of("message", text));
    }

    private void route(HttpExchange x, String path) throws IOException {
        String m = x.method;
        String[] p = path.substring(1).split("/");
        switch (p[0]) {
            case "_ping" -> x.respond(200, "text/plain; charset=utf-8", "OK".getBytes(StandardCharsets.UTF_8),
                    Map.of("Cache-Control", "no-cache, no-store, must-revalidate", "Pragma", "no-cache"));
            case "version" -> json(x, 200, version());
            case "info" -> json(x, 200, info());
            case "containers" -> containers(x, m, p);
            case "images" -> images.route(x, m, p);
            case "volumes" -> volumes.route(x, m, p);
            case "networks" -> networks.route(x, m, p);
            case "exec" -> exec(x, m, p);
            case "events" -> events(x);
            case "system" -> {
                if (p.length == 2 && p[1].equals("df")) {
                    json(x, 200, systemDf());
                } else {
                    throw new ApiError(404, "page not found: " + path);
                }
            }
            default -> throw new ApiError(404, "page not found: " + path);
        }
    }

    // ---- system ------------------------------------------------------------------------------------------

    private static Map<String, Object> version() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("Platform", Map.of("Name", "berth"));
        v.put("Components", List.of(Map.of("Name", "Engine", "Version", ENGINE_VERSION, "Details",
                Map.of("ApiVersion", API_VERSION, "MinAPIVersion", MIN_API_VERSION, "Os", "linux", "Arch", "amd64"))));
        v.put("Version", ENGINE_VERSION);
        v.put("ApiVersion", API_VERSION);
        v.put("MinAPIVersion", MIN_API_VERSION);
        v.put("Os", "linux");
        v.put("Arch", "amd64");
        v.put("KernelVersion", System.getProperty("os.version"));
        v.put("GoVersion", "none (Java " + Runtime.version().feature() + ")");
        return v;
    }

    private Map<String, Object> info() {
        List<ContainerRecord> all = berth.containers();
        long running = all.stream().filter(r -> r.status() == ContainerRecord.Status.RUNNING).count();
        Map<String, Object> i = new LinkedHashMap<>();
        i.put("ID", "berth");
        i.put("Containers", all.size());
        i.put("ContainersRunning", running);
        i.put("ContainersPaused", 0);
        i.put("ContainersStopped", all.size() - running);
        i.put("Images", berth.images().size());
        i.put("Driver", "overlay2");
        i.put("DockerRootDir", berth.paths().root().toString());
        i.put("OperatingSystem", "berth on Linux");
        i.put("OSType", "linux");
        i.put("Architecture", "x86_64");
        i.put("KernelVersion", System.getProperty("os.version"));
        i.put("NCPU", Runtime.getRuntime().availableProcessors());
        i.put("ServerVersion", ENGINE_VERSION);
        i.put("Name", berth.paths().root().toString());
        i.put("MemTotal", DockerStats.memTotal());
        i.put("CgroupDriver", "cgroupfs");
        i.put("CgroupVersion", Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers")) ? "2" : "1");
        i.put("LoggingDriver", "json-file");
        i.put("Labels", List.of());
        i.put("ExperimentalBuild", false);
        i.put("Swarm", Map.of("LocalNodeState", "inactive", "NodeID", "", "NodeAddr", "", "ControlAvailable", false));
        i.put("IndexServerAddress", "https://index.docker.io/v1/");
        i.put("DefaultRuntime", "berth");
        i.put("Runtimes", Map.of("berth", Map.of("path", "berth")));
        i.put("Plugins", Map.of("Volume", List.of("local"), "Network", List.of("bridge", "host", "none")));
        i.put("SecurityOptions", List.of("name=no-new-privileges"));
        return i;
    }

    // ---- containers --------------------------------------------------------------------------------------

    private void containers(HttpExchange x, String m, String[] p) throws IOException {
        if (p.length == 2 && p[1].equals("create") && m.equals("POST")) {
            create(x);
        } else if (p.length == 2 && p[1].equals("json") && m.equals("GET")) {
            boolean all = x.flag("all");
            List<Map<String, Object>> list = new ArrayList<>();
            for (ContainerRecord r : berth.containers()) {
                if ((all || r.status() == ContainerRecord.Status.RUNNING) && Filters.parse(x.param("filters")).matches(r)) {
                    list.add(DockerViews.containerSummary(r, imageId(r)));
                }
            }
            json(x, 200, list);
        } else if (p.length == 2 && p[1].equals("prune") && m.equals("POST")) {
            List<String> deleted = new ArrayList<>();
            Filters filters = Filters.parse(x.param("filters"));
            for (ContainerRecord r : berth.containers()) {
                if (r.status() == ContainerRecord.Status.EXITED && filters.matches(r)) {
                    berth.remove(r.id(), false, false);
                    containerEvent("destroy", r, Map.of());
                    execs.forget(r.id());
                    deleted.add(r.id());
                }
            }
            json(x, 200, Map.of("ContainersDeleted", deleted, "SpaceReclaimed", 0));
        } else if (p.length == 2 && m.equals("DELETE")) {
            ContainerRecord r = berth.inspect(p[1]);
            if (r.status() == ContainerRecord.Status.RUNNING && !x.flag("force")) {
                throw new ApiError(409, "cannot remove container \"" + r.name() + "\": container is running: stop the container before removing or force remove");
            }
            created.remove(r.id());
            stdinOnce.remove(r.id());
            berth.remove(r.id(), x.flag("force"), x.flag("v"));
            containerEvent("destroy", r, Map.of());
            execs.forget(r.id());
            x.respond(204, null, new byte[0], Map.of());
        } else if (p.length == 3) {
            ContainerRecord r = berth.inspect(p[1]);
            switch (p[2]) {
                case "json" -> json(x, 200, DockerViews.container(r, imageId(r), spec(r), stdinOnce.containsKey(r.id())));
                case "exec" -> {
                    if (!m.equals("POST")) {
                        throw new ApiError(404, "page not found");
                    }
                    String id = execs.create(r, Json.parseObject(new String(x.bodyBytes(), StandardCharsets.UTF_8)));
                    json(x, 201, Map.of("Id", id));
                }
                case "archive" -> archive(x, m, r);
                case "top" -> json(x, 200, top(r));
                case "stats" -> stats(x, r);
                case "resize" -> {
                    dev.berth.spec.ContainerSpec spec = spec(r);
                    if (spec == null || !spec.process().terminal()) {
                        throw new ApiError(500, "cannot resize a container without a TTY: " + r.id());
                    }
                    if (r.status() == ContainerRecord.Status.RUNNING) {
                        backend.resize(r.id(), intParam(x, "h"), intParam(x, "w"));
                    }
                    x.respond(200, null, new byte[0], Map.of());
                }
                case "start" -> start(x, r);
                case "stop" -> {
                    if (r.status() != ContainerRecord.Status.RUNNING) {
                        x.respond(304, null, new byte[0], Map.of());
                        return;
                    }
                    backend.stop(r.id(), x.param("t") == null ? 10 : Integer.parseInt(x.param("t")));
                    containerEvent("stop", r, Map.of());
                    x.respond(204, null, new byte[0], Map.of());
                }
                case "restart" -> {
                    if (r.status() == ContainerRecord.Status.RUNNING) {
                        backend.stop(r.id(), x.param("t") == null ? 10 : Integer.parseInt(x.param("t")));
                    }
                    start(x, berth.inspect(r.id()));
                }
                case "kill" -> {
                    if (r.status() != ContainerRecord.Status.RUNNING) {
                        throw new ApiError(409, "container " + r.name() + " is not running");
                    }
                    String signal = x.param("signal") == null || x.param("signal").isEmpty() ? "KILL" : x.param("signal");
                    berth.signal(r.id(), Signals.parse(signal));
                    containerEvent("kill", r, Map.of("signal", String.valueOf(Signals.parse(signal))));
                    x.respond(204, null, new byte[0], Map.of());
                }
                case "wait" -> waitFor(x, r);
                case "attach" -> attach(x, r);
                case "logs" -> logs(x, r);
                default -> throw new ApiError(404, "page not found");
            }
        } else {
            throw new ApiError(404, "page not found");
        }
    }

    private String imageId(ContainerRecord r) {
        return r.imageId();
    }

    private dev.berth.spec.ContainerSpec spec(ContainerRecord r) {
        Path config = berth.paths().containerConfig(r.id());
        return Files.exists(config) ? Json.read(config, dev.berth.spec.ContainerSpec.class) : null;
    }

    /** Docker's top: UID, PID, PPID and the command line of every process in the container. */
    private Map<String, Object> top(ContainerRecord r) {
        if (r.status() != ContainerRecord.Status.RUNNING) {
            throw new ApiError(409, "Container " + r.id() + " is not running");
        }
        List<List<String>> processes = new ArrayList<>();
        for (ProcessHandle h : berth.processes(r.id())) {
            try {
                Path proc = Path.of("/proc", String.valueOf(h.pid()));
                String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8)
                        .replace('\0', ' ').strip();
                String uid = "?";
                String ppid = "?";
                for (String line : Files.readAllLines(proc.resolve("status"))) {
                    if (line.startsWith("Uid:")) {
                        uid = line.split("\\s+")[1];
                    } else if (line.startsWith("PPid:")) {
                        ppid = line.split("\\s+")[1];
                    }
                }
                processes.add(List.of(uid, String.valueOf(h.pid()), ppid, cmdline));
            } catch (IOException gone) {
                // the process ended meanwhile
            }
        }
        return Map.of("Titles", List.of("UID", "PID", "PPID", "CMD"), "Processes", processes);
    }

    /**
     * {@code GET /events}: the kept events since {@code since}, then each new one, until {@code until}
     * or until the client goes away (a thread watches its side of the connection).
     */
    private void events(HttpExchange x) throws IOException {
        java.time.Instant since = unixTime(x.param("since"));
        java.time.Instant until = unixTime(x.param("until"));
        Map<String, List<String>> filters = Filters.parse(x.param("filters")).values();
        java.util.concurrent.atomic.AtomicBoolean gone = new java.util.concurrent.atomic.AtomicBoolean();
        try (EngineEvents.Subscription subscription = events.subscribe(since);
             OutputStream out = x.stream(200, "application/json")) {
            for (EngineEvents.Event e : subscription.past()) {
                if ((until == null || !e.time().isAfter(until)) && e.matches(filters)) {
                    line(out, e.json());
                }
            }
            Thread.ofPlatform().daemon().name("berth-events-watch").start(() -> {
                try {
                    while (x.rawInput().read() >= 0) {
                        // nothing is expected while the stream runs
                    }
                } catch (IOException e) {
                    // closed
                }
                gone.set(true);
            });
            while (!gone.get() && (until == null || java.time.Instant.now().isBefore(until))) {
                EngineEvents.Event e = subscription.queue().poll(500, TimeUnit.MILLISECONDS);
                if (e != null && (until == null || !e.time().isAfter(until)) && e.matches(filters)) {
                    line(out, e.json());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        x.closeAfter();
    }

    /** Docker's since/until: Unix seconds, with a fraction; null when not given. */
    private static java.time.Instant unixTime(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            java.math.BigDecimal seconds = new java.math.BigDecimal(value);
            return java.time.Instant.ofEpochSecond(seconds.longValue(),
                    seconds.remainder(java.math.BigDecimal.ONE).movePointRight(9).longValue());
        } catch (NumberFormatException e) {
            throw new ApiError(400, "invalid timestamp: " + value);
        }
    }

    /** One sample (stream=false: with the one a second before), or one a second while it runs. */
    private void stats(HttpExchange x, ContainerRecord r) throws IOException {
        if (r.status() != ContainerRecord.Status.RUNNING) {
            throw new ApiError(409, "Container " + r.id() + " is not running");
        }
        boolean stream = x.param("stream") == null || x.flag("stream");
        DockerStats.Sample before = x.flag("one-shot") ? null : DockerStats.sample(berth, r);
        if (!stream) {
            if (before != null) {
                sleep(1000);
            }
            json(x, 200, DockerStats.view(DockerStats.sample(berth, r), before));
            return;
        }
        try (OutputStream out = x.stream(200, "application/json")) {
            for (int i = 0; i < 1_000_000; i++) { // a second each: bounded at eleven days
                sleep(1000);
                ContainerRecord now;
                try {
                    now = berth.inspect(r.id());
                } catch (BerthException gone) {
                    return;
                }
                if (now.status() != ContainerRecord.Status.RUNNING) {
                    return;
                }
                DockerStats.Sample sample = DockerStats.sample(berth, now);
                line(out, DockerStats.view(sample, before));
                before = sample;
            }
        }
    }

    // ---- exec --------------------------------------------------------------------------------------------

    private void exec(HttpExchange x, String m, String[] p) throws IOException {
        if (p.length != 3) {
            throw new ApiError(404, "page not found");
        }
        switch (p[2]) {
            case "start" -> execs.start(x, p[1], Json.parseObject(nonEmpty(x.bodyBytes())));
            case "json" -> json(x, 200, execs.inspect(p[1]));
            case "resize" -> {
                execs.resize(p[1], intParam(x, "h"), intParam(x, "w"));
                x.respond(201, null, new byte[0], Map.of());
            }
            default -> throw new ApiError(404, "page not found");
        }
    }

    private static int intParam(HttpExchange x, String name) {
        try {
            return Integer.parseInt(x.param(name));
        } catch (RuntimeException e) {
            throw new ApiError(400, "invalid " + name + ": " + x.param(name));
        }
    }

    static String nonEmpty(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        return text.isBlank() ? "{}" : text;
    }

    // ---- archive: docker cp, Testcontainers' file copies ---------------------------------------------

    private void archive(HttpExchange x, String m, ContainerRecord r) throws IOException {
        String path = x.param("path");
        if (path == null || path.isEmpty()) {
            throw new ApiError(400, "path is required");
        }
        dev.berth.archive.PathStat stat = berth.statInContainer(r.id(), path);
        if (stat == null) {
            throw new ApiError(404, "Could not find the file " + path + " in container " + r.name());
        }
        String header = java.util.Base64.getEncoder().encodeToString(Json.render(Map.of("name", stat.name(),
                "size", stat.size(), "mode", stat.mode(), "mtime", stat.mtime(), "linkTarget", stat.linkTarget()))
                .replace("\n", "").getBytes(StandardCharsets.UTF_8));
        switch (m) {
            case "HEAD" -> x.respond(200, null, new byte[0], Map.of("X-Docker-Container-Path-Stat", header));
            case "GET" -> {
                try (OutputStream out = x.stream(200, "application/x-tar", Map.of("X-Docker-Container-Path-Stat", header))) {
                    berth.copyFromContainer(r.id(), path, out);
                }
            }
            case "PUT" -> {
                if ((stat.mode() & (1L << 31)) == 0) {
                    throw new ApiError(400, "extraction point is not a directory");
                }
                berth.copyToContainer(r.id(), path, x.body(), dev.berth.archive.TreeArchive.Placement.INTO_DIRECTORY, false);
                x.finishReading();
                x.respond(200, null, new byte[0], Map.of());
            }
            default -> throw new ApiError(404, "page not found");
        }
    }

    private void create(HttpExchange x) throws IOException {
        Map<String, Object> body = Json.parseObject(new String(x.bodyBytes(), StandardCharsets.UTF_8));
        RunOptions options = DockerCreate.options(body, x.param("name"));
        if (!berth.hasImage(options.image())) {
            if (isBuiltInBusybox(options.image())) {
                berth.ensureBusyboxImage();
            } else {
                throw new ApiError(404, "No such image: " + ImageReference.parse(options.image()).familiar());
            }
        }
        Container container = berth.create(options);
        created.put(container.record().id(), container);
        if (Boolean.TRUE.equals(body.get("OpenStdin"))) {
            stdinOnce.put(container.record().id(), Boolean.TRUE.equals(body.get("StdinOnce")));
        }
        containerEvent("create", container.record(), Map.of());
        json(x, 201, Map.of("Id", container.record().id(), "Warnings", List.of()));
    }

    static boolean isBuiltInBusybox(String image) {
        return ImageReference.parse(image).toString().equals(ImageReference.parse("busybox").toString());
    }

    private void start(HttpExchange x, ContainerRecord r) throws IOException {
        Container fresh = created.remove(r.id());
        if (fresh != null) {
            backend.start(fresh, stdinOnce.containsKey(r.id()));
            containerEvent("start", r, Map.of());
        } else if (r.status() == ContainerRecord.Status.RUNNING) {
            x.respond(304, null, new byte[0], Map.of());
            return;
        } else {
            backend.restart(r.id());
            containerEvent("start", r, Map.of());
        }
        x.respond(204, null, new byte[0], Map.of());
    }

    private boolean exists(String id) {
        try {
            berth.inspect(id);
            return true;
        } catch (BerthException gone) {
            return false;
        }
    }

    /** Answers at once with the headers, then the exit status when the condition is met. */
    private void waitFor(HttpExchange x, ContainerRecord r) throws IOException {
        String condition = x.param("condition") == null ? "not-running" : x.param("condition");
        var exit = backend.nextExit(r.id());
        try (OutputStream out = x.stream(200, "application/json")) {
            Integer code;
            if (!condition.equals("next-exit") && r.status() == ContainerRecord.Status.EXITED) {
                code = r.exitCode();
            } else {
                code = exit.join();
            }
            // removed: until the record is gone too (--rm: at once; otherwise when someone removes it)
            for (int i = 0; condition.equals("removed") && i < 100_000_000 && exists(r.id()); i++) {
                sleep(100);
            }
            out.write(Json.render(Map.of("StatusCode", code == null ? 0 : code)).replace("\n", "").getBytes(StandardCharsets.UTF_8));
            out.write('\n');
        }
    }

    /**
     * The container's output from now on, as the connection itself, until the container ends: raw with
     * a terminal, multiplexed frames without. With stdin=1, what the client sends goes to the container's
     * stdin (once it has started), closed at the client's end of input when the container has StdinOnce.
     */
    private void attach(HttpExchange x, ContainerRecord r) throws IOException {
        dev.berth.spec.ContainerSpec spec = spec(r);
        boolean tty = spec != null && spec.process().terminal();
        if (!x.flag("stream")) {
            x.respond(200, tty ? RAW : MULTIPLEXED, new byte[0], Map.of());
            return;
        }
        x.finishReading();
        OutputStream out = x.hijack(tty ? RAW : MULTIPLEXED);
        if (x.flag("stdin") && stdinOnce.containsKey(r.id())) {
            boolean once = stdinOnce.get(r.id());
            Thread.ofPlatform().daemon().name("berth-attach-in").start(() -> copyStdin(x, r.id(), once));
        }
        CountDownLatch ended = new CountDownLatch(1);
        if (r.status() != ContainerRecord.Status.EXITED || created.containsKey(r.id())) {
            java.util.function.BiConsumer<ContainerLog.Stream, byte[]> send = tty
                    ? (stream, bytes) -> raw(out, bytes)
                    : (stream, bytes) -> Multiplexed.frame(out, Multiplexed.of(stream), bytes);
            try (AutoCloseable ignored = backend.follow(r.id(), send, ended::countDown)) {
                ended.await();
            } catch (Exception e) {
                // the client went away, or the container did
            }
        }
        out.flush();
    }

    private static void raw(OutputStream out, byte[] bytes) {
        try {
            synchronized (out) {
                out.write(bytes);
                out.flush();
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The client's input into the container's stdin, from its start (waited for, bounded) to the end. */
    private void copyStdin(HttpExchange x, String id, boolean once) {
        try {
            for (int i = 0; i < 6000 && !backend.hasStdin(id); i++) {
                Thread.sleep(10); // attach comes before start: wait (a minute at most) for its stdin
            }
            byte[] buffer = new byte[8192];
            for (int n; (n = x.rawInput().read(buffer)) > 0; ) {
                backend.writeStdin(id, buffer, n);
            }
            if (once) {
                backend.closeStdin(id);
            }
        } catch (IOException | RuntimeException e) {
            // the client or the container went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The log's lines (stdout, stderr or both as asked; the last tail; since a time), then new ones with follow. */
    private void logs(HttpExchange x, ContainerRecord r) throws IOException {
        Path log = berth.paths().containerLog(r.id());
        boolean timestamps = x.flag("timestamps");
        boolean stdout = x.flag("stdout");
        boolean stderr = x.flag("stderr");
        java.time.Instant since = unixTime(x.param("since"));
        String tail = x.param("tail");
        try (OutputStream out = x.stream(200, MULTIPLEXED)) {
            java.util.function.Consumer<ContainerLog.Line> send = line -> {
                boolean wanted = line.stream() == ContainerLog.Stream.STDERR ? stderr : stdout;
                if (wanted && (since == null || since.getEpochSecond() == 0 || !parsedTime(line).isBefore(since))) {
                    Multiplexed.frame(out, Multiplexed.of(line.stream()), line.shown(timestamps) + "\n");
                }
            };
            ContainerLog.Tail last = ContainerLog.tail(log, tail == null || tail.equals("all") ? null : Integer.parseInt(tail));
            last.lines().forEach(send);
            long position = last.position();
            for (int i = 0; x.flag("follow") && i < 10_000_000; i++) {
                ContainerRecord now;
                try {
                    now = berth.inspect(r.id());
                } catch (BerthException gone) {
                    break;
                }
                position = ContainerLog.read(log, position, send);
                if (now.status() != ContainerRecord.Status.RUNNING) {
                    break;
                }
                sleep(100);
            }
        }
    }

    private static java.time.Instant parsedTime(ContainerLog.Line line) {
        try {
            return java.time.Instant.parse(line.time());
        } catch (RuntimeException e) {
            return java.time.Instant.EPOCH;
        }
    }

    private Map<String, Object> systemDf() {
        List<Map<String, Object>> containers = berth.containers().stream()
                .map(r -> DockerViews.containerSummary(r, imageId(r))).toList();
        List<Map<String, Object>> images = berth.images().stream().map(DockerViews::imageSummary).toList();
        List<Map<String, Object>> volumes = berth.listVolumes().stream().map(v -> DockerViews.volume(berth, v)).toList();
        return Map.of("LayersSize", 0, "Images", images, "Containers", containers, "Volumes", volumes, "BuildCache", List.of());
    }

    // ---- plumbing ----------------------------------------------------------------------------------------

    /** One JSON value as a line of a stream (pull progress, events, stats). */
    static void line(OutputStream out, Map<String, Object> value) {
        try {
            out.write((Json.render(value).replace("\n", "") + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void json(HttpExchange x, int status, Object value) throws IOException {
        x.respond(status, "application/json", (Json.render(value) + "\n").getBytes(StandardCharsets.UTF_8), Map.of());
    }

    private static void sleep(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BerthException("interrupted");
        }
    }

    static List<String> strings(Object value) {
        if (!(value instanceof List<?> list)) {
            return null;
        }
        return list.stream().map(String::valueOf).toList();
    }
}
