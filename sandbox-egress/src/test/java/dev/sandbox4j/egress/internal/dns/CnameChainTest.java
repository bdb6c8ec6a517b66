package dev.sandbox4j.egress.internal.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.egress.EgressPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The pure chain walk over answer sections. The records are constructed here (zone-file syntax, TEST-NET
 * addresses), not captured.
 */
class CnameChainTest {
    private static final EgressPolicy POLICY = EgressPolicy.denyAll()
            .deny("denied.zone.example")
            .allow("**.zone.example");

    private static List<Record> records(String... lines) throws IOException {
        List<Record> out = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split("\\s+", 5);
            out.add(Record.fromString(Name.fromString(f[0]), Type.value(f[3]), DClass.value(f[2]),
                    Long.parseLong(f[1]), f[4], Name.root));
        }
        return out;
    }

    private static CnameChain.Walk walk(String qname, int type, String... lines) throws IOException {
        return CnameChain.walk(records(lines), Name.fromString(qname), type, POLICY);
    }

    private static List<String> addresses(CnameChain.Walk walk) throws IOException {
        List<String> out = new ArrayList<>();
        for (byte[] raw : ((CnameChain.Chain) walk).addresses()) {
            out.add(InetAddress.getByAddress(raw).getHostAddress());
        }
        return out;
    }

    @Test
    void theChainIsFollowedAndOnlyItsRecordsAreKept() throws IOException {
        CnameChain.Walk w = walk("a.zone.example.", Type.A,
                "a.zone.example. 300 IN CNAME b.zone.example.",
                "b.zone.example. 60 IN CNAME c.zone.example.",
                "c.zone.example. 120 IN A 192.0.2.1",
                "c.zone.example. 120 IN A 192.0.2.1",
                "other.zone.example. 10 IN A 192.0.2.99",
                "c.zone.example. 5 CH A 192.0.2.98",
                "c.zone.example. 5 IN AAAA 2001:db8::1");

        assertThat(w).isInstanceOf(CnameChain.Chain.class);
        assertThat(((CnameChain.Chain) w).targets()).containsExactly("b.zone.example.", "c.zone.example.");
        assertThat(addresses(w)).containsExactly("192.0.2.1");
        assertThat(((CnameChain.Chain) w).minTtl()).isEqualTo(60);
    }

    @Test
    void aDeniedTargetBreaksTheChainNamingItsRule() throws IOException {
        CnameChain.Walk w = walk("a.zone.example.", Type.A,
                "a.zone.example. 60 IN CNAME denied.zone.example.",
                "denied.zone.example. 60 IN A 192.0.2.1");
        CnameChain.Walk control = walk("a.zone.example.", Type.A,
                "a.zone.example. 60 IN CNAME fine.zone.example.",
                "fine.zone.example. 60 IN A 192.0.2.1");

        assertThat(w).isEqualTo(new CnameChain.Broken(CnameChain.Problem.TARGET_DENIED, "deny denied.zone.example",
                "CNAME target denied.zone.example. is not allowed: denied.zone.example is denied by"
                        + " 'deny denied.zone.example'"));
        assertThat(addresses(control)).containsExactly("192.0.2.1");
    }

    @Test
    void loopsAndOverlongChainsBreakTheChain() throws IOException {
        List<String> longChain = new ArrayList<>();
        for (int i = 0; i <= CnameChain.MAX_CHAIN; i++) {
            longChain.add("n" + i + ".zone.example. 60 IN CNAME n" + (i + 1) + ".zone.example.");
        }
        List<String> justFits = new ArrayList<>(longChain.subList(0, CnameChain.MAX_CHAIN));
        justFits.add("n" + CnameChain.MAX_CHAIN + ".zone.example. 60 IN A 192.0.2.8");

        CnameChain.Walk loop = walk("a.zone.example.", Type.A,
                "a.zone.example. 60 IN CNAME b.zone.example.",
                "b.zone.example. 60 IN CNAME a.zone.example.");
        CnameChain.Walk tooLong = walk("n0.zone.example.", Type.A, longChain.toArray(String[]::new));
        CnameChain.Walk fits = walk("n0.zone.example.", Type.A, justFits.toArray(String[]::new));

        assertThat(((CnameChain.Broken) loop).problem()).isEqualTo(CnameChain.Problem.LOOP);
        assertThat(((CnameChain.Broken) tooLong).problem()).isEqualTo(CnameChain.Problem.TOO_LONG);
        assertThat(((CnameChain.Chain) fits).targets()).hasSize(CnameChain.MAX_CHAIN);
        assertThat(addresses(fits)).containsExactly("192.0.2.8");
    }

    @Test
    void aCnameQueryStopsAtTheFirstLink() throws IOException {
        CnameChain.Walk w = walk("a.zone.example.", Type.CNAME,
                "a.zone.example. 60 IN CNAME b.zone.example.",
                "b.zone.example. 60 IN CNAME denied.zone.example.");

        assertThat(((CnameChain.Chain) w).targets()).containsExactly("b.zone.example.");
        assertThat(((CnameChain.Chain) w).addresses()).isEmpty();
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        // a           | b            | both
        "all           | all          | all",
        "all           | only 443     | only 443",
        "only 80 443   | only 443 853 | only 443",
        "only 80       | only 443     | none",
        "except 22     | except 25    | except 22 25",
        "except 22     | only 22 443  | only 443",
        "only 22 443   | except 22    | only 443",
        "none          | all          | none",
    })
    void portsCombineToWhatEveryNameAllows(String a, String b, String both) {
        assertThat(CnameChain.intersect(ports(a), ports(b))).isEqualTo(ports(both));
    }

    private static dev.sandbox4j.egress.AllowedPorts ports(String text) {
        String[] w = text.trim().split("\\s+");
        List<Integer> list = java.util.Arrays.stream(w).skip(1).map(Integer::valueOf).toList();
        return switch (w[0]) {
            case "all" -> dev.sandbox4j.egress.AllowedPorts.ALL;
            case "none" -> dev.sandbox4j.egress.AllowedPorts.NONE;
            case "only" -> new dev.sandbox4j.egress.AllowedPorts(false, list);
            default -> new dev.sandbox4j.egress.AllowedPorts(true, list);
        };
    }
}
