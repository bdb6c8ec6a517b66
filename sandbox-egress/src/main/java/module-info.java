/**
 * Sandbox4j's egress control: the DNS interceptor, the enforcers (nftables in each sandbox's network namespace on
 * Linux, a relay to the JVM on macOS) and the audit
 * file. It exports nothing: core finds it as a {@link dev.sandbox4j.spi.EgressProvider} service, and the
 * Kubernetes enforcer sidecar runs {@code dev.sandbox4j.egress.pod.PodEnforcer} as its main class.
 */
module dev.sandbox4j.egress {
    requires dev.sandbox4j.core;
    requires com.fasterxml.jackson.databind;
    requires org.dnsjava;
    requires org.slf4j;

    provides dev.sandbox4j.spi.EgressProvider with
            dev.sandbox4j.egress.internal.linux.LinuxEgressProvider,
            dev.sandbox4j.egress.internal.macos.MacEgressProvider;
    provides dev.sandbox4j.spi.NamespaceRules with dev.sandbox4j.egress.internal.linux.PodNamespaceRules;
}
