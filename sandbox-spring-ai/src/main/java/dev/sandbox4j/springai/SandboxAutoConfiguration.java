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

    /**
     * The registry of per-conversation sandboxes, built from the {@code sandbox4j.*} properties; closed with the
     * application context. Not made when the context already has a {@link ConversationSandboxes}.
     *
     * @param properties the bound {@code sandbox4j.*} settings
     * @return the registry
     * @throws dev.sandbox4j.SandboxConfigException if a property holds an invalid value
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public ConversationSandboxes sandbox4jConversationSandboxes(SandboxProperties properties) {
        return ConversationSandboxes.builder(spec(properties))
                .poolSize(properties.getPoolSize())
                .idleTimeout(properties.getIdleTimeout())
                .build();
    }

    /**
     * The tools ({@code run_command}, {@code write_file}, {@code read_file}) over the registry, with
     * {@code sandbox4j.command-timeout} as their time limit. Not made when the context already has one.
     *
     * @param sandboxes  the registry the tools take sandboxes from
     * @param properties the bound {@code sandbox4j.*} settings
     * @return the tool callback provider
     */
    @Bean
    @ConditionalOnMissingBean
    public SandboxToolCallbackProvider sandbox4jToolCallbackProvider(ConversationSandboxes sandboxes,
                                                                     SandboxProperties properties) {
        return new SandboxToolCallbackProvider(sandboxes, properties.getCommandTimeout());
    }
}
