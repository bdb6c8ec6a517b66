package dev.sandbox4j;

/** When the runtime may fetch an image from a registry. The default is {@link #NEVER}: nothing is pulled unasked. */
public enum PullPolicy {
    /** Use only images already present; a missing image is an error that says how to get it. */
    NEVER,
    /** Pull the image when it is not present. */
    MISSING,
    /** Pull on every start. */
    ALWAYS
}
