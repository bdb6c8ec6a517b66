/**
 * Sandbox4j's test servers, for the project's own tests and for users testing code that runs sandboxes: a
 * scriptable DNS server ({@link dev.sandbox4j.testing.TestDnsServer}) to name as a policy's upstream, and a fake
 * internet ({@link dev.sandbox4j.testing.FakeInternet}) of TEST-NET servers in a network namespace. Both record what
 * reached them, so a test can prove what a sandbox did and did not reach. Built on core's public API only.
 */
module dev.sandbox4j.testing {
    requires transitive dev.sandbox4j.core;
    requires org.dnsjava;
    requires org.slf4j;

    exports dev.sandbox4j.testing;
}
