package dev.sandbox4j.examples;

import dev.sandbox4j.ExecResult;
import dev.sandbox4j.Sandbox;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * The README's demo: builds a tiny image offline from the host's static busybox, starts a sandbox with a
 * mounted project and a published port, runs a few commands in it, and calls a server it started from the
 * host. Prints what it does.
 */
public final class Demo {
    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Files.createTempDirectory("sandbox4j-demo");
        Path context = imageContext(Path.of(System.getProperty("java.io.tmpdir"), "sandbox4j-demo-image"));
        Path project = Files.createDirectories(work.resolve("project"));
        Files.writeString(project.resolve("notes.txt"), "3 apples\n5 pears\n");

        step("building an image from " + context.resolve("Dockerfile") + " and starting a sandbox");
        try (Sandbox sandbox = Sandbox.builder()
                .dockerfile(context)
                .mount(project, "/project")
                .publish(8080)
                .cpus(1)
                .memory("256m")
                .env("MODE", "demo")
                .workdir("/project")
                .label("example", "demo")
                .start()) {
            step("sandbox " + sandbox.id().substring(0, 12) + " is running on " + sandbox.runtimeName());

            show(sandbox.exec("sh", "-c", "echo \"hello from $(hostname), MODE=$MODE\"; uname -sr"));
            show(sandbox.exec("sh", "-c", "awk '{s += $1} END {print s \" fruits\"}' notes.txt > total.txt; cat total.txt"));
            step("the sandbox wrote total.txt into the mounted project: "
                    + Files.readString(project.resolve("total.txt")).strip());
            show(sandbox.exec("sh", "-c", "echo to stderr >&2; exit 3"));

            sandbox.exec("sh", "-c", "mkdir -p /srv && echo 'served from inside the sandbox' > /srv/index.html"
                    + " && httpd -p 8080 -h /srv").requireSuccess();
            int port = sandbox.hostPort(8080);
            step("the sandbox serves on container port 8080, published on 127.0.0.1:" + port);
            step("GET http://127.0.0.1:" + port + "/ -> " + get("http://127.0.0.1:" + port + "/").strip());
        }
        step("sandbox closed: container removed");
    }

    /** A build context holding the host's static busybox and a FROM scratch Dockerfile. */
    static Path imageContext(Path dir) throws IOException {
        Path busybox = Path.of("/bin/busybox");
        if (!Files.isRegularFile(busybox)) {
            throw new IllegalStateException("/bin/busybox is missing: install it with `apt-get install busybox-static`");
        }
        Files.createDirectories(dir);
        Files.copy(busybox, dir.resolve("busybox"), StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(dir.resolve("Dockerfile"), """
                FROM scratch
                COPY busybox /bin/busybox
                RUN ["/bin/busybox", "--install", "-s", "/bin"]
                RUN ["/bin/busybox", "mkdir", "-p", "/tmp", "/project"]
                ENV PATH=/bin
                """);
        return dir;
    }

    static void show(ExecResult r) {
        step("$ " + String.join(" ", r.command()));
        r.stdout().lines().forEach(l -> System.out.println("    stdout| " + l));
        r.stderr().lines().forEach(l -> System.out.println("    stderr| " + l));
        System.out.println("    exit " + r.exitCode() + " in " + r.elapsed().toMillis() + " ms");
    }

    static void step(String text) {
        System.out.println("==> " + text);
    }

    static String get(String url) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        IOException last = null;
        for (int i = 0; i < 30; i++) {
            try {
                return client.send(HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
            } catch (IOException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw last;
    }
}
