/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Built-in NDP (RFC 4861): Neighbour Advertisements for every address the
 * guest asks about, except its own, and Router Advertisements with our
 * prefix (SLAAC), MTU and DNS (RFC 8106), solicited and periodic.
 */
#ifndef NDP_H
#define NDP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/uio.h>
#include <netinet/in.h>

#include "ctx.h"
#include "packet.h"

/* Keep our messages within the IPv6 minimum MTU (RFC 8200, 5) */
#define NDP_MSG_MAX		(MTU_MIN_IPV6 - 40)

/* Unsolicited RA interval: RFC 4861, 6.2.1 allows 4 s to 1800 s for the
 * maximum, and a minimum of at least 3 s and at most 0.75 of the maximum
 */
#define NDP_RA_INTERVAL_MIN_SEC	10
#define NDP_RA_INTERVAL_MAX_SEC	30
/* Router lifetime: the RFC 4861, 6.2.1 upper bound for AdvDefaultLifetime */
#define NDP_RA_ROUTER_LIFETIME_SEC	9000
#define NDP_RA_HOP_LIMIT	64
/* Prefix, RDNSS and DNSSL lifetimes: infinity, as our setup doesn't change */
#define NDP_LIFETIME_INFINITE	0xffffffffU
/* Prefix length for SLAAC on Ethernet (RFC 4862, 5.5.3; RFC 2464, 4) */
#define NDP_SLAAC_PREFIX_LEN	64

/**
 * struct ndp_reply - ICMPv6 message to send to the guest
 * @src:	IPv6 source address (our link-local address)
 * @dst:	IPv6 destination address
 * @len:	Length of @msg, 0 if there's nothing to send
 * @msg:	ICMPv6 message, checksum included
 */
struct ndp_reply {
	struct in6_addr src;
	struct in6_addr dst;
	size_t len;
	uint8_t msg[NDP_MSG_MAX];
};

void ndp_our_ll(const struct ctx *c, struct in6_addr *ll);
void ndp_ra_build(const struct ctx *c, const struct in6_addr *dst,
		  struct ndp_reply *r);
int ndp_process(const struct ctx *c, const struct iovec *frame,
		const struct frame_info *fi, struct ndp_reply *r);
int ndp(const struct ctx *c, const struct iovec *frame, const struct frame_info *fi);
void ndp_timer(const struct ctx *c, const struct timespec *now);

#endif /* NDP_H */
