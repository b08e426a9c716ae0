/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Opening TCP, UDP and ping sockets, bound or listening, in one place: the
 * address family, interface, --freebind, port sharing and dual-stack
 * choices every protocol handler makes when it opens a socket.
 */
#ifndef SOCK_L4_H
#define SOCK_L4_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#include "epoll_ctl.h"
#include "inany.h"

/* Options of sock_l4(); without any, the kernel's defaults stay */
#define SOCK_L4_V6ONLY		(1U << 0)	/* IPv6: IPV6_V6ONLY on */
#define SOCK_L4_DUALSTACK	(1U << 1)	/* IPv6: IPV6_V6ONLY off */
#define SOCK_L4_REUSEADDR	(1U << 2)	/* SO_REUSEADDR on */
#define SOCK_L4_NOREUSEADDR	(1U << 3)	/* SO_REUSEADDR off (ping) */
#define SOCK_L4_FREEBIND	(1U << 4)	/* IP_FREEBIND, IPV6_FREEBIND */
#define SOCK_L4_PKTINFO		(1U << 5)	/* Local address of datagrams */
#define SOCK_L4_IF_SOFT		(1U << 6)	/* Interface: a preference */
#define SOCK_L4_BIND_SOFT	(1U << 7)	/* Address, port: preferences */
#define SOCK_L4_SOFT		(SOCK_L4_IF_SOFT | SOCK_L4_BIND_SOFT)

/**
 * struct sock_l4 - What a socket is for, and how to open it
 * @proto:	IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP or IPPROTO_ICMPV6
 * @af:		AF_INET or AF_INET6, if @addr is NULL
 * @addr:	Address to bind, IPv4 as v4-mapped, unspecified for any;
 *		NULL to leave the socket unbound
 * @port:	Port (ping: identifier) to bind, host order, 0 for any
 * @ifname:	Interface to bind to (SO_BINDTODEVICE), NULL or "" for none
 * @flags:	SOCK_L4_* options
 * @backlog:	listen() backlog, 0 not to listen
 * @fd_max:	Highest descriptor the socket may take, 0 for FD_REF_MAX
 * @epollfd:	epoll instance to add the socket to, if @ref is set
 * @ref:	epoll reference, its fd set by sock_l4(); NULL to leave the
 *		socket out of epoll
 * @port_kept:	With SOCK_L4_BIND_SOFT, set if @port could be bound; may be NULL
 */
struct sock_l4 {
	uint8_t proto;
	sa_family_t af;
	const union inany_addr *addr;
	in_port_t port;
	const char *ifname;
	unsigned int flags;
	int backlog;
	int fd_max;
	int epollfd;
	const union epoll_ref *ref;
	bool *port_kept;
};

int sock_l4(const struct sock_l4 *req);

#endif /* SOCK_L4_H */
