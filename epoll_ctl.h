/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The event loop's registry of file descriptor kinds: every descriptor
 * added to epoll carries a 64-bit reference saying what it is (and which
 * flow or forwarding rule it belongs to), so that the loop in passt.c can
 * hand the event to its owner without a lookup.
 */
#ifndef EPOLL_CTL_H
#define EPOLL_CTL_H

#include <stdint.h>

/**
 * enum epoll_type - Kind of file descriptor registered with epoll
 */
enum epoll_type {
	EPOLL_TYPE_NONE = 0,
	EPOLL_TYPE_TAP_PASTA,		/* tap device fd (pasta) */
	EPOLL_TYPE_TAP_PASST,		/* connected qemu stream socket */
	EPOLL_TYPE_TAP_LISTEN,		/* listening UNIX socket (passt) */
	EPOLL_TYPE_NSQUIT_INOTIFY,	/* namespace gone watch (inotify) */
	EPOLL_TYPE_NSQUIT_TIMER,	/* namespace gone watch (timer) */
	EPOLL_TYPE_TCP,			/* connected TCP socket of a flow */
	EPOLL_TYPE_TCP_SPLICE,		/* spliced TCP socket of a flow */
	EPOLL_TYPE_TCP_LISTEN,		/* listening TCP socket */
	EPOLL_TYPE_TCP_TIMER,		/* per-flow TCP timerfd */
	EPOLL_TYPE_UDP_LISTEN,		/* bound UDP socket for forwarding */
	EPOLL_TYPE_UDP,			/* UDP flow socket */
	EPOLL_TYPE_PING,		/* ICMP/ICMPv6 ping socket */
	EPOLL_TYPE_VHOST_CMD,		/* vhost-user command socket */
	EPOLL_TYPE_VHOST_KICK,		/* vhost-user kick event fd */
	EPOLL_TYPE_UDP_SPLICE_LISTEN,	/* bound UDP socket, loopback bypass */
	EPOLL_TYPE_UDP_SPLICE,		/* UDP socket of a spliced flow */
	EPOLL_TYPE_VHOST_MIGRATE,	/* vhost-user device state pipe */
	EPOLL_TYPE_CONTROL_LISTEN,	/* listening --control socket */
	EPOLL_TYPE_CONTROL,		/* connected --control client */
	EPOLL_TYPE_REPAIR_LISTEN,	/* listening passt-repair socket */
	EPOLL_TYPE_REPAIR,		/* connected passt-repair helper */
	EPOLL_TYPE_MAX,
};

#define FD_REF_BITS		24
#define FD_REF_MAX		((1 << FD_REF_BITS) - 1)

/**
 * union epoll_ref - 64-bit reference carried by every epoll event
 * @type:	Kind of file descriptor (enum epoll_type)
 * @fd:		File descriptor number
 * @flow:	Flow table index, for flow sockets
 * @data:	Other per-type data (listening socket rule index, etc.)
 * @u64:	Opaque value for epoll_event.data
 */
union epoll_ref {
	struct {
		uint8_t type;
		int32_t fd:FD_REF_BITS;
		union {
			uint32_t flow;
			uint32_t data;
		};
	};
	uint64_t u64;
};

_Static_assert(sizeof(union epoll_ref) == sizeof(uint64_t),
	       "epoll reference must fit epoll_data");

int epoll_add_ref(int epollfd, int fd, uint32_t events, union epoll_ref ref);

#endif /* EPOLL_CTL_H */
