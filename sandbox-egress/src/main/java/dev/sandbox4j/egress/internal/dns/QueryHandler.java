package dev.sandbox4j.egress.internal.dns;

import dev.sandbox4j.egress.AllowedPorts;
import dev.sandbox4j.egress.EgressDecision;
import dev.sandbox4j.egress.EgressEvent;
import dev.sandbox4j.egress.EgressEvent.Verdict;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.EgressRule;
import dev.sandbox4j.egress.internal.LearnedAddresses;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Decides one query: bytes in, bytes out (or {@code null} to drop). Transport-free, so UDP and TCP share every
 * rule. Never relays client bytes upstream and never relays upstream bytes to the client: both directions are
 * rebuilt from checked fields.
 */
final class QueryHandler {
    /** CNAME steps followed before giving up. */
    static final int MAX_CHAIN = CnameChain.MAX_CHAIN;

    private final DnsInterceptorConfig config;
    private final EgressPolicy policy;
    private final UpstreamClient upstream;
    private final AddressGuard guard;
    private final LearnedTable learned;
    private final DnsEngine.Gate gate;
    private final DnsInterceptor.Counters counters;
    private final AnswerCache cache;

    QueryHandler(DnsInterceptorConfig config, DnsEngine.Gate gate, DnsInterceptor.Counters counters) {
        this.config = config;
        this.policy = config.policy();
        this.upstream = new UpstreamClient(config.upstreams(), config.upstreamTimeout(), config.upstreamDeadline());
        this.guard = new AddressGuard(config.hostAddresses());
        this.learned = new LearnedTable(config.maxAddressesPerName(), config.maxAddressesTotal());
        this.gate = gate;
        this.counters = counters;
        this.cache = new AnswerCache(config.cacheEntries());
    }

    /** The outcome of parsing a query: the question to decide ({@link Ask}) or the reply already due. */
    private sealed interface Parsed permits Ask, Reply {
    }

    /** A reply decided while parsing; {@code wire} null means send nothing. */
    private record Reply(byte[] wire) implements Parsed {
    }

    /** What the client asked, as far as it was understood. */
    private record Ask(int id, int opcode, boolean rd, Record question, OPTRecord opt, String qname, String qtype,
            boolean tcp) implements Parsed {
    }

    void clearCache() {
        cache.clear();
    }

    int learnedAddresses() {
        return learned.size();
    }

    /** Returned by {@link #handleCachedOnly} when answering needs the upstream (a worker must take it). */
    static final byte[] NEEDS_UPSTREAM = new byte[0];

    /**
     * Answers a query at once if that needs no upstream (denials, refusals, cached answers); otherwise returns
     * {@link #NEEDS_UPSTREAM} and has recorded nothing, so the caller hands the query to {@link #handle}.
     */
    byte[] handleCachedOnly(byte[] buf, int len) {
        return handle(buf, len, false, false);
    }

    /** The response to send, or null to send nothing. */
    byte[] handle(byte[] buf, int len, boolean tcp) {
        return handle(buf, len, tcp, true);
    }

    private byte[] handle(byte[] buf, int len, boolean tcp, boolean mayAskUpstream) {
        Parsed parsed = parse(buf, len, tcp);
        if (parsed instanceof Reply r) {
            return r.wire();
        }
        Ask ask = (Ask) parsed;
        String host = ldh(ask.question.getName());
        if (host == null) {
            return deny(ask, "", "the name holds bytes other than letters, digits, '-' and '_' (or is the root)");
        }
        int type = ask.question.getType();
        String key = AnswerCache.key(host, type);
        long now = config.clock().millis();
        AnswerCache.Entry hit = cache.get(key, now);
        if (hit != null) {
            // Only an allowed name of a served type is ever cached, and the policy decides a name the same way
            // every time: the hit needs no second decision.
            return fromCache(ask, type, hit, now);
        }
        EgressDecision decision = policy.decide(host);
        if (!decision.allowed()) {
            return deny(ask, decision.rule(), decision.reason());
        }
        if (type != Type.A && type != Type.AAAA && type != Type.CNAME) {
            return refuse(ask, Rcode.REFUSED, Verdict.REFUSED, ede(ExtendedErrorCodeOption.NOT_SUPPORTED,
                    "egress: query type " + ask.qtype + " is not served; only A, AAAA and CNAME"), "query type "
                    + ask.qtype + " is not served; only A, AAAA and CNAME");
        }
        return resolve(ask, host, type, key, now, decision, mayAskUpstream);
    }

    /**
     * Checks the query's header, sections and EDNS strictly. Never trusts dnsjava alone: it accepts QDCOUNT=2,
     * QR=1 and trailing bytes, so those are checked on the raw bytes first.
     */
    private Parsed parse(byte[] buf, int len, boolean tcp) {
        if (len < Header.LENGTH) {
            counters.dropped.incrementAndGet();
            return new Reply(null);
        }
        int id = u16(buf, 0);
        int flags = u16(buf, 2);
        if ((flags & 0x8000) != 0) {
            counters.dropped.incrementAndGet(); // a response sent to us: never answer it
            return new Reply(null);
        }
        int opcode = (flags >>> 11) & 0xf;
        boolean rd = (flags & 0x0100) != 0;
        Ask bare = new Ask(id, opcode, rd, null, null, "", "", tcp);
        if (opcode != Opcode.QUERY) {
            return new Reply(refuse(bare, Rcode.NOTIMP, Verdict.REFUSED, null, "opcode " + Opcode.string(opcode)
                    + " is not served; only QUERY"));
        }
        int qd = u16(buf, 4);
        int an = u16(buf, 6);
        int ns = u16(buf, 8);
        int ar = u16(buf, 10);
        if (qd != 1) {
            return new Reply(refuse(bare, Rcode.FORMERR, Verdict.REFUSED, null, "QDCOUNT is " + qd
                    + "; only queries with exactly one question are answered"));
        }
        if (an != 0 || ns != 0 || ar > 1 || (flags & 0x0200) != 0) {
            return new Reply(refuse(bare, Rcode.FORMERR, Verdict.REFUSED, null, "a query must have no answer or"
                    + " authority records, at most one additional (OPT) record, and no TC flag"));
        }
        Message msg;
        try {
            msg = new Message(Arrays.copyOf(buf, len));
        } catch (IOException e) {
            return new Reply(refuse(bare, Rcode.FORMERR, Verdict.REFUSED, null, "malformed query: "
                    + e.getMessage()));
        } catch (RuntimeException e) {
            counters.parserExceptions.incrementAndGet();
            return new Reply(refuse(bare, Rcode.FORMERR, Verdict.REFUSED, null, "malformed query ("
                    + e.getClass().getSimpleName() + ")"));
        }
        if (msg.numBytes() != len) {
            return new Reply(refuse(bare, Rcode.FORMERR, Verdict.REFUSED, null, (len - msg.numBytes())
                    + " bytes follow the query"));
        }
        List<Record> additional = msg.getSection(Section.ADDITIONAL);
        Record question = msg.getQuestion();
        if (question == null || msg.getSection(Section.QUESTION).size() != 1 || additional.size() != ar) {
            return new Reply(refuse(bare, Rcode.FORMERR, Verdict.REFUSED, null, "the query's sections do not match"
                    + " its counts"));
        }
        OPTRecord opt = null;
        if (ar == 1) {
            if (!(additional.get(0) instanceof OPTRecord o) || !o.getName().equals(Name.root)) {
                return new Reply(refuse(bare, Rcode.FORMERR, Verdict.REFUSED, null, "the only additional record a"
                        + " query may carry is an OPT record owned by the root"));
            }
            opt = o;
        }
        Ask ask = new Ask(id, opcode, rd, question, opt, display(question.getName()), Type.string(question.getType()),
                tcp);
        if (opt != null && opt.getVersion() != 0) {
            return new Reply(refuse(ask, Rcode.BADVERS, Verdict.REFUSED, null, "EDNS version " + opt.getVersion()
                    + " is not supported; use 0"));
        }
        if (question.getDClass() != DClass.IN) {
            return new Reply(refuse(ask, Rcode.REFUSED, Verdict.REFUSED, ede(ExtendedErrorCodeOption.NOT_SUPPORTED,
                    "egress: only class IN is served"), "class " + DClass.string(question.getDClass())
                    + " is not served; only IN"));
        }
        return ask;
    }

    /** An allowed A/AAAA/CNAME query the cache does not hold: upstream, checked, programmed, then released. */
    private byte[] resolve(Ask ask, String host, int type, String key, long now, EgressDecision decision,
            boolean mayAskUpstream) {
        if (!mayAskUpstream) {
            return NEEDS_UPSTREAM;
        }
        Name name;
        try {
            name = Name.fromString(host + ".");
        } catch (TextParseException e) {
            return deny(ask, "", "the name cannot be re-encoded: " + e.getMessage());
        }
        counters.upstreamQueries.incrementAndGet();
        UpstreamClient.Result result = upstream.query(name, type);
        Duration latency = Duration.ofNanos(result.latencyNanos());
        if (!result.ok()) {
            return fail(ask, decision.rule(), ede(ExtendedErrorCodeOption.NO_REACHABLE_AUTHORITY,
                    "egress: no upstream answered"), latency, "no upstream answered: " + result.failure());
        }
        Message answer = result.answer();
        if (answer.getRcode() != Rcode.NOERROR) {
            return negative(ask, decision, answer, latency);
        }
        CnameChain.Walk walk = CnameChain.walk(answer.getSection(Section.ANSWER), name, type, policy);
        if (walk instanceof CnameChain.Broken broken) {
            return broken(ask, decision, broken, latency);
        }
        CnameChain.Chain chain = (CnameChain.Chain) walk;
        List<InetAddress> inet = new ArrayList<>();
        Set<InetAddress> cidrOnly = new HashSet<>();
        byte[] refused = checkAddresses(ask, decision, chain.addresses(), inet, cidrOnly);
        if (refused != null) {
            return refused;
        }
        return release(ask, host, type, decision, chain, inet, cidrOnly, key, now, latency);
    }

    /**
     * A checked chain: its ports, the caps, the data plane, the cache, then the answer. Addresses over a cap are
     * withheld from both the enforcer and the answer; the answer says so in its audit reason.
     */
    private byte[] release(Ask ask, String host, int type, EgressDecision decision, CnameChain.Chain chain,
            List<InetAddress> inet, Set<InetAddress> cidrOnly, String key, long now, Duration latency) {
        long ttl = chain.minTtl() == Long.MAX_VALUE ? 0 : clamp(chain.minTtl());
        if (chain.addresses().isEmpty()) {
            return answer(ask, Rcode.NOERROR, chain.targets(), List.of(), type, ttl, decision.rule(), latency,
                    chain.targets().isEmpty() ? "allowed by '" + decision.rule() + "'; the upstream has no such"
                            + " records" : decision.reason());
        }
        PortPlan plan = portPlan(host, chain.targets(), inet, cidrOnly);
        if (plan.noPort() != null) {
            return deny(ask, decision.rule(), plan.noPort());
        }
        LearnedTable.Admission admission = admit(host, inet, ttl);
        if (admission.admitted().isEmpty()) {
            return refuse(ask, Rcode.SERVFAIL, Verdict.REFUSED, ede(ExtendedErrorCodeOption.OTHER,
                    "egress: address cap reached"), "address cap reached: " + admission.cap() + "; "
                    + inet.size() + " new address" + (inet.size() == 1 ? "" : "es") + " withheld",
                    decision.rule(), latency);
        }
        List<byte[]> released = chain.addresses();
        String trimmed = "";
        if (admission.withheld() > 0) {
            released = released.stream().filter(raw -> admission.admitted().contains(address(raw))).toList();
            trimmed = "; address cap reached: " + admission.cap() + "; " + admission.withheld() + " of the answer's "
                    + inet.size() + " addresses withheld";
        }
        String gateFailure = programAll(host, chain.targets(), admission.admitted(), plan.ports(), ttl);
        if (gateFailure != null) {
            return fail(ask, decision.rule(), ede(ExtendedErrorCodeOption.OTHER, "egress: enforcement not confirmed"),
                    latency, gateFailure);
        }
        cache.put(key, new AnswerCache.Entry(chain.targets(), released, decision.rule(), now + ttl * 1000), now);
        return answer(ask, Rcode.NOERROR, chain.targets(), released, type, ttl, decision.rule(), latency,
                decision.reason() + trimmed);
    }

    /**
     * Which ports each answer address may be opened on.
     *
     * @param ports  per address, in answer order
     * @param noPort why some address could be opened on no port at all (the name is then denied), else null
     */
    private record PortPlan(Map<InetAddress, AllowedPorts> ports, String noPort) {
    }

    /**
     * The ports every name on the chain allows, narrowed per address by the CIDR rules covering it (an address in
     * a deny class keeps only the ports its allow-cidr rule names).
     */
    private PortPlan portPlan(String host, List<String> targets, List<InetAddress> inet, Set<InetAddress> cidrOnly) {
        AllowedPorts names = CnameChain.ports(policy, host, targets);
        if (names.isNone()) {
            return new PortPlan(Map.of(), "no port is allowed for every name on the CNAME chain " + host + ". -> "
                    + String.join(" -> ", targets) + " (" + portText(host)
                    + targets.stream().map(t -> "; " + portText(t)).collect(Collectors.joining())
                    + "): the answer's addresses could be used on none");
        }
        Map<InetAddress, AllowedPorts> out = new LinkedHashMap<>();
        for (InetAddress a : inet) {
            AllowedPorts byCidr = AddressPorts.fold(policy, a, cidrOnly.contains(a) ? AllowedPorts.NONE
                    : AllowedPorts.ALL);
            AllowedPorts both = CnameChain.intersect(names, byCidr);
            if (both.isNone()) {
                return new PortPlan(Map.of(), "answer address " + a.getHostAddress() + " could be used on no port:"
                        + " the names allow " + describe(names) + ", the CIDR rules covering it " + describe(byCidr));
            }
            out.put(a, both);
        }
        return new PortPlan(out, null);
    }

    /**
     * Programs the admitted addresses: one sink call per distinct set of ports (usually one), every call confirmed
     * before the answer may leave. Null when all are in force, else why not.
     */
    private String programAll(String host, List<String> targets, List<InetAddress> admitted,
            Map<InetAddress, AllowedPorts> ports, long ttl) {
        Map<AllowedPorts, List<InetAddress>> groups = new LinkedHashMap<>();
        for (InetAddress a : admitted) {
            groups.computeIfAbsent(ports.get(a), p -> new ArrayList<>()).add(a);
        }
        for (Map.Entry<AllowedPorts, List<InetAddress>> g : groups.entrySet()) {
            String failure = program(new LearnedAddresses(host + ".", targets, g.getValue(), Duration.ofSeconds(ttl),
                    g.getKey()));
            if (failure != null) {
                return failure;
            }
        }
        return null;
    }

    /**
     * Counts the addresses against the caps until the enforcer closes them: the TTL plus the enforcer's grace,
     * plus the gate timeout, since the enforcer's clock starts when the sink runs, not now.
     */
    private LearnedTable.Admission admit(String host, List<InetAddress> inet, long ttl) {
        long at = config.clock().millis();
        long openUntil = at + ttl * 1000 + config.enforcerGrace().toMillis() + config.gateTimeout().toMillis();
        return learned.admit(host + ".", inet, at, openUntil);
    }

    /**
     * An upstream answer whose rcode is not NOERROR. Such an answer never opens anything: whatever records it
     * carries are dropped unread (an NXDOMAIN that also carries A records would otherwise open addresses for a
     * name that "does not exist"). NXDOMAIN is passed on, bare and uncached; any other rcode is SERVFAIL.
     */
    private byte[] negative(Ask ask, EgressDecision decision, Message answer, Duration latency) {
        int rcode = answer.getRcode();
        int carried = answer.getSection(Section.ANSWER).size();
        String dropped = carried == 0 ? "" : "; the " + carried + " answer record" + (carried == 1 ? "" : "s")
                + " it carried " + (carried == 1 ? "was" : "were") + " dropped: a negative answer opens nothing";
        if (rcode == Rcode.NXDOMAIN) {
            return answer(ask, Rcode.NXDOMAIN, List.of(), List.of(), ask.question.getType(), 0, decision.rule(),
                    latency, "allowed by '" + decision.rule() + "'; the upstream says the name does not exist"
                            + dropped);
        }
        return fail(ask, decision.rule(), ede(ExtendedErrorCodeOption.OTHER, "egress: the upstream answered "
                + Rcode.string(rcode)), latency, "the upstream answered " + Rcode.string(rcode) + dropped);
    }

    /** A cached answer, with the TTL that remains (at least 1 s). */
    private byte[] fromCache(Ask ask, int type, AnswerCache.Entry hit, long now) {
        counters.cacheHits.incrementAndGet();
        long ttl = Math.max(1, (hit.expiresAt() - now + 999) / 1000);
        return answer(ask, Rcode.NOERROR, hit.chain(), hit.addresses(), type, ttl, hit.rule(), Duration.ZERO,
                "allowed by '" + hit.rule() + "' (cached)");
    }

    /** The response for a chain that must not be released: denied targets NXDOMAIN, loops and length SERVFAIL. */
    private byte[] broken(Ask ask, EgressDecision decision, CnameChain.Broken broken, Duration latency) {
        return switch (broken.problem()) {
            case TARGET_NOT_LDH -> deny(ask, decision.rule(), broken.reason());
            case TARGET_DENIED -> deny(ask, broken.rule(), broken.reason());
            case LOOP, TOO_LONG -> fail(ask, decision.rule(), null, latency, broken.reason());
        };
    }

    /**
     * Every address must be outside the deny classes, unless an allow-cidr rule covers it: null when all pass (and
     * {@code out} holds them), else the denial for the whole name.
     */
    private byte[] checkAddresses(Ask ask, EgressDecision decision, List<byte[]> addresses, List<InetAddress> out,
            Set<InetAddress> cidrOnly) {
        for (byte[] raw : addresses) {
            InetAddress a = address(raw);
            Optional<String> denied = guard.deniedClass(raw);
            if (denied.isPresent()) {
                if (!coveredByCidr(a, denied.get())) {
                    return deny(ask, decision.rule(), "answer address " + a.getHostAddress() + " is "
                            + denied.get() + "; add an allow-cidr rule to permit it");
                }
                cidrOnly.add(a);
            } else {
                EgressDecision byCidr = policy.decide(a);
                if (!byCidr.allowed() && !byCidr.byDefault()) {
                    return deny(ask, byCidr.rule(), "answer address " + byCidr.reason());
                }
            }
            out.add(a);
        }
        return null;
    }

    private boolean coveredByCidr(InetAddress a, String deniedClass) {
        EgressDecision d = policy.decide(a);
        if (!d.allowed() || d.byDefault()) {
            return false;
        }
        if (AddressGuard.isMetadata(deniedClass)) {
            return EgressPolicy.parseRule(d.rule()) instanceof EgressRule.CidrRule c && c.cidr().isSingleHost();
        }
        return true;
    }

    /** Calls the sink with a bounded wait; null when the addresses are in force, else why not. */
    private String program(LearnedAddresses grant) {
        Future<?> f;
        try {
            f = gate.submit(() -> {
                config.sink().allow(grant);
                return null;
            });
        } catch (RejectedExecutionException e) {
            return "enforcement is shut down or saturated";
        }
        try {
            f.get(config.gateTimeout().toNanos(), TimeUnit.NANOSECONDS);
            return null;
        } catch (TimeoutException e) {
            f.cancel(true);
            return "enforcement did not confirm within " + config.gateTimeout().toMillis() + " ms";
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            return "enforcement failed: " + c.getClass().getSimpleName() + (c.getMessage() == null ? ""
                    : ": " + c.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            return "interrupted while waiting for enforcement";
        }
    }

    /** "a.example. every port except 22", "a.example. ports 443", "a.example. no port": for reasons. */
    private String portText(String name) {
        return (name.endsWith(".") ? name : name + ".") + " " + describe(policy.allowedPorts(name));
    }

    /** "every port except 22", "ports 80,443", "no port", "every port". */
    private static String describe(AllowedPorts p) {
        if (p.isAll()) {
            return "every port";
        }
        if (p.isNone()) {
            return "no port";
        }
        String list = p.ports().stream().map(String::valueOf).collect(Collectors.joining(","));
        return (p.allExcept() ? "every port except " : "ports ") + list;
    }

    private long clamp(long ttl) {
        return Math.max(config.minTtl().toSeconds(), Math.min(config.maxTtl().toSeconds(), ttl));
    }

    private byte[] answer(Ask ask, int rcode, List<String> chain, List<byte[]> addresses, int type, long ttl,
            String rule, Duration latency, String reason) {
        List<Record> records = new ArrayList<>();
        List<String> shown = new ArrayList<>();
        Name owner = ask.question.getName();
        for (String t : chain) {
            Name target = Name.fromConstantString(t);
            records.add(new CNAMERecord(owner, DClass.IN, ttl, target));
            owner = target;
            if (type == Type.CNAME) {
                shown.add(t);
            }
        }
        for (byte[] raw : addresses) {
            records.add(raw.length == 4 ? new ARecord(owner, DClass.IN, ttl, raw)
                    : new AAAARecord(owner, DClass.IN, ttl, raw));
            shown.add(address(raw).getHostAddress());
        }
        byte[] wire = wire(ask, rcode, records, null);
        event(ask, Verdict.ALLOWED, rcode, rule, shown, Duration.ofSeconds(records.isEmpty() ? 0 : ttl), latency,
                reason);
        return wire;
    }

    private byte[] deny(Ask ask, String rule, String reason) {
        counters.denied.incrementAndGet();
        byte[] wire = wire(ask, Rcode.NXDOMAIN, List.of(), ede(ExtendedErrorCodeOption.PROHIBITED, "egress: " + reason));
        event(ask, Verdict.DENIED, Rcode.NXDOMAIN, rule, List.of(), Duration.ZERO, Duration.ZERO, reason);
        return wire;
    }

    private byte[] fail(Ask ask, String rule, EDNSOption ede, Duration latency, String reason) {
        counters.failed.incrementAndGet();
        byte[] wire = wire(ask, Rcode.SERVFAIL, List.of(), ede);
        event(ask, Verdict.FAILED, Rcode.SERVFAIL, rule, List.of(), Duration.ZERO, latency, reason);
        return wire;
    }

    private byte[] refuse(Ask ask, int rcode, Verdict verdict, EDNSOption ede, String reason) {
        return refuse(ask, rcode, verdict, ede, reason, "", Duration.ZERO);
    }

    private byte[] refuse(Ask ask, int rcode, Verdict verdict, EDNSOption ede, String reason, String rule,
            Duration latency) {
        counters.refused.incrementAndGet();
        byte[] wire = wire(ask, rcode, List.of(), ede);
        event(ask, verdict, rcode, rule, List.of(), Duration.ZERO, latency, reason);
        return wire;
    }

    /**
     * The response: the client's ID, opcode and RD; QR and RA; the client's question when it was parsed; an OPT
     * record (ours, carrying only the extended error) only when the client sent one (RFC 6891, RFC 8914). Sized
     * to the client's UDP buffer (512 without EDNS, at most 1232); larger answers are truncated with TC=1.
     */
    private byte[] wire(Ask ask, int rcode, List<Record> answers, EDNSOption ede) {
        if (ask.question == null) {
            byte[] h = new byte[Header.LENGTH];
            h[0] = (byte) (ask.id >>> 8);
            h[1] = (byte) ask.id;
            h[2] = (byte) (0x80 | (ask.opcode << 3) | (ask.rd ? 1 : 0));
            h[3] = (byte) (0x80 | (rcode & 0xf));
            return h;
        }
        Message m = new Message(ask.id);
        Header h = m.getHeader();
        h.setFlag(Flags.QR);
        h.setFlag(Flags.RA);
        if (ask.rd) {
            h.setFlag(Flags.RD);
        }
        h.setOpcode(ask.opcode);
        h.setRcode(rcode & 0xf);
        m.addRecord(ask.question, Section.QUESTION);
        for (Record r : answers) {
            m.addRecord(r, Section.ANSWER);
        }
        int max = 512;
        if (ask.opt != null) {
            m.addRecord(ede == null ? new OPTRecord(UpstreamClient.EDNS_SIZE, rcode >>> 4, 0, 0)
                    : new OPTRecord(UpstreamClient.EDNS_SIZE, rcode >>> 4, 0, 0, ede), Section.ADDITIONAL);
            max = Math.max(512, Math.min(UpstreamClient.EDNS_SIZE, ask.opt.getPayloadSize()));
        }
        return m.toWire(ask.tcp ? 65535 : max);
    }

    private void event(Ask ask, Verdict verdict, int rcode, String rule, List<String> answers, Duration ttl,
            Duration latency, String reason) {
        config.recorder().record(new EgressEvent.DnsDecision(config.clock().instant(), ask.qname, ask.qtype, verdict,
                Rcode.string(rcode), rule, answers, ttl, latency, (ask.tcp ? "tcp: " : "udp: ") + reason));
    }

    private static ExtendedErrorCodeOption ede(int code, String text) {
        return new ExtendedErrorCodeOption(code, text);
    }

    /** The name as lowercase text if every label is letters, digits, '-' or '_', without the trailing dot. */
    static String ldh(Name name) {
        if (!name.isAbsolute() || name.labels() < 2) {
            return null;
        }
        StringBuilder sb = new StringBuilder(name.length());
        for (int i = 0; i < name.labels() - 1; i++) {
            byte[] label = name.getLabel(i);
            if (label.length < 2) {
                return null;
            }
            if (i > 0) {
                sb.append('.');
            }
            for (int j = 1; j < label.length; j++) {
                int c = label[j] & 0xff;
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                        || c == '_')) {
                    return null;
                }
                sb.append((char) (c >= 'A' && c <= 'Z' ? c + 32 : c));
            }
        }
        return sb.toString();
    }

    static String display(Name name) {
        return name.toString().toLowerCase(Locale.ROOT);
    }

    static InetAddress address(byte[] raw) {
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("address of " + raw.length + " bytes", e);
        }
    }

    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }
}
