package dev.sandbox4j.config;

import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.EgressRule;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * The only place where configuration files meet {@link EgressPolicy}: rule strings in the file are the policy's
 * own text form ({@code allow *.example.com:443}, {@code allow-cidr 203.0.113.0/24}, ...), read and printed by the
 * one grammar behind {@link EgressRule#parse(String)}, so a policy written to a file reads back equal.
 */
final class EgressBridge {
    private EgressBridge() {
    }

    static EgressPolicy toPolicy(EgressConfig config, Path source) {
        EgressPolicy policy = config.defaultAction() == EgressConfig.Default.DENY
                ? EgressPolicy.denyAll() : EgressPolicy.allowAll();
        for (String rule : config.rules()) {
            try {
                policy = policy.with(EgressPolicy.parseRule(rule));
            } catch (SandboxConfigException e) {
                throw new SandboxConfigException(source + ": egress rule \"" + rule + "\": " + e.getMessage(), e);
            }
        }
        for (InetSocketAddress upstream : config.upstreams()) {
            policy = policy.withUpstream(upstream);
        }
        return policy;
    }

    static EgressConfig fromPolicy(EgressPolicy policy) {
        return new EgressConfig(policy.defaultAllows() ? EgressConfig.Default.ALLOW : EgressConfig.Default.DENY,
                policy.rules().stream().map(EgressRule::toString).toList(), policy.upstreams());
    }
}
