package dev.sandbox4j.springai;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the sandboxes behind the Spring AI tools, under {@code sandbox4j.*}. Setting {@code sandbox4j.image}
 * switches the auto-configuration on.
 *
 * <pre>
 * sandbox4j.image=localhost/agent-tools:latest
 * sandbox4j.policy=allow pypi.org:443\nallow files.pythonhosted.org:443
 * sandbox4j.pool-size=2
 * </pre>
 */
@ConfigurationProperties(prefix = "sandbox4j")
public class SandboxProperties {
    /** The image every conversation's sandbox runs. Required. */
    private String image;
    /**
     * The egress policy in its text form ({@code EgressPolicy.parse}): rules one per line, such as
     * {@code allow pypi.org:443}, optional {@code upstream IP:PORT} lines. Default: deny everything.
     */
    private String policy = "";
    /** Sandboxes kept started ahead of new conversations; default 1. */
    private int poolSize = 1;
    /** How long a conversation's sandbox may sit unused before it is closed; default 15 minutes. */
    private Duration idleTimeout = Duration.ofMinutes(15);
    /** Time limit of each command; default 60 seconds. */
    private Duration commandTimeout = Duration.ofSeconds(60);
    /** Default working directory of commands and base of relative file paths; default the image's. */
    private String workdir;
    /** The runtime by name ("podman", "apple-container"); default detected. */
    private String runtime;
    /** Memory limit such as 512m; default none. */
    private String memory;
    /** CPU limit in cores; default none. */
    private Double cpus;
    /** Extra labels on every sandbox. */
    private Map<String, String> labels = new LinkedHashMap<>();

    public String getImage() {
        return image;
    }

    public void setImage(String image) {
        this.image = image;
    }

    public String getPolicy() {
        return policy;
    }

    public void setPolicy(String policy) {
        this.policy = policy;
    }

    public int getPoolSize() {
        return poolSize;
    }

    public void setPoolSize(int poolSize) {
        this.poolSize = poolSize;
    }

    public Duration getIdleTimeout() {
        return idleTimeout;
    }

    public void setIdleTimeout(Duration idleTimeout) {
        this.idleTimeout = idleTimeout;
    }

    public Duration getCommandTimeout() {
        return commandTimeout;
    }

    public void setCommandTimeout(Duration commandTimeout) {
        this.commandTimeout = commandTimeout;
    }

    public String getWorkdir() {
        return workdir;
    }

    public void setWorkdir(String workdir) {
        this.workdir = workdir;
    }

    public String getRuntime() {
        return runtime;
    }

    public void setRuntime(String runtime) {
        this.runtime = runtime;
    }

    public String getMemory() {
        return memory;
    }

    public void setMemory(String memory) {
        this.memory = memory;
    }

    public Double getCpus() {
        return cpus;
    }

    public void setCpus(Double cpus) {
        this.cpus = cpus;
    }

    public Map<String, String> getLabels() {
        return labels;
    }

    public void setLabels(Map<String, String> labels) {
        this.labels = labels;
    }
}
