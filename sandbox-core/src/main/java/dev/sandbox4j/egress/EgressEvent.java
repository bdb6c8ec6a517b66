package dev.sandbox4j.egress;

/** One egress decision. Placeholder until the egress module lands. */
public interface EgressEvent {
}
