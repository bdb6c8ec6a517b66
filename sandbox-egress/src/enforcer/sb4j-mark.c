/*
 * sb4j-mark: preloaded into the enforcer's JVM (LD_PRELOAD) in a policed Kubernetes pod, it gives every IPv4 and
 * IPv6 socket the process opens the socket mark SB4J_MARK, so the pod's rules can tell the enforcer's upstream DNS
 * queries from the workload's (which are always redirected to the interceptor). Setting SO_MARK needs CAP_NET_ADMIN
 * in the pod's network namespace, which only the enforcer holds: when it fails, socket() fails too (EPERM), so an
 * enforcer that cannot mark never sends an unmarked query and says why at start.
 *
 * Must equal PodNamespaceRules.UPSTREAM_MARK.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SB4J_MARK 0x5b4a0053u

int socket(int domain, int type, int protocol) {
    long fd = syscall(SYS_socket, domain, type, protocol);
    if (fd < 0 || (domain != AF_INET && domain != AF_INET6)) {
        return (int) fd;
    }
    unsigned int mark = SB4J_MARK;
    if (setsockopt((int) fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark) != 0) {
        int saved = errno;
        close((int) fd);
        errno = saved;
        return -1;
    }
    return (int) fd;
}
