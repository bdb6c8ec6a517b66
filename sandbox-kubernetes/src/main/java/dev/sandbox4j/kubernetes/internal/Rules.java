package dev.sandbox4j.kubernetes.internal;

import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.spi.NamespaceRules;
import java.util.Iterator;
import java.util.ServiceLoader;

/** Finds the in-namespace rule builder on the class path. */
public final class Rules {
    private Rules() {
    }

    /**
     * The first {@link NamespaceRules} found with {@link ServiceLoader}; without one, a builder that refuses every
     * policed sandbox with the fix (its policy check runs only when a policed pod is built).
     */
    public static NamespaceRules fromClassPath() {
        Iterator<NamespaceRules> it = ServiceLoader.load(NamespaceRules.class, Rules.class.getClassLoader()).iterator();
        if (it.hasNext()) {
            return it.next();
        }
        return (policy, port) -> {
            throw new SandboxConfigException("this sandbox has an egress policy but no in-namespace rule builder is"
                    + " on the class path: add the dev.sandbox4j:sandbox-egress dependency, or use"
                    + " EgressPolicy.allowAll()");
        };
    }
}
