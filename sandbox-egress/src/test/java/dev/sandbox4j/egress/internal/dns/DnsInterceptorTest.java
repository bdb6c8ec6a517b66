package dev.sandbox4j.egress.internal.dns;

import static dev.sandbox4j.egress.internal.dns.TestZone.name;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.egress.AllowedPorts;
import dev.sandbox4j.egress.EgressEvent;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.EgressRecorder;
import dev.sandbox4j.egress.internal.LearnedAddresses;
import dev.sandbox4j.testing.TestDnsServer;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.CookieOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class DnsInterceptorTest {
    private static final EgressPolicy POLICY = EgressPolicy.denyAll()
            .deny("secret.test.sandbox4j.example")
            .allow("**.test.sandbox4j.example");

    private TestDnsServer upstream;
    private DnsInterceptor interceptor;
    private TestClient client;
    private EgressRecorder recorder;
    private final List<LearnedAddresses> learned = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startUpstream() throws IOException {
        upstream = TestZone.start();
    }

    @AfterEach
    void stop() throws IOException {
        if (interceptor != null) {
            interceptor.close();
            assertThat(interceptor.uncaughtExceptions()).isZero();
        }
        upstream.close();
    }

    private void start(EgressPolicy policy, UnaryOperator<DnsInterceptorConfig.Builder> tweak) {
        recorder = new EgressRecorder("test", 1000);
        DnsInterceptorConfig.Builder b = DnsInterceptorConfig.builder(policy)
                .upstreams(List.of(upstream.address()))
                .recorder(recorder)
                .sink(learned::add);
        interceptor = new DnsInterceptor(tweak.apply(b).build()).start();
        client = new TestClient(interceptor.address());
    }

    private void start() {
        start(POLICY, b -> b);
    }

    private static List<String> addresses(Message m) {
        List<String> out = new ArrayList<>();
        for (Record r : m.getSection(Section.ANSWER)) {
            if (r instanceof ARecord a) {
                out.add(a.getAddress().getHostAddress());
            } else if (r instanceof AAAARecord a) {
                out.add(a.getAddress().getHostAddress());
            }
        }
        return out;
    }

    private static ExtendedErrorCodeOption ede(Message m) {
        OPTRecord opt = m.getOPT();
        if (opt == null) {
            return null;
        }
        List<EDNSOption> o = opt.getOptions(EDNSOption.Code.EDNS_EXTENDED_ERROR);
        return o.isEmpty() ? null : (ExtendedErrorCodeOption) o.get(0);
    }

    private EgressEvent.DnsDecision lastDecision() {
        List<EgressEvent> events = recorder.events();
        for (int i = events.size() - 1; i >= 0; i--) {
            if (events.get(i) instanceof EgressEvent.DnsDecision d) {
                return d;
            }
        }
        throw new AssertionError("no DNS decision recorded");
    }

    @Test
    void deniedNameGetsNxdomainWithProhibitedErrorAndNeverReachesUpstream() throws IOException {
        // given
        start();

        // when
        Message denied = client.udp(TestClient.query("c2VjcmV0.attacker.example.", Type.A));
        Message deniedByRule = client.udp(TestClient.query(name("secret"), Type.A));
        Message allowed = client.udp(TestClient.query(name("www"), Type.A));

        // then
        assertThat(denied.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(ede(denied).getErrorCode()).isEqualTo(ExtendedErrorCodeOption.PROHIBITED);
        assertThat(ede(denied).getText()).contains("default denies");
        assertThat(deniedByRule.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(ede(deniedByRule).getText()).contains("deny secret.test.sandbox4j.example");
        assertThat(allowed.getRcode()).as("positive control").isEqualTo(Rcode.NOERROR);
        assertThat(addresses(allowed)).containsExactly("192.0.2.10");
        assertThat(upstream.queriedNames()).containsExactly(name("www"));
    }

    @Test
    void deniedQueryWithoutEdnsGetsNoOptRecord() throws IOException {
        start();

        Message denied = client.udp(TestClient.query("x.attacker.example.", Type.A, DClass.IN, false));

        assertThat(denied.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(denied.getOPT()).isNull();
    }

    @Test
    void deniedNameIsAudited() throws IOException {
        start();

        client.udp(TestClient.query(name("secret"), Type.AAAA));

        EgressEvent.DnsDecision d = lastDecision();
        assertThat(d.qname()).isEqualTo(name("secret"));
        assertThat(d.qtype()).isEqualTo("AAAA");
        assertThat(d.verdict()).isEqualTo(EgressEvent.Verdict.DENIED);
        assertThat(d.rcode()).isEqualTo("NXDOMAIN");
        assertThat(d.rule()).isEqualTo("deny secret.test.sandbox4j.example");
    }

    @Test
    void allowedNameIsReoriginatedWithANewIdAndOurOwnEdns() throws IOException {
        // given
        start();
        Message query = TestClient.query(name("www"), Type.A, DClass.IN, true,
                new ClientSubnetOption(24, InetAddress.getByName("192.0.2.0")), new CookieOption(new byte[8]));

        // when
        Message reply = client.udp(query);

        // then
        assertThat(reply.getHeader().getID()).isEqualTo(query.getHeader().getID());
        assertThat(reply.getQuestion()).isEqualTo(query.getQuestion());
        assertThat(addresses(reply)).containsExactly("192.0.2.10");
        TestDnsServer.Query seen = upstream.queries().get(0);
        assertThat(seen.id()).isNotEqualTo(query.getHeader().getID());
        assertThat(seen.edns().present()).isTrue();
        assertThat(seen.edns().optionCodes()).as("no client subnet, cookie or other client options").isEmpty();
        assertThat(seen.edns().payloadSize()).isEqualTo(1232);
        assertThat(seen.edns().dnssecOk()).isFalse();
    }

    @Test
    void allowedAnswerIsAuditedAndLearned() throws IOException {
        start();

        client.udp(TestClient.query(name("dual"), Type.AAAA));

        EgressEvent.DnsDecision d = lastDecision();
        assertThat(d.verdict()).isEqualTo(EgressEvent.Verdict.ALLOWED);
        assertThat(d.rule()).isEqualTo("allow **.test.sandbox4j.example");
        assertThat(d.answers()).containsExactly("2001:db8:0:0:0:0:0:20");
        assertThat(d.ttl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(learned).singleElement().satisfies(l -> {
            assertThat(l.qname()).isEqualTo(name("dual"));
            assertThat(l.addresses()).containsExactly(InetAddress.getByName("2001:db8::20"));
            assertThat(l.ttl()).isEqualTo(Duration.ofSeconds(60));
            assertThat(l.ports().isAll()).isTrue();
        });
    }

    @Test
    void onlyTheQnamesRecordsAreKeptAndOtherSectionsAreStripped() throws IOException {
        start();

        Message reply = client.udp(TestClient.query(name("extra"), Type.A));

        assertThat(reply.getSection(Section.ANSWER)).singleElement()
                .satisfies(r -> assertThat(r.getName()).isEqualTo(Name.fromString(name("extra"))));
        assertThat(addresses(reply)).containsExactly("192.0.2.30");
        assertThat(reply.getSection(Section.AUTHORITY)).isEmpty();
        assertThat(reply.getSection(Section.ADDITIONAL)).singleElement().isInstanceOf(OPTRecord.class);
        assertThat(learned.get(0).addresses()).containsExactly(InetAddress.getByName("192.0.2.30"));
    }

    @Test
    void cnameChainIsFollowedAndReturnedWithEveryLink() throws IOException {
        start();

        Message reply = client.udp(TestClient.query(name("alias2"), Type.A));

        List<Record> answers = reply.getSection(Section.ANSWER);
        assertThat(answers).hasSize(3);
        assertThat(((CNAMERecord) answers.get(0)).getTarget()).isEqualTo(Name.fromString(name("alias")));
        assertThat(((CNAMERecord) answers.get(1)).getTarget()).isEqualTo(Name.fromString(name("www")));
        assertThat(addresses(reply)).containsExactly("192.0.2.10");
        assertThat(answers).allSatisfy(r -> assertThat(r.getTTL()).isEqualTo(30));
        assertThat(learned.get(0).cnameChain()).containsExactly(name("alias"), name("www"));
    }

    private LearnedAddresses learnedFor(String qname) {
        return learned.stream().filter(l -> l.qname().equals(qname)).reduce((a, b) -> b).orElseThrow();
    }

    @ParameterizedTest
    @CsvSource({"A, 192.0.2.60", "AAAA, 2001:db8:0:0:0:0:0:60"})
    void aCnameTargetsPortLimitedAllowLimitsThePortsOfTheAliasesAddresses(String type, String address)
            throws IOException {
        // given: the alias is allowed on every port, its target only on 443
        start(EgressPolicy.denyAll().allow(name("p-alias")).allow(name("p-target"), 443).allow(name("www")), b -> b);

        // when
        Message viaAlias = client.udp(TestClient.query(name("p-alias"), Type.value(type)));
        Message control = client.udp(TestClient.query(name("www"), Type.A));

        // then
        assertThat(addresses(viaAlias)).containsExactly(address);
        assertThat(learnedFor(name("p-alias")).ports()).isEqualTo(new AllowedPorts(false, List.of(443)));
        assertThat(addresses(control)).containsExactly("192.0.2.10");
        assertThat(learnedFor(name("www")).ports().isAll()).as("positive control").isTrue();
    }

    @Test
    void aCnameTargetsPortLimitedDenyCarriesOverToTheAliasUnderDefaultAllow() throws IOException {
        start(EgressPolicy.allowAll().deny(name("p-target"), 22, 25), b -> b);

        client.udp(TestClient.query(name("p-alias"), Type.A));
        client.udp(TestClient.query(name("www"), Type.A));

        assertThat(learnedFor(name("p-alias")).ports()).isEqualTo(new AllowedPorts(true, List.of(22, 25)));
        assertThat(learnedFor(name("www")).ports().isAll()).as("positive control").isTrue();
    }

    @Test
    void everyLinkOfTheChainLimitsThePortsAndTheMostRestrictiveCombinationWins() throws IOException {
        // given: alias2 -> mid -> target; alias2 allows every port, mid 80 and 443, target 443 and 8443
        start(EgressPolicy.denyAll().allow(name("p-alias2")).allow(name("p-mid"), 80, 443)
                .allow(name("p-target"), 443, 8443), b -> b);

        // when
        client.udp(TestClient.query(name("p-alias2"), Type.A));
        client.udp(TestClient.query(name("p-target"), Type.A));

        // then
        assertThat(learnedFor(name("p-alias2")).cnameChain()).containsExactly(name("p-mid"), name("p-target"));
        assertThat(learnedFor(name("p-alias2")).ports()).isEqualTo(new AllowedPorts(false, List.of(443)));
        assertThat(learnedFor(name("p-target")).ports()).isEqualTo(new AllowedPorts(false, List.of(443, 8443)));
    }

    @Test
    void aChainWhoseNamesShareNoPortIsDeniedAndNothingIsLearned() throws IOException {
        start(EgressPolicy.denyAll().allow(name("p-alias"), 80).allow(name("p-target"), 443), b -> b);

        Message denied = client.udp(TestClient.query(name("p-alias"), Type.A));
        Message control = client.udp(TestClient.query(name("p-target"), Type.A));

        assertThat(denied.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(denied.getSection(Section.ANSWER)).isEmpty();
        assertThat(ede(denied).getErrorCode()).isEqualTo(ExtendedErrorCodeOption.PROHIBITED);
        assertThat(lastDecisionFor(name("p-alias")).reason()).contains("no port is allowed for every name")
                .contains(name("p-alias") + " ports 80").contains(name("p-target") + " ports 443");
        assertThat(addresses(control)).containsExactly("192.0.2.60");
        assertThat(learned).extracting(LearnedAddresses::qname).containsExactly(name("p-target"));
    }

    @Test
    void cnameToADeniedNameIsRefusedAndNothingIsLearned() throws IOException {
        start();

        Message refused = client.udp(TestClient.query(name("to-denied"), Type.A));
        Message control = client.udp(TestClient.query(name("alias"), Type.A));

        assertThat(refused.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(ede(refused).getErrorCode()).isEqualTo(ExtendedErrorCodeOption.PROHIBITED);
        assertThat(ede(refused).getText()).contains("bad.denied.example");
        assertThat(refused.getSection(Section.ANSWER)).isEmpty();
        assertThat(addresses(control)).containsExactly("192.0.2.10");
        assertThat(learned).extracting(LearnedAddresses::qname).containsExactly(name("alias"));
    }

    @Test
    void cnameLoopFails() throws IOException {
        start();

        Message reply = client.udp(TestClient.query(name("loop1"), Type.A));

        assertThat(reply.getRcode()).isEqualTo(Rcode.SERVFAIL);
        assertThat(lastDecision().reason()).contains("loops");
    }

    @ParameterizedTest
    @CsvSource({"loopback, A", "private, A", "cgnat, A", "linklocal, A", "metadata, A", "metadata6, AAAA",
            "mapped, AAAA", "nat64, AAAA", "ula, AAAA", "unspecified, A", "mixed, A"})
    void answersPointingAtForbiddenAddressesAreRefusedForTheWholeName(String host, String type) throws IOException {
        // given
        start();

        // when
        Message refused = client.udp(TestClient.query(name(host), Type.value(type)));
        Message control = client.udp(TestClient.query(name("www"), Type.A));

        // then
        assertThat(refused.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(refused.getSection(Section.ANSWER)).isEmpty();
        assertThat(ede(refused).getErrorCode()).isEqualTo(ExtendedErrorCodeOption.PROHIBITED);
        assertThat(ede(refused).getText()).contains("answer address");
        assertThat(addresses(control)).containsExactly("192.0.2.10");
        assertThat(learned).extracting(LearnedAddresses::qname).containsExactly(name("www"));
    }

    @Test
    void privateAnswersPassWhenAnAllowCidrRuleCoversThem() throws IOException {
        start(POLICY.allowCidr("10.0.0.0/8"), b -> b);

        Message allowed = client.udp(TestClient.query(name("private"), Type.A));
        Message stillRefused = client.udp(TestClient.query(name("loopback"), Type.A));

        assertThat(addresses(allowed)).containsExactly("10.1.2.3");
        assertThat(stillRefused.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    }

    @Test
    void privateAnswersCoveredByAPortLimitedAllowCidrRuleOpenOnlyOnItsPorts() throws IOException {
        // given: the name is allowed on every port; 10/8 is usable only on 443
        start(POLICY.allowCidr("10.0.0.0/8", 443), b -> b);

        // when
        Message allowed = client.udp(TestClient.query(name("private"), Type.A));
        Message control = client.udp(TestClient.query(name("www"), Type.A));

        // then
        assertThat(addresses(allowed)).containsExactly("10.1.2.3");
        assertThat(learnedFor(name("private")).ports()).isEqualTo(new AllowedPorts(false, List.of(443)));
        assertThat(addresses(control)).containsExactly("192.0.2.10");
        assertThat(learnedFor(name("www")).ports().isAll()).as("positive control").isTrue();
    }

    @Test
    void privateAnswersCoveredOnPortsTheNameDoesNotAllowAreDenied() throws IOException {
        start(EgressPolicy.denyAll().allow(name("private"), 22).allow(name("www")).allowCidr("10.0.0.0/8", 443),
                b -> b);

        Message denied = client.udp(TestClient.query(name("private"), Type.A));
        Message control = client.udp(TestClient.query(name("www"), Type.A));

        assertThat(denied.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(lastDecisionFor(name("private")).reason()).contains("10.1.2.3 could be used on no port")
                .contains("the names allow ports 22").contains("the CIDR rules covering it ports 443");
        assertThat(addresses(control)).containsExactly("192.0.2.10");
        assertThat(learned).extracting(LearnedAddresses::qname).containsExactly(name("www"));
    }

    @Test
    void anAnswerAddressUnderADenyCidrRuleIsRefusedForTheWholeName() throws IOException {
        start(POLICY.denyCidr("192.0.2.30/32"), b -> b);

        Message denied = client.udp(TestClient.query(name("extra"), Type.A));
        Message control = client.udp(TestClient.query(name("www"), Type.A));

        assertThat(denied.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(ede(denied).getErrorCode()).isEqualTo(ExtendedErrorCodeOption.PROHIBITED);
        assertThat(lastDecisionFor(name("extra")).rule()).isEqualTo("deny-cidr 192.0.2.30/32");
        assertThat(addresses(control)).containsExactly("192.0.2.10");
        assertThat(learned).extracting(LearnedAddresses::qname).containsExactly(name("www"));
    }

    @Test
    void aPortLimitedDenyCidrRuleLimitsTheAddressItCoversAndOnlyThatOne() throws IOException {
        // given: one of the name's twenty addresses must not be reached on port 22
        start(POLICY.denyCidr("198.51.100.101/32", 22), b -> b);

        // when
        Message reply = client.udp(TestClient.query(name("many"), Type.A));

        // then: two sink calls, each with its own ports, both before the answer
        assertThat(addresses(reply)).hasSize(20);
        assertThat(learned).hasSize(2);
        assertThat(learned.get(0).addresses()).extracting(InetAddress::getHostAddress)
                .containsExactly("198.51.100.101");
        assertThat(learned.get(0).ports()).isEqualTo(new AllowedPorts(true, List.of(22)));
        assertThat(learned.get(1).addresses()).hasSize(19);
        assertThat(learned.get(1).ports().isAll()).isTrue();
    }

    @Test
    void metadataAnswersPassOnlyWithASingleHostCidrRule() throws IOException {
        start(POLICY.allowCidr("169.254.0.0/16"), b -> b);
        Message broad = client.udp(TestClient.query(name("metadata"), Type.A));
        Message linkLocal = client.udp(TestClient.query(name("linklocal"), Type.A));
        interceptor.close();
        start(POLICY.allowCidr("169.254.169.254/32"), b -> b);
        Message exact = client.udp(TestClient.query(name("metadata"), Type.A));

        assertThat(broad.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(addresses(linkLocal)).containsExactly("169.254.10.10");
        assertThat(addresses(exact)).containsExactly("169.254.169.254");
    }

    @Test
    void hostAddressesAreRefusedLikeTheBuiltInClasses() throws IOException {
        start(POLICY, b -> b.hostAddresses(dev.sandbox4j.egress.internal.HostAddressSource.of(
                List.of(dev.sandbox4j.egress.Cidr.parse("192.0.2.30/32")))));

        Message refused = client.udp(TestClient.query(name("extra"), Type.A));
        Message control = client.udp(TestClient.query(name("www"), Type.A));

        assertThat(refused.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(ede(refused).getText()).contains("host or sandbox network");
        assertThat(addresses(control)).containsExactly("192.0.2.10");
    }

    @Test
    void ttlsAreFlooredAndCapped() throws IOException {
        start(POLICY, b -> b.minTtl(Duration.ofSeconds(7)).maxTtl(Duration.ofSeconds(90)));

        Message shortTtl = client.udp(TestClient.query(name("short"), Type.A));
        Message longTtl = client.udp(TestClient.query(name("long"), Type.A));
        Message normal = client.udp(TestClient.query(name("www"), Type.A));

        assertThat(shortTtl.getSection(Section.ANSWER).get(0).getTTL()).isEqualTo(7);
        assertThat(longTtl.getSection(Section.ANSWER).get(0).getTTL()).isEqualTo(90);
        assertThat(normal.getSection(Section.ANSWER).get(0).getTTL()).isEqualTo(60);
        assertThat(learned).extracting(LearnedAddresses::ttl)
                .containsExactly(Duration.ofSeconds(7), Duration.ofSeconds(90), Duration.ofSeconds(60));
    }

    @ParameterizedTest
    @ValueSource(strings = {"TXT", "MX", "HTTPS", "SVCB", "ANY", "NULL", "SRV", "PTR", "AXFR", "HINFO"})
    void queryTypesOtherThanAddressesAreRefusedWithoutAskingUpstream(String type) throws IOException {
        start();

        Message refused = client.udp(TestClient.query(name("txt"), Type.value(type)));
        Message control = client.udp(TestClient.query(name("www"), Type.A));

        assertThat(refused.getRcode()).isEqualTo(Rcode.REFUSED);
        assertThat(ede(refused).getErrorCode()).isEqualTo(ExtendedErrorCodeOption.NOT_SUPPORTED);
        assertThat(addresses(control)).containsExactly("192.0.2.10");
        assertThat(upstream.queriedNames()).containsExactly(name("www"));
    }

    @Test
    void cnameQueriesAreAnsweredWithTheCheckedTarget() throws IOException {
        start();

        Message reply = client.udp(TestClient.query(name("alias"), Type.CNAME));
        Message denied = client.udp(TestClient.query(name("to-denied"), Type.CNAME));

        assertThat(reply.getSection(Section.ANSWER)).singleElement()
                .satisfies(r -> assertThat(((CNAMERecord) r).getTarget()).isEqualTo(Name.fromString(name("www"))));
        assertThat(denied.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    }

    @Test
    void chaosClassQueriesAreRefused() throws IOException {
        start();

        Message refused = client.udp(TestClient.query("version.bind.", Type.TXT, DClass.CH, true));

        assertThat(refused.getRcode()).isEqualTo(Rcode.REFUSED);
        assertThat(upstream.queries()).isEmpty();
        assertThat(addresses(client.udp(TestClient.query(name("www"), Type.A)))).containsExactly("192.0.2.10");
    }

    @Test
    void queriesWithoutExactlyOneQuestionGetFormerr() throws IOException {
        start();
        Message two = TestClient.query(name("www"), Type.A);
        two.addRecord(Record.newRecord(Name.fromString(name("v6")), Type.AAAA, DClass.IN), Section.QUESTION);
        Message none = new Message();

        Message r2 = new Message(client.udpRaw(two.toWire(), 2000));
        Message r0 = new Message(client.udpRaw(none.toWire(), 2000));

        assertThat(r2.getRcode()).isEqualTo(Rcode.FORMERR);
        assertThat(r2.getHeader().getID()).isEqualTo(two.getHeader().getID());
        assertThat(r0.getRcode()).isEqualTo(Rcode.FORMERR);
        assertThat(upstream.queries()).isEmpty();
        assertThat(addresses(client.udp(TestClient.query(name("www"), Type.A)))).containsExactly("192.0.2.10");
    }

    @ParameterizedTest
    @ValueSource(ints = {Opcode.IQUERY, Opcode.STATUS, Opcode.NOTIFY, Opcode.UPDATE, 3, 15})
    void opcodesOtherThanQueryGetNotimp(int opcode) throws IOException {
        start();
        Message q = TestClient.query(name("www"), Type.A);
        q.getHeader().setOpcode(opcode);

        Message reply = new Message(client.udpRaw(q.toWire(), 2000));

        assertThat(reply.getRcode()).isEqualTo(Rcode.NOTIMP);
        assertThat(reply.getHeader().getOpcode()).isEqualTo(opcode);
        assertThat(upstream.queries()).isEmpty();
    }

    @Test
    void responsesSentToTheInterceptorAreDropped() throws IOException {
        start();
        Message q = TestClient.query(name("www"), Type.A);
        q.getHeader().setFlag(Flags.QR);

        byte[] reply = client.udpRaw(q.toWire(), 500);

        assertThat(reply).isNull();
        assertThat(upstream.queries()).isEmpty();
        assertThat(addresses(client.udp(TestClient.query(name("www"), Type.A)))).containsExactly("192.0.2.10");
    }

    @Test
    void trailingGarbageAndTruncatedPacketsGetFormerrOrNothing() throws IOException {
        start();
        byte[] valid = TestClient.query(name("www"), Type.A).toWire();
        byte[] garbage = java.util.Arrays.copyOf(valid, valid.length + 7);
        byte[] cut = java.util.Arrays.copyOf(valid, valid.length - 5);
        byte[] tiny = java.util.Arrays.copyOf(valid, 7);

        assertThat(new Message(client.udpRaw(garbage, 2000)).getRcode()).isEqualTo(Rcode.FORMERR);
        assertThat(new Message(client.udpRaw(cut, 2000)).getRcode()).isEqualTo(Rcode.FORMERR);
        assertThat(client.udpRaw(tiny, 300)).isNull();
        assertThat(upstream.queries()).isEmpty();
        assertThat(addresses(client.udp(TestClient.query(name("www"), Type.A)))).containsExactly("192.0.2.10");
    }

    /** A raw query for a name given as wire labels (so it may hold any bytes), type A, class IN. */
    static byte[] rawQuery(int id, byte[]... labels) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) (id >>> 8), (byte) id, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0});
        for (byte[] l : labels) {
            out.write(l.length);
            out.writeBytes(l);
        }
        out.writeBytes(new byte[] {0, 0, 1, 0, 1});
        return out.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"w\u00e9w", "a.b", "a b", "a\u0000b", "a*b"})
    void nonLdhQueryNamesAreDeniedWithoutAskingUpstream(String label) throws IOException {
        start();
        byte[] bad = label.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] zone = {'t', 'e', 's', 't'};
        byte[] sb = "sandbox4j".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] ex = "example".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

        Message denied = new Message(client.udpRaw(rawQuery(7, bad, zone, sb, ex), 2000));
        Message control = new Message(client.udpRaw(rawQuery(8, new byte[] {'w', 'w', 'w'}, zone, sb, ex), 2000));

        assertThat(denied.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(lastDecisionFor(denied.getQuestion().getName().toString().toLowerCase(java.util.Locale.ROOT))
                .verdict()).isEqualTo(EgressEvent.Verdict.DENIED);
        assertThat(addresses(control)).containsExactly("192.0.2.10");
        assertThat(upstream.queriedNames()).containsExactly(name("www"));
    }

    @Test
    void queryNameCaseDoesNotMatterAndTheClientsCaseIsEchoed() throws IOException {
        start();
        String mixed = "WwW.Test.SANDBOX4J.example.";

        Message reply = client.udp(TestClient.query(mixed, Type.A));

        assertThat(reply.getQuestion().getName().toString()).isEqualTo(mixed);
        assertThat(addresses(reply)).containsExactly("192.0.2.10");
        assertThat(upstream.queriedNames()).containsExactly(name("www"));
    }

    @Test
    void tcpQueriesGetTheSamePolicy() throws IOException {
        start();

        Message denied = client.tcp(TestClient.query("x.attacker.example.", Type.A));
        Message allowed = client.tcp(TestClient.query(name("www"), Type.A));
        Message refusedAddress = client.tcp(TestClient.query(name("loopback"), Type.A));

        assertThat(denied.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(ede(denied).getErrorCode()).isEqualTo(ExtendedErrorCodeOption.PROHIBITED);
        assertThat(addresses(allowed)).containsExactly("192.0.2.10");
        assertThat(refusedAddress.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(upstream.queriedNames()).containsExactly(name("www"), name("loopback"));
    }

    @Test
    void truncatedUpstreamAnswersAreRetriedOverTcpAndTruncatedToTheClientsBuffer() throws IOException {
        start(POLICY, b -> b.maxAddressesPerName(200));

        Message overUdp = client.udp(TestClient.query(name("big"), Type.A, DClass.IN, false));
        Message overTcp = client.tcp(TestClient.query(name("big"), Type.A));

        assertThat(upstream.queries()).extracting(TestDnsServer.Query::tcp).containsExactly(false, true);
        assertThat(overUdp.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(overUdp.getSection(Section.ANSWER)).isEmpty();
        assertThat(overTcp.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(addresses(overTcp)).hasSize(100);
        assertThat(learned).singleElement().satisfies(l -> assertThat(l.addresses()).hasSize(100));
    }

    @Test
    void theSinkRunsBeforeTheAnswerIsReleased() throws IOException {
        // given
        long[] sinkDone = new long[1];
        start(POLICY, b -> b.gateTimeout(Duration.ofSeconds(2)).sink(l -> {
            Thread.sleep(300);
            sinkDone[0] = System.nanoTime();
        }));
        long sent = System.nanoTime();

        // when
        Message reply = client.udp(TestClient.query(name("www"), Type.A));
        long received = System.nanoTime();

        // then
        assertThat(addresses(reply)).containsExactly("192.0.2.10");
        assertThat(sinkDone[0]).isBetween(sent, received);
        assertThat(received - sent).isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos());
    }

    @Test
    void aFailingSinkWithholdsTheAnswer() throws IOException {
        start(POLICY, b -> b.sink(l -> {
            throw new IOException("nft: permission denied");
        }));

        Message reply = client.udp(TestClient.query(name("www"), Type.A));

        assertThat(reply.getRcode()).isEqualTo(Rcode.SERVFAIL);
        assertThat(reply.getSection(Section.ANSWER)).isEmpty();
        EgressEvent.DnsDecision d = lastDecision();
        assertThat(d.verdict()).isEqualTo(EgressEvent.Verdict.FAILED);
        assertThat(d.reason()).contains("nft: permission denied");
    }

    @Test
    void aSlowSinkWithholdsTheAnswerAfterTheGateTimeout() throws IOException {
        start(POLICY, b -> b.gateTimeout(Duration.ofMillis(100)).sink(l -> Thread.sleep(2000)));
        long t0 = System.nanoTime();

        Message reply = client.udp(TestClient.query(name("www"), Type.A));

        assertThat(reply.getRcode()).isEqualTo(Rcode.SERVFAIL);
        assertThat(System.nanoTime() - t0).isLessThan(Duration.ofMillis(1500).toNanos());
        assertThat(lastDecision().reason()).contains("did not confirm within 100 ms");
    }

    @Test
    void anAnswerWithMoreAddressesThanTheNameCapIsTrimmedToTheCapAndTheRestWithheld() throws IOException {
        start(POLICY, b -> b.maxAddressesPerName(10));

        Message capped = client.udp(TestClient.query(name("many"), Type.A));
        Message control = client.udp(TestClient.query(name("www"), Type.A));

        assertThat(addresses(capped)).as("the first ten, in answer order").isEqualTo(pool("198.51.100.", 101, 10));
        assertThat(learnedFor(name("many")).addresses()).hasSize(10);
        EgressEvent.DnsDecision d = lastDecisionFor(name("many"));
        assertThat(d.answers()).hasSize(10);
        assertThat(d.reason()).contains("cap per name is 10").contains("10 of the answer's 20 addresses withheld");
        assertThat(addresses(control)).containsExactly("192.0.2.10");
    }

    /** A clock the test moves by hand. */
    private static final class HandClock extends java.time.Clock {
        private volatile java.time.Instant now = java.time.Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public java.time.Instant instant() {
            return now;
        }
    }

    private static List<String> pool(String prefix, int from, int count) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            out.add(prefix + i);
        }
        return out;
    }

    @Test
    void anAddressStaysCountedAgainstTheNameCapUntilItsTtlPlusTheEnforcersGraceHasPassed() throws IOException {
        // given: an attacker's allowed zone hands out four fresh addresses per query, with a TTL of 1 s
        HandClock clock = new HandClock();
        upstream.rotate("fresh", Duration.ofSeconds(1), 4, pool("203.0.113.", 201, 12));
        start(POLICY, b -> b.clock(clock).maxAddressesPerName(4).minTtl(Duration.ofSeconds(5))
                .enforcerGrace(Duration.ofSeconds(120)));

        // when: asked again once the TTL (floored to 5 s) is over but the grace is not, and after both
        Message first = client.udp(TestClient.query(name("fresh"), Type.A));
        clock.advance(Duration.ofSeconds(10));
        Message withinGrace = client.udp(TestClient.query(name("fresh"), Type.A));
        clock.advance(Duration.ofSeconds(116));
        Message afterGrace = client.udp(TestClient.query(name("fresh"), Type.A));

        // then
        assertThat(addresses(first)).as("under the cap: opened").hasSize(4);
        assertThat(withinGrace.getRcode()).isEqualTo(Rcode.SERVFAIL);
        assertThat(withinGrace.getSection(Section.ANSWER)).isEmpty();
        assertThat(upstream.queriedNames()).as("the second answer was fetched, then withheld").hasSize(3);
        assertThat(addresses(afterGrace)).containsExactly("203.0.113.209", "203.0.113.210", "203.0.113.211",
                "203.0.113.212");
        assertThat(learned).extracting(l -> l.addresses().size()).containsExactly(4, 4);
        EgressEvent.DnsDecision capped = recorder.events().stream()
                .filter(e -> e instanceof EgressEvent.DnsDecision d && d.rcode().equals("SERVFAIL"))
                .map(e -> (EgressEvent.DnsDecision) e).findFirst().orElseThrow();
        assertThat(capped.verdict()).isEqualTo(EgressEvent.Verdict.REFUSED);
        assertThat(capped.reason()).contains("cap per name is 4").contains("4 new addresses withheld");
    }

    @Test
    void withoutAGraceTheSameNameMayOpenFreshAddressesOnceItsTtlIsOver() throws IOException {
        HandClock clock = new HandClock();
        upstream.rotate("fresh", Duration.ofSeconds(1), 4, pool("203.0.113.", 201, 12));
        start(POLICY, b -> b.clock(clock).maxAddressesPerName(4).minTtl(Duration.ofSeconds(5))
                .enforcerGrace(Duration.ZERO));

        client.udp(TestClient.query(name("fresh"), Type.A));
        clock.advance(Duration.ofSeconds(10));
        Message afterTtl = client.udp(TestClient.query(name("fresh"), Type.A));

        assertThat(addresses(afterTtl)).containsExactly("203.0.113.205", "203.0.113.206", "203.0.113.207",
                "203.0.113.208");
    }

    @Test
    void theSandboxCapCountsAddressesStillInTheirGraceAndTrimsTheNextAnswer() throws IOException {
        // given
        HandClock clock = new HandClock();
        upstream.rotate("fresh", Duration.ofSeconds(1), 4, pool("203.0.113.", 201, 4));
        upstream.rotate("fresh2", Duration.ofSeconds(1), 4, pool("198.51.100.", 201, 4));
        start(POLICY, b -> b.clock(clock).maxAddressesPerName(4).maxAddressesTotal(6)
                .minTtl(Duration.ofSeconds(5)));

        // when
        Message first = client.udp(TestClient.query(name("fresh"), Type.A));
        clock.advance(Duration.ofSeconds(30));
        Message second = client.udp(TestClient.query(name("fresh2"), Type.A));

        // then
        assertThat(addresses(first)).hasSize(4);
        assertThat(addresses(second)).containsExactly("198.51.100.201", "198.51.100.202");
        assertThat(learnedFor(name("fresh2")).addresses()).hasSize(2);
        assertThat(lastDecisionFor(name("fresh2")).reason()).contains("the cap is 6")
                .contains("2 of the answer's 4 addresses withheld");
    }

    @Test
    void aNameAtItsCapIsStillAnsweredWithTheAddressesItHolds() throws IOException {
        HandClock clock = new HandClock();
        upstream.rotate("fresh", Duration.ofSeconds(1), 2, List.of("203.0.113.201", "203.0.113.202", "203.0.113.203"));
        start(POLICY, b -> b.clock(clock).maxAddressesPerName(2).minTtl(Duration.ofSeconds(5)));

        Message first = client.udp(TestClient.query(name("fresh"), Type.A));
        clock.advance(Duration.ofSeconds(10));
        Message second = client.udp(TestClient.query(name("fresh"), Type.A));

        assertThat(addresses(first)).containsExactly("203.0.113.201", "203.0.113.202");
        assertThat(addresses(second)).as("the new .203 withheld, the held .201 kept")
                .containsExactly("203.0.113.201");
        assertThat(learnedFor(name("fresh")).addresses()).extracting(InetAddress::getHostAddress)
                .containsExactly("203.0.113.201");
        assertThat(lastDecisionFor(name("fresh")).reason()).contains("1 of the answer's 2 addresses withheld");
    }

    @Test
    void tooManyAddressesForTheSandboxFailClosed() throws IOException {
        start(POLICY, b -> b.maxAddressesPerName(1).maxAddressesTotal(2));

        Message first = client.udp(TestClient.query(name("www"), Type.A));
        Message second = client.udp(TestClient.query(name("v6"), Type.AAAA));
        Message third = client.udp(TestClient.query(name("extra"), Type.A));

        assertThat(first.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(second.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(third.getRcode()).isEqualTo(Rcode.SERVFAIL);
        assertThat(lastDecision().verdict()).isEqualTo(EgressEvent.Verdict.REFUSED);
        assertThat(lastDecision().reason()).contains("the cap is 2");
    }

    private EgressEvent.DnsDecision lastDecisionFor(String qname) {
        return recorder.events().stream().filter(e -> e instanceof EgressEvent.DnsDecision)
                .map(e -> (EgressEvent.DnsDecision) e).filter(d -> d.qname().equals(qname))
                .reduce((a, b) -> b).orElseThrow();
    }

    @Test
    void theQueryBudgetShedsAFloodAndServiceResumesAfterwards() throws Exception {
        // given
        start(POLICY, b -> b.queriesPerSecond(50).queryBurst(50));
        byte[] flood = TestClient.query("flood.attacker.example.", Type.A).toWire();
        int answered = 0;

        // when
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(interceptor.address());
            s.setSoTimeout(300);
            for (int i = 0; i < 2000; i++) {
                s.send(new java.net.DatagramPacket(flood, flood.length));
            }
            byte[] buf = new byte[512];
            try {
                while (true) {
                    s.receive(new java.net.DatagramPacket(buf, buf.length));
                    answered++;
                }
            } catch (java.net.SocketTimeoutException done) {
                // drained
            }
        }
        Thread.sleep(1100);
        Message after = client.udp(TestClient.query(name("www"), Type.A));

        // then
        // burst 50 plus 50/s over the flood's fraction of a second; packets the kernel dropped are not shed
        assertThat(answered).isBetween(1, 200);
        assertThat(interceptor.stats().shed()).isGreaterThanOrEqualTo(100);
        assertThat(addresses(after)).containsExactly("192.0.2.10");
        interceptor.close();
        assertThat(recorder.events()).anySatisfy(e -> assertThat(e).isInstanceOf(EgressEvent.QueriesShed.class));
    }

    /** Every QueriesShed event since start (a subscriber: the recorder's ring may drop old events in a flood). */
    private final List<EgressEvent.QueriesShed> shed = new CopyOnWriteArrayList<>();

    private void subscribeToShedEvents() {
        recorder.subscribe(e -> {
            if (e instanceof EgressEvent.QueriesShed q) {
                shed.add(q);
            }
        });
    }

    private List<EgressEvent.QueriesShed> shedEvents(String reasonPart) {
        return shed.stream().filter(q -> q.reason().contains(reasonPart)).toList();
    }

    private long shedCount(String reasonPart) {
        return shedEvents(reasonPart).stream().mapToLong(EgressEvent.QueriesShed::count).sum();
    }

    /** Waits (up to 10 s) until the condition holds, since reports come from the interceptor's audit thread. */
    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    /** Waits (up to 10 s) until the interceptor has read everything: its received count stays put for 0.5 s. */
    private void awaitDrained() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        long last = -1;
        int still = 0;
        while (still < 5 && System.nanoTime() < deadline) {
            long now = interceptor.stats().received();
            still = now == last ? still + 1 : 0;
            last = now;
            Thread.sleep(100);
        }
    }

    /** Sends the datagram {@code count} times as fast as the socket allows, from {@code threads} threads. */
    private void flood(byte[] datagram, int count, int threads) throws Exception {
        List<Thread> senders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread sender = new Thread(() -> {
                try (DatagramSocket s = new DatagramSocket()) {
                    s.connect(interceptor.address());
                    for (int i = 0; i < count / threads; i++) {
                        s.send(new java.net.DatagramPacket(datagram, datagram.length));
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            sender.start();
            senders.add(sender);
        }
        for (Thread sender : senders) {
            sender.join();
        }
    }

    @Test
    void shedQueriesAreReportedWithTheirCountsWhileTheInterceptorRuns() throws Exception {
        // given
        start(POLICY, b -> b.queriesPerSecond(20).queryBurst(20).auditInterval(Duration.ofMillis(200)));
        subscribeToShedEvents();
        byte[] query = TestClient.query("flood.attacker.example.", Type.A).toWire();

        // when: a burst far over the budget, then nothing
        flood(query, 2000, 1);
        awaitDrained();
        await(() -> shedCount("query budget") == interceptor.stats().shed());

        // then: every shed query is in the audit before close, in more than one event
        long shedQueries = interceptor.stats().shed();
        assertThat(shedQueries).isGreaterThan(100);
        assertThat(shedCount("query budget")).as("reported while running, not at close").isEqualTo(shedQueries);
        assertThat(shedEvents("query budget")).hasSizeGreaterThan(1)
                .allSatisfy(e -> assertThat(e.reason()).contains("20.0/s (burst 20)"));
        assertThat(addresses(client.udp(TestClient.query(name("www"), Type.A)))).as("positive control")
                .containsExactly("192.0.2.10");
    }

    @Test
    void datagramsTheKernelDropsOnAFullReceiveBufferAreCountedAndReported() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isReadable(
                java.nio.file.Path.of("/proc/self/net/udp6")), "the kernel's per-socket drop counter is Linux-only");
        // given: the smallest receive buffer the kernel allows, so a burst overflows it
        start(POLICY, b -> b.receiveBufferBytes(1).queriesPerSecond(1_000_000).queryBurst(1_000_000)
                .auditInterval(Duration.ofMillis(200)));
        subscribeToShedEvents();
        byte[] query = TestClient.query("flood.attacker.example.", Type.A).toWire();
        int sent = 40_000;

        // when
        flood(query, sent, 4);
        awaitDrained();
        await(() -> interceptor.stats().socketDrops() > 0
                && shedCount("receive buffer") == interceptor.stats().socketDrops());

        // then
        DnsInterceptor.Stats stats = interceptor.stats();
        assertThat(stats.socketDrops()).isPositive();
        assertThat(stats.received() + stats.socketDrops()).as("nothing counted twice").isLessThanOrEqualTo(sent);
        assertThat(shedCount("receive buffer")).isEqualTo(stats.socketDrops());
        assertThat(addresses(client.udp(TestClient.query(name("www"), Type.A)))).as("positive control")
                .containsExactly("192.0.2.10");
    }

    @Test
    void packetsDroppedUnansweredAreReportedToo() throws Exception {
        start(POLICY, b -> b.auditInterval(Duration.ofMillis(200)));
        subscribeToShedEvents();
        Message response = TestClient.query(name("www"), Type.A);
        response.getHeader().setFlag(Flags.QR);

        for (int i = 0; i < 5; i++) {
            client.udpRaw(response.toWire(), 50);
            client.udpRaw(new byte[] {1, 2, 3}, 50);
        }
        await(() -> shedCount("dropped unanswered") == 10);

        assertThat(interceptor.stats().dropped()).isEqualTo(10);
        assertThat(shedCount("dropped unanswered")).isEqualTo(10);
        assertThat(addresses(client.udp(TestClient.query(name("www"), Type.A)))).containsExactly("192.0.2.10");
    }

    @Test
    void anUnansweringUpstreamGivesServfailWithinTheDeadline() throws IOException {
        try (DatagramSocket blackHole = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            start(POLICY, b -> b.upstreams(List.of((InetSocketAddress) blackHole.getLocalSocketAddress()))
                    .upstreamTimeout(Duration.ofMillis(200)).upstreamDeadline(Duration.ofMillis(400)));
            long t0 = System.nanoTime();

            Message reply = client.udp(TestClient.query(name("www"), Type.A));

            assertThat(reply.getRcode()).isEqualTo(Rcode.SERVFAIL);
            assertThat(System.nanoTime() - t0).isLessThan(Duration.ofMillis(1500).toNanos());
            assertThat(lastDecision().verdict()).isEqualTo(EgressEvent.Verdict.FAILED);
            assertThat(ede(reply).getErrorCode()).isEqualTo(ExtendedErrorCodeOption.NO_REACHABLE_AUTHORITY);
        }
    }

    @Test
    void theNextUpstreamIsTriedWhenOneIsDownOrFailing() throws IOException {
        try (DatagramSocket blackHole = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            start(POLICY, b -> b.upstreams(List.of((InetSocketAddress) blackHole.getLocalSocketAddress(),
                    upstream.address())).upstreamTimeout(Duration.ofMillis(200)));

            Message reply = client.udp(TestClient.query(name("www"), Type.A));

            assertThat(addresses(reply)).containsExactly("192.0.2.10");
        }
    }

    @Test
    void upstreamServfailIsPassedOnAsServfail() throws IOException {
        upstream.rcode("www", Rcode.SERVFAIL);
        start();

        Message reply = client.udp(TestClient.query(name("www"), Type.A));

        assertThat(reply.getRcode()).isEqualTo(Rcode.SERVFAIL);
        assertThat(learned).isEmpty();
    }

    @Test
    void upstreamNxdomainIsPassedOnForAllowedNames() throws IOException {
        start();

        Message reply = client.udp(TestClient.query(name("nothing-here"), Type.A));

        assertThat(reply.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(ede(reply)).isNull();
        assertThat(lastDecision().verdict()).isEqualTo(EgressEvent.Verdict.ALLOWED);
    }

    @ParameterizedTest
    @CsvSource({"negative, A", "negative, AAAA", "negative-alias, A"})
    void anUpstreamNxdomainThatCarriesAddressesOpensNothing(String host, String type) throws IOException {
        // given: the upstream says NXDOMAIN and still puts the name's records in the answer section
        upstream.rcodeWithRecords(host, Rcode.NXDOMAIN);
        start();

        // when
        Message nx = client.udp(TestClient.query(name(host), Type.value(type)));
        Message nxOverTcp = client.tcp(TestClient.query(name(host), Type.value(type)));
        Message control = client.udp(TestClient.query(name("www"), Type.A));

        // then
        assertThat(nx.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(nx.getSection(Section.ANSWER)).isEmpty();
        assertThat(nxOverTcp.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(nxOverTcp.getSection(Section.ANSWER)).isEmpty();
        EgressEvent.DnsDecision d = lastDecisionFor(name(host));
        assertThat(d.answers()).isEmpty();
        assertThat(d.reason()).contains("does not exist").contains("dropped: a negative answer opens nothing");
        assertThat(upstream.queriedNames()).as("asked every time: never cached").containsExactly(name(host), name(host),
                name("www"));
        assertThat(addresses(control)).containsExactly("192.0.2.10");
        assertThat(learned).extracting(LearnedAddresses::qname).as("only the positive control").containsExactly(
                name("www"));
    }

    @ParameterizedTest
    @ValueSource(ints = {Rcode.SERVFAIL, Rcode.REFUSED, Rcode.FORMERR, Rcode.NOTIMP, Rcode.YXDOMAIN, Rcode.NOTAUTH,
        Rcode.BADVERS, 23})
    void anyOtherUpstreamRcodeThatCarriesAddressesOpensNothing(int rcode) throws IOException {
        upstream.rcodeWithRecords("negative", rcode);
        start();

        Message failed = client.udp(TestClient.query(name("negative"), Type.A));
        Message control = client.udp(TestClient.query(name("www"), Type.A));

        assertThat(failed.getRcode()).isEqualTo(Rcode.SERVFAIL);
        assertThat(failed.getSection(Section.ANSWER)).isEmpty();
        assertThat(lastDecisionFor(name("negative")).verdict()).isEqualTo(EgressEvent.Verdict.FAILED);
        assertThat(lastDecisionFor(name("negative")).reason()).contains("answered " + Rcode.string(rcode));
        assertThat(addresses(control)).containsExactly("192.0.2.10");
        assertThat(learned).extracting(LearnedAddresses::qname).containsExactly(name("www"));
    }

    @Test
    void aSpoofedReplyWithTheWrongIdIsIgnored() throws IOException {
        start();

        Message reply = client.udp(TestClient.query(name("spoofed"), Type.A));

        assertThat(addresses(reply)).containsExactly("192.0.2.50");
    }

    @Test
    void cachedAnswersAreServedWithoutAskingUpstreamAgain() throws IOException {
        start();

        Message first = client.udp(TestClient.query(name("www"), Type.A));
        Message second = client.udp(TestClient.query(name("www"), Type.A));

        assertThat(addresses(second)).isEqualTo(addresses(first));
        assertThat(second.getSection(Section.ANSWER).get(0).getTTL())
                .isLessThanOrEqualTo(first.getSection(Section.ANSWER).get(0).getTTL());
        assertThat(upstream.queries()).hasSize(1);
        assertThat(interceptor.stats().cacheHits()).isEqualTo(1);
    }

    @Test
    void ednsVersionsOtherThanZeroGetBadvers() throws IOException {
        start();
        Message q = TestClient.query(name("www"), Type.A, DClass.IN, false);
        q.addRecord(new OPTRecord(1232, 0, 1, 0), Section.ADDITIONAL);

        Message reply = new Message(client.udpRaw(q.toWire(), 2000));

        assertThat(reply.getRcode()).isEqualTo(Rcode.BADVERS);
        assertThat(upstream.queries()).isEmpty();
    }

    @Test
    void startAndCloseAreIdempotentAndCloseReleasesThePort() throws IOException {
        start();
        InetSocketAddress where = interceptor.address();

        interceptor.start();
        interceptor.close();
        interceptor.close();

        try (DatagramSocket again = new DatagramSocket(where)) {
            assertThat(again.getLocalPort()).isEqualTo(where.getPort());
        }
    }
}
