/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers for unit tests of the built-in services (arp, ndp, dhcp, dhcpv6):
 * a test configuration, hand-built guest frames with the struct frame_info
 * tap_parse() would give for them, and a guard page right after every
 * frame handed to a handler, so that reading one byte past its end crashes
 * the test instead of passing unnoticed.
 */
#ifndef TEST_FRAMES_H
#define TEST_FRAMES_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/udp.h>
#include <netinet/if_ether.h>

#include "passt.h"
#include "packet.h"
#include "checksum.h"
#include "log.h"
#include "tap.h"

#define GUARD_AREA	(128 * 1024)
#define FRAME_BUF	2048

static const uint8_t guest_mac[ETH_ALEN] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
static const uint8_t our_mac[ETH_ALEN] = { 0x9a, 0x55, 0x9a, 0x55, 0x9a, 0x55 };

/**
 * guarded() - Copy a frame to the end of a page followed by a PROT_NONE page
 * @data:	Frame
 * @len:	Length, up to GUARD_AREA
 *
 * Return: iovec for the copy, valid until the next call
 */
static inline struct iovec guarded(const void *data, size_t len)
{
	static uint8_t *area;
	long page = sysconf(_SC_PAGESIZE);
	struct iovec iov;

	if (!area) {
		area = mmap(NULL, GUARD_AREA + page, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (area == MAP_FAILED ||
		    mprotect(area + GUARD_AREA, page, PROT_NONE))
			abort();
	}
	if (len > GUARD_AREA)
		abort();

	iov.iov_base = area + GUARD_AREA - len;
	iov.iov_len = len;
	memcpy(iov.iov_base, data, len);
	return iov;
}

/**
 * test_ctx() - Configuration matching the test sandbox (test/sandbox.sh)
 * @c:		Context to set up
 */
static inline void test_ctx(struct ctx *c)
{
	static struct ctx_run run;

	log_level = LOG_ERR;	/* no per-request messages */
	memset(c, 0, sizeof(*c));
	memset(&run, 0, sizeof(run));
	c->run = &run;
	c->mode = MODE_PASTA;
	c->run->fd_tap = -1;
	memcpy(c->our_tap_mac, our_mac, ETH_ALEN);
	c->mtu = 65520;
	c->ipv4_enabled = c->ipv6_enabled = true;

	inet_pton(AF_INET, "192.0.2.2", &c->ip4.addr);
	c->ip4.prefix_len = 24;
	inet_pton(AF_INET, "192.0.2.1", &c->ip4.guest_gw);
	inet_pton(AF_INET, "192.0.2.53", &c->ip4.dns[0]);
	inet_pton(AF_INET, "198.51.100.53", &c->ip4.dns[1]);

	inet_pton(AF_INET6, "2001:db8::2", &c->ip6.addr);
	c->ip6.prefix_len = 64;
	inet_pton(AF_INET6, "2001:db8::1", &c->ip6.guest_gw);
	/* As conf() sets it for a global gateway, without a host one */
	inet_pton(AF_INET6, "fe80::1", &c->ip6.our_tap_ll);
	inet_pton(AF_INET6, "2001:db8::53", &c->ip6.dns[0]);

	strcpy(c->dns_search[0], "example.org");
	strcpy(c->dns_search[1], "test.example");
	strcpy(c->hostname, "guest");
	strcpy(c->fqdn, "guest.example.org");
}

/**
 * eth_put() - Write an Ethernet header from the guest to us
 * @buf:	Frame buffer
 * @proto:	EtherType
 *
 * Return: header length
 */
static inline size_t eth_put(uint8_t *buf, uint16_t proto)
{
	struct ethhdr eh;

	memcpy(eh.h_dest, our_mac, ETH_ALEN);
	memcpy(eh.h_source, guest_mac, ETH_ALEN);
	eh.h_proto = htons(proto);
	memcpy(buf, &eh, sizeof(eh));
	return sizeof(eh);
}

/**
 * udp4_frame() - Build a UDP over IPv4 frame from the guest
 * @buf:	Frame buffer, FRAME_BUF bytes
 * @src:	Source address, dotted
 * @dst:	Destination address, dotted
 * @sport:	Source port
 * @dport:	Destination port
 * @data:	UDP payload
 * @len:	Payload length
 * @fi:		Set as tap_parse() would
 *
 * Return: frame length
 */
static inline size_t udp4_frame(uint8_t *buf, const char *src,
				const char *dst, uint16_t sport,
				uint16_t dport, const void *data, size_t len,
				struct frame_info *fi)
{
	size_t off = eth_put(buf, ETH_P_IP);
	struct iphdr iph = { 0 };
	struct udphdr uh;
	struct in_addr s, d;

	inet_pton(AF_INET, src, &s);
	inet_pton(AF_INET, dst, &d);
	iph.version = 4;
	iph.ihl = 5;
	iph.ttl = 64;
	iph.protocol = IPPROTO_UDP;
	iph.tot_len = htons(sizeof(iph) + sizeof(uh) + len);
	iph.saddr = s.s_addr;
	iph.daddr = d.s_addr;
	uh.source = htons(sport);
	uh.dest = htons(dport);
	uh.len = htons(sizeof(uh) + len);
	uh.check = 0;
	memcpy(buf + off, &iph, sizeof(iph));
	memcpy(buf + off + sizeof(iph), &uh, sizeof(uh));
	memcpy(buf + off + sizeof(iph) + sizeof(uh), data, len);

	memset(fi, 0, sizeof(*fi));
	fi->ethertype = ETH_P_IP;
	fi->l4proto = IPPROTO_UDP;
	fi->ttl = 64;
	fi->l3_off = off;
	fi->l4_off = off + sizeof(iph);
	fi->l4_len = sizeof(uh) + len;
	inany_from_v4(&fi->saddr, s);
	inany_from_v4(&fi->daddr, d);
	return fi->l4_off + fi->l4_len;
}

/**
 * ip6_frame() - Build an IPv6 frame from the guest
 * @buf:	Frame buffer, FRAME_BUF bytes
 * @src:	Source address
 * @dst:	Destination address
 * @proto:	Next header
 * @hop_limit:	Hop limit
 * @l4:		Upper-layer packet
 * @len:	Its length
 * @fi:		Set as tap_parse() would
 *
 * Return: frame length
 */
static inline size_t ip6_frame(uint8_t *buf, const char *src, const char *dst,
			       uint8_t proto, uint8_t hop_limit,
			       const void *l4, size_t len,
			       struct frame_info *fi)
{
	size_t off = eth_put(buf, ETH_P_IPV6);
	struct ip6_hdr ip6h = { 0 };

	ip6h.ip6_vfc = 0x60;
	ip6h.ip6_plen = htons(len);
	ip6h.ip6_nxt = proto;
	ip6h.ip6_hlim = hop_limit;
	inet_pton(AF_INET6, src, &ip6h.ip6_src);
	inet_pton(AF_INET6, dst, &ip6h.ip6_dst);
	memcpy(buf + off, &ip6h, sizeof(ip6h));
	memcpy(buf + off + sizeof(ip6h), l4, len);

	memset(fi, 0, sizeof(*fi));
	fi->ethertype = ETH_P_IPV6;
	fi->l4proto = proto;
	fi->ttl = hop_limit;
	fi->l3_off = off;
	fi->l4_off = off + sizeof(ip6h);
	fi->l4_len = len;
	fi->saddr.a6 = ip6h.ip6_src;
	fi->daddr.a6 = ip6h.ip6_dst;
	return fi->l4_off + len;
}

/**
 * udp6_frame() - Build a UDP over IPv6 frame from the guest
 * @buf:	Frame buffer, FRAME_BUF bytes
 * @src:	Source address
 * @dst:	Destination address
 * @sport:	Source port
 * @dport:	Destination port
 * @data:	UDP payload
 * @len:	Payload length
 * @fi:		Set as tap_parse() would
 *
 * Return: frame length
 */
static inline size_t udp6_frame(uint8_t *buf, const char *src,
				const char *dst, uint16_t sport,
				uint16_t dport, const void *data, size_t len,
				struct frame_info *fi)
{
	uint8_t l4[FRAME_BUF];
	struct udphdr uh;

	uh.source = htons(sport);
	uh.dest = htons(dport);
	uh.len = htons(sizeof(uh) + len);
	uh.check = 0;
	memcpy(l4, &uh, sizeof(uh));
	memcpy(l4 + sizeof(uh), data, len);
	return ip6_frame(buf, src, dst, IPPROTO_UDP, 1, l4,
			 sizeof(uh) + len, fi);
}

/**
 * lcg() - Deterministic pseudo-random numbers for fuzzing
 * @state:	Generator state
 *
 * Return: next number, 31 bits
 */
static inline uint32_t lcg(uint32_t *state)
{
	*state = *state * 1103515245U + 12345U;
	return (*state >> 1) & 0x7fffffff;
}

/**
 * mutate() - Randomly corrupt a copy of a frame: flip, set, truncate
 * @dst:	Output buffer, at least @len bytes
 * @src:	Valid frame
 * @len:	Length of @src
 * @from:	First byte that may be changed (keep lower headers intact)
 * @state:	Generator state
 *
 * Return: length of the mutated frame
 */
static inline size_t mutate(uint8_t *dst, const uint8_t *src, size_t len,
			    size_t from, uint32_t *state)
{
	size_t i, n = 1 + lcg(state) % 8;

	memcpy(dst, src, len);
	for (i = 0; i < n && len > from; i++) {
		size_t at = from + lcg(state) % (len - from);

		switch (lcg(state) % 4) {
		case 0:
			dst[at] ^= 1 << (lcg(state) % 8);
			break;
		case 1:
			dst[at] = 0xff;
			break;
		case 2:
			dst[at] = 0;
			break;
		default:
			dst[at] = (uint8_t)lcg(state);
			break;
		}
	}
	if (lcg(state) % 3 == 0 && len > from)
		len = from + lcg(state) % (len - from + 1);
	return len;
}

/**
 * tap_pair() - Have tap.c send frames to a socket the test reads (pasta)
 * @c:		Context, switched to pasta mode on one end of a socket pair
 *
 * Return: the other end, to read frames from, one per datagram
 */
static inline int tap_pair(struct ctx *c)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv))
		abort();
	c->mode = MODE_PASTA;
	c->run->fd_tap = sv[0];
	return sv[1];
}

/**
 * tap_pair_close() - Close both ends of the socket pair
 * @c:		Context
 * @peer:	Our end
 */
static inline void tap_pair_close(struct ctx *c, int peer)
{
	close(c->run->fd_tap);
	close(peer);
	c->run->fd_tap = -1;
}

/**
 * tap_frame_in() - Parse a frame as passt does, through tap_parse()
 * @c:		Context (learns guest addresses, as in passt)
 * @buf:	Frame
 * @len:	Length
 * @iov:	Set to the frame, behind a guard page and trimmed by tap.c
 * @fi:		Set by tap_parse()
 *
 * Return: tap_parse() result
 */
static inline int tap_frame_in(struct ctx *c, const uint8_t *buf, size_t len,
			       struct iovec *iov, struct frame_info *fi)
{
	*iov = guarded(buf, len);
	return tap_parse(c, iov, fi);
}

/**
 * l4_csum_ok() - Check the L4 checksum of a frame we got from tap.c
 * @f:		Frame
 * @len:	Length
 *
 * Return: true if the UDP, ICMPv6 or ICMP checksum is right
 */
static inline bool l4_csum_ok(const uint8_t *f, size_t len)
{
	uint16_t proto = (uint16_t)(f[12] << 8 | f[13]);

	if (proto == ETH_P_IP && len >= ETH_HLEN + 20) {
		struct iphdr iph;
		struct in_addr s, d;
		size_t l4len;

		memcpy(&iph, f + ETH_HLEN, sizeof(iph));
		if (csum(f + ETH_HLEN, iph.ihl * 4, 0))
			return false;
		l4len = ntohs(iph.tot_len) - iph.ihl * 4;
		if (ETH_HLEN + iph.ihl * 4 + l4len > len)
			return false;
		s.s_addr = iph.saddr;
		d.s_addr = iph.daddr;
		return !csum(f + ETH_HLEN + iph.ihl * 4, l4len,
			     csum_pseudo4(l4len, iph.protocol, s, d));
	}
	if (proto == ETH_P_IPV6 && len >= ETH_HLEN + 40) {
		struct ip6_hdr h;
		size_t l4len;

		memcpy(&h, f + ETH_HLEN, sizeof(h));
		l4len = ntohs(h.ip6_plen);
		if (ETH_HLEN + 40 + l4len > len)
			return false;
		return !csum(f + ETH_HLEN + 40, l4len,
			     csum_pseudo6(l4len, h.ip6_nxt, &h.ip6_src,
					  &h.ip6_dst));
	}
	return false;
}

#endif /* TEST_FRAMES_H */
