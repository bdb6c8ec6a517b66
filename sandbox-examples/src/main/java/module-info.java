/** Runnable recipes and the demo; the docs quote their code. */
module dev.sandbox4j.examples {
    requires transitive dev.sandbox4j.core;  // the recipes take and return Sandbox
    requires java.net.http;
    requires org.dnsjava;

    exports dev.sandbox4j.examples;
    exports dev.sandbox4j.examples.agent;
    exports dev.sandbox4j.examples.net;
}
