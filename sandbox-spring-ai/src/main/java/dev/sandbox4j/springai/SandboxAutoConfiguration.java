package dev.sandbox4j.springai;

import dev.sandbox4j.ConversationSandboxes;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.egress.EgressPolicy;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Spring Boot auto-configuration of the sandbox tools: when {@code sandbox4j.image} is set, a
 * {@link ConversationSandboxes} registry built from {@link SandboxProperties} (closed with the application context,
 * which removes every sandbox) and a {@link SandboxToolCallbackProvider} over it. Either bean can be replaced by
 * one of your own.
 */
@AutoConfiguration
@ConditionalOnClass(org.springframework.ai.tool.ToolCallbackProvider.class)
@ConditionalOnProperty(prefix = "sandbox4j", name = "image")
@EnableConfigurationProperties(SandboxProperties.class)
public class SandboxAutoConfiguration {

    /** The spec the properties describe; checked when the context starts, so bad settings fail the start. */
    static SandboxSpec spec(SandboxProperties p) {
        SandboxSpec.Builder b = Sandbox.builder().image(p.getImage())
                .egress(p.getPolicy() == null || p.getPolicy().isBlank()
                        ? EgressPolicy.denyAll() : EgressPolicy.parse(p.getPolicy()));
        if (p.getWorkdir() != null) {
            b.workdir(p.getWorkdir());
        }
        if (p.getRuntime() != null) {
            b.runtime(p.getRuntime());
        }
        if (p.getMemory() != null) {
            b.memory(p.getMemory());
        }
        if (p.getCpus() != null) {
            b.cpus(p.getCpus());
        }
        p.getLabels().forEach(b::label);
        return b.build();
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public ConversationSandboxes sandbox4jConversationSandboxes(SandboxProperties properties) {
        return ConversationSandboxes.builder(spec(properties))
                .poolSize(properties.getPoolSize())
                .idleTimeout(properties.getIdleTimeout())
                .build();
    }

    @Bean
    @ConditionalOnMissingBean
    public SandboxToolCallbackProvider sandbox4jToolCallbackProvider(ConversationSandboxes sandboxes,
                                                                     SandboxProperties properties) {
        return new SandboxToolCallbackProvider(sandboxes, properties.getCommandTimeout());
    }
}
