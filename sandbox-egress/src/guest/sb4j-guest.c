/*
 * sb4j-guest: the guest-side piece of Sandbox4j's egress control for Apple's container (one VM per container,
 * started with --network none, so the VM has no NIC at all).
 *
 * It runs in the VM's root namespaces before the workload exists and does three things:
 *   1. network setup: brings up lo, adds a default route through lo (source 127.0.0.1), and loads nftables rules (over raw
 *      netlink, no nft binary needed) that redirect every TCP connection and every DNS packet to the relay,
 *      and drop everything else that is not loopback traffic;
 *   2. the relay: accepts the redirected connections and datagrams and carries each one over a unix socket to
 *      the Sandbox4j JVM on the host, which decides, resolves and connects (see docs/egress.md for the
 *      protocol); the relay decides nothing itself;
 *   3. exec of the real init (/sbin/vminitd.real in an init image), so the VM boots as usual.
 *
 * Modes:
 *   invoked as .../vminitd       setup + relay (socket dir /run/sockets) + exec /sbin/vminitd.real argv
 *   sb4j-guest setup [opts] -- CMD...   setup + relay, then exec CMD (tests; PID 1 of a container)
 *   sb4j-guest relay [opts]      only the relay, in the foreground
 * Options: --socket PATH | --socket-dir DIR, --tcp-port N (default 10080), --dns-port N (default 10053).
 *
 * Static, no dependencies beyond libc. Linux only.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SO_ORIGINAL_DST
#define SO_ORIGINAL_DST 80
#endif

#define PROTO_MAGIC "SB4J"
#define PROTO_VERSION 1
#define T_HELLO 0
#define T_CONNECT 1
#define T_DNS 2
#define S_OK 0
#define HEADER 8
#define MAX_CHILDREN 256
#define TABLE "sandbox4j"

static const char *socket_path;
static const char *socket_dir;
static char found_socket[sizeof(((struct sockaddr_un *)0)->sun_path)];
static int tcp_port = 10080;
static int dns_port = 10053;
static int log_fd = 2;

static void logmsg(const char *fmt, ...) {
    char buf[512];
    int n = snprintf(buf, sizeof buf, "<6>sb4j-guest: ");
    va_list ap;
    va_start(ap, fmt);
    n += vsnprintf(buf + n, sizeof buf - n - 1, fmt, ap);
    va_end(ap);
    if (n > (int) sizeof buf - 2) {
        n = sizeof buf - 2;
    }
    buf[n++] = '\n';
    /* /dev/kmsg lines keep the priority prefix; stderr lines drop it */
    if (log_fd == 2) {
        ssize_t ignored = write(2, buf + 3, n - 3);
        (void) ignored;
    } else {
        ssize_t ignored = write(log_fd, buf, n);
        (void) ignored;
    }
}

/* ---------------------------------------------------------------- network setup: lo, route */

static int bring_up_lo(void) {
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
        return -1;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    int rc = ioctl(s, SIOCGIFFLAGS, &ifr);
    if (rc == 0 && !(ifr.ifr_flags & IFF_UP)) {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        rc = ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    close(s);
    return rc;
}

/* ---------------------------------------------------------------- nftables over netlink */

struct buf {
    unsigned char data[8192];
    size_t len;
};

static struct nlattr *attr_begin(struct buf *b, uint16_t type) {
    struct nlattr *a = (struct nlattr *) (b->data + b->len);
    a->nla_type = type;
    a->nla_len = NLA_HDRLEN;
    b->len += NLA_HDRLEN;
    return a;
}

static void attr_end(struct buf *b, struct nlattr *a) {
    a->nla_len = (uint16_t) ((b->data + b->len) - (unsigned char *) a);
}

static void attr_put(struct buf *b, uint16_t type, const void *v, size_t n) {
    struct nlattr *a = attr_begin(b, type);
    memcpy(b->data + b->len, v, n);
    b->len += n;
    attr_end(b, a);
    while (b->len % NLA_ALIGNTO) {
        b->data[b->len++] = 0;
    }
}

static void attr_u32(struct buf *b, uint16_t type, uint32_t host) {
    uint32_t be = htonl(host);
    attr_put(b, type, &be, 4);
}

static void attr_str(struct buf *b, uint16_t type, const char *s) {
    attr_put(b, type, s, strlen(s) + 1);
}

static struct nlattr *nest(struct buf *b, uint16_t type) {
    return attr_begin(b, type | NLA_F_NESTED);
}

static uint32_t seq_no;
static int messages;

static struct nlmsghdr *msg_begin(struct buf *b, uint16_t type, uint16_t flags, uint8_t family, uint16_t res) {
    struct nlmsghdr *h = (struct nlmsghdr *) (b->data + b->len);
    memset(h, 0, NLMSG_HDRLEN + sizeof(struct nfgenmsg));
    h->nlmsg_type = type;
    h->nlmsg_flags = NLM_F_REQUEST | flags;
    h->nlmsg_seq = ++seq_no;
    struct nfgenmsg *g = (struct nfgenmsg *) NLMSG_DATA(h);
    g->nfgen_family = family;
    g->version = NFNETLINK_V0;
    g->res_id = htons(res);
    b->len += NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg));
    return h;
}

static void msg_end(struct buf *b, struct nlmsghdr *h) {
    h->nlmsg_len = (uint32_t) ((b->data + b->len) - (unsigned char *) h);
}

static struct nlmsghdr *nft_msg(struct buf *b, int type, uint8_t family) {
    messages++;
    return msg_begin(b, (NFNL_SUBSYS_NFTABLES << 8) | type, NLM_F_CREATE | NLM_F_ACK, family, 0);
}

static void add_table(struct buf *b, uint8_t family) {
    struct nlmsghdr *h = nft_msg(b, NFT_MSG_NEWTABLE, family);
    attr_str(b, NFTA_TABLE_NAME, TABLE);
    msg_end(b, h);
}

static void add_chain(struct buf *b, uint8_t family, const char *name, const char *type, int prio, int policy) {
    struct nlmsghdr *h = nft_msg(b, NFT_MSG_NEWCHAIN, family);
    attr_str(b, NFTA_CHAIN_TABLE, TABLE);
    attr_str(b, NFTA_CHAIN_NAME, name);
    struct nlattr *hook = nest(b, NFTA_CHAIN_HOOK);
    attr_u32(b, NFTA_HOOK_HOOKNUM, NF_INET_LOCAL_OUT);
    attr_u32(b, NFTA_HOOK_PRIORITY, (uint32_t) prio);
    attr_end(b, hook);
    attr_u32(b, NFTA_CHAIN_POLICY, (uint32_t) policy);
    attr_str(b, NFTA_CHAIN_TYPE, type);
    msg_end(b, h);
}

/* Expressions of one rule are written between rule_begin and rule_end. */
static struct nlmsghdr *rule_msg;
static struct nlattr *rule_exprs;

static void rule_begin(struct buf *b, uint8_t family, const char *chain) {
    rule_msg = nft_msg(b, NFT_MSG_NEWRULE, family);
    rule_msg->nlmsg_flags |= NLM_F_APPEND;
    attr_str(b, NFTA_RULE_TABLE, TABLE);
    attr_str(b, NFTA_RULE_CHAIN, chain);
    rule_exprs = nest(b, NFTA_RULE_EXPRESSIONS);
}

static void rule_end(struct buf *b) {
    attr_end(b, rule_exprs);
    msg_end(b, rule_msg);
}

static struct nlattr *expr_begin(struct buf *b, const char *name, struct nlattr **data) {
    struct nlattr *e = nest(b, NFTA_LIST_ELEM);
    attr_str(b, NFTA_EXPR_NAME, name);
    *data = nest(b, NFTA_EXPR_DATA);
    return e;
}

static void expr_end(struct buf *b, struct nlattr *e, struct nlattr *data) {
    attr_end(b, data);
    attr_end(b, e);
}

static void e_meta(struct buf *b, uint32_t key) {
    struct nlattr *d, *e = expr_begin(b, "meta", &d);
    attr_u32(b, NFTA_META_KEY, key);
    attr_u32(b, NFTA_META_DREG, NFT_REG_1);
    expr_end(b, e, d);
}

static void e_payload(struct buf *b, uint32_t base, uint32_t offset, uint32_t len) {
    struct nlattr *d, *e = expr_begin(b, "payload", &d);
    attr_u32(b, NFTA_PAYLOAD_DREG, NFT_REG_1);
    attr_u32(b, NFTA_PAYLOAD_BASE, base);
    attr_u32(b, NFTA_PAYLOAD_OFFSET, offset);
    attr_u32(b, NFTA_PAYLOAD_LEN, len);
    expr_end(b, e, d);
}

static void e_cmp_eq(struct buf *b, const void *v, size_t n) {
    struct nlattr *d, *e = expr_begin(b, "cmp", &d);
    attr_u32(b, NFTA_CMP_SREG, NFT_REG_1);
    attr_u32(b, NFTA_CMP_OP, NFT_CMP_EQ);
    struct nlattr *data = nest(b, NFTA_CMP_DATA);
    attr_put(b, NFTA_DATA_VALUE, v, n);
    attr_end(b, data);
    expr_end(b, e, d);
}

static void e_mask(struct buf *b, const void *mask, size_t n) {
    static const unsigned char zero[16];
    struct nlattr *d, *e = expr_begin(b, "bitwise", &d);
    attr_u32(b, NFTA_BITWISE_SREG, NFT_REG_1);
    attr_u32(b, NFTA_BITWISE_DREG, NFT_REG_1);
    attr_u32(b, NFTA_BITWISE_LEN, (uint32_t) n);
    struct nlattr *m = nest(b, NFTA_BITWISE_MASK);
    attr_put(b, NFTA_DATA_VALUE, mask, n);
    attr_end(b, m);
    struct nlattr *x = nest(b, NFTA_BITWISE_XOR);
    attr_put(b, NFTA_DATA_VALUE, zero, n);
    attr_end(b, x);
    expr_end(b, e, d);
}

static void e_verdict(struct buf *b, int verdict) {
    struct nlattr *d, *e = expr_begin(b, "immediate", &d);
    attr_u32(b, NFTA_IMMEDIATE_DREG, NFT_REG_VERDICT);
    struct nlattr *data = nest(b, NFTA_IMMEDIATE_DATA);
    struct nlattr *v = nest(b, NFTA_DATA_VERDICT);
    attr_u32(b, NFTA_VERDICT_CODE, (uint32_t) verdict);
    attr_end(b, v);
    attr_end(b, data);
    expr_end(b, e, d);
}

static void e_redirect(struct buf *b, int port) {
    struct nlattr *d, *e = expr_begin(b, "immediate", &d);
    attr_u32(b, NFTA_IMMEDIATE_DREG, NFT_REG_1);
    struct nlattr *data = nest(b, NFTA_IMMEDIATE_DATA);
    uint16_t be = htons((uint16_t) port);
    attr_put(b, NFTA_DATA_VALUE, &be, 2);
    attr_end(b, data);
    expr_end(b, e, d);
    e = expr_begin(b, "redir", &d);
    attr_u32(b, NFTA_REDIR_REG_PROTO_MIN, NFT_REG_1);
    expr_end(b, e, d);
}

static void e_counter(struct buf *b) {
    struct nlattr *d, *e = expr_begin(b, "counter", &d);
    expr_end(b, e, d);
}

static void match_l4(struct buf *b, uint8_t proto) {
    e_meta(b, NFT_META_L4PROTO);
    e_cmp_eq(b, &proto, 1);
}

static void match_dport(struct buf *b, uint16_t port) {
    uint16_t be = htons(port);
    e_payload(b, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
    e_cmp_eq(b, &be, 2);
}

static void match_loopback_daddr(struct buf *b) {
    static const unsigned char mask[4] = {255, 0, 0, 0};
    static const unsigned char net[4] = {127, 0, 0, 0};
    e_payload(b, NFT_PAYLOAD_NETWORK_HEADER, 16, 4);
    e_mask(b, mask, 4);
    e_cmp_eq(b, net, 4);
}

static void match_oif(struct buf *b, uint32_t ifindex) {
    e_meta(b, NFT_META_OIF);
    e_cmp_eq(b, &ifindex, 4); /* host byte order, as the kernel stores it */
}

/*
 * table ip sandbox4j {
 *   chain nat_out { type nat hook output priority -100; policy accept;
 *     udp dport 53 redirect to :DNS; tcp dport 53 redirect to :TCP;
 *     ip daddr 127.0.0.0/8 accept; meta l4proto tcp redirect to :TCP }
 *   chain filter_out { type filter hook output priority 0; policy drop;
 *     ip daddr 127.0.0.0/8 accept; counter drop } }
 * Every IPv4 destination is routed through lo, so "oif lo" would match everything: IPv4 is judged by address
 * (redirected packets already carry 127.0.0.1 at priority 0). IPv6 has no default route at all.
 * table ip6 sandbox4j {
 *   chain filter_out { type filter hook output priority 0; policy drop; oif "lo" accept; counter drop } }
 */
static void build_ruleset(struct buf *b) {
    uint32_t lo = if_nametoindex("lo");
    struct nlmsghdr *begin = msg_begin(b, NFNL_MSG_BATCH_BEGIN, 0, AF_UNSPEC, NFNL_SUBSYS_NFTABLES);
    msg_end(b, begin);

    add_table(b, NFPROTO_IPV4);
    add_chain(b, NFPROTO_IPV4, "nat_out", "nat", -100, NF_ACCEPT);
    add_chain(b, NFPROTO_IPV4, "filter_out", "filter", 0, NF_DROP);

    rule_begin(b, NFPROTO_IPV4, "nat_out");
    match_l4(b, IPPROTO_UDP);
    match_dport(b, 53);
    e_redirect(b, dns_port);
    rule_end(b);

    rule_begin(b, NFPROTO_IPV4, "nat_out");
    match_l4(b, IPPROTO_TCP);
    match_dport(b, 53);
    e_redirect(b, tcp_port);
    rule_end(b);

    rule_begin(b, NFPROTO_IPV4, "nat_out");
    match_loopback_daddr(b);
    e_verdict(b, NF_ACCEPT);
    rule_end(b);

    rule_begin(b, NFPROTO_IPV4, "nat_out");
    match_l4(b, IPPROTO_TCP);
    e_redirect(b, tcp_port);
    rule_end(b);

    rule_begin(b, NFPROTO_IPV4, "filter_out");
    match_loopback_daddr(b);
    e_verdict(b, NF_ACCEPT);
    rule_end(b);

    rule_begin(b, NFPROTO_IPV4, "filter_out");
    e_counter(b);
    e_verdict(b, NF_DROP);
    rule_end(b);

    add_table(b, NFPROTO_IPV6);
    add_chain(b, NFPROTO_IPV6, "filter_out", "filter", 0, NF_DROP);

    rule_begin(b, NFPROTO_IPV6, "filter_out");
    match_oif(b, lo);
    e_verdict(b, NF_ACCEPT);
    rule_end(b);

    rule_begin(b, NFPROTO_IPV6, "filter_out");
    e_counter(b);
    e_verdict(b, NF_DROP);
    rule_end(b);

    struct nlmsghdr *end = msg_begin(b, NFNL_MSG_BATCH_END, 0, AF_UNSPEC, NFNL_SUBSYS_NFTABLES);
    msg_end(b, end);
}

/* Sends the buffer to the kernel and waits for `expected` acks; returns 0, or -1 with errno from the answer. */
static int netlink_transact(int protocol, struct buf *b, int expected) {
    int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
    if (s < 0) {
        return -1;
    }
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    if (sendto(s, b->data, b->len, 0, (struct sockaddr *) &kernel, sizeof kernel) < 0) {
        int e = errno;
        close(s);
        errno = e;
        return -1;
    }
    int acked = 0;
    unsigned char in[8192];
    while (acked < expected) {
        struct pollfd p = {.fd = s, .events = POLLIN};
        if (poll(&p, 1, 5000) <= 0) {
            close(s);
            errno = ETIMEDOUT;
            return -1;
        }
        ssize_t n = recv(s, in, sizeof in, 0);
        if (n < 0) {
            int e = errno;
            close(s);
            errno = e;
            return -1;
        }
        for (struct nlmsghdr *h = (struct nlmsghdr *) in; NLMSG_OK(h, (size_t) n); h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_type == NLMSG_ERROR) {
                struct nlmsgerr *err = (struct nlmsgerr *) NLMSG_DATA(h);
                if (err->error != 0) {
                    close(s);
                    errno = -err->error;
                    return -1;
                }
                acked++;
            }
        }
    }
    close(s);
    return 0;
}

/* Loads the ruleset in one transaction. */
static int load_ruleset(void) {
    static struct buf b;
    b.len = 0;
    messages = 0;
    build_ruleset(&b);
    return netlink_transact(NETLINK_NETFILTER, &b, messages);
}

/*
 * A default route through lo with 127.0.0.1 as its source (rtnetlink; "ip route add default dev lo src 127.0.0.1").
 * Without any route, connect() fails with ENETUNREACH before nftables sees a packet; without the source
 * address, sockets would bind 0.0.0.0 and redirected connections would not carry data.
 */
static int default_route_via_lo(void) {
    static struct buf b;
    b.len = 0;
    struct nlmsghdr *h = (struct nlmsghdr *) b.data;
    memset(h, 0, NLMSG_HDRLEN + sizeof(struct rtmsg));
    h->nlmsg_type = RTM_NEWROUTE;
    h->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE | NLM_F_ACK;
    h->nlmsg_seq = ++seq_no;
    struct rtmsg *r = (struct rtmsg *) NLMSG_DATA(h);
    r->rtm_family = AF_INET;
    r->rtm_table = RT_TABLE_MAIN;
    r->rtm_protocol = RTPROT_BOOT;
    r->rtm_scope = RT_SCOPE_LINK;
    r->rtm_type = RTN_UNICAST;
    b.len = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct rtmsg));
    uint32_t lo = if_nametoindex("lo");
    uint32_t src = htonl(INADDR_LOOPBACK);
    attr_put(&b, RTA_OIF, &lo, 4);
    attr_put(&b, RTA_PREFSRC, &src, 4);
    msg_end(&b, h);
    return netlink_transact(NETLINK_ROUTE, &b, 1);
}

static int setup_network(void) {
    if (bring_up_lo() != 0) {
        logmsg("cannot bring up lo: %s", strerror(errno));
        return -1;
    }
    if (default_route_via_lo() != 0) {
        logmsg("cannot add the default route through lo: %s", strerror(errno));
        return -1;
    }
    if (load_ruleset() != 0) {
        logmsg("cannot load the nftables rules: %s", strerror(errno));
        return -1;
    }
    logmsg("egress redirects in place (tcp -> 127.0.0.1:%d, dns -> 127.0.0.1:%d)", tcp_port, dns_port);
    return 0;
}

/* ---------------------------------------------------------------- protocol */

static int write_all(int fd, const void *p, size_t n) {
    const unsigned char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        c += w;
        n -= (size_t) w;
    }
    return 0;
}

/* Reads exactly n bytes within timeout_ms overall; -1 on EOF, error or timeout. */
static int read_exact(int fd, void *p, size_t n, int timeout_ms) {
    unsigned char *c = p;
    while (n > 0) {
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        int r = poll(&pf, 1, timeout_ms);
        if (r <= 0) {
            return -1;
        }
        ssize_t got = read(fd, c, n);
        if (got <= 0) {
            if (got < 0 && errno == EINTR) {
                continue;
            }
            return -1;
        }
        c += got;
        n -= (size_t) got;
    }
    return 0;
}

static int send_frame(int fd, int type, const void *payload, size_t n) {
    unsigned char h[HEADER];
    memcpy(h, PROTO_MAGIC, 4);
    h[4] = PROTO_VERSION;
    h[5] = (unsigned char) type;
    h[6] = (unsigned char) (n >> 8);
    h[7] = (unsigned char) n;
    if (write_all(fd, h, HEADER) != 0) {
        return -1;
    }
    return n == 0 ? 0 : write_all(fd, payload, n);
}

/* Reads a reply; returns its status (>= 0) and fills payload (up to cap bytes), or -1. */
static int read_reply(int fd, unsigned char *payload, size_t cap, size_t *len, int timeout_ms) {
    unsigned char h[HEADER];
    if (read_exact(fd, h, HEADER, timeout_ms) != 0 || memcmp(h, PROTO_MAGIC, 4) != 0 || h[4] != PROTO_VERSION) {
        return -1;
    }
    size_t n = ((size_t) h[6] << 8) | h[7];
    if (n > cap) {
        return -1;
    }
    if (n > 0 && read_exact(fd, payload, n, timeout_ms) != 0) {
        return -1;
    }
    *len = n;
    return h[5];
}

static int connect_unix(const char *path) {
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof a.sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(a.sun_path, path);
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
        return -1;
    }
    if (connect(s, (struct sockaddr *) &a, sizeof a) != 0) {
        int e = errno;
        close(s);
        errno = e;
        return -1;
    }
    return s;
}

/* Whether the socket at path answers HELLO with OK: the JVM's relay socket, not some other shared socket. */
static int answers_hello(const char *path) {
    int s = connect_unix(path);
    if (s < 0) {
        return 0;
    }
    unsigned char p[256];
    size_t n;
    int ok = send_frame(s, T_HELLO, NULL, 0) == 0 && read_reply(s, p, sizeof p, &n, 2000) == S_OK;
    close(s);
    return ok;
}

/* The JVM's socket: the one given, or the first in socket_dir that answers HELLO (remembered while it exists). */
static const char *jvm_socket(void) {
    if (socket_path != NULL) {
        return socket_path;
    }
    struct stat st;
    if (found_socket[0] != 0 && stat(found_socket, &st) == 0 && S_ISSOCK(st.st_mode)) {
        return found_socket;
    }
    found_socket[0] = 0;
    DIR *d = opendir(socket_dir);
    if (d == NULL) {
        return NULL;
    }
    struct dirent *e;
    char path[sizeof found_socket];
    while ((e = readdir(d)) != NULL) {
        if (snprintf(path, sizeof path, "%s/%s", socket_dir, e->d_name) >= (int) sizeof path) {
            continue;
        }
        if (stat(path, &st) == 0 && S_ISSOCK(st.st_mode) && answers_hello(path)) {
            strcpy(found_socket, path);
            logmsg("relaying to %s", found_socket);
            break;
        }
    }
    closedir(d);
    return found_socket[0] != 0 ? found_socket : NULL;
}

/* ---------------------------------------------------------------- relay */

static void reset_and_close(int fd) {
    struct linger l = {.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    close(fd);
}

/* Copies both ways until both sides are done, passing each half-close on. */
static void splice_both(int a, int b) {
    unsigned char buf[65536];
    int a_open = 1, b_open = 1;
    while (a_open || b_open) {
        struct pollfd p[2] = {{.fd = a_open ? a : -1, .events = POLLIN}, {.fd = b_open ? b : -1, .events = POLLIN}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            return;
        }
        for (int i = 0; i < 2; i++) {
            if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) {
                continue;
            }
            int from = i == 0 ? a : b, to = i == 0 ? b : a;
            ssize_t n = read(from, buf, sizeof buf);
            if (n > 0) {
                if (write_all(to, buf, (size_t) n) != 0) {
                    return;
                }
            } else if (n == 0 || errno != EINTR) {
                shutdown(to, SHUT_WR);
                if (i == 0) {
                    a_open = 0;
                } else {
                    b_open = 0;
                }
            }
        }
    }
}

static void handle_tcp(int client) {
    struct sockaddr_in dst;
    socklen_t len = sizeof dst;
    if (getsockopt(client, SOL_IP, SO_ORIGINAL_DST, &dst, &len) != 0 || dst.sin_family != AF_INET
            || (ntohl(dst.sin_addr.s_addr) >> 24) == 127) {
        /* not redirected (someone connected to the relay port itself): nothing to relay */
        reset_and_close(client);
        return;
    }
    const char *path = jvm_socket();
    int up = path == NULL ? -1 : connect_unix(path);
    if (up < 0) {
        reset_and_close(client);
        return;
    }
    unsigned char req[7];
    req[0] = 4;
    memcpy(req + 1, &dst.sin_addr.s_addr, 4);
    memcpy(req + 5, &dst.sin_port, 2);
    unsigned char reason[1024];
    size_t n;
    if (send_frame(up, T_CONNECT, req, sizeof req) != 0
            || read_reply(up, reason, sizeof reason, &n, 30000) != S_OK) {
        close(up);
        reset_and_close(client);
        return;
    }
    splice_both(client, up);
    close(up);
    close(client);
}

static void handle_dns(int udp, const unsigned char *query, size_t qlen, struct sockaddr_in *from) {
    const char *path = jvm_socket();
    int up = path == NULL ? -1 : connect_unix(path);
    if (up < 0) {
        return;
    }
    static unsigned char answer[65535];
    size_t n;
    if (send_frame(up, T_DNS, query, qlen) == 0 && read_reply(up, answer, sizeof answer, &n, 10000) == S_OK
            && n > 0) {
        sendto(udp, answer, n, 0, (struct sockaddr *) from, sizeof *from);
    }
    close(up);
}

static int listen_on(int type, int port) {
    int s = socket(AF_INET, type | SOCK_CLOEXEC, 0);
    if (s < 0) {
        return -1;
    }
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t) port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s, (struct sockaddr *) &a, sizeof a) != 0 || (type == SOCK_STREAM && listen(s, 128) != 0)) {
        int e = errno;
        close(s);
        errno = e;
        return -1;
    }
    return s;
}

static int children;

static void reap(void) {
    while (waitpid(-1, NULL, WNOHANG) > 0) {
        children--;
    }
}

static int relay_main(void) {
    int tcp = listen_on(SOCK_STREAM, tcp_port);
    int udp = listen_on(SOCK_DGRAM, dns_port);
    if (tcp < 0 || udp < 0) {
        logmsg("relay cannot listen on 127.0.0.1:%d/%d: %s", tcp_port, dns_port, strerror(errno));
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    logmsg("relay listening (tcp 127.0.0.1:%d, dns 127.0.0.1:%d)", tcp_port, dns_port);
    for (;;) {
        reap();
        struct pollfd p[2] = {{.fd = tcp, .events = POLLIN}, {.fd = udp, .events = POLLIN}};
        if (poll(p, 2, 1000) <= 0) {
            continue;
        }
        if (p[0].revents & POLLIN) {
            int c = accept4(tcp, NULL, NULL, SOCK_CLOEXEC);
            if (c >= 0) {
                if (children >= MAX_CHILDREN) {
                    reset_and_close(c);
                } else {
                    jvm_socket(); /* discover once in the parent, so children inherit the answer */
                    pid_t pid = fork();
                    if (pid == 0) {
                        close(tcp);
                        close(udp);
                        handle_tcp(c);
                        _exit(0);
                    }
                    if (pid > 0) {
                        children++;
                    }
                    close(c);
                }
            }
        }
        if (p[1].revents & POLLIN) {
            unsigned char q[4096];
            struct sockaddr_in from;
            socklen_t fl = sizeof from;
            ssize_t n = recvfrom(udp, q, sizeof q, 0, (struct sockaddr *) &from, &fl);
            if (n > 0 && children < MAX_CHILDREN) {
                jvm_socket();
                pid_t pid = fork();
                if (pid == 0) {
                    close(tcp);
                    handle_dns(udp, q, (size_t) n, &from);
                    _exit(0);
                }
                if (pid > 0) {
                    children++;
                }
            }
        }
    }
}

/* ---------------------------------------------------------------- entry */

static int parse_options(int argc, char **argv, int i) {
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            return i + 1;
        } else if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) {
            socket_path = argv[++i];
        } else if (strcmp(argv[i], "--socket-dir") == 0 && i + 1 < argc) {
            socket_dir = argv[++i];
        } else if (strcmp(argv[i], "--tcp-port") == 0 && i + 1 < argc) {
            tcp_port = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--dns-port") == 0 && i + 1 < argc) {
            dns_port = atoi(argv[++i]);
        } else {
            fprintf(stderr, "sb4j-guest: unknown option %s\n", argv[i]);
            exit(64);
        }
    }
    return i;
}

/* Starts the relay as a daemon child; the caller goes on to exec the real init or command. */
static void start_relay(void) {
    pid_t pid = fork();
    if (pid == 0) {
        setsid();
        _exit(relay_main());
    }
    if (pid < 0) {
        logmsg("cannot start the relay: %s", strerror(errno));
    }
}

int main(int argc, char **argv) {
    const char *self = strrchr(argv[0], '/');
    self = self == NULL ? argv[0] : self + 1;
    int kmsg = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
    if (strcmp(self, "vminitd") == 0) {
        /* the init of an Apple container VM: set up, start the relay, become the real vminitd */
        if (kmsg >= 0) {
            log_fd = kmsg;
        }
        socket_dir = "/run/sockets";
        if (setup_network() == 0) {
            start_relay();
        }
        execv("/sbin/vminitd.real", argv);
        logmsg("cannot exec /sbin/vminitd.real: %s", strerror(errno));
        return 1;
    }
    if (kmsg >= 0) {
        close(kmsg);
    }
    if (argc >= 2 && strcmp(argv[1], "relay") == 0) {
        parse_options(argc, argv, 2);
        if (socket_path == NULL && socket_dir == NULL) {
            fprintf(stderr, "sb4j-guest relay: give --socket PATH or --socket-dir DIR\n");
            return 64;
        }
        return relay_main();
    }
    if (argc >= 2 && strcmp(argv[1], "setup") == 0) {
        int cmd = parse_options(argc, argv, 2);
        if ((socket_path == NULL && socket_dir == NULL) || cmd >= argc) {
            fprintf(stderr, "usage: sb4j-guest setup --socket PATH|--socket-dir DIR -- COMMAND...\n");
            return 64;
        }
        if (setup_network() != 0) {
            return 1; /* fail closed: no relay, no command */
        }
        start_relay();
        execvp(argv[cmd], argv + cmd);
        fprintf(stderr, "sb4j-guest: cannot exec %s: %s\n", argv[cmd], strerror(errno));
        return 127;
    }
    fprintf(stderr, "usage: sb4j-guest setup|relay [--socket PATH|--socket-dir DIR] [--tcp-port N] [--dns-port N]"
                    " [-- COMMAND...]\n");
    return 64;
}
