package dev.sandbox4j.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.SandboxConfigException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The DNS server over real UDP and TCP sockets on loopback, asked with raw DNS messages. */
class TestDnsServerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    static Message query(String name, int type) throws IOException {
        return Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
    }

    static Message udp(InetSocketAddress server, Message query) throws IOException {
        return udpReplies(server, query, 1).get(0);
    }

    static List<Message> udpReplies(InetSocketAddress server, Message query, int count) throws IOException {
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout((int) WAIT.toMillis());
            byte[] q = query.toWire();
            s.send(new DatagramPacket(q, q.length, server));
            List<Message> replies = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                byte[] buf = new byte[65535];
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                s.receive(p);
                replies.add(new Message(Arrays.copyOf(buf, p.getLength())));
            }
            return replies;
        }
    }

    static Message tcp(InetSocketAddress server, Message query) throws IOException {
        return tcp(server, List.of(query)).get(0);
    }

    /** Sends the queries one after the other on one connection, each answer awaited before the next query. */
    static List<Message> tcp(InetSocketAddress server, List<Message> queries) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(server, (int) WAIT.toMillis());
            s.setSoTimeout((int) WAIT.toMillis());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            DataInputStream in = new DataInputStream(s.getInputStream());
            List<Message> replies = new ArrayList<>();
            for (Message query : queries) {
                byte[] q = query.toWire();
                out.writeShort(q.length);
                out.write(q);
                out.flush();
                byte[] r = new byte[in.readUnsignedShort()];
                in.readFully(r);
                replies.add(new Message(r));
            }
            return replies;
        }
    }

    static List<String> answers(Message m) {
        return m.getSection(Section.ANSWER).stream().map(r -> r.getName() + " " + Type.string(r.getType()) + " "
                + r.rdataToString()).toList();
    }

    @Test
    void aDeclaredHostIsAnsweredOverUdpAndTheQueryIsRecorded() throws IOException {
        // given
        try (TestDnsServer dns = TestDnsServer.builder().host("api.allowed.example", "203.0.113.10").start()) {

            // when
            Message reply = udp(dns.address(), query("api.allowed.example.", Type.A));

            // then
            assertThat(reply.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(reply.getHeader().getFlag(Flags.AA)).isTrue();
            assertThat(answers(reply)).containsExactly("api.allowed.example. A 203.0.113.10");
            assertThat(dns.queries()).singleElement().satisfies(q -> {
                assertThat(q.name()).isEqualTo("api.allowed.example.");
                assertThat(q.type()).isEqualTo("A");
                assertThat(q.tcp()).isFalse();
                assertThat(q.recursionDesired()).isTrue();
                assertThat(q.edns()).isEqualTo(TestDnsServer.Edns.ABSENT);
            });
        }
    }

    @Test
    void theSamePortAnswersOverTcpAndAConnectionMayCarrySeveralQueries() throws IOException {
        // given
        try (TestDnsServer dns = TestDnsServer.builder().host("v6.allowed.example", "2001:db8::10").start()) {

            // when
            List<Message> replies = tcp(dns.address(), List.of(query("v6.allowed.example.", Type.AAAA),
                    query("v6.allowed.example.", Type.A)));

            // then
            assertThat(answers(replies.get(0))).containsExactly("v6.allowed.example. AAAA 2001:db8:0:0:0:0:0:10");
            assertThat(answers(replies.get(1))).isEmpty();
            assertThat(dns.queries()).extracting(TestDnsServer.Query::type).containsExactly("AAAA", "A");
            assertThat(dns.queries()).extracting(TestDnsServer.Query::tcp).containsExactly(true, true);
        }
    }

    @Test
    void anUnknownNameGetsNxdomainAndAKnownNameOfAnotherTypeAnEmptyAnswer() throws IOException {
        // given
        try (TestDnsServer dns = TestDnsServer.builder().host("api.allowed.example", "203.0.113.10").start()) {

            // when
            Message unknown = udp(dns.address(), query("exfil.denied.example.", Type.A));
            Message otherType = udp(dns.address(), query("api.allowed.example.", Type.TXT));

            // then
            assertThat(unknown.getRcode()).isEqualTo(Rcode.NXDOMAIN);
            assertThat(otherType.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(answers(otherType)).isEmpty();
            assertThat(dns.queriedNames()).containsExactly("exfil.denied.example.", "api.allowed.example.");
        }
    }

    @Test
    void recordLinesAreRelativeToTheOriginAndCnamesAreFollowed() throws IOException {
        // given
        try (TestDnsServer dns = TestDnsServer.builder().origin("zone.example")
                .record("www 60 A 192.0.2.10")
                .record("alias 120 CNAME www")
                .record("outside.example. 30 A 198.51.100.7")
                .start()) {

            // when
            Message alias = udp(dns.address(), query("alias.zone.example.", Type.A));
            Message outside = udp(dns.address(), query("outside.example.", Type.A));

            // then
            assertThat(answers(alias)).containsExactly("alias.zone.example. CNAME www.zone.example.",
                    "www.zone.example. A 192.0.2.10");
            assertThat(answers(outside)).containsExactly("outside.example. A 198.51.100.7");
        }
    }

    @Test
    void recordsAddedToTheRunningServerAreServed() throws IOException {
        // given
        try (TestDnsServer dns = TestDnsServer.builder().start()) {
            Message before = udp(dns.address(), query("late.example.", Type.A));

            // when
            dns.add("late.example. 60 A 203.0.113.44");

            // then
            assertThat(before.getRcode()).isEqualTo(Rcode.NXDOMAIN);
            assertThat(answers(udp(dns.address(), query("late.example.", Type.A))))
                    .containsExactly("late.example. A 203.0.113.44");
        }
    }

    @Test
    void aTruncatedNameHasTheTcFlagOverUdpAndItsRecordsOverTcp() throws IOException {
        // given
        try (TestDnsServer dns = TestDnsServer.builder().host("big.example", "203.0.113.1").start()) {
            dns.truncateOverUdp("big.example");

            // when
            Message overUdp = udp(dns.address(), query("big.example.", Type.A));
            Message overTcp = tcp(dns.address(), query("big.example.", Type.A));

            // then
            assertThat(overUdp.getHeader().getFlag(Flags.TC)).isTrue();
            assertThat(answers(overUdp)).isEmpty();
            assertThat(overTcp.getHeader().getFlag(Flags.TC)).isFalse();
            assertThat(answers(overTcp)).containsExactly("big.example. A 203.0.113.1");
        }
    }

    @Test
    void aForcedRcodeReplacesTheAnswerAndAnRcodeWithRecordsKeepsIt() throws IOException {
        // given
        try (TestDnsServer dns = TestDnsServer.builder().host("a.example", "192.0.2.1").host("b.example", "192.0.2.2")
                .start()) {
            dns.rcode("a.example", Rcode.SERVFAIL);
            dns.rcodeWithRecords("b.example", Rcode.BADVERS);
            Message withEdns = query("b.example.", Type.A);
            withEdns.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);

            // when
            Message a = udp(dns.address(), query("a.example.", Type.A));
            Message b = udp(dns.address(), withEdns);

            // then
            assertThat(a.getRcode()).isEqualTo(Rcode.SERVFAIL);
            assertThat(answers(a)).isEmpty();
            assertThat(b.getRcode()).as("16 (BADVERS): 0 in the header, 1 in the OPT record").isEqualTo(Rcode.BADVERS);
            assertThat(answers(b)).containsExactly("b.example. A 192.0.2.2");
        }
    }

    @Test
    void aRotatingNameHandsOutTheNextAddressesOfItsPoolOnEveryQuery() throws IOException {
        // given
        try (TestDnsServer dns = TestDnsServer.builder().start()) {
            dns.rotate("fresh.example", Duration.ofSeconds(1), 2, List.of("203.0.113.201", "203.0.113.202",
                    "203.0.113.203"));

            // when
            Message first = udp(dns.address(), query("fresh.example.", Type.A));
            Message second = udp(dns.address(), query("fresh.example.", Type.A));

            // then
            assertThat(answers(first)).containsExactly("fresh.example. A 203.0.113.201", "fresh.example. A 203.0.113.202");
            assertThat(answers(second)).containsExactly("fresh.example. A 203.0.113.203",
                    "fresh.example. A 203.0.113.201");
            assertThat(first.getSection(Section.ANSWER).get(0).getTTL()).isEqualTo(1);
        }
    }

    @Test
    void aPollutedNameCarriesUnrelatedRecordsInEverySection() throws IOException {
        // given
        try (TestDnsServer dns = TestDnsServer.builder().host("extra.example", "192.0.2.30").start()) {
            dns.pollute("extra.example");

            // when
            Message reply = udp(dns.address(), query("extra.example.", Type.A));

            // then
            assertThat(answers(reply)).containsExactly("extra.example. A 192.0.2.30", "unrelated.example. A 203.0.113.99");
            assertThat(reply.getSection(Section.AUTHORITY)).extracting(Record::rdataToString)
                    .containsExactly("ns.evil.example.");
            assertThat(reply.getSection(Section.ADDITIONAL)).extracting(Record::rdataToString)
                    .containsExactly("198.51.100.53");
        }
    }

    @Test
    void aSpoofedNameGetsAForgedReplyWithAnotherIdBeforeTheRealOne() throws IOException {
        // given
        try (TestDnsServer dns = TestDnsServer.builder().host("spoofed.example", "192.0.2.50").start()) {
            dns.spoofFirst("spoofed.example");
            Message q = query("spoofed.example.", Type.A);

            // when
            List<Message> replies = udpReplies(dns.address(), q, 2);

            // then
            assertThat(replies.get(0).getHeader().getID()).isNotEqualTo(q.getHeader().getID());
            assertThat(answers(replies.get(0))).containsExactly("spoofed.example. A 203.0.113.66");
            assertThat(replies.get(1).getHeader().getID()).isEqualTo(q.getHeader().getID());
            assertThat(answers(replies.get(1))).containsExactly("spoofed.example. A 192.0.2.50");
        }
    }

    @Test
    void aSilentServerRecordsTheQueryButNeverAnswersUntilItSpeaksAgain() throws IOException {
        // given
        try (TestDnsServer dns = TestDnsServer.builder().host("quiet.example", "192.0.2.5").start()) {
            dns.silence(true);

            // when
            Message q = query("quiet.example.", Type.A);
            byte[] wire = q.toWire();
            boolean answered;
            try (DatagramSocket s = new DatagramSocket()) {
                s.setSoTimeout(1000);
                s.send(new DatagramPacket(wire, wire.length, dns.address()));
                s.receive(new DatagramPacket(new byte[512], 512));
                answered = true;
            } catch (SocketTimeoutException e) {
                answered = false;
            }
            dns.silence(false);

            // then
            assertThat(answered).isFalse();
            assertThat(dns.queriedNames()).containsExactly("quiet.example.");
            assertThat(answers(udp(dns.address(), q))).containsExactly("quiet.example. A 192.0.2.5");
        }
    }

    @Test
    void theEdnsOfAQueryIsRecorded() throws IOException {
        // given
        try (TestDnsServer dns = TestDnsServer.builder().host("e.example", "192.0.2.9").start()) {
            Message q = query("e.example.", Type.A);
            q.addRecord(new OPTRecord(1400, 0, 0, ExtendedFlags.DO), Section.ADDITIONAL);

            // when
            udp(dns.address(), q);

            // then
            TestDnsServer.Edns edns = dns.queries().get(0).edns();
            assertThat(edns.present()).isTrue();
            assertThat(edns.payloadSize()).isEqualTo(1400);
            assertThat(edns.dnssecOk()).isTrue();
            assertThat(edns.optionCodes()).isEmpty();
        }
    }

    @Test
    void answerEveryNameAnswersUnknownNamesWithItsAddressAndRecordsNothingWhenAskedNotTo() throws IOException {
        // given
        try (TestDnsServer dns = TestDnsServer.builder().answerEveryName("192.0.2.1", Duration.ofSeconds(300))
                .recordQueries(false).start()) {

            // when
            Message a = udp(dns.address(), query("n123.anything.example.", Type.A));
            Message aaaa = udp(dns.address(), query("n123.anything.example.", Type.AAAA));

            // then
            assertThat(answers(a)).containsExactly("n123.anything.example. A 192.0.2.1");
            assertThat(a.getSection(Section.ANSWER).get(0).getTTL()).isEqualTo(300);
            assertThat(aaaa.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(answers(aaaa)).isEmpty();
            assertThat(dns.queries()).isEmpty();
        }
    }

    @Test
    void notDnsIsDroppedAndTheServerKeepsAnswering() throws IOException {
        // given
        try (TestDnsServer dns = TestDnsServer.builder().host("ok.example", "192.0.2.8").start();
             DatagramSocket s = new DatagramSocket()) {

            // when
            s.send(new DatagramPacket(new byte[] {1, 2, 3}, 3, dns.address()));
            Message after = udp(dns.address(), query("ok.example.", Type.A));

            // then
            assertThat(answers(after)).containsExactly("ok.example. A 192.0.2.8");
            assertThat(dns.queriedNames()).containsExactly("ok.example.");
        }
    }

    @Test
    void badRecordLinesAndAddressesAreConfigErrorsThatShowTheFormat() {
        // given
        TestDnsServer.Builder b = TestDnsServer.builder();

        // when / then
        assertThatThrownBy(() -> b.record("www A 192.0.2.10")).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("NAME TTL TYPE RDATA");
        assertThatThrownBy(() -> b.record("www sixty A 192.0.2.10")).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("TTL 'sixty' is not a number");
        assertThatThrownBy(() -> b.record("www 60 NOPE 192.0.2.10")).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("'NOPE' is not a record type");
        assertThatThrownBy(() -> b.record("www 60 A not-an-address")).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("bad data for a A record");
        assertThatThrownBy(() -> b.host("api.example", "api.example")).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("not an IP address literal");
        assertThatThrownBy(() -> b.answerEveryName("2001:db8::1", Duration.ofSeconds(1)))
                .isInstanceOf(SandboxConfigException.class).hasMessageContaining("give an IPv4 literal");
    }

    @Test
    void badScriptedBehavioursAreConfigErrors() throws IOException {
        // given
        try (TestDnsServer dns = TestDnsServer.builder().start()) {

            // when / then
            assertThatThrownBy(() -> dns.rcode("x.example", 4096)).isInstanceOf(SandboxConfigException.class)
                    .hasMessageContaining("give 0 to 4095");
            assertThatThrownBy(() -> dns.rotate("x.example", Duration.ofSeconds(1), 0, List.of("192.0.2.1")))
                    .isInstanceOf(SandboxConfigException.class).hasMessageContaining("at least one address per answer");
            assertThatThrownBy(() -> dns.rotate("x.example", Duration.ofSeconds(1), 1, List.of("pool")))
                    .isInstanceOf(SandboxConfigException.class).hasMessageContaining("not an IP address literal");
        }
    }

    @Test
    void closeFreesThePortForUdpAndTcp() throws IOException {
        // given
        TestDnsServer first = TestDnsServer.builder().start();
        InetSocketAddress address = first.address();

        // when
        first.close();
        first.close();

        // then
        try (TestDnsServer again = TestDnsServer.builder().bind(address).host("x.example", "192.0.2.3").start()) {
            assertThat(again.address()).isEqualTo(address);
            assertThat(answers(tcp(address, query("x.example.", Type.A)))).containsExactly("x.example. A 192.0.2.3");
        }
    }

    @Test
    void aClosedServerStillTellsWhereItListened() throws IOException {
        // given
        TestDnsServer dns = TestDnsServer.builder().start();
        InetSocketAddress address = dns.address();

        // when
        dns.close();

        // then
        assertThat(dns.address()).isEqualTo(address);
        assertThat(dns.toString()).contains(String.valueOf(address.getPort()));
    }


    @Test
    void closeEndsOpenTcpConnectionsSoNoQueryIsAnsweredAfterwards() throws IOException {
        // given
        TestDnsServer dns = TestDnsServer.builder().host("x.example", "192.0.2.3").start();
        try (Socket s = new Socket()) {
            s.connect(dns.address(), (int) WAIT.toMillis());
            s.setSoTimeout((int) WAIT.toMillis());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] first = query("x.example.", Type.A).toWire();
            out.writeShort(first.length);
            out.write(first);
            out.flush();
            in.readFully(new byte[in.readUnsignedShort()]);

            // when
            dns.close();
            byte[] second = query("x.example.", Type.A).toWire();
            int reply;
            try {
                out.writeShort(second.length);
                out.write(second);
                out.flush();
                reply = in.read();
            } catch (IOException e) {
                reply = -1;
            }

            // then
            assertThat(reply).as("a byte of a reply from a closed server").isEqualTo(-1);
            assertThat(dns.queries()).hasSize(1);
        }
    }


    @Test
    void aRotationPoolOfIpv6AddressesIsAConfigError() throws IOException {
        // given
        try (TestDnsServer dns = TestDnsServer.builder().start()) {

            // when / then
            assertThatThrownBy(() -> dns.rotate("x.example", Duration.ofSeconds(1), 1, List.of("2001:db8::1")))
                    .isInstanceOf(SandboxConfigException.class).hasMessageContaining("IPv4");
        }
    }


    @Test
    void anUnresolvedBindAddressIsAConfigErrorAtTheBuilder() {
        // given
        TestDnsServer.Builder builder = TestDnsServer.builder();

        // when / then
        assertThatThrownBy(() -> builder.bind(InetSocketAddress.createUnresolved("dns.example", 53)))
                .isInstanceOf(SandboxConfigException.class).hasMessageContaining("IP address");
    }


    @Test
    void anAddressThisHostDoesNotHaveIsAnErrorThatSaysSo() {
        // given: 192.0.2.1 is a documentation address, on no interface of a test machine
        TestDnsServer.Builder builder = TestDnsServer.builder().bind(new InetSocketAddress("192.0.2.1", 0));

        // when / then
        assertThatThrownBy(builder::start).isInstanceOf(IOException.class)
                .hasMessageContaining("192.0.2.1").hasMessageContaining("address of this host");
    }
}
