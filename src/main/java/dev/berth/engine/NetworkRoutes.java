package dev.berth.engine;

import dev.berth.api.Berth;
import dev.berth.json.Json;
import dev.berth.state.ContainerRecord;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.berth.engine.EngineApi.json;
import static dev.berth.engine.EngineApi.nonEmpty;
import static dev.berth.engine.EngineApi.strings;

/**
 * The Engine API's {@code /networks}: Docker's view of berth's networks (its bridge is berth0; host and
 * none are modes, listed as networks), create, remove, prune, and containers joining and leaving.
 */
final class NetworkRoutes {
    private final Berth berth;
    private final EngineEvents events;

    NetworkRoutes(Berth berth, EngineEvents events) {
        this.berth = berth;
        this.events = events;
    }

    void route(HttpExchange x, String m, String[] p) throws IOException {
        if (p.length == 1 && m.equals("GET")) {
            Map<String, List<String>> filters = Filters.parse(x.param("filters")).values();
            List<Map<String, Object>> list = new ArrayList<>();
            for (Map<String, Object> n : allNetworks()) {
                if (networkMatches(n, filters)) {
                    list.add(n);
                }
            }
            json(x, 200, list);
        } else if (p.length == 2 && p[1].equals("create") && m.equals("POST")) {
            Map<String, Object> body = Json.parseObject(new String(x.bodyBytes(), StandardCharsets.UTF_8));
            String name = body.get("Name") instanceof String n ? n : null;
            if (name == null || name.isEmpty()) {
                throw new EngineApi.ApiError(400, "network name is required");
            }
            String driver = body.get("Driver") instanceof String d && !d.isEmpty() ? d : "bridge";
            if (!driver.equals("bridge")) {
                throw new EngineApi.ApiError(400, "berth: only the bridge driver is supported, not " + driver);
            }
            String subnet = null;
            String gateway = null;
            if (DockerCreate.map(body.get("IPAM")).get("Config") instanceof List<?> configs && !configs.isEmpty()) {
                Map<String, Object> first = DockerCreate.map(configs.getFirst());
                subnet = first.get("Subnet") instanceof String sn && !sn.isEmpty() ? sn : null;
                gateway = first.get("Gateway") instanceof String gw && !gw.isEmpty() ? gw : null;
            }
            if (berth.listNetworks().stream().anyMatch(n -> n.name().equals(name)) || DockerViews.isDockerBuiltIn(name)) {
                throw new EngineApi.ApiError(409, "network with name " + name + " already exists");
            }
            var network = berth.createNetwork(name, dev.berth.network.NetworkRecord.BRIDGE, subnet, gateway, null,
                    Boolean.TRUE.equals(body.get("Internal")), DockerCreate.labels(body.get("Labels")));
            events.publish("network", "create", network.id(), Map.of("name", name, "type", "bridge"));
            json(x, 201, Map.of("Id", network.id(), "Warning", ""));
        } else if (p.length == 2 && p[1].equals("prune") && m.equals("POST")) {
            List<String> deleted = new ArrayList<>();
            Map<String, List<String>> filters = Filters.parse(x.param("filters")).values();
            for (var n : berth.listNetworks()) {
                if (!dev.berth.network.Networks.isBuiltIn(n.name()) && networkMatches(DockerViews.network(n, List.of()), filters)
                        && berth.containers().stream().noneMatch(r -> r.attachments().stream().anyMatch(a -> a.network().equals(n.name())))) {
                    berth.removeNetwork(n.name());
                    deleted.add(n.name());
                }
            }
            json(x, 200, Map.of("NetworksDeleted", deleted));
        } else if (p.length == 2 && m.equals("GET")) {
            json(x, 200, network(p[1]));
        } else if (p.length == 2 && m.equals("DELETE")) {
            Map<String, Object> network = network(p[1]);
            String name = (String) network.get("Name");
            if (DockerViews.isDockerBuiltIn(name)) {
                throw new EngineApi.ApiError(403, name + " is a pre-defined network and cannot be removed");
            }
            berth.removeNetwork(name);
            events.publish("network", "destroy", String.valueOf(network.get("Id")), Map.of("name", name, "type", "bridge"));
            x.respond(204, null, new byte[0], Map.of());
        } else if (p.length == 3 && (p[2].equals("connect") || p[2].equals("disconnect")) && m.equals("POST")) {
            Map<String, Object> body = Json.parseObject(nonEmpty(x.bodyBytes()));
            Map<String, Object> network = network(p[1]);
            String name = berthNetworkName((String) network.get("Name"));
            ContainerRecord r = berth.inspect(String.valueOf(body.get("Container")));
            if (p[2].equals("connect")) {
                Map<String, Object> endpoint = DockerCreate.map(body.get("EndpointConfig"));
                List<String> aliases = strings(endpoint.get("Aliases"));
                Object ip = DockerCreate.map(endpoint.get("IPAMConfig")).get("IPv4Address");
                if (r.attachments().stream().anyMatch(a -> a.network().equals(name))) {
                    throw new EngineApi.ApiError(403, "endpoint with name " + r.name() + " already exists in network " + network.get("Name"));
                }
                berth.connect(name, r.id(), ip instanceof String s && !s.isEmpty() ? s : null, aliases == null ? List.of() : aliases);
            } else {
                berth.disconnect(name, r.id());
            }
            events.publish("network", p[2], String.valueOf(network.get("Id")),
                    Map.of("name", String.valueOf(network.get("Name")), "type", "bridge", "container", r.id()));
            x.respond(200, null, new byte[0], Map.of());
        } else {
            throw new EngineApi.ApiError(404, "page not found");
        }
    }

    /** Docker's bridge is berth's berth0. */
    private static String berthNetworkName(String dockerName) {
        return dockerName.equals("bridge") ? dev.berth.network.Networks.DEFAULT : dockerName;
    }

    /** Docker's networks: berth's, the default one called bridge, and host and none. */
    private List<Map<String, Object>> allNetworks() {
        List<Map<String, Object>> all = new ArrayList<>();
        List<ContainerRecord> containers = berth.containers();
        for (var n : berth.listNetworks()) {
            all.add(DockerViews.network(n, containers));
        }
        if (all.stream().noneMatch(n -> n.get("Name").equals("bridge"))) {
            all.add(DockerViews.network(berth.network(dev.berth.network.Networks.DEFAULT), containers));
        }
        all.add(DockerViews.pseudoNetwork("host"));
        all.add(DockerViews.pseudoNetwork("none"));
        return all;
    }

    private Map<String, Object> network(String nameOrId) {
        for (Map<String, Object> n : allNetworks()) {
            if (n.get("Name").equals(nameOrId) || n.get("Id").equals(nameOrId)) {
                return n;
            }
        }
        for (Map<String, Object> n : allNetworks()) {
            if (nameOrId.length() >= 3 && String.valueOf(n.get("Id")).startsWith(nameOrId)) {
                return n;
            }
        }
        throw new EngineApi.ApiError(404, "network " + nameOrId + " not found");
    }

    private static boolean networkMatches(Map<String, Object> n, Map<String, List<String>> filters) {
        for (var f : filters.entrySet()) {
            boolean any = switch (f.getKey()) {
                case "name" -> f.getValue().stream().anyMatch(v -> String.valueOf(n.get("Name")).contains(v));
                case "id" -> f.getValue().stream().anyMatch(v -> String.valueOf(n.get("Id")).startsWith(v));
                case "driver" -> f.getValue().contains(String.valueOf(n.get("Driver")));
                case "label" -> f.getValue().stream().allMatch(l -> Filters.hasLabel(labelsOf(n), l));
                default -> true;
            };
            if (!any) {
                return false;
            }
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> labelsOf(Map<String, Object> network) {
        return network.get("Labels") instanceof Map<?, ?> labels ? (Map<String, String>) labels : Map.of();
    }
}
