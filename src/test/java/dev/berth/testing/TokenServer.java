package dev.berth.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.berth.json.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A registry token server (the distribution spec's "token" auth) in the test: the JDK's HttpServer on
 * 127.0.0.1, RS256 JWTs signed by a key keytool made, with the signing certificate in the x5c header and
 * in the registry's rootcertbundle. One user; the anonymous get a token with no access.
 */
public final class TokenServer implements AutoCloseable {
    public static final String SERVICE = "berth-test-registry";
    public static final String ISSUER = "berth-test-issuer";

    private final HttpServer server;
    private final PrivateKey key;
    private final byte[] certificate;
    private final Path certificatePem;
    private final String user;
    private final String password;
    private final AtomicInteger issued = new AtomicInteger();

    private TokenServer(HttpServer server, PrivateKey key, byte[] certificate, Path certificatePem, String user, String password) {
        this.server = server;
        this.key = key;
        this.certificate = certificate;
        this.certificatePem = certificatePem;
        this.user = user;
        this.password = password;
    }

    public static TokenServer start(Path dir, String user, String password) {
        try {
            Path keystore = dir.resolve("signing.p12");
            Path pem = dir.resolve("signing.pem");
            String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            run(keytool, "-genkeypair", "-alias", "signing", "-keyalg", "RSA", "-keysize", "2048", "-dname",
                    "CN=berth-test-token", "-validity", "2", "-keystore", keystore.toString(), "-storetype", "PKCS12",
                    "-storepass", "changeit");
            run(keytool, "-exportcert", "-rfc", "-alias", "signing", "-keystore", keystore.toString(), "-storepass",
                    "changeit", "-file", pem.toString());
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                store.load(in, "changeit".toCharArray());
            }
            PrivateKey key = (PrivateKey) store.getKey("signing", "changeit".toCharArray());
            Certificate cert = store.getCertificate("signing");
            HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            TokenServer server = new TokenServer(http, key, cert.getEncoded(), pem, user, password);
            http.createContext("/token", server::token);
            http.start();
            return server;
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot start the token server", e);
        }
    }

    private static void run(String... command) {
        BerthCli.Result result = BerthCli.exec(new ProcessBuilder(command), null);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + ": " + result.describe());
        }
    }

    /** The registry's auth: section for this server. */
    public String registryAuthYaml() {
        return """
                auth:
                  token:
                    realm: http://127.0.0.1:%d/token
                    service: %s
                    issuer: %s
                    rootcertbundle: %s
                """.formatted(server.getAddress().getPort(), SERVICE, ISSUER, certificatePem);
    }

    public int issued() {
        return issued.get();
    }

    private void token(HttpExchange exchange) throws IOException {
        Map<String, String> query = new LinkedHashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        for (String pair : raw == null ? new String[0] : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                query.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        boolean anonymous = authorization == null;
        if (!anonymous && !authorization.equals("Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + password).getBytes(StandardCharsets.UTF_8)))) {
            reply(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
            return;
        }
        List<Map<String, Object>> access = new ArrayList<>();
        String scope = query.get("scope");
        if (!anonymous && scope != null) {
            String[] parts = scope.split(":");
            if (parts.length == 3) {
                access.add(Map.of("type", parts[0], "name", parts[1], "actions", List.of(parts[2].split(","))));
            }
        }
        long now = Instant.now().getEpochSecond();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ISSUER);
        claims.put("sub", anonymous ? "" : user);
        claims.put("aud", query.getOrDefault("service", SERVICE));
        claims.put("exp", now + 300);
        claims.put("nbf", now - 10);
        claims.put("iat", now);
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("access", access);
        issued.incrementAndGet();
        reply(exchange, 200, Json.render(Map.of("token", jwt(claims))));
    }

    private String jwt(Map<String, Object> claims) {
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        Map<String, Object> header = Map.of("typ", "JWT", "alg", "RS256",
                "x5c", List.of(Base64.getEncoder().encodeToString(certificate)));
        String signed = url.encodeToString(Json.render(header).getBytes(StandardCharsets.UTF_8)) + "."
                + url.encodeToString(Json.render(claims).getBytes(StandardCharsets.UTF_8));
        try {
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initSign(key);
            rs256.update(signed.getBytes(StandardCharsets.US_ASCII));
            return signed + "." + url.encodeToString(rs256.sign());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
