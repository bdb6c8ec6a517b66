/**
 * Test servers for code that runs sandboxes: {@link dev.sandbox4j.testing.TestDnsServer}, a scriptable DNS server to
 * name as an egress policy's upstream, and {@link dev.sandbox4j.testing.FakeInternet}, TEST-NET servers in a network
 * namespace that a sandbox can really connect to. Both record what reached them, so a test can pair every
 * negative probe ("the denied host got nothing") with a positive control ("the allowed host got the request").
 */
package dev.sandbox4j.testing;
