/*
 * The noise floor for dns-throughput.ts: a UDP "resolver" that does no
 * work at all. It turns each query around (QR set, NOERROR, no answers)
 * from the same socket, one recvfrom/sendto at a time. Whatever tail
 * latency it shows under dnsperf comes from the machine, the kernel's UDP
 * path and the load tool, not from any resolver. Built by the bench with
 * the system's C compiler when there is one:
 *   cc -O2 -o zero-work-responder zero-work-responder.c
 *   zero-work-responder ADDRESS PORT
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s IPV4-ADDRESS PORT\n", argv[0]);
    return 2;
  }
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)atoi(argv[2]));
  if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1) {
    fprintf(stderr, "%s: not an IPv4 address\n", argv[1]);
    return 2;
  }
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    perror("bind");
    return 1;
  }
  unsigned char buf[4096];
  for (;;) {
    struct sockaddr_in from;
    socklen_t fromlen = sizeof from;
    ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fromlen);
    if (n < 12 || (buf[2] & 0x80)) continue;
    buf[2] |= 0x80;   /* QR */
    buf[3] &= 0x70;   /* RA off, Z kept, RCODE NOERROR */
    sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, fromlen);
  }
}
