// SPDX-License-Identifier: GPL-2.0-or-later
/* sock_diag.c - The ports of bound sockets through NETLINK_SOCK_DIAG: one
 * inet_diag dump per address family and protocol, filtered by the kernel
 * to the socket states asked for (listening TCP, unconnected UDP), returns
 * only the sockets of the network namespace the netlink socket was opened
 * in. Unlike /proc/net/{tcp,udp}{,6}, nothing is formatted as text and
 * the kernel skips the other states: established TCP connections aren't
 * even looked at. pasta's automatic forwarding (fwd_auto.c) uses it.
 *
 * Run time only needs sendmsg() and recvmsg() on a socket opened during
 * set-up (one per namespace: it can't change namespace afterwards).
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/inet_diag.h>

#include "util.h"
#include "sock_diag.h"

/* Receive buffer: the kernel fills at most 32 KiB per dump message */
#define SOCK_DIAG_BUF_BYTES	65536
/* A dump that doesn't answer within this long has failed */
#define SOCK_DIAG_TIMEOUT_S	1

static char sock_diag_buf[SOCK_DIAG_BUF_BYTES]
	__attribute__((aligned(NLMSG_ALIGNTO)));
static uint32_t sock_diag_seq;

/**
 * sock_diag_open() - Open a sock_diag socket in the current namespace
 *
 * Return: socket, or -errno
 */
int sock_diag_open(void)
{
	struct timeval tv = { .tv_sec = SOCK_DIAG_TIMEOUT_S };
	int s;

	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (s < 0)
		return -errno;
	/* A kernel dump doesn't stall, but never wait on it for long */
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return s;
}

/**
 * sock_diag_parse() - Add the ports reported in one received datagram
 * @buf:	Netlink messages, aligned to NLMSG_ALIGNTO
 * @len:	Length of @buf
 * @seq:	Sequence number of our request: other messages are stale
 * @af:	Address family asked for
 * @states:	Bitmap of socket states asked for (1 << SOCK_DIAG_*)
 * @map:	Bitmap of ports to add to
 *
 * Return: 1 once the dump is done, 0 if more is to come, -errno on error
 */
int sock_diag_parse(const void *buf, size_t len, uint32_t seq, uint8_t af,
		    uint32_t states, unsigned long *map)
{
	const struct nlmsghdr *nh = buf;
	int left = len > SOCK_DIAG_BUF_BYTES ? SOCK_DIAG_BUF_BYTES : (int)len;

	for (; NLMSG_OK(nh, left); nh = NLMSG_NEXT(nh, left)) {
		size_t plen = nh->nlmsg_len - NLMSG_HDRLEN;
		const struct inet_diag_msg *m = NLMSG_DATA(nh);
		unsigned port;

		if (nh->nlmsg_seq != seq)
			continue;	/* left over from an earlier dump */
		if (nh->nlmsg_type == NLMSG_DONE)
			return 1;
		if (nh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(nh);

			if (plen < sizeof(*e) || !e->error)
				return -EIO;
			return e->error < 0 ? e->error : -e->error;
		}
		if (nh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
		    plen < sizeof(*m) || m->idiag_family != af ||
		    m->idiag_state >= 32 || !(states & (1U << m->idiag_state)))
			continue;
		port = ntohs(m->id.idiag_sport);
		if (port)
			bitmap_set(map, port);
	}
	return 0;
}

/**
 * sock_diag_ports() - Add the ports of sockets in the given states to a map
 * @s:		sock_diag socket, see sock_diag_open()
 * @af:	AF_INET or AF_INET6
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @states:	Bitmap of socket states (1 << SOCK_DIAG_*)
 * @map:	Bitmap of ports to add to
 *
 * Return: 0 on success, -errno on failure (@map may be partly filled)
 */
int sock_diag_ports(int s, uint8_t af, uint8_t proto, uint32_t states,
		    unsigned long *map)
{
	struct {
		struct nlmsghdr nh;
		struct inet_diag_req_v2 r;
	} req = {
		.nh = {
			.nlmsg_len	= sizeof(req),
			.nlmsg_type	= SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags	= NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq	= ++sock_diag_seq,
		},
		.r = {
			.sdiag_family	= af,
			.sdiag_protocol	= proto,
			.idiag_states	= states,
		},
	};
	int rc = 0;

	if (sock_send(s, &req, sizeof(req), 0) < 0)
		return -errno;

	/* Read until our dump is done even after an error: a dump left
	 * running would make the next request fail with EBUSY
	 */
	for (;;) {
		ssize_t n = sock_recv(s, sock_diag_buf, sizeof(sock_diag_buf),
				      MSG_TRUNC);
		int done;

		if (n < 0)
			return -errno;
		if (!n)
			return -EIO;
		if ((size_t)n > sizeof(sock_diag_buf)) {
			rc = -EMSGSIZE;	/* lost part of it: keep reading */
			continue;
		}
		done = sock_diag_parse(sock_diag_buf, (size_t)n, req.nh.nlmsg_seq,
				       af, states, map);
		if (done < 0)
			return done;
		if (done)
			return rc;
	}
}
