package dev.berth.engine;

import dev.berth.api.ResourceOptions;
import dev.berth.api.RunOptions;
import dev.berth.volume.MountRequest;
import dev.berth.volume.MountSyntax;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /containers/create}'s body (Docker's {@code Config} with its {@code HostConfig} and
 * {@code NetworkingConfig}) as berth's run options: what berth does not do is refused, not ignored,
 * when ignoring it would surprise (a TTY, privileged mode).
 */
final class DockerCreate {
    private DockerCreate() {}

    static RunOptions options(Map<String, Object> body, String name) {
        Map<String, Object> host = map(body.get("HostConfig"));
        String image = text(body.get("Image"));
        if (image == null) {
            throw new EngineApi.ApiError(400, "config: the image is required");
        }
        List<String> cmd = orEmpty(EngineApi.strings(body.get("Cmd")));
        List<String> entrypoint = EngineApi.strings(body.get("Entrypoint"));
        String entry = null;
        List<String> command = cmd;
        if (entrypoint != null) {
            entry = entrypoint.isEmpty() ? "" : entrypoint.getFirst();
            command = new ArrayList<>(entrypoint.isEmpty() ? List.of() : entrypoint.subList(1, entrypoint.size()));
            command.addAll(cmd);
        }
        RunOptions.Builder b = RunOptions.builder().image(image).command(command).entrypoint(entry)
                .name(name == null || name.isEmpty() ? null : name.startsWith("/") ? name.substring(1) : name)
                .hostname(text(body.get("Hostname"))).env(orEmpty(EngineApi.strings(body.get("Env"))))
                .workdir(text(body.get("WorkingDir"))).user(text(body.get("User")))
                .tty(Boolean.TRUE.equals(body.get("Tty"))).stopSignal(text(body.get("StopSignal")))
                .detach(true)
                .autoRemove(Boolean.TRUE.equals(host.get("AutoRemove")))
                .readOnly(Boolean.TRUE.equals(host.get("ReadonlyRootfs")))
                .publishAll(Boolean.TRUE.equals(host.get("PublishAllPorts")))
                .network(network(text(host.get("NetworkMode"))))
                .publish(publish(map(host.get("PortBindings"))))
                .dns(new RunOptions.Dns(orEmpty(EngineApi.strings(host.get("Dns"))), orEmpty(EngineApi.strings(host.get("DnsSearch"))),
                        orEmpty(EngineApi.strings(host.get("DnsOptions")))))
                .addHosts(orEmpty(EngineApi.strings(host.get("ExtraHosts"))))
                .restart(restart(map(host.get("RestartPolicy"))))
                .resources(ResourceOptions.parse(positive(host.get("Memory")), swap(host.get("MemorySwap")), null,
                        cpus(host.get("NanoCpus")), positiveLong(host.get("CpuShares")), text(host.get("CpusetCpus")),
                        positiveLong(host.get("PidsLimit"))))
                .mounts(mounts(host))
                .volumesFrom(orEmpty(EngineApi.strings(host.get("VolumesFrom"))))
                .labels(labels(body.get("Labels")))
                .privileges(new RunOptions.Privileges(orEmpty(EngineApi.strings(host.get("CapAdd"))),
                        orEmpty(EngineApi.strings(host.get("CapDrop"))), Boolean.TRUE.equals(host.get("Privileged")),
                        orEmpty(EngineApi.strings(host.get("SecurityOpt"))), orEmpty(EngineApi.strings(host.get("GroupAdd"))),
                        devices(host.get("Devices")), stringMap(host.get("Sysctls")), ulimits(host.get("Ulimits"))));
        Map<String, Object> endpoints = map(map(body.get("NetworkingConfig")).get("EndpointsConfig"));
        for (Object endpoint : endpoints.values()) {
            Map<String, Object> e = map(endpoint);
            b.aliases(orEmpty(EngineApi.strings(e.get("Aliases"))));
            String ip = text(map(e.get("IPAMConfig")).get("IPv4Address"));
            if (ip != null) {
                b.ip(ip);
            }
        }
        return b.build();
    }

    /** Labels as an object of strings (older clients may send a list of KEY=VALUE). */
    static Map<String, String> labels(Object value) {
        Map<String, String> labels = new java.util.LinkedHashMap<>();
        if (value instanceof Map<?, ?> given) {
            given.forEach((k, v) -> labels.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
        } else if (value instanceof List<?> list) {
            for (Object o : list) {
                String label = String.valueOf(o);
                int eq = label.indexOf('=');
                labels.put(eq < 0 ? label : label.substring(0, eq), eq < 0 ? "" : label.substring(eq + 1));
            }
        }
        return labels;
    }

    /** [{"PathOnHost", "PathInContainer", "CgroupPermissions"}] as --device specs. */
    private static List<String> devices(Object value) {
        List<String> devices = new ArrayList<>();
        for (Object o : value instanceof List<?> l ? l : List.of()) {
            Map<String, Object> d = map(o);
            String host = text(d.get("PathOnHost"));
            String container = text(d.get("PathInContainer"));
            String permissions = text(d.get("CgroupPermissions"));
            devices.add(host + ":" + (container == null || container.isEmpty() ? host : container) + ":"
                    + (permissions == null || permissions.isEmpty() ? "rwm" : permissions));
        }
        return devices;
    }

    /** [{"Name", "Soft", "Hard"}] as --ulimit specs. */
    private static List<String> ulimits(Object value) {
        List<String> ulimits = new ArrayList<>();
        for (Object o : value instanceof List<?> l ? l : List.of()) {
            Map<String, Object> u = map(o);
            ulimits.add(text(u.get("Name")) + "=" + u.get("Soft") + ":" + u.get("Hard"));
        }
        return ulimits;
    }

    private static Map<String, String> stringMap(Object value) {
        Map<String, String> result = new java.util.LinkedHashMap<>();
        map(value).forEach((k, v) -> result.put(k, String.valueOf(v)));
        return result;
    }

    /** Docker's "default" and "bridge" are berth's default bridge. */
    private static String network(String mode) {
        return mode == null || mode.equals("default") || mode.equals("bridge") ? "berth0" : mode;
    }

    /** {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]} as -p specs; an empty HostPort is a free one. */
    private static List<String> publish(Map<String, Object> bindings) {
        List<String> specs = new ArrayList<>();
        bindings.forEach((port, value) -> {
            List<?> list = value instanceof List<?> l ? l : List.of();
            if (list.isEmpty()) {
                specs.add(port);
            }
            for (Object o : list) {
                Map<String, Object> binding = map(o);
                String ip = text(binding.get("HostIp"));
                String hostPort = text(binding.get("HostPort"));
                specs.add((ip == null ? "" : ip) + ":" + (hostPort == null ? "" : hostPort) + ":" + port);
            }
        });
        return specs;
    }

    private static String restart(Map<String, Object> policy) {
        String name = text(policy.get("Name"));
        if (name == null) {
            return "no";
        }
        Object retries = policy.get("MaximumRetryCount");
        return name.equals("on-failure") && retries instanceof Number n && n.intValue() > 0 ? name + ":" + n.intValue() : name;
    }

    /** Binds (-v syntax), Mounts (structured) and Tmpfs (target → options). */
    private static List<MountRequest> mounts(Map<String, Object> host) {
        List<MountRequest> mounts = new ArrayList<>();
        orEmpty(EngineApi.strings(host.get("Binds"))).forEach(bind -> mounts.add(MountSyntax.volume(bind)));
        if (host.get("Mounts") instanceof List<?> list) {
            for (Object o : list) {
                Map<String, Object> m = map(o);
                String type = text(m.get("Type")) == null ? "volume" : text(m.get("Type"));
                StringBuilder spec = new StringBuilder("type=").append(type).append(",target=").append(text(m.get("Target")));
                if (text(m.get("Source")) != null) {
                    spec.append(",source=").append(text(m.get("Source")));
                }
                if (Boolean.TRUE.equals(m.get("ReadOnly"))) {
                    spec.append(",readonly");
                }
                String propagation = text(map(m.get("BindOptions")).get("Propagation"));
                if (propagation != null) {
                    spec.append(",bind-propagation=").append(propagation);
                }
                if (Boolean.TRUE.equals(map(m.get("VolumeOptions")).get("NoCopy"))) {
                    spec.append(",volume-nocopy");
                }
                Map<String, Object> tmpfs = map(m.get("TmpfsOptions"));
                if (tmpfs.get("SizeBytes") instanceof Number size) {
                    spec.append(",tmpfs-size=").append(size.longValue());
                }
                if (tmpfs.get("Mode") instanceof Number mode) {
                    spec.append(",tmpfs-mode=").append(Integer.toOctalString(mode.intValue()));
                }
                mounts.add(MountSyntax.mount(spec.toString()));
            }
        }
        map(host.get("Tmpfs")).forEach((target, options) -> {
            String opts = options == null ? "" : String.valueOf(options);
            mounts.add(MountSyntax.tmpfs(opts.isEmpty() ? target : target + ":" + opts));
        });
        return mounts;
    }

    private static String positive(Object bytes) {
        return bytes instanceof Number n && n.longValue() > 0 ? n.longValue() + "b" : null;
    }

    private static String swap(Object bytes) {
        return bytes instanceof Number n && n.longValue() == -1 ? "-1" : positive(bytes);
    }

    private static Long positiveLong(Object value) {
        return value instanceof Number n && n.longValue() > 0 ? n.longValue() : null;
    }

    private static String cpus(Object nanoCpus) {
        return nanoCpus instanceof Number n && n.longValue() > 0 ? String.valueOf(n.longValue() / 1e9) : null;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static String text(Object value) {
        return value instanceof String s && !s.isEmpty() ? s : null;
    }

    private static List<String> orEmpty(List<String> list) {
        return list == null ? List.of() : list;
    }
}
