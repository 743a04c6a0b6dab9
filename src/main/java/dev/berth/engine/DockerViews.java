package dev.berth.engine;

import dev.berth.api.Berth;
import dev.berth.image.ImageRecord;
import dev.berth.image.ImageReference;
import dev.berth.state.Attachment;
import dev.berth.state.ContainerRecord;
import dev.berth.state.MountPoint;
import dev.berth.state.PortMapping;
import dev.berth.volume.Volume;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** berth's records in the JSON shapes of the Docker Engine API (and of docker inspect). */
public final class DockerViews {
    private DockerViews() {}

    /** {@code GET /images/{name}/json}, {@code docker image inspect}. */
    public static Map<String, Object> image(ImageRecord image, Path layers) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("Id", image.id());
        view.put("RepoTags", image.names().stream().map(n -> ImageReference.parse(n).familiar()).toList());
        view.put("RepoDigests", image.repoDigests().stream().map(n -> ImageReference.parse(n).familiar()).toList());
        view.put("Created", image.created());
        view.put("Config", image.config().toJson());
        String[] platform = image.platform().split("/");
        view.put("Architecture", platform.length > 1 ? platform[1] : "");
        if (platform.length > 2) {
            view.put("Variant", platform[2]);
        }
        view.put("Os", platform[0]);
        view.put("Size", image.size());
        view.put("GraphDriver", Map.of("Name", "overlay2", "Data", Map.of("LowerDir", String.join(":",
                image.layers().reversed().stream().map(k -> layers.resolve(k).toString()).toList()))));
        view.put("RootFS", Map.of("Type", "layers", "Layers", image.layers().stream().map(k -> "sha256:" + k).toList()));
        view.put("Metadata", Map.of("Source", image.source()));
        return view;
    }

    /** An entry of {@code GET /images/json}. */
    static Map<String, Object> imageSummary(ImageRecord image) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("Id", image.id());
        view.put("ParentId", "");
        view.put("RepoTags", image.names().stream().map(n -> ImageReference.parse(n).familiar()).toList());
        view.put("RepoDigests", image.repoDigests().stream().map(n -> ImageReference.parse(n).familiar()).toList());
        view.put("Created", epochSeconds(image.created()));
        view.put("Size", image.size());
        view.put("VirtualSize", image.size());
        view.put("SharedSize", -1);
        view.put("Labels", image.config().labels());
        view.put("Containers", -1);
        return view;
    }

    /** {@code docker volume inspect}, {@code GET /volumes/{name}}. */
    public static Map<String, Object> volume(Berth berth, Volume v) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("CreatedAt", v.createdAt());
        view.put("Driver", "local");
        view.put("Labels", v.labels());
        view.put("Mountpoint", berth.volumeMountpoint(v.name()).toString());
        view.put("Name", v.name());
        view.put("Options", null);
        view.put("Scope", "local");
        view.put("Anonymous", v.anonymous());
        return view;
    }

    /** {@code GET /containers/{id}/json}: docker inspect's shape. */
    static Map<String, Object> container(ContainerRecord r, String imageId, dev.berth.spec.ContainerSpec spec,
                                         boolean openStdin) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("Status", status(r));
        state.put("Running", r.status() == ContainerRecord.Status.RUNNING);
        state.put("Paused", false);
        state.put("Restarting", false);
        state.put("OOMKilled", r.oomKilled());
        state.put("Dead", false);
        state.put("Pid", r.status() == ContainerRecord.Status.RUNNING ? r.pid() : 0);
        state.put("ExitCode", r.exitCode() == null ? 0 : r.exitCode());
        state.put("Error", "");
        state.put("StartedAt", r.startedAt() == null ? "0001-01-01T00:00:00Z" : r.startedAt());
        state.put("FinishedAt", r.finishedAt() == null ? "0001-01-01T00:00:00Z" : r.finishedAt());

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("Hostname", spec == null ? r.shortId() : spec.hostname());
        config.put("Image", r.image());
        config.put("Cmd", r.command());
        config.put("Env", spec == null ? List.of() : spec.process().env());
        config.put("WorkingDir", spec == null ? "" : spec.process().cwd());
        config.put("User", spec == null ? "" : spec.process().user().uid() + ":" + spec.process().user().gid());
        Map<String, Object> exposed = new LinkedHashMap<>();
        r.ports().forEach(p -> exposed.put(p.containerPort() + "/" + p.protocol(), Map.of()));
        config.put("ExposedPorts", exposed);
        config.put("Labels", r.source().labels());
        config.put("Tty", spec != null && spec.process().terminal());
        config.put("OpenStdin", openStdin);

        Map<String, Object> host = new LinkedHashMap<>();
        host.put("NetworkMode", r.networkMode());
        host.put("AutoRemove", r.autoRemove());
        host.put("RestartPolicy", Map.of("Name", r.restartPolicy().split(":")[0], "MaximumRetryCount", 0));
        host.put("Binds", r.mounts().stream().filter(m -> m.type().equals("bind"))
                .map(m -> m.source() + ":" + m.destination() + (m.readOnly() ? ":ro" : "")).toList());
        host.put("PortBindings", portBindings(r.ports()));

        Map<String, Object> view = new LinkedHashMap<>();
        view.put("Id", r.id());
        view.put("Created", r.created());
        view.put("Path", r.command().getFirst());
        view.put("Args", r.command().subList(1, r.command().size()));
        view.put("State", state);
        view.put("Image", imageId == null ? "" : imageId);
        view.put("Name", "/" + r.name());
        view.put("RestartCount", r.restartCount());
        view.put("Driver", "overlay2");
        view.put("Platform", "linux");
        view.put("HostConfig", host);
        view.put("Mounts", r.mounts().stream().map(DockerViews::mount).toList());
        view.put("Config", config);
        view.put("NetworkSettings", networkSettings(r));
        return view;
    }

    /** An entry of {@code GET /containers/json} ({@code docker ps}). */
    static Map<String, Object> containerSummary(ContainerRecord r, String imageId) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("Id", r.id());
        view.put("Names", List.of("/" + r.name()));
        view.put("Image", r.image() == null ? r.rootfs() : r.image());
        view.put("ImageID", imageId == null ? "" : imageId);
        view.put("Command", String.join(" ", r.command()));
        view.put("Created", epochSeconds(r.created()));
        List<Map<String, Object>> ports = new ArrayList<>();
        for (PortMapping p : r.ports()) {
            Map<String, Object> port = new LinkedHashMap<>();
            port.put("IP", p.hostIp() == null ? "0.0.0.0" : p.hostIp());
            port.put("PrivatePort", p.containerPort());
            port.put("PublicPort", p.hostPort());
            port.put("Type", p.protocol());
            ports.add(port);
        }
        view.put("Ports", ports);
        view.put("Labels", r.source().labels());
        view.put("State", status(r));
        view.put("Status", statusText(r));
        view.put("HostConfig", Map.of("NetworkMode", r.networkMode()));
        view.put("NetworkSettings", Map.of("Networks", networks(r)));
        view.put("Mounts", r.mounts().stream().map(DockerViews::mount).toList());
        return view;
    }

    /** A mount as Docker's inspect shows it (berth inspect too). */
    public static Map<String, Object> mount(MountPoint m) {
        Map<String, Object> mount = new LinkedHashMap<>();
        mount.put("Type", m.type());
        if (m.name() != null) {
            mount.put("Name", m.name());
        }
        mount.put("Source", m.source() == null ? "" : m.source());
        mount.put("Destination", m.destination());
        if (m.isVolume()) {
            mount.put("Driver", "local");
        }
        mount.put("Mode", m.readOnly() ? "ro" : "");
        mount.put("RW", !m.readOnly());
        mount.put("Propagation", m.propagation());
        return mount;
    }

    private static Map<String, Object> networkSettings(ContainerRecord r) {
        Map<String, Object> settings = new LinkedHashMap<>();
        Attachment a = r.attachment();
        settings.put("IPAddress", a == null ? "" : a.ipAddress());
        settings.put("IPPrefixLen", a == null ? 0 : a.prefixLength());
        settings.put("Gateway", a == null ? "" : a.gateway());
        settings.put("SandboxKey", a == null ? "" : a.visiblePath());
        Map<String, Object> ports = new LinkedHashMap<>();
        portBindings(r.ports()).forEach(ports::put);
        settings.put("Ports", ports);
        settings.put("Networks", networks(r));
        return settings;
    }

    private static Map<String, Object> networks(ContainerRecord r) {
        Map<String, Object> networks = new LinkedHashMap<>();
        for (Attachment a : r.attachments()) {
            Map<String, Object> endpoint = new LinkedHashMap<>();
            endpoint.put("NetworkID", a.network());
            endpoint.put("IPAddress", a.ipAddress());
            endpoint.put("IPPrefixLen", a.prefixLength());
            endpoint.put("Gateway", a.gateway());
            List<String> aliases = new ArrayList<>(r.aliases());
            if (!a.network().equals("berth0")) {
                aliases.add(r.shortId()); // as Docker: compose takes it as the sign that its aliases are set
            }
            endpoint.put("Aliases", aliases);
            endpoint.put("MacAddress", "");
            networks.put(dockerNetworkName(a.network()), endpoint);
        }
        return networks;
    }

    /** {@code GET /networks/{id}}: a berth network in Docker's shape, with the containers on it. */
    static Map<String, Object> network(dev.berth.network.NetworkRecord n, List<ContainerRecord> containers) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("Name", dockerNetworkName(n.name()));
        view.put("Id", n.id());
        view.put("Created", n.created());
        view.put("Scope", "local");
        view.put("Driver", "bridge");
        view.put("EnableIPv6", false);
        view.put("IPAM", Map.of("Driver", "default", "Options", Map.of(),
                "Config", List.of(Map.of("Subnet", n.subnet(), "Gateway", n.gateway()))));
        view.put("Internal", n.internal());
        view.put("Attachable", false);
        view.put("Ingress", false);
        Map<String, Object> on = new LinkedHashMap<>();
        for (ContainerRecord r : containers) {
            for (Attachment a : r.attachments()) {
                if (a.network().equals(n.name()) && r.status() != ContainerRecord.Status.EXITED) {
                    on.put(r.id(), Map.of("Name", r.name(), "EndpointID", r.id(), "MacAddress", "",
                            "IPv4Address", a.ipAddress() + "/" + a.prefixLength(), "IPv6Address", ""));
                }
            }
        }
        view.put("Containers", on);
        view.put("Options", Map.of()); // compose compares them with its driver_opts: none asked, none shown
        view.put("Labels", n.labels());
        return view;
    }

    /** Docker's host and none networks: modes in berth, listed as networks by Docker. */
    static Map<String, Object> pseudoNetwork(String name) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("Name", name);
        view.put("Id", name);
        view.put("Scope", "local");
        view.put("Driver", name.equals("host") ? "host" : "null");
        view.put("EnableIPv6", false);
        view.put("IPAM", Map.of("Driver", "default", "Options", Map.of(), "Config", List.of()));
        view.put("Internal", false);
        view.put("Containers", Map.of());
        view.put("Options", Map.of());
        view.put("Labels", Map.of());
        return view;
    }

    static boolean isDockerBuiltIn(String name) {
        return name.equals("bridge") || name.equals("host") || name.equals("none");
    }

    /** Docker calls the default network "bridge"; berth's is berth0. */
    static String dockerNetworkName(String berthName) {
        return berthName.equals("berth0") ? "bridge" : berthName;
    }

    private static Map<String, List<Map<String, String>>> portBindings(List<PortMapping> mappings) {
        Map<String, List<Map<String, String>>> bindings = new LinkedHashMap<>();
        for (PortMapping p : mappings) {
            bindings.computeIfAbsent(p.containerPort() + "/" + p.protocol(), k -> new ArrayList<>())
                    .add(Map.of("HostIp", p.hostIp() == null ? "0.0.0.0" : p.hostIp(), "HostPort", String.valueOf(p.hostPort())));
        }
        return bindings;
    }

    /** Docker's states: created, running, exited. */
    static String status(ContainerRecord r) {
        return r.status().name().toLowerCase(Locale.ROOT);
    }

    private static String statusText(ContainerRecord r) {
        return switch (r.status()) {
            case CREATED -> "Created";
            case RUNNING -> "Up " + since(r.startedAt());
            case EXITED -> "Exited (" + (r.exitCode() == null ? -1 : r.exitCode()) + ") " + since(r.finishedAt()) + " ago";
        };
    }

    private static String since(String iso) {
        if (iso == null) {
            return "";
        }
        long seconds = Math.max(0, Instant.now().getEpochSecond() - Instant.parse(iso).getEpochSecond());
        return seconds < 60 ? seconds + " seconds" : seconds < 3600 ? seconds / 60 + " minutes" : seconds / 3600 + " hours";
    }

    private static long epochSeconds(String iso) {
        try {
            return iso == null ? 0 : Instant.parse(iso).getEpochSecond();
        } catch (RuntimeException e) {
            return 0;
        }
    }
}
