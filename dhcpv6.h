/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Built-in DHCPv6 server (RFC 8415): the guest's one IPv6 address in an
 * IA_NA, DNS servers and domain list (RFC 3646), FQDN (RFC 4704). Stateless:
 * every reply follows from the request and the configuration alone.
 */
#ifndef DHCPV6_H
#define DHCPV6_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <netinet/in.h>

#include "ctx.h"
#include "packet.h"

#define DHCPV6_CLIENT_PORT	546
#define DHCPV6_SERVER_PORT	547

/* Replies fit in a minimum-MTU packet with IPv6 and UDP headers */
#define DHCPV6_MSG_MAX		(MTU_MIN_IPV6 - 40 - 8)

/* RFC 8415, 7.7: lifetimes and T1/T2 of "infinity", our leases never end */
#define DHCPV6_INFINITY		0xffffffffU

/**
 * struct dhcpv6_reply - DHCPv6 message to send to the guest
 * @src:	IPv6 source address (our link-local address)
 * @dst:	IPv6 destination address (the client's)
 * @len:	Length of @msg, 0 if there's nothing to send
 * @msg:	DHCPv6 message, UDP payload
 */
struct dhcpv6_reply {
	struct in6_addr src;
	struct in6_addr dst;
	size_t len;
	uint8_t msg[DHCPV6_MSG_MAX];
};

int dhcpv6_process(const struct ctx *c, const struct iovec *frame,
		   const struct frame_info *fi, struct dhcpv6_reply *r);
int dhcpv6(const struct ctx *c, const struct iovec *frame,
	   const struct frame_info *fi);

#endif /* DHCPV6_H */
