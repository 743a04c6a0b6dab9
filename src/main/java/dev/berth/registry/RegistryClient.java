package dev.berth.registry;

import dev.berth.BerthException;
import dev.berth.image.Digest;
import dev.berth.json.Json;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One registry, spoken to with the OCI distribution protocol: manifests and blobs of a repository,
 * with the registry's own authentication (a bearer token from its {@code WWW-Authenticate} challenge,
 * or Basic), redirects followed by hand so that {@code Authorization} never goes to another host, and
 * retries with back-off on 429 and 5xx. Plain HTTP only for registries on loopback or listed as insecure.
 */
public final class RegistryClient {
    /** Every manifest type we read: some registries answer 404 to a request that omits theirs. */
    static final List<String> MANIFEST_TYPES = List.of(
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.docker.distribution.manifest.v2+json");
    private static final int MAX_ATTEMPTS = 5;
    private static final int MAX_REDIRECTS = 5;
    private static final long MAX_MANIFEST = 4 << 20;

    /** A manifest as the registry sent it. */
    public record Manifest(byte[] body, String mediaType, Digest digest) {}

    private final String registry;
    private final String endpoint;
    private final Optional<Credentials.Login> login;
    private final HttpClient http;
    private String authorization;

    private RegistryClient(String registry, String endpoint, Optional<Credentials.Login> login, HttpClient http) {
        this.registry = registry;
        this.endpoint = endpoint;
        this.login = login;
        this.http = http;
    }

    /**
     * Connects to registry (a reference's domain), over HTTPS, or over plain HTTP when it is on loopback
     * or named in insecure and answering plain HTTP.
     */
    public static RegistryClient connect(String registry, Optional<Credentials.Login> login, Set<String> insecure) {
        String host = registry.equals("docker.io") ? "registry-1.docker.io" : registry;
        if (insecure.contains(registry) || onLoopback(host)) {
            // asked over plain HTTP first, with a client whose TLS is never used (a real one costs a quarter
            // of a second to set up): /v2/ carries no credentials, and a registry that speaks TLS answers
            // it with 400 or not at all, and is then spoken to over HTTPS
            HttpClient plainHttp = client(inertTls());
            if (answersPlainHttp(plainHttp, host)) {
                return new RegistryClient(registry, "http://" + host, login, plainHttp);
            }
        }
        RegistryClient tls = new RegistryClient(registry, "https://" + host, login, client(null));
        dev.berth.Trace.mark("https client built");
        return tls;
    }

    private static HttpClient client(javax.net.ssl.SSLContext tls) {
        HttpClient.Builder builder = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(15)).version(HttpClient.Version.HTTP_1_1);
        if (tls != null) {
            builder.sslContext(tls);
        }
        return builder.build();
    }

    /** A TLS context that trusts nobody, for a client that speaks only plain HTTP. */
    private static javax.net.ssl.SSLContext inertTls() {
        try {
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(new javax.net.ssl.KeyManager[0], new javax.net.ssl.TrustManager[0], null);
            return context;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("no TLS in this JDK", e);
        }
    }

    private static boolean answersPlainHttp(HttpClient http, String host) {
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create("http://" + host + "/v2/"))
                    .timeout(Duration.ofSeconds(10)).header("User-Agent", "berth/0.1").GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            dev.berth.Trace.mark("plain HTTP ping");
            return response.statusCode() == 200 || response.statusCode() == 401;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BerthException("interrupted while talking to registry " + host, e);
        }
    }

    static boolean onLoopback(String hostPort) {
        String host = hostPort.startsWith("[") ? hostPort.substring(1, hostPort.indexOf(']'))
                : hostPort.contains(":") ? hostPort.substring(0, hostPort.lastIndexOf(':')) : hostPort;
        if (host.equals("localhost")) {
            return true;
        }
        if (!host.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            return false; // never a name lookup just to decide
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    public String registry() {
        return registry;
    }

    /** GET /v2/: checks the registry answers, and that the login (when there is one) is accepted. */
    public void ping() {
        try (InputStream ignored = send(URI.create(endpoint + "/v2/"), "v2", Map.of(),
                HttpResponse.BodyHandlers.ofInputStream()).body()) {
            // 200: nothing to read
        } catch (IOException e) {
            throw new BerthException("cannot read from registry " + registry + ": " + e.getMessage(), e);
        }
    }

    public Manifest manifest(String repository, String reference) {
        URI uri = URI.create(endpoint + "/v2/" + repository + "/manifests/" + reference);
        HttpResponse<InputStream> response = send(uri, "repository:" + repository + ":pull",
                Map.of("Accept", String.join(", ", MANIFEST_TYPES)), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            byte[] body = in.readNBytes((int) MAX_MANIFEST + 1);
            if (body.length > MAX_MANIFEST) {
                throw new BerthException("the manifest of " + repository + ":" + reference + " is larger than 4 MiB");
            }
            String type = response.headers().firstValue("Content-Type").orElse("").split(";")[0].strip();
            Object declared = Json.parseObject(new String(body, StandardCharsets.UTF_8)).get("mediaType");
            if (declared instanceof String s && !s.isEmpty()) {
                type = s;
            }
            return new Manifest(body, type, Digest.of(body));
        } catch (IOException e) {
            throw new BerthException("cannot read the manifest of " + repository + ":" + reference + " from "
                    + registry + ": " + e.getMessage(), e);
        }
    }

    /** A blob's bytes, as a stream the caller verifies and closes. */
    public InputStream blob(String repository, Digest digest) {
        return send(URI.create(endpoint + "/v2/" + repository + "/blobs/" + digest), "repository:" + repository + ":pull",
                Map.of(), HttpResponse.BodyHandlers.ofInputStream()).body();
    }

    /**
     * A blob's bytes written to file, at most limit of them (a server that sends more is cut off). The
     * JDK client writes a file body as it arrives; its stream body hands every buffer across threads and
     * is several times slower. The caller verifies the file.
     */
    public void download(String repository, Digest digest, Path file, long limit) {
        send(URI.create(endpoint + "/v2/" + repository + "/blobs/" + digest), "repository:" + repository + ":pull",
                Map.of(), info -> new LimitedFile(HttpResponse.BodySubscribers.ofFile(file), limit));
    }

    /** A body longer than its descriptor says: not retried, since the registry would say the same again. */
    private static final class TooLarge extends IOException {
        TooLarge(long limit) {
            super("the blob is larger than the " + limit + " bytes its manifest gives");
        }
    }

    /** A file body that refuses to grow past a limit. */
    private static final class LimitedFile implements HttpResponse.BodySubscriber<Path> {
        private final HttpResponse.BodySubscriber<Path> file;
        private final long limit;
        private java.util.concurrent.Flow.Subscription subscription;
        private long received;
        private boolean cut;

        LimitedFile(HttpResponse.BodySubscriber<Path> file, long limit) {
            this.file = file;
            this.limit = limit;
        }

        @Override
        public java.util.concurrent.CompletionStage<Path> getBody() {
            return file.getBody();
        }

        @Override
        public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
            subscription = s;
            file.onSubscribe(s);
        }

        @Override
        public void onNext(List<java.nio.ByteBuffer> buffers) {
            if (cut) {
                return;
            }
            received += buffers.stream().mapToLong(java.nio.ByteBuffer::remaining).sum();
            if (received > limit) {
                cut = true;
                subscription.cancel();
                file.onError(new TooLarge(limit));
                return;
            }
            file.onNext(buffers);
        }

        @Override
        public void onError(Throwable error) {
            if (!cut) {
                file.onError(error);
            }
        }

        @Override
        public void onComplete() {
            if (!cut) {
                file.onComplete();
            }
        }
    }

    /**
     * A GET with this registry's authorization, retried on 429/5xx and connection failures with
     * back-off, following redirects by hand. The response is 200 (or 2xx); anything else is an error line.
     */
    private <T> HttpResponse<T> send(URI uri, String scope, Map<String, String> headers, HttpResponse.BodyHandler<T> body) {
        boolean authorized = false;
        URI target = uri;
        int redirects = 0;
        HttpResponse.BodyHandler<T> onlySuccess = info -> info.statusCode() / 100 == 2 ? body.apply(info)
                : HttpResponse.BodySubscribers.replacing(null); // an error's body is read and dropped
        for (int attempt = 1; ; attempt++) {
            HttpResponse<T> response = attempt(target, headers, sameHost(target, uri), onlySuccess);
            int status = response.statusCode();
            if (status / 100 == 2) {
                return response;
            }
            if (status == 401 && !authorized && sameHost(target, uri)) {
                authorize(response.headers().firstValue("WWW-Authenticate").orElse(""), scope);
                authorized = true;
                attempt--;
                continue;
            }
            if (status / 100 == 3 && response.headers().firstValue("Location").isPresent()) {
                if (++redirects > MAX_REDIRECTS) {
                    throw new BerthException("registry " + registry + " redirected " + uri.getPath() + " more than "
                            + MAX_REDIRECTS + " times");
                }
                target = target.resolve(response.headers().firstValue("Location").get());
                attempt--;
                continue;
            }
            if ((status == 429 || status >= 500) && attempt < MAX_ATTEMPTS) {
                backOff(attempt, response.headers().firstValue("Retry-After"));
                continue;
            }
            throw failure(status, uri);
        }
    }

    private <T> HttpResponse<T> attempt(URI uri, Map<String, String> headers, boolean withAuthorization,
                                        HttpResponse.BodyHandler<T> body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET().timeout(Duration.ofSeconds(60))
                .header("User-Agent", "berth/0.1");
        headers.forEach(request::header);
        if (withAuthorization && authorization != null) {
            request.header("Authorization", authorization);
        }
        for (int attempt = 1; ; attempt++) {
            try {
                return http.send(request.build(), body);
            } catch (SSLException e) {
                throw new BerthException("cannot connect to registry " + registry + " over TLS: " + e.getMessage(), e);
            } catch (IOException e) {
                for (Throwable c = e; c != null; c = c.getCause()) {
                    if (c instanceof TooLarge tooLarge) {
                        throw new BerthException(uri.getPath() + ": " + tooLarge.getMessage(), e);
                    }
                }
                if (attempt >= MAX_ATTEMPTS) {
                    throw new BerthException("cannot connect to registry " + registry + " at " + uri.getHost()
                            + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + ": "
                            + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
                }
                backOff(attempt, Optional.empty());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BerthException("interrupted while talking to registry " + registry, e);
            }
        }
    }

    /** Answers a 401's challenge: a bearer token from the realm it names, or Basic with the login. */
    private void authorize(String header, String scope) {
        Challenge challenge = Challenge.parse(header);
        switch (challenge.scheme()) {
            case "basic" -> authorization = "Basic " + login.orElseThrow(() -> new BerthException(
                    "registry " + registry + " requires a login: berth login " + registry)).basic();
            case "bearer" -> authorization = "Bearer " + token(challenge, scope);
            default -> throw new BerthException("registry " + registry + " asks for an authentication berth does not "
                    + "know: '" + header + "'");
        }
    }

    private String token(Challenge challenge, String scope) {
        String realm = challenge.param("realm");
        if (realm == null) {
            throw new BerthException("registry " + registry + " sent a bearer challenge without a realm");
        }
        StringBuilder query = new StringBuilder();
        if (challenge.param("service") != null) {
            query.append("service=").append(URLEncoder.encode(challenge.param("service"), StandardCharsets.UTF_8));
        }
        String wanted = scope.equals("v2") ? challenge.param("scope") : scope;
        if (wanted != null) {
            query.append(query.isEmpty() ? "" : "&").append("scope=").append(URLEncoder.encode(wanted, StandardCharsets.UTF_8));
        }
        URI uri = URI.create(realm + (query.isEmpty() ? "" : (realm.contains("?") ? "&" : "?") + query));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET().timeout(Duration.ofSeconds(30))
                .header("User-Agent", "berth/0.1");
        login.ifPresent(l -> request.header("Authorization", "Basic " + l.basic()));
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new BerthException("the token server of " + registry + " refused"
                        + (login.isPresent() ? " the login of " + login.get().username() : " an anonymous token")
                        + " (HTTP " + response.statusCode() + ")");
            }
            Map<String, Object> body = Json.parseObject(response.body());
            Object token = body.get("token") instanceof String t && !t.isEmpty() ? t : body.get("access_token");
            if (!(token instanceof String t) || t.isEmpty()) {
                throw new BerthException("the token server of " + registry + " answered without a token");
            }
            return t;
        } catch (IOException e) {
            throw new BerthException("cannot get a token for " + registry + " from " + uri.getHost() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BerthException("interrupted while getting a token for " + registry, e);
        }
    }

    private BerthException failure(int status, URI uri) {
        String what = uri.getPath();
        return switch (status) {
            case 401, 403 -> new BerthException("registry " + registry + " refused access to " + what
                    + (login.isPresent() ? " for " + login.get().username() : ": authentication required (berth login " + registry + ")"));
            case 404 -> new BerthException("not found in registry " + registry + ": " + what);
            case 429 -> new BerthException("registry " + registry + " keeps answering 'too many requests' for " + what);
            default -> new BerthException("registry " + registry + " answered HTTP " + status + " for " + what);
        };
    }

    private boolean sameHost(URI a, URI b) {
        return a.getScheme().equals(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost()) && a.getPort() == b.getPort();
    }


    private static void backOff(int attempt, Optional<String> retryAfter) {
        long millis = Math.min(4000, 250L << (attempt - 1));
        if (retryAfter.isPresent() && retryAfter.get().matches("\\d{1,3}")) {
            millis = Math.min(10_000, Long.parseLong(retryAfter.get()) * 1000);
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BerthException("interrupted while waiting to retry", e);
        }
    }
}
