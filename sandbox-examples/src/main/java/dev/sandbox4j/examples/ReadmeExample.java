package dev.sandbox4j.examples;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecMode;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.config.DevcontainerFile;
import dev.sandbox4j.config.SandboxConfigFile;
import dev.sandbox4j.config.SandboxDefinition;
import dev.sandbox4j.egress.EgressPolicy;
import java.nio.file.Path;

/**
 * The examples of the README, docs/getting-started.md, docs/configuration.md and docs/performance.md, compiled; {@code DocsSnippetsTest}
 * checks the pages quote them verbatim.
 */
@SuppressWarnings("unused")
final class ReadmeExample {
    private ReadmeExample() {
    }

    static void run() {
        // docs:readme
        try (Sandbox sandbox = Sandbox.builder()
                .image("localhost/busybox:latest")        // or .dockerfile(Path.of("ctx")): built, then run
                .mount(Path.of("work"), "/work")           // read-write; several allowed
                .mountReadOnly(Path.of("src"), "/src")
                .publish(8080)                             // container port -> free port on 127.0.0.1
                .cpus(2)
                .memory("512m")
                .env("MODE", "test")
                .workdir("/work")
                .egress(EgressPolicy.denyAll()                 // the default: nothing leaves unless allowed
                        .allow("pypi.org")
                        .allow("*.pythonhosted.org", 443))
                .start()) {
            ExecResult r = sandbox.exec("sh", "-c", "echo hi; echo oops >&2; exit 3");
            r.exitCode();   // 3       r.stdout();   // "hi\n"       r.stderr();   // "oops\n"
            int port = sandbox.hostPort(8080);
            sandbox.copyTo(Path.of("input.txt"), "/work/input.txt");
            sandbox.copyFrom("/work/out.txt", Path.of("out.txt"));
            sandbox.egressLog().events();                  // every DNS decision and dropped connection
        }
        // docs:end
    }

    static void gettingStarted() {
        // docs:gettingstarted
        try (Sandbox sandbox = Sandbox.builder()
                .image("localhost/busybox:latest")
                .mount(Path.of("project"), "/work")
                .workdir("/work")
                .memory("512m")
                .start()) {
            ExecResult r = sandbox.exec("sh", "-c", "ls -l; exit 3");
            System.out.println(r.exitCode() + " " + r.stdout());
        }
        // docs:end
    }

    static void execModes(Sandbox sandbox) {
        // docs:performance
        ExecResult r = sandbox.exec("ls", "-l");                                  // through a session (default)
        ExecResult p = sandbox.exec(Exec.builder("ls", "-l").mode(ExecMode.PLAIN).build());   // one CLI process
        // docs:end
    }

    static void configurationFiles(SandboxSpec spec) {
        // docs:configuration
        try (Sandbox sandbox = SandboxConfigFile.read(Path.of("sandbox.json")).start()) {
            sandbox.exec("make", "test");
        }

        SandboxDefinition def = DevcontainerFile.read(Path.of(".devcontainer/devcontainer.json"));
        def.ignored().forEach(System.err::println);      // what the file asks for that Sandbox4j cannot do
        def.warnings().forEach(System.err::println);     // what was applied with a different meaning
        try (Sandbox sandbox = def.toBuilder().env("CI", "true").start()) {
            sandbox.exec("make", "test");
        }

        SandboxConfigFile.write(spec, Path.of("sandbox.json"));   // paths below the file's folder are written relative
        // docs:end
    }
}
