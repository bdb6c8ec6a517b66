package dev.sandbox4j.springai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.ConversationSandboxes;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxConfigException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.ai.tool.ToolCallbackProvider;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * When the auto-configuration applies and what it refuses, in real application contexts. Pool size 0 keeps these
 * contexts from starting sandboxes: nothing here needs a runtime.
 */
class SandboxAutoConfigurationConditionsTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SandboxAutoConfiguration.class));

    @Test
    void withoutAnImageNothingIsConfigured() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(ConversationSandboxes.class);
            assertThat(context).doesNotHaveBean(ToolCallbackProvider.class);
        });
    }

    @Test
    void anImageGivesTheRegistryAndTheToolCallbacks() {
        runner.withPropertyValues("sandbox4j.image=localhost/tools:latest", "sandbox4j.pool-size=0",
                "sandbox4j.idle-timeout=5m").run(context -> {
                    assertThat(context).hasSingleBean(ConversationSandboxes.class);
                    assertThat(context.getBean(ToolCallbackProvider.class).getToolCallbacks())
                            .extracting(c -> c.getToolDefinition().name())
                            .containsExactly("run_command", "write_file", "read_file", "list_files");
                });
    }

    @Test
    void aBadPolicyFailsTheContextStartWithATypedErrorNamingTheRule() {
        runner.withPropertyValues("sandbox4j.image=localhost/tools:latest", "sandbox4j.pool-size=0",
                "sandbox4j.policy=allow *").run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause().isInstanceOf(SandboxConfigException.class)
                            .hasMessageContaining("*");
                });
    }

    @Test
    void aRegistryOfYourOwnReplacesTheAutoConfiguredOne() {
        runner.withPropertyValues("sandbox4j.image=localhost/tools:latest")
                .withUserConfiguration(OwnRegistry.class).run(context -> {
                    assertThat(context).hasSingleBean(ConversationSandboxes.class);
                    assertThat(context.getBean(ConversationSandboxes.class)).isSameAs(OwnRegistry.REGISTRY);
                    assertThat(context).hasSingleBean(SandboxToolCallbackProvider.class);
                    assertThat(context.getBean(SandboxToolCallbackProvider.class).sandboxes())
                            .isSameAs(OwnRegistry.REGISTRY);
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnRegistry {
        static final ConversationSandboxes REGISTRY = ConversationSandboxes.builder(
                Sandbox.builder().image("localhost/own:latest").build()).poolSize(0)
                .idleTimeout(Duration.ofMinutes(1)).build();

        @Bean
        ConversationSandboxes ownSandboxes() {
            return REGISTRY;
        }
    }
}
