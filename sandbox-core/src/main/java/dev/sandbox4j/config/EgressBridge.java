package dev.sandbox4j.config;

import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.egress.EgressPolicy;
import java.nio.file.Path;

/**
 * The only place where configuration files meet {@link EgressPolicy}.
 *
 * <p><b>MERGE NOTE.</b> On this branch {@code EgressPolicy} is the placeholder that can only allow everything, so
 * only {@code {"default": "allow"}} without rules or upstreams can be honoured; anything else fails loudly rather
 * than run a sandbox with less protection than its file asks for. When the rewritten egress package lands, these
 * two methods become:
 * <pre>{@code
 * toPolicy:   EgressPolicy p = c.defaultAction() == DENY ? EgressPolicy.denyAll() : EgressPolicy.allowAll();
 *             for (String r : c.rules()) p = p.rule(EgressPolicy.parseRule(r));   // or allow/deny/allowCidr
 *             for (InetSocketAddress u : c.upstreams()) p = p.withUpstream(u);
 * fromPolicy: new EgressConfig(p.defaultAction(), p.rules().stream().map(Object::toString).toList(), p.upstreams())
 * }</pre>
 * (rule strings must round-trip through {@code EgressPolicy.parseRule} and the rule's {@code toString()}).
 */
final class EgressBridge {
    private EgressBridge() {
    }

    static EgressPolicy toPolicy(EgressConfig config, Path source) {
        if (config.allowsEverything() && config.upstreams().isEmpty()) {
            return EgressPolicy.allowAll();
        }
        throw new SandboxConfigException(source + ": the egress section (default \""
                + config.defaultAction().json() + "\", " + config.rules().size() + " rules, "
                + config.upstreams().size() + " upstreams) needs the rule-based EgressPolicy, which this build "
                + "does not have yet: use {\"default\": \"allow\"} until it lands");
    }

    static EgressConfig fromPolicy(EgressPolicy policy) {
        if (policy.allowsEverything()) {
            return EgressConfig.ALLOW_ALL;
        }
        throw new SandboxConfigException("this EgressPolicy cannot be written to a configuration file yet");
    }
}
