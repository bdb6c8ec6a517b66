package dev.sandbox4j.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.SandboxConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KubernetesOptionsTest {

    @Test
    void defaultsAreTheSandbox4jNamespaceAndTheLocalEnforcerImageOfThisVersion() {
        KubernetesOptions o = KubernetesOptions.defaults();

        assertThat(o.namespace()).isEqualTo("sandbox4j");
        assertThat(o.runtimeClassName()).isEmpty();
        assertThat(o.enforcerImage()).isEqualTo("localhost/sandbox4j/enforcer:" + KubernetesOptions.Version.VALUE);
        assertThat(KubernetesOptions.Version.VALUE).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
        assertThat(o.activeDeadline()).isZero();
        assertThat(o.owners()).isEmpty();
    }

    @Test
    void theEnvironmentSetsEveryOption() {
        // given
        Map<String, String> env = Map.of(
                "SANDBOX4J_KUBE_NAMESPACE", "agents",
                "SANDBOX4J_KUBE_RUNTIME_CLASS", "gvisor",
                "SANDBOX4J_KUBE_ENFORCER_IMAGE", "registry.example/sandbox4j/enforcer:1",
                "SANDBOX4J_KUBE_ACTIVE_DEADLINE_SECONDS", "3600",
                "SANDBOX4J_KUBE_OWNER_POD_NAME", "agent-0",
                "SANDBOX4J_KUBE_OWNER_POD_UID", "1f7c");

        // when
        KubernetesOptions o = KubernetesOptions.fromEnv(env);

        // then
        assertThat(o).isEqualTo(new KubernetesOptions("agents", "gvisor", "registry.example/sandbox4j/enforcer:1",
                Duration.ofHours(1), List.of(KubernetesOptions.Owner.pod("agent-0", "1f7c"))));
        assertThat(o.toBuilder().build()).isEqualTo(o);
    }

    @Test
    void anOwnerPodNameWithoutItsUidIsRefused() {
        assertThatThrownBy(() -> KubernetesOptions.fromEnv(Map.of("SANDBOX4J_KUBE_OWNER_POD_NAME", "agent-0")))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("set both SANDBOX4J_KUBE_OWNER_POD_NAME and SANDBOX4J_KUBE_OWNER_POD_UID");
    }

    @Test
    void aNamespaceThatIsNoDnsLabelIsRefusedWithTheRule() {
        assertThatThrownBy(() -> KubernetesOptions.builder().namespace("Agents_1").build())
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("Kubernetes namespace 'Agents_1' is not a DNS label");
    }

    @Test
    void aDeadlineUnderASecondIsRefused() {
        assertThatThrownBy(() -> KubernetesOptions.builder().activeDeadline(Duration.ofMillis(500)).build())
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("must be zero (none) or at least one second");
    }

    @Test
    void aDeadlineThatIsNoNumberNamesTheVariable() {
        assertThatThrownBy(() -> KubernetesOptions.fromEnv(Map.of("SANDBOX4J_KUBE_ACTIVE_DEADLINE_SECONDS", "1h")))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("SANDBOX4J_KUBE_ACTIVE_DEADLINE_SECONDS='1h' is not a number of seconds");
    }
}
