// SPDX-License-Identifier: GPL-2.0-or-later
/* sock_l4.c - The one place that opens a TCP, UDP or ping socket to bind
 * it, make it listen, or both: listeners for forwarded ports (passt and
 * pasta, host and namespace side), the sockets flows connect from, and
 * ping sockets. Kept apart from inany.c, which converts addresses without
 * a system call and without the event loop's registry, both of which this
 * needs.
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "epoll_ctl.h"
#include "inany.h"
#include "log.h"
#include "sock_l4.h"

/**
 * sock_l4_name() - Protocol name for messages
 * @proto:	IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP or IPPROTO_ICMPV6
 *
 * Return: name of @proto
 */
static const char *sock_l4_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "TCP";
	case IPPROTO_UDP:
		return "UDP";
	default:
		return "ICMP";
	}
}

/**
 * sock_l4_bind() - Bind a socket to an address and port
 * @s:		Socket
 * @a:		Address, IPv4 as v4-mapped
 * @port:	Port, host order
 *
 * Return: 0 on success, -errno on failure
 */
static int sock_l4_bind(int s, const union inany_addr *a, in_port_t port)
{
	union sockaddr_inany sa;
	socklen_t sl = sockaddr_from_inany(&sa, a, port);

	/* #syscalls bind */
	if (bind(s, &sa.sa, sl))
		return -errno;
	return 0;
}

/**
 * sock_l4_opt() - Set an integer socket option
 * @s:		Socket
 * @level:	Option level
 * @opt:	Option
 * @v:		Value
 *
 * Return: 0 on success, -errno on failure
 */
static int sock_l4_opt(int s, int level, int opt, int v)
{
	/* #syscalls setsockopt */
	if (setsockopt(s, level, opt, &v, sizeof(v)))
		return -errno;
	return 0;
}

/**
 * sock_l4() - Open a TCP, UDP or ping socket: options, bind, listen, epoll
 * @req:	What the socket is for (see struct sock_l4)
 *
 * Options other than those of @req->flags (TCP_NODELAY, buffer sizes,
 * packet information) are the caller's.
 *
 * Any failure closes the socket: a listener that can't bind to its
 * interface or address is no listener. For a socket that is going to
 * connect, the interface and the address can be preferences instead:
 * with SOCK_L4_IF_SOFT, failing to bind to the interface is only logged;
 * with SOCK_L4_BIND_SOFT, a port that can't be bound is given up for any
 * port of the same address, and an address that can't be bound either
 * leaves the socket unbound.
 *
 * Return: socket on success, -errno on failure
 */
int sock_l4(const struct sock_l4 *req)
{
	const char *name = sock_l4_name(req->proto);
	bool bind_soft = req->flags & SOCK_L4_BIND_SOFT;
	int fd_max = req->fd_max ? req->fd_max : FD_REF_MAX;
	int type = req->proto == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM;
	const char *ifname = req->ifname;
	int af = req->af, s, rc;

	if (req->addr)
		af = inany_v4(req->addr) ? AF_INET : AF_INET6;

	/* #syscalls socket close */
	s = socket(af, type | SOCK_NONBLOCK | SOCK_CLOEXEC, req->proto);
	if (s < 0)
		return -errno;
	if (s > fd_max) {
		close(s);
		return -EMFILE;
	}

	if (req->flags & (SOCK_L4_REUSEADDR | SOCK_L4_NOREUSEADDR)) {
		rc = sock_l4_opt(s, SOL_SOCKET, SO_REUSEADDR,
				 !!(req->flags & SOCK_L4_REUSEADDR));
		if (rc)
			debug("%s: can't set SO_REUSEADDR: %s", name,
			      strerror(-rc));
	}
	if (af == AF_INET6 && (req->flags & SOCK_L4_V6ONLY))
		sock_l4_opt(s, IPPROTO_IPV6, IPV6_V6ONLY, 1);
	else if (af == AF_INET6 && (req->flags & SOCK_L4_DUALSTACK))
		sock_l4_opt(s, IPPROTO_IPV6, IPV6_V6ONLY, 0);
	if (req->flags & SOCK_L4_FREEBIND) {
		if (af == AF_INET)
			sock_l4_opt(s, IPPROTO_IP, IP_FREEBIND, 1);
		else
			sock_l4_opt(s, IPPROTO_IPV6, IPV6_FREEBIND, 1);
	}
	if (req->flags & SOCK_L4_PKTINFO) {
		if (af == AF_INET)
			sock_l4_opt(s, IPPROTO_IP, IP_PKTINFO, 1);
		else
			sock_l4_opt(s, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
	}

	if (ifname && *ifname &&
	    setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, ifname,
		       strlen(ifname))) {
		rc = -errno;
		if (!(req->flags & SOCK_L4_IF_SOFT))
			goto fail;
		debug("%s: can't bind socket to interface %s: %s", name,
		      ifname, strerror(-rc));
	}

	if (req->addr) {
		rc = sock_l4_bind(s, req->addr, req->port);
		if (req->port_kept)
			*req->port_kept = !rc;
		if (rc && bind_soft && req->port) {
			debug("%s: can't bind port %u (%s), any will do", name,
			      req->port, strerror(-rc));
			rc = sock_l4_bind(s, req->addr, 0);
		}
		if (rc && bind_soft) {
			debug("%s: can't bind socket: %s", name, strerror(-rc));
			rc = 0;
		}
		if (rc)
			goto fail;
	}

	/* Accepted connections inherit TCP_NODELAY: all of ours are relayed
	 * as their data comes, and need no call each to set it
	 */
	if (req->backlog && req->proto == IPPROTO_TCP)
		sock_l4_opt(s, IPPROTO_TCP, TCP_NODELAY, 1);

	/* #syscalls listen */
	if (req->backlog && listen(s, req->backlog)) {
		rc = -errno;
		goto fail;
	}

	if (req->ref) {
		union epoll_ref ref = *req->ref;

		ref.fd = s;
		rc = epoll_add_ref(req->epollfd, s, EPOLLIN, ref);
		if (rc)
			goto fail;
	}
	return s;

fail:
	close(s);
	return rc;
}
