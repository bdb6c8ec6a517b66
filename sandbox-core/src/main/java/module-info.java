/**
 * Sandbox4j's core: the public API ({@code dev.sandbox4j}), egress policy values and audit events
 * ({@code dev.sandbox4j.egress}), configuration files ({@code dev.sandbox4j.config}), the runtime and egress SPI
 * ({@code dev.sandbox4j.spi}), and the Podman and Apple {@code container} backends, which are not exported.
 */
@SuppressWarnings("requires-automatic")  // JNA is an automatic module (com.sun.jna)
module dev.sandbox4j.core {
    requires com.fasterxml.jackson.databind;
    requires com.sun.jna;
    requires org.slf4j;

    exports dev.sandbox4j;
    exports dev.sandbox4j.config;
    exports dev.sandbox4j.egress;
    exports dev.sandbox4j.spi;

    // JNA reads the native structures and implements the library interfaces reflectively
    opens dev.sandbox4j.internal to com.sun.jna;
    opens dev.sandbox4j.internal.apple to com.sun.jna;
    opens dev.sandbox4j.internal.spawn to com.sun.jna;

    uses dev.sandbox4j.spi.RuntimeProvider;
    uses dev.sandbox4j.spi.EgressProvider;

    provides dev.sandbox4j.spi.RuntimeProvider with
            dev.sandbox4j.internal.podman.PodmanProvider,
            dev.sandbox4j.internal.apple.AppleContainerProvider;
}
