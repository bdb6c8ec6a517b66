package dev.sandbox4j.egress.internal.dns;

import dev.sandbox4j.egress.AllowedPorts;
import dev.sandbox4j.egress.EgressDecision;
import dev.sandbox4j.egress.EgressPolicy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The part of an upstream answer the sandbox may see: the query name's CNAME chain (every target allowed by the
 * policy, no loops, at most {@link #MAX_CHAIN} links) and the query type's records at its end. Everything else in
 * the answer section is ignored. Pure: no I/O, no state.
 */
final class CnameChain {
    /** CNAME steps followed before giving up. */
    static final int MAX_CHAIN = 8;

    private CnameChain() {
    }

    /** What following the chain gave: a {@link Chain} to release, or why not ({@link Broken}). */
    sealed interface Walk permits Chain, Broken {
    }

    /**
     * A chain that may be released.
     *
     * @param targets   the CNAME targets followed from the query name, in order, lowercase, absolute
     * @param addresses the canonical rdata of the query type's records at the chain's end, distinct, in answer
     *                  order (empty for CNAME queries)
     * @param minTtl    the smallest TTL of the kept records; {@link Long#MAX_VALUE} when none was kept
     */
    record Chain(List<String> targets, List<byte[]> addresses, long minTtl) implements Walk {
        Chain {
            targets = List.copyOf(targets);
            addresses = List.copyOf(addresses);
        }
    }

    /** Why a chain cannot be released. */
    enum Problem {
        /** A target holds bytes other than letters, digits, '-' and '_' (denied). */
        TARGET_NOT_LDH,
        /** The policy denies a target (denied). */
        TARGET_DENIED,
        /** A target was seen before (failed). */
        LOOP,
        /** More than {@link #MAX_CHAIN} links (failed). */
        TOO_LONG
    }

    /**
     * A chain that must not be released.
     *
     * @param problem what is wrong
     * @param rule    the rule that denied a target ({@link Problem#TARGET_DENIED}), else null: the query's rule
     * @param reason  a sentence for the audit trail and the extended error
     */
    record Broken(Problem problem, String rule, String reason) implements Walk {
    }

    /** Follows {@code qname}'s chain through the answer section's records of class IN. */
    static Walk walk(List<Record> records, Name qname, int type, EgressPolicy policy) {
        List<String> targets = new ArrayList<>();
        List<byte[]> addresses = new ArrayList<>();
        Set<Name> seen = new HashSet<>();
        Name current = qname;
        long minTtl = Long.MAX_VALUE;
        for (int step = 0; step <= MAX_CHAIN; step++) {
            seen.add(current);
            CNAMERecord cname = null;
            List<Record> here = new ArrayList<>();
            for (Record r : records) {
                if (r.getDClass() == DClass.IN && r.getName().equals(current)) {
                    if (r instanceof CNAMERecord c && cname == null) {
                        cname = c;
                    } else if (r.getType() == type && type != Type.CNAME) {
                        here.add(r);
                    }
                }
            }
            if (cname == null) {
                for (Record r : here) {
                    byte[] raw = r.rdataToWireCanonical();
                    if (addresses.stream().noneMatch(a -> Arrays.equals(a, raw))) {
                        addresses.add(raw);
                    }
                    minTtl = Math.min(minTtl, r.getTTL());
                }
                return new Chain(targets, addresses, minTtl);
            }
            Name target = cname.getTarget();
            String t = QueryHandler.ldh(target);
            if (t == null) {
                return new Broken(Problem.TARGET_NOT_LDH, null, "the CNAME target " + QueryHandler.display(target)
                        + " holds bytes other than letters, digits, '-' and '_'");
            }
            EgressDecision td = policy.decide(t);
            if (!td.allowed()) {
                return new Broken(Problem.TARGET_DENIED, td.rule(), "CNAME target " + t + ". is not allowed: "
                        + td.reason());
            }
            if (seen.contains(target)) {
                return new Broken(Problem.LOOP, null, "the CNAME chain loops at " + t + ".");
            }
            targets.add(t + ".");
            minTtl = Math.min(minTtl, cname.getTTL());
            current = target;
            if (type == Type.CNAME) {
                return new Chain(targets, addresses, minTtl);
            }
        }
        return new Broken(Problem.TOO_LONG, null, "the CNAME chain is longer than " + MAX_CHAIN);
    }

    /**
     * The ports the learned addresses may be used on: those every name on the chain allows (the query name and each
     * target), since the addresses belong to all of them. A port-limited rule on any link, allow or deny, limits the
     * answer.
     */
    static AllowedPorts ports(EgressPolicy policy, String qname, List<String> targets) {
        AllowedPorts ports = policy.allowedPorts(qname);
        for (String t : targets) {
            ports = intersect(ports, policy.allowedPorts(t));
        }
        return ports;
    }

    /** The ports both allow. */
    static AllowedPorts intersect(AllowedPorts a, AllowedPorts b) {
        TreeSet<Integer> out;
        if (a.allExcept() && b.allExcept()) {
            out = new TreeSet<>(a.ports());
            out.addAll(b.ports());
            return new AllowedPorts(true, List.copyOf(out));
        }
        if (!a.allExcept() && !b.allExcept()) {
            out = new TreeSet<>(a.ports());
            out.retainAll(b.ports());
        } else {
            AllowedPorts listed = a.allExcept() ? b : a;
            AllowedPorts except = a.allExcept() ? a : b;
            out = new TreeSet<>(listed.ports());
            out.removeAll(except.ports());
        }
        return new AllowedPorts(false, List.copyOf(out));
    }
}
