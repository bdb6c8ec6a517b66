package dev.sandbox4j.cli;

import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.egress.EgressDecision;
import dev.sandbox4j.egress.EgressPolicy;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sandbox policy}: works with egress policy files without starting anything. */
@Command(name = "policy", mixinStandardHelpOptions = true, description = "Work with egress policy files (the text form of EgressPolicy).",
        subcommands = PolicyCommand.Check.class)
public final class PolicyCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code sandbox policy check FILE HOST[:PORT]}. */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Say whether a policy allows a host or address, and which rule decided.",
                    "Exit code 0 when allowed, 1 when denied, 2 when the file is invalid. Uses no DNS."},
            footerHeading = "%nExamples:%n",
            footer = {"  sandbox policy check policy.txt api.example.com:443",
                    "  sandbox policy check policy.txt 203.0.113.7:80",
                    "  sandbox policy check policy.txt '[2001:db8::1]:443'"})
    public static final class Check implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "The policy file.")
        Path file;

        @Parameters(index = "1", paramLabel = "HOST[:PORT]", description = "A host name or IP address, optionally with a port.")
        String target;

        @Override
        public Integer call() throws Exception {
            EgressPolicy policy = EgressPolicy.parse(Files.readString(file));
            EgressDecision d = decide(policy, target);
            PrintWriter out = spec.commandLine().getOut();
            out.println((d.allowed() ? "allowed" : "denied") + " " + target + " by rule '" + d.rule() + "': " + d.reason());
            out.flush();
            return d.allowed() ? 0 : 1;
        }

        static EgressDecision decide(EgressPolicy policy, String target) {
            String host = target;
            Integer port = null;
            if (target.startsWith("[")) {
                int close = target.indexOf(']');
                if (close < 0) {
                    throw new SandboxConfigException("write an IPv6 target as [2001:db8::1] or [2001:db8::1]:443");
                }
                host = target.substring(1, close);
                if (target.length() > close + 1) {
                    port = SandboxOptions.port(target.substring(close + 2), target);
                }
            } else if (target.indexOf(':') == target.lastIndexOf(':') && target.indexOf(':') > 0) {
                host = target.substring(0, target.indexOf(':'));
                port = SandboxOptions.port(target.substring(target.indexOf(':') + 1), target);
            }
            boolean literal = host.matches("[0-9.]+") && host.chars().filter(c -> c == '.').count() == 3 || host.contains(":");
            if (literal) {
                InetAddress address;
                try {
                    address = InetAddress.getByName(host);
                } catch (UnknownHostException e) {
                    throw new SandboxConfigException("'" + host + "' is not an IP address", e);
                }
                return port == null ? policy.decide(address) : policy.decide(address, port);
            }
            return port == null ? policy.decide(host) : policy.decide(host, port);
        }
    }
}
