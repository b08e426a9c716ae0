/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Built-in DHCP server (RFC 2131, RFC 2132) handing the guest the one
 * address it may use, with netmask, router, DNS, search list, MTU, hostname
 * and FQDN from our configuration, classless static routes (RFC 3442) to a
 * gateway outside the guest's subnet, and rapid commit (RFC 4039).
 */
#ifndef DHCP_H
#define DHCP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <netinet/in.h>

#include "ctx.h"
#include "packet.h"

#define DHCP_SERVER_PORT	67
#define DHCP_CLIENT_PORT	68

/* BOOTP fixed part (RFC 2131, 2), then the magic cookie, then options */
#define DHCP_FIXED_LEN		236
#define DHCP_COOKIE_LEN		4
#define DHCP_OPTS_OFF		(DHCP_FIXED_LEN + DHCP_COOKIE_LEN)
/* IPv4 and UDP headers around a DHCP message */
#define DHCP_IP_UDP_LEN		(20 + 8)
/* Every client takes 576-byte datagrams (RFC 2131, 2) */
#define DHCP_DGRAM_MIN		576
/* Replies are padded to the BOOTP size, which old clients expect */
#define DHCP_MSG_MIN_LEN	300
/* Largest reply we build, whatever option 57 allows: an Ethernet MTU */
#define DHCP_MSG_MAX		(1500 - DHCP_IP_UDP_LEN)

/* Leases never expire: the address is the guest's for our lifetime */
#define DHCP_LEASE_INFINITE	0xffffffffU

/**
 * struct dhcp_reply - DHCP message to send to the guest
 * @src:	IPv4 source address (our server identifier)
 * @dst:	IPv4 destination address (RFC 2131, 4.1)
 * @len:	Length of @msg, 0 if there's nothing to send
 * @msg:	DHCP message, UDP payload
 */
struct dhcp_reply {
	struct in_addr src;
	struct in_addr dst;
	size_t len;
	uint8_t msg[DHCP_MSG_MAX];
};

ssize_t dhcp_search_encode(const struct ctx *c, uint8_t *buf, size_t size);
int dhcp_process(const struct ctx *c, const struct iovec *frame,
		 const struct frame_info *fi, struct dhcp_reply *r);
int dhcp(const struct ctx *c, const struct iovec *frame, const struct frame_info *fi);

#endif /* DHCP_H */
