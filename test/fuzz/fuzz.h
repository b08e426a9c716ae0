/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared set-up for the libFuzzer targets in test/fuzz/: a refusal to run
 * anywhere but in a throw-away network namespace (handlers open real
 * sockets to addresses chosen by the fuzzer), a context configured by
 * conf() like a real passt run, a socket pair standing in for qemu, and
 * checksum repair so that mutated frames get past the checksum checks.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/if_ether.h>

#include "passt.h"
#include "checksum.h"
#include "conf.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Addresses of the documentation ranges, as in the test sandbox */
#define FUZZ_ARGV_PASST {						\
	"passt", "-f", "-q", "-a", "192.0.2.2", "-n", "24",		\
	"-g", "192.0.2.1", "-a", "2001:db8::2", "-g", "2001:db8::1",	\
	"-D", "192.0.2.53", "-D", "2001:db8::53", "-S", "example.org",	\
	"-H", "guest", "--fqdn", "guest.example.org",			\
	"-M", "9a:55:9a:55:9a:55", NULL }

/**
 * fuzz_sandbox_check() - Refuse to run outside an empty network namespace
 *
 * Handlers connect and send to addresses taken from fuzzed frames: only a
 * namespace holding nothing but loopback (unshare -rn) keeps that on this
 * machine. Loopback is brought up, so that mapped connections to the host
 * get an answer, and ping sockets are allowed for our group, so that the
 * ICMP handlers go past socket creation.
 */
static inline void fuzz_sandbox_check(void)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	struct ifreq ifr = { 0 };
	int s, fd;

	if (!ifs) {
		perror("fuzz: if_nameindex");
		exit(1);
	}
	for (i = ifs; i->if_index; i++) {
		if (strcmp(i->if_name, "lo")) {
			fprintf(stderr, "fuzz: interface %s present: run me "
				"in an empty network namespace (unshare -rn, "
				"or make fuzz)\n", i->if_name);
			exit(1);
		}
	}
	if_freenameindex(ifs);

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		perror("fuzz: loopback flags");
	ifr.ifr_flags |= IFF_UP;
	if (s >= 0 && ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		perror("fuzz: loopback up");
	if (s >= 0)
		close(s);

	fd = open("/proc/sys/net/ipv4/ping_group_range", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "0 0", 3) != 3)
		perror("fuzz: ping_group_range");
	if (fd >= 0)
		close(fd);
}

/**
 * fuzz_quiet() - Silence the program's log; FUZZ_VERBOSE=1: debug instead
 */
static inline void fuzz_quiet(void)
{
	if (getenv("FUZZ_VERBOSE"))
		log_level = LOG_DEBUG;
	else
		log_set_stderr(false);
}

/**
 * fuzz_conf() - Configure a context like a real passt run, with conf()
 * @c:		Context, zeroed (and its run-time state, which it must point
 *		to), with its epoll instance created here
 */
static inline void fuzz_conf(struct ctx *c)
{
	char *argv[] = FUZZ_ARGV_PASST;
	struct ctx_run *run = c->run;

	memset(c, 0, sizeof(*c));
	memset(run, 0, sizeof(*run));
	c->run = run;
	c->argv0 = "passt";
	c->mode = MODE_PASST;
	log_init("passt");
	c->run->epollfd = epoll_create1(EPOLL_CLOEXEC);
	if (c->run->epollfd < 0) {
		perror("fuzz: epoll_create1");
		exit(1);
	}
	conf(c, (int)(sizeof(argv) / sizeof(argv[0])) - 1, argv);
}

/**
 * fuzz_tap_pair() - Connect the context to a socket pair, as qemu would be
 * @c:		Context
 *
 * Return: our end of the pair, playing qemu: read it with fuzz_drain()
 */
static inline int fuzz_tap_pair(struct ctx *c)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0, sv)) {
		perror("fuzz: socketpair");
		exit(1);
	}
	c->run->fd_tap = sv[0];
	return sv[1];
}

/**
 * fuzz_drain() - Read and drop whatever is waiting on a socket
 * @fd:		Socket
 */
static inline void fuzz_drain(int fd)
{
	static uint8_t sink[65536];

	while (recv(fd, sink, sizeof(sink), MSG_DONTWAIT) > 0)
		;
}

/* Leaks show as a growing count; libFuzzer's own threads may hold a
 * descriptor or two for a moment while we count
 */
#define FUZZ_FD_SLACK		8

/**
 * fuzz_fd_count() - Number of open file descriptors, to spot leaks
 *
 * Return: that number, -1 if /proc/self/fd can't be read
 */
static inline int fuzz_fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/**
 * fuzz_l4_csum() - Fill in the checksum of an L4 header, if we know it
 * @l4:		L4 header and payload
 * @len:	Length of @l4
 * @proto:	IPPROTO_*
 * @sum:	Pseudo-header sum, 0 for ICMP
 */
static inline void fuzz_l4_csum(uint8_t *l4, size_t len, uint8_t proto,
				uint32_t sum)
{
	size_t off;
	uint16_t v;

	switch (proto) {
	case IPPROTO_UDP:
		off = 6;
		break;
	case IPPROTO_TCP:
		off = 16;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		off = 2;
		break;
	default:
		return;
	}
	if (len < off + 2)
		return;
	memset(l4 + off, 0, 2);
	v = csum(l4, len, sum);
	if (proto == IPPROTO_UDP && !v)
		v = 0xffff;
	memcpy(l4 + off, &v, 2);
}

/**
 * fuzz_fix_csum() - Make the checksums of a frame right, where they can be
 * @f:		Ethernet frame
 * @len:	Length of @f
 *
 * Only the simple layouts: IPv4 with its own header length, IPv6 with the
 * L4 header right after the fixed header. Anything else is left alone.
 */
static inline void fuzz_fix_csum(uint8_t *f, size_t len)
{
	uint16_t proto;

	if (len < ETH_HLEN)
		return;
	proto = (uint16_t)(f[12] << 8 | f[13]);

	if (proto == ETH_P_IP && len >= ETH_HLEN + sizeof(struct iphdr)) {
		struct iphdr ih;
		size_t hl, tot;
		uint16_t v;

		memcpy(&ih, f + ETH_HLEN, sizeof(ih));
		hl = ih.ihl * 4U;
		tot = ntohs(ih.tot_len);
		if (hl < sizeof(ih) || tot < hl || ETH_HLEN + tot > len)
			return;
		memset(f + ETH_HLEN + 10, 0, 2);
		v = csum_ip4_header(f + ETH_HLEN, hl);
		memcpy(f + ETH_HLEN + 10, &v, 2);
		if (ih.frag_off & htons(IP_OFFMASK | IP_MF))
			return;
		fuzz_l4_csum(f + ETH_HLEN + hl, tot - hl, ih.protocol,
			     ih.protocol == IPPROTO_ICMP ? 0 :
			     csum_pseudo4((uint16_t)(tot - hl), ih.protocol,
					  (struct in_addr){ ih.saddr },
					  (struct in_addr){ ih.daddr }));
	} else if (proto == ETH_P_IPV6 &&
		   len >= ETH_HLEN + sizeof(struct ip6_hdr)) {
		struct ip6_hdr h;
		size_t plen;

		memcpy(&h, f + ETH_HLEN, sizeof(h));
		plen = ntohs(h.ip6_plen);
		if (ETH_HLEN + sizeof(h) + plen > len)
			return;
		fuzz_l4_csum(f + ETH_HLEN + sizeof(h), plen, h.ip6_nxt,
			     csum_pseudo6((uint32_t)plen, h.ip6_nxt,
					  &h.ip6_src, &h.ip6_dst));
	}
}

#endif /* FUZZ_H */
