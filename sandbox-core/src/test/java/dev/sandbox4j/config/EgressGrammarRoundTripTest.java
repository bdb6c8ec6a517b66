package dev.sandbox4j.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.egress.Cidr;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.EgressRule;
import dev.sandbox4j.egress.HostPattern;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.IDN;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One egress grammar: a policy, its text form and a {@code sandbox.json} egress section carry the same rules, over a
 * generated corpus. The corpus is seeded, so every run checks the same policies; a failure names the seed and index.
 */
class EgressGrammarRoundTripTest {
    private static final long SEED = 0x5AB0_4D0C_2026L;
    private static final int POLICIES = 300;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void everyGeneratedPolicyReadsBackEqualFromItsTextForm() {
        // given
        List<EgressPolicy> corpus = new Corpus(SEED).policies(POLICIES);

        for (int i = 0; i < corpus.size(); i++) {
            EgressPolicy policy = corpus.get(i);

            // when
            String text = policy.toString();
            EgressPolicy back = EgressPolicy.parse(text);

            // then
            assertThat(back).as("policy %d of seed %x:%n%s", i, SEED, text).isEqualTo(policy);
            assertThat(back.toString()).as("printing is a fixpoint").isEqualTo(text);
        }
    }

    @Test
    void everyGeneratedPolicyReadsBackEqualFromSandboxJson() throws IOException {
        // given
        List<EgressPolicy> corpus = new Corpus(SEED).policies(POLICIES);

        for (int i = 0; i < corpus.size(); i++) {
            EgressPolicy policy = corpus.get(i);
            SandboxSpec spec = Sandbox.builder().image("localhost/busybox:latest").egress(policy).build();
            Path file = Files.writeString(dir.resolve("sandbox-" + i + ".json"), SandboxConfigFile.write(spec));

            // when
            SandboxDefinition def = SandboxConfigFile.load(file);

            // then
            assertThat(def.toBuilder().build().egress()).as("policy %d of seed %x", i, SEED).isEqualTo(policy);
            assertThat(def.egress().orElseThrow().rules())
                    .isEqualTo(policy.rules().stream().map(EgressRule::toString).toList());
            assertThat(def.egress().orElseThrow().upstreams()).isEqualTo(policy.upstreams());
        }
    }

    @Test
    void rulesAsPeopleWriteThemGetTheSameCanonicalFormFromTheApiAndFromSandboxJson() {
        // given
        Corpus corpus = new Corpus(SEED + 1);

        for (int i = 0; i < POLICIES; i++) {
            EgressRule rule = corpus.rule();
            String written = corpus.sloppy(rule);

            // when
            EgressRule viaApi = EgressPolicy.parseRule(written);
            String viaConfig = EgressConfig.normaliseRule(written);
            List<String> viaFile = loadRules(i, written).rules();

            // then
            assertThat(viaApi).as("'%s' (rule %d of seed %x)", written, i, SEED + 1).isEqualTo(rule);
            assertThat(viaConfig).isEqualTo(rule.toString());
            assertThat(viaFile).containsExactly(rule.toString());
        }
    }

    @Test
    void theApiAndSandboxJsonAcceptAndRejectExactlyTheSameMutatedRules() {
        // given: valid rules with random edits, so roughly half of them no longer parse
        Corpus corpus = new Corpus(SEED + 2);
        int accepted = 0;
        int rejected = 0;

        for (int i = 0; i < POLICIES * 2; i++) {
            String text = corpus.mutate(corpus.sloppy(corpus.rule()));
            int n = i;

            // when
            Outcome api = outcome(() -> EgressPolicy.parseRule(text).toString());
            Outcome config = outcome(() -> EgressConfig.normaliseRule(text));
            Outcome file = outcome(() -> loadRules(n, text).rules().get(0));

            // then
            assertThat(config).as("'%s' (mutation %d of seed %x)", text, i, SEED + 2).isEqualTo(api);
            assertThat(file.accepted()).as("'%s' in sandbox.json", text).isEqualTo(api.accepted());
            if (api.accepted()) {
                assertThat(file.canonical()).isEqualTo(api.canonical());
                accepted++;
            } else {
                rejected++;
            }
        }
        assertThat(accepted).as("the corpus exercises accepted rules").isGreaterThan(POLICIES / 4);
        assertThat(rejected).as("the corpus exercises rejected rules").isGreaterThan(POLICIES / 4);
    }

    @Test
    void upstreamsInEitherFormReadBackToTheSameAddress() {
        // given
        Corpus corpus = new Corpus(SEED + 3);

        for (int i = 0; i < POLICIES; i++) {
            InetSocketAddress upstream = corpus.upstream();

            // when
            String printed = EgressPolicy.formatUpstream(upstream);

            // then
            assertThat(EgressPolicy.parseUpstream(printed)).isEqualTo(upstream);
            assertThat(EgressConfig.parseUpstream(printed)).isEqualTo(upstream);
            assertThat(EgressConfig.formatUpstream(upstream)).isEqualTo(printed);
        }
        assertThat(EgressPolicy.parseUpstream("192.0.2.53")).isEqualTo(new InetSocketAddress("192.0.2.53", 53));
        assertThat(EgressPolicy.parseUpstream("2001:db8::53")).isEqualTo(new InetSocketAddress("2001:db8::53", 53));
    }

    private EgressConfig loadRules(int i, String rule) {
        try {
            Path file = Files.writeString(dir.resolve("rule-" + i + ".json"), "{\"image\": \"localhost/busybox:latest\","
                    + " \"egress\": {\"rules\": [" + JSON.writeValueAsString(rule) + "]}}");
            return SandboxConfigFile.load(file).egress().orElseThrow();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Outcome outcome(java.util.function.Supplier<String> parse) {
        try {
            return new Outcome(true, parse.get());
        } catch (SandboxConfigException e) {
            return new Outcome(false, "");
        }
    }

    /** Accepted with its canonical form, or rejected. */
    private record Outcome(boolean accepted, String canonical) {
    }

    /** Deterministic generator of rules, upstreams and policies. */
    private static final class Corpus {
        private static final String LABEL_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-_";
        private static final List<String> UNICODE_LABELS = List.of("bücher", "münchen", "παράδειγμα", "пример",
                "例え");
        private static final List<String> TLDS = List.of("com", "org", "net", "test", "example", "io", "de",
                "co.uk");
        private static final String MUTATIONS = " \t*.:,-/_[]!#0123456789aZ\u00fc";
        private final Random random;

        Corpus(long seed) {
            this.random = new Random(seed);
        }

        List<EgressPolicy> policies(int n) {
            List<EgressPolicy> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                EgressPolicy p = random.nextBoolean() ? EgressPolicy.denyAll() : EgressPolicy.allowAll();
                int rules = random.nextInt(9);
                for (int r = 0; r < rules; r++) {
                    p = p.with(rule());
                }
                int upstreams = random.nextInt(3);
                for (int u = 0; u < upstreams; u++) {
                    p = p.withUpstream(upstream());
                }
                out.add(p);
            }
            return out;
        }

        EgressRule rule() {
            EgressRule.Action action = random.nextInt(4) == 0 ? EgressRule.Action.DENY : EgressRule.Action.ALLOW;
            if (random.nextInt(3) == 0) {
                return new EgressRule.CidrRule(action, cidr(), ports());
            }
            while (true) {
                String prefix = switch (random.nextInt(3)) {
                    case 0 -> "";
                    case 1 -> "*.";
                    default -> "**.";
                };
                try {
                    return new EgressRule.HostRule(action, HostPattern.parse(prefix + domain()), ports());
                } catch (SandboxConfigException e) {
                    // a wildcard that landed on a public suffix (such as *.co.uk): draw again
                }
            }
        }

        private String domain() {
            int labels = 1 + random.nextInt(3);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < labels; i++) {
                sb.append(random.nextInt(8) == 0 ? pick(UNICODE_LABELS) : label()).append('.');
            }
            return sb.append(pick(TLDS)).toString();
        }

        private String label() {
            int length = random.nextInt(10) == 0 ? 63 : 1 + random.nextInt(12);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < length; i++) {
                char c = LABEL_CHARS.charAt(random.nextInt(LABEL_CHARS.length()));
                boolean edge = i == 0 || i == length - 1;
                sb.append(edge && c == '-' ? 'x' : c);
            }
            return sb.toString();
        }

        private List<Integer> ports() {
            int n = random.nextInt(4) == 0 ? 1 + random.nextInt(4) : 0;
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ports.add(random.nextBoolean() ? pick(List.of(22, 53, 80, 443, 8080)) : 1 + random.nextInt(65535));
            }
            return ports;
        }

        private Cidr cidr() {
            byte[] address = new byte[random.nextBoolean() ? 4 : 16];
            random.nextBytes(address);
            int prefix = random.nextInt(address.length * 8 + 1);
            if (address.length == 16 && address[0] == 0) {
                address[0] = 0x20;  // keep clear of IPv4-mapped and compatible forms
            }
            try {
                return new Cidr(InetAddress.getByAddress(mask(address, prefix)), prefix);
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }

        private static byte[] mask(byte[] address, int prefix) {
            byte[] out = address.clone();
            for (int i = 0; i < out.length; i++) {
                int keep = Math.max(0, Math.min(8, prefix - i * 8));
                out[i] = (byte) (out[i] & (0xff << (8 - keep)));
            }
            return out;
        }

        InetSocketAddress upstream() {
            byte[] address = new byte[random.nextBoolean() ? 4 : 16];
            random.nextBytes(address);
            if (address.length == 16) {
                address[0] = 0x20;
            }
            try {
                return new InetSocketAddress(InetAddress.getByAddress(address), 1 + random.nextInt(65535));
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The rule as a person might type it: any keyword case, extra blanks, a trailing dot, ports unsorted. */
        String sloppy(EgressRule rule) {
            String canonical = rule.toString();
            int space = canonical.indexOf(' ');
            String keyword = canonical.substring(0, space);
            String target = canonical.substring(space + 1);
            keyword = random.nextBoolean() ? keyword.toUpperCase(Locale.ROOT) : keyword;
            String blanks = pick(List.of(" ", "  ", "\t", " \t "));
            String ports = "";
            int colon = rule instanceof EgressRule.HostRule ? target.indexOf(':') : target.indexOf(':', target.indexOf('/'));
            if (colon >= 0) {
                List<Integer> list = new ArrayList<>(rule.ports());
                list.add(list.get(0));  // a duplicate
                Collections.shuffle(list, random);
                ports = ":" + String.join(",", list.stream().map(String::valueOf).toList());
                target = target.substring(0, colon);
            }
            if (rule instanceof EgressRule.HostRule h) {
                target = random.nextBoolean() ? target.toUpperCase(Locale.ROOT) : target;
                target = random.nextBoolean() ? target + "." : target;
                if (h.pattern().kind() == HostPattern.Kind.EXACT && random.nextInt(3) == 0) {
                    target = IDN.toUnicode(target.toLowerCase(Locale.ROOT));  // U-labels convert back to A-labels
                }
            }
            return pick(List.of("", " ", "\t")) + keyword + blanks + target + ports + pick(List.of("", " "));
        }

        /** One to three random edits: insert, delete or replace a character. */
        String mutate(String text) {
            StringBuilder sb = new StringBuilder(text);
            int edits = 1 + random.nextInt(3);
            for (int i = 0; i < edits; i++) {
                int at = random.nextInt(sb.length() + 1);
                char c = MUTATIONS.charAt(random.nextInt(MUTATIONS.length()));
                switch (random.nextInt(3)) {
                    case 0 -> sb.insert(at, c);
                    case 1 -> {
                        if (at < sb.length()) {
                            sb.deleteCharAt(at);
                        }
                    }
                    default -> {
                        if (at < sb.length()) {
                            sb.setCharAt(at, c);
                        }
                    }
                }
            }
            return sb.toString();
        }

        private <T> T pick(List<T> list) {
            return list.get(random.nextInt(list.size()));
        }
    }
}
