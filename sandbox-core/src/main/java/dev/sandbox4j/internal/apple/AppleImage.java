package dev.sandbox4j.internal.apple;

/**
 * One image of {@code container image list --format json}: 1.x {@code {id, configuration{name, descriptor},
 * variants}}, 0.x {@code {reference, descriptor[, fullSize]}}.
 *
 * @param reference the full, normalised reference ({@code docker.io/library/alpine:3.20})
 * @param digest    the index digest ({@code sha256:...}); empty when not reported
 */
public record AppleImage(String reference, String digest) {
}
