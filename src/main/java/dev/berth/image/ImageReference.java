package dev.berth.image;

import dev.berth.BerthException;

import java.util.regex.Pattern;

/**
 * An image reference as Docker writes it ({@code busybox}, {@code library/busybox:1.36},
 * {@code ghcr.io/o/n:tag}, {@code host:5000/n@sha256:…}), normalised: {@code docker.io/library/busybox:latest}.
 *
 * @param domain     the registry's host[:port] ({@code docker.io} for Docker Hub)
 * @param repository the path inside the registry ({@code library/busybox})
 * @param tag        the tag, or null when the reference names a digest only
 * @param digest     the manifest's digest, or null
 */
public record ImageReference(String domain, String repository, String tag, Digest digest) {
    public static final String DOCKER_HUB = "docker.io";
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern DOMAIN = Pattern.compile(
            "(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]{1,5})?"
                    + "|\\[[0-9A-Fa-f:]+\\](?::[0-9]{1,5})?");

    public static ImageReference parse(String text) {
        if (text == null || text.isEmpty() || text.length() > 255 + 128 + 80) {
            throw invalid(text, "it is empty or too long");
        }
        String rest = text;
        Digest digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            try {
                digest = Digest.parse(rest.substring(at + 1));
            } catch (BerthException e) {
                throw invalid(text, e.getMessage());
            }
            rest = rest.substring(0, at);
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw invalid(text, "'" + tag + "' is not a valid tag");
            }
        }
        String domain = DOCKER_HUB;
        String path = rest;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost") || first.startsWith("[")) {
                if (!DOMAIN.matcher(first).matches()) {
                    throw invalid(text, "'" + first + "' is not a valid registry host");
                }
                domain = first;
                path = rest.substring(slash + 1);
            }
        }
        if (domain.equals("index.docker.io")) {
            domain = DOCKER_HUB;
        }
        if (domain.equals(DOCKER_HUB) && !path.contains("/")) {
            path = "library/" + path;
        }
        for (String component : path.split("/", -1)) {
            if (!COMPONENT.matcher(component).matches()) {
                throw invalid(text, "repository names use lower-case letters, digits and separators (. _ __ -) between them");
            }
        }
        if (path.length() > 255) {
            throw invalid(text, "the repository name is longer than 255 characters");
        }
        if (tag == null && digest == null) {
            tag = "latest";
        }
        return new ImageReference(domain, path, tag, digest);
    }

    /** True when text reads as an image reference at all (an id, say, does not need to). */
    public static boolean isValid(String text) {
        try {
            parse(text);
            return true;
        } catch (BerthException e) {
            return false;
        }
    }

    /** The fully qualified form: {@code docker.io/library/busybox:latest}. */
    @Override
    public String toString() {
        return domain + "/" + repository + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }

    /** The short form Docker shows: {@code busybox:latest}, {@code ghcr.io/o/n:tag}. */
    public String familiar() {
        String name = domain.equals(DOCKER_HUB)
                ? (repository.startsWith("library/") ? repository.substring("library/".length()) : repository)
                : domain + "/" + repository;
        return name + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }

    /** domain/repository, without tag or digest. */
    public String name() {
        return domain + "/" + repository;
    }

    /** The tag or digest a manifest is fetched by. */
    public String manifestReference() {
        return digest != null ? digest.toString() : tag;
    }

    public ImageReference withDigest(Digest manifestDigest) {
        return new ImageReference(domain, repository, null, manifestDigest);
    }

    private static BerthException invalid(String text, String why) {
        return new BerthException("invalid reference format '" + (text == null ? "" : text) + "': " + why);
    }
}
