/*
 * icmp-probe ADDRESS: sends one ICMP echo request to an IPv4 address through an ICMP datagram socket (what an
 * unprivileged program may open where net.ipv4.ping_group_range allows it; no NET_RAW needed) and waits two seconds
 * for the reply. Prints "reply" and exits 0 on a reply, prints why and exits 1 otherwise. A test probe.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: icmp-probe IPV4\n");
        return 2;
    }
    struct sockaddr_in to = {.sin_family = AF_INET};
    if (inet_pton(AF_INET, argv[1], &to.sin_addr) != 1) {
        fprintf(stderr, "not an IPv4 address: %s\n", argv[1]);
        return 2;
    }
    int s = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
    if (s < 0) {
        printf("socket: %s\n", strerror(errno));
        return 1;
    }
    struct icmphdr echo = {.type = ICMP_ECHO};
    echo.un.echo.sequence = htons(1);
    if (sendto(s, &echo, sizeof echo, 0, (struct sockaddr *) &to, sizeof to) < 0) {
        printf("send: %s\n", strerror(errno));
        return 1;
    }
    struct pollfd p = {.fd = s, .events = POLLIN};
    if (poll(&p, 1, 2000) <= 0) {
        printf("no reply\n");
        return 1;
    }
    char buf[256];
    ssize_t n = recv(s, buf, sizeof buf, 0);
    if (n < (ssize_t) sizeof(struct icmphdr) || ((struct icmphdr *) buf)->type != ICMP_ECHOREPLY) {
        printf("no reply (%s)\n", n < 0 ? strerror(errno) : "not an echo reply");
        return 1;
    }
    printf("reply\n");
    return 0;
}
