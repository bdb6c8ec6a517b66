package dev.sandbox4j.internal.apple;

/**
 * One element of {@code container system version --format json}: the CLI, and the API server when it answered.
 *
 * @param appName   {@code container} or {@code container-apiserver}
 * @param version   {@code 1.2.2} for the CLI; the API server's whole banner before 1.4.1
 * @param buildType {@code release} or {@code debug}
 * @param commit    the commit the build came from
 */
public record AppleVersionInfo(String appName, String version, String buildType, String commit) {
}
