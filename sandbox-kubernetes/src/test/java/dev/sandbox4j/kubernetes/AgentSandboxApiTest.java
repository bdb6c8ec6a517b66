package dev.sandbox4j.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.util.HashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Detection of the agent-sandbox CRDs against the mock API server in CRUD mode. */
class AgentSandboxApiTest {
    private KubernetesMockServer server;
    private NamespacedKubernetesClient client;

    @BeforeEach
    void startServer() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        client = server.createClient();
    }

    @AfterEach
    void stopServer() {
        client.close();
        server.destroy();
    }

    private void install(String name) {
        String[] parts = name.split("\\.", 2);
        client.apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withGroup(parts[1]).withScope("Namespaced").withNewNames().withPlural(parts[0])
                .endNames().endSpec().build()).create();
    }

    @Test
    void aClusterWithoutTheCrdsHasNone() {
        assertThat(AgentSandboxApi.detect(client)).isEqualTo(AgentSandboxApi.NONE);
    }

    @Test
    void theCoreCrdAloneOffersNoWarmPools() {
        // given
        install("sandboxes.agents.x-k8s.io");

        // when
        AgentSandboxApi api = AgentSandboxApi.detect(client);

        // then
        assertThat(api).isEqualTo(new AgentSandboxApi(true, false, false, false));
        assertThat(api.warmPools()).isFalse();
    }

    @Test
    void theExtensionsTogetherOfferWarmPools() {
        // given
        AgentSandboxApi.CRDS.forEach(this::install);

        // when
        AgentSandboxApi api = AgentSandboxApi.detect(client);

        // then
        assertThat(api).isEqualTo(new AgentSandboxApi(true, true, true, true));
        assertThat(api.warmPools()).isTrue();
    }
}
