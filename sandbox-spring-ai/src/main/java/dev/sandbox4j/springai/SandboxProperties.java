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

    /** {@return {@code sandbox4j.image}: the image every conversation's sandbox runs; {@code null} until set} */
    public String getImage() {
        return image;
    }

    /**
     * Sets {@code sandbox4j.image}, the image every conversation's sandbox runs. Required.
     *
     * @param image an image reference such as {@code localhost/agent-tools:latest}
     */
    public void setImage(String image) {
        this.image = image;
    }

    /** {@return {@code sandbox4j.policy}: the egress policy text; {@code ""} (deny everything) unless set} */
    public String getPolicy() {
        return policy;
    }

    /**
     * Sets {@code sandbox4j.policy}, the egress policy in its text form ({@code EgressPolicy.parse}): rules one
     * per line, such as {@code allow pypi.org:443}, optional {@code upstream IP:PORT} lines. Default: deny everything.
     *
     * @param policy the policy text
     */
    public void setPolicy(String policy) {
        this.policy = policy;
    }

    /** {@return {@code sandbox4j.pool-size}: sandboxes kept started ahead of new conversations; default 1} */
    public int getPoolSize() {
        return poolSize;
    }

    /**
     * Sets {@code sandbox4j.pool-size}, how many sandboxes are kept started ahead of new conversations; default 1.
     *
     * @param poolSize 0 to 256; 0 starts each sandbox on demand
     */
    public void setPoolSize(int poolSize) {
        this.poolSize = poolSize;
    }

    /**
     * {@return {@code sandbox4j.idle-timeout}: how long a conversation's sandbox may sit unused before it is closed;
     * default 15 minutes}
     */
    public Duration getIdleTimeout() {
        return idleTimeout;
    }

    /**
     * Sets {@code sandbox4j.idle-timeout}, how long a conversation's sandbox may sit unused before it is closed;
     * default 15 minutes.
     *
     * @param idleTimeout the idle time, at least 1 second
     */
    public void setIdleTimeout(Duration idleTimeout) {
        this.idleTimeout = idleTimeout;
    }

    /** {@return {@code sandbox4j.command-timeout}: the time limit of each command; default 60 seconds} */
    public Duration getCommandTimeout() {
        return commandTimeout;
    }

    /**
     * Sets {@code sandbox4j.command-timeout}, the time limit of each command; default 60 seconds.
     *
     * @param commandTimeout a positive duration
     */
    public void setCommandTimeout(Duration commandTimeout) {
        this.commandTimeout = commandTimeout;
    }

    /**
     * {@return {@code sandbox4j.workdir}: the default working directory of commands and base of relative file
     * paths; {@code null} for the image's}
     */
    public String getWorkdir() {
        return workdir;
    }

    /**
     * Sets {@code sandbox4j.workdir}, the default working directory of commands and base of relative file paths;
     * default the image's.
     *
     * @param workdir an absolute path inside the sandbox
     */
    public void setWorkdir(String workdir) {
        this.workdir = workdir;
    }

    /** {@return {@code sandbox4j.runtime}: the runtime by name; {@code null} for detected} */
    public String getRuntime() {
        return runtime;
    }

    /**
     * Sets {@code sandbox4j.runtime}, the runtime by name ({@code "podman"}, {@code "apple-container"}); default
     * detected.
     *
     * @param runtime the runtime's name
     */
    public void setRuntime(String runtime) {
        this.runtime = runtime;
    }

    /** {@return {@code sandbox4j.memory}: the memory limit such as {@code 512m}; {@code null} for none} */
    public String getMemory() {
        return memory;
    }

    /**
     * Sets {@code sandbox4j.memory}, the memory limit such as {@code 512m}; default none.
     *
     * @param memory a size as {@link dev.sandbox4j.MemorySize#parse(String)} reads it
     */
    public void setMemory(String memory) {
        this.memory = memory;
    }

    /** {@return {@code sandbox4j.cpus}: the CPU limit in cores; {@code null} for none} */
    public Double getCpus() {
        return cpus;
    }

    /**
     * Sets {@code sandbox4j.cpus}, the CPU limit in cores (fractions allowed); default none.
     *
     * @param cpus the number of cores, greater than 0, or {@code null} for no limit
     */
    public void setCpus(Double cpus) {
        this.cpus = cpus;
    }

    /** {@return {@code sandbox4j.labels}: extra labels on every sandbox; the map itself, not a copy} */
    public Map<String, String> getLabels() {
        return labels;
    }

    /**
     * Sets {@code sandbox4j.labels}, extra labels on every sandbox; default none.
     *
     * @param labels label key to value
     */
    public void setLabels(Map<String, String> labels) {
        this.labels = labels;
    }
}
