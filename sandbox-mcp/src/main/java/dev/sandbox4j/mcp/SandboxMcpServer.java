package dev.sandbox4j.mcp;

import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.egress.EgressEvent;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Model Context Protocol server over stdio whose tools run in one sandbox: {@code run_command},
 * {@code write_file}, {@code read_file}, {@code list_files} and {@code egress_log}. The sandbox belongs to the MCP
 * session: started on the first tool call that needs it, removed when the session ends (standard input closes,
 * which is also what happens when the client process dies). Egress is whatever the spec's policy allows (deny-all
 * unless configured); every DNS decision is also sent to the client as an MCP logging notification (denials at
 * {@code warning}, the rest at {@code info}, logger {@value #EGRESS_LOGGER}).
 *
 * <pre>{@code
 * SandboxSpec spec = Sandbox.builder().image("localhost/agent-tools:latest").workdir("/work").build();
 * SandboxMcpServer.create(spec).serve(System.in, System.out);   // returns when stdin closes
 * }</pre>
 *
 * Standard output carries the protocol only; logs go to standard error.
 */
public final class SandboxMcpServer {
    /** The MCP logger name of egress notifications. */
    public static final String EGRESS_LOGGER = "sandbox4j.egress";
    private static final Logger LOG = LoggerFactory.getLogger(SandboxMcpServer.class);

    private final SandboxSpec spec;
    private final Duration defaultTimeout;

    private SandboxMcpServer(SandboxSpec spec, Duration defaultTimeout) {
        this.spec = spec;
        this.defaultTimeout = defaultTimeout;
    }

    /**
     * A server whose session sandbox is started from {@code spec}; commands default to a 60 s time limit.
     *
     * @param spec the spec of the session sandbox, started on the first call that needs it
     * @return the server
     * @throws SandboxConfigException if {@code spec} is null
     */
    public static SandboxMcpServer create(SandboxSpec spec) {
        return create(spec, Duration.ofSeconds(60));
    }

    /**
     * A server whose commands default to {@code defaultTimeout} when a call gives no {@code timeout_seconds}.
     *
     * @param spec           the spec of the session sandbox, started on the first call that needs it
     * @param defaultTimeout the time limit of a command whose call names none; positive
     * @return the server
     * @throws SandboxConfigException if {@code spec} is null or {@code defaultTimeout} is not positive
     */
    public static SandboxMcpServer create(SandboxSpec spec, Duration defaultTimeout) {
        if (spec == null) {
            throw new SandboxConfigException("the MCP server needs a sandbox spec");
        }
        if (defaultTimeout == null || defaultTimeout.isNegative() || defaultTimeout.isZero()) {
            throw new SandboxConfigException("default command timeout must be positive, got " + defaultTimeout);
        }
        return new SandboxMcpServer(spec, defaultTimeout);
    }

    /** {@return the spec of the session sandbox} */
    public SandboxSpec spec() {
        return spec;
    }

    /**
     * Runs the protocol on {@code in} and {@code out} until {@code in} reaches its end (or fails), then removes
     * the session's sandbox and returns. Blocks the calling thread.
     *
     * @param in  where requests arrive, one JSON-RPC message per line
     * @param out where responses and notifications are written, one JSON-RPC message per line
     */
    public void serve(InputStream in, OutputStream out) {
        CountDownLatch ended = new CountDownLatch(1);
        InputStream watched = new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                try {
                    int b = super.read();
                    if (b < 0) {
                        ended.countDown();
                    }
                    return b;
                } catch (IOException e) {
                    ended.countDown();
                    throw e;
                }
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                try {
                    int n = super.read(buf, off, len);
                    if (n < 0) {
                        ended.countDown();
                    }
                    return n;
                } catch (IOException e) {
                    ended.countDown();
                    throw e;
                }
            }
        };
        McpJsonMapper json = McpJsonDefaults.getMapper();
        ExecutorService notifier = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sandbox4j-mcp-notify");
            t.setDaemon(true);
            return t;
        });
        SessionSandbox session = new SessionSandbox(spec, (exchange, event) -> notify(notifier, exchange, event));
        StdioServerTransportProvider transport = new StdioServerTransportProvider(json, watched, out);
        McpSyncServer server = McpServer.sync(transport)
                .serverInfo("sandbox4j", version())
                .instructions("Tools that run in an isolated Sandbox4j sandbox with controlled network egress. "
                        + "Files written with write_file are visible to run_command and persist for this session.")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).logging().build())
                .tools(SandboxTools.all(session, json, defaultTimeout))
                .build();
        LOG.info("MCP server ready; sandbox image {}, egress {}", spec.image(), spec.egress());
        try {
            ended.await();
            LOG.info("standard input closed: ending the MCP session");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                session.close();
            } finally {
                notifier.shutdownNow();
                try {
                    server.close();
                } catch (RuntimeException e) {
                    LOG.debug("closing the MCP server: {}", e.toString());
                }
            }
        }
    }

    private static void notify(ExecutorService notifier, McpSyncServerExchange exchange, EgressEvent event) {
        if (!(event instanceof EgressEvent.DnsDecision d)) {
            return;
        }
        McpSchema.LoggingLevel level = d.verdict() == EgressEvent.Verdict.ALLOWED
                ? McpSchema.LoggingLevel.INFO : McpSchema.LoggingLevel.WARNING;
        String text = SandboxTools.describe(d);
        try {
            notifier.execute(() -> {
                try {
                    exchange.loggingNotification(McpSchema.LoggingMessageNotification.builder(level, text)
                            .logger(EGRESS_LOGGER).build());
                } catch (RuntimeException e) {
                    LOG.debug("could not send an egress notification: {}", e.toString());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("session ended; egress notification not sent");
        }
    }

    private static String version() {
        String v = SandboxMcpServer.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /**
     * Runs the server on this process's standard input and output with {@link McpOptions command-line options};
     * exits 0 when standard input closes, 2 for bad arguments, 1 when the server could not start.
     *
     * @param args the command-line arguments, as {@link McpOptions#USAGE} describes them
     */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * What {@link #main} and {@code sandbox mcp} do, without exiting: serves this process's standard input and
     * output (anything else printed goes to standard error) and returns the exit code: 0 when standard input
     * closes, 2 for bad arguments, 1 when the server failed.
     *
     * @param args the command-line arguments, as {@link McpOptions#USAGE} describes them
     * @return the exit code
     */
    public static int run(String... args) {
        PrintStream protocol = System.out;
        // Nothing but the protocol may reach standard output: anything printed by accident goes to stderr.
        System.setOut(System.err);
        SandboxSpec spec;
        try {
            spec = McpOptions.parse(args).spec();
        } catch (SandboxException e) {
            System.err.println("sandbox mcp: " + e.getMessage());
            return 2;
        }
        try {
            create(spec).serve(System.in, protocol);
            return 0;
        } catch (RuntimeException e) {
            LOG.warn("MCP server failed", e);
            return 1;
        }
    }
}
