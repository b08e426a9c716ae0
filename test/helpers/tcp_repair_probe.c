// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_repair_probe - Move one live loopback TCP connection from a socket to
 * a new one through TCP_REPAIR with passt's own code (tcp_repair.o) and
 * record format, as a migration does, and check that the transfer carries
 * on both ways: no byte lost or repeated, no reset.
 *
 * Usage: tcp_repair_probe [6]  (6: over ::1, else 127.0.0.1)
 * Needs CAP_NET_ADMIN over the network namespace (test/sandbox.sh gives
 * it). Prints "ok: ..." and exits 0, or "error: ..." and exits 1; exit 2
 * if TCP_REPAIR isn't permitted.
 *
 * The local socket has data of its own not yet acknowledged (the peer's
 * small receive buffer is full) and the peer's data unread; it is frozen
 * and put in repair mode (as passt-repair does), dumped, encoded and
 * decoded through the record, the peer sends more
 * while it is frozen (that must stay unacknowledged), the socket is closed
 * (silently, in repair mode), the new socket is made from the record, and
 * both sides read everything the other sent, compared byte by byte with
 * the streams they were generated from.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/sockios.h>

#include "inany.h"
#include "tcp_repair.h"
#include "util.h"

#define LOCAL_EXTRA	(256 * 1024)	/* sent after the move */
#define PEER_BEFORE	20000		/* unread by the local side */
#define PEER_LATE	4000		/* sent while frozen */
#define PEER_AFTER	300000		/* sent after the move */

static uint8_t qbuf[2 * TCP_MIG_QUEUE_MAX];
static uint8_t rec[TCP_MIG_FIXED + 2 * TCP_MIG_QUEUE_MAX];
static uint8_t chunk[65536];

/**
 * die_msg() - Print an error and exit 1
 * @what:	Message
 * @e:		errno value, 0 if none
 */
static void die_msg(const char *what, int e)
{
	printf("error: %s%s%s\n", what, e ? ": " : "", e ? strerror(e) : "");
	exit(1);
}

/**
 * stream_byte() - Byte of a generated stream
 * @id:		Stream (1: local to peer, 2: peer to local)
 * @off:	Offset
 *
 * Return: the byte
 */
static uint8_t stream_byte(unsigned id, uint64_t off)
{
	uint64_t x = (off / 8 + 1) * 0x9e3779b97f4a7c15ULL * id;

	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 32;
	return (uint8_t)(x >> (8 * (off % 8)));
}

/**
 * send_stream() - Send part of a stream, as much as fits now if nonblocking
 * @s:		Socket
 * @id:		Stream
 * @off:	Offset, advanced
 * @end:	Send up to this offset
 * @block:	Wait for room
 */
static void send_stream(int s, unsigned id, uint64_t *off, uint64_t end,
			bool block)
{
	while (*off < end) {
		uint64_t left = end - *off;
		size_t n = sizeof(chunk), i;
		ssize_t w;

		if (left < n)
			n = (size_t)left;

		for (i = 0; i < n; i++)
			chunk[i] = stream_byte(id, *off + i);
		w = send(s, chunk, n, (block ? 0 : MSG_DONTWAIT) |
			 MSG_NOSIGNAL);
		if (w < 0 && !block && errno == EAGAIN)
			return;
		if (w < 0)
			die_msg(errno == ECONNRESET ? "connection reset" :
				"send", errno);
		*off += (uint64_t)w;
	}
}

/**
 * recv_stream() - Read and check a stream up to an offset, 10 s at most
 * @s:		Socket
 * @id:		Stream
 * @off:	Offset, advanced
 * @end:	Read up to this offset
 * @what:	Name for messages
 */
static void recv_stream(int s, unsigned id, uint64_t *off, uint64_t end,
			const char *what)
{
	struct pollfd pfd = { .fd = s, .events = POLLIN };
	time_t deadline = time(NULL) + 10;

	while (*off < end) {
		ssize_t n, i;

		if (time(NULL) > deadline) {
			printf("error: %s: stuck at %" PRIu64 " of %" PRIu64
			       " bytes\n", what, *off, end);
			exit(1);
		}
		if (poll(&pfd, 1, 1000) < 1)
			continue;
		n = recv(s, chunk, sizeof(chunk), MSG_DONTWAIT);
		if (n < 0 && errno == EAGAIN)
			continue;
		if (n < 0)
			die_msg(errno == ECONNRESET ? "connection reset" :
				what, errno);
		if (!n)
			die_msg("unexpected end of stream", 0);
		for (i = 0; i < n; i++)
			if (chunk[i] != stream_byte(id, *off + (uint64_t)i)) {
				printf("error: %s: wrong byte at %" PRIu64
				       "\n", what, *off + (uint64_t)i);
				exit(1);
			}
		*off += (uint64_t)n;
	}
}

/**
 * repair() - Switch repair mode as passt-repair does: frozen by a drop-all
 *	      socket filter while in it
 * @s:		Socket
 * @on:		1: on, 0: off
 */
static void repair(int s, int on)
{
	struct sock_filter drop = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog prog = { .len = 1, .filter = &drop };
	int zero = 0;

	if (on && setsockopt(s, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
			     sizeof(prog)))
		die_msg("SO_ATTACH_FILTER", errno);
	if (setsockopt(s, IPPROTO_TCP, TCP_REPAIR, &on, sizeof(on))) {
		if (errno == EPERM) {
			printf("error: TCP_REPAIR not permitted\n");
			exit(2);
		}
		die_msg("TCP_REPAIR", errno);
	}
	if (!on && setsockopt(s, SOL_SOCKET, SO_DETACH_FILTER, &zero,
			      sizeof(zero)))
		die_msg("SO_DETACH_FILTER", errno);
}

/**
 * outq() - Bytes a socket sent but has not seen acknowledged, or not sent
 * @s:		Socket
 *
 * Return: SIOCOUTQ
 */
static int outq(int s)
{
	int v = 0;

	if (ioctl(s, SIOCOUTQ, &v))
		die_msg("SIOCOUTQ", errno);
	return v;
}

/**
 * main() - Entry point
 *
 * Return: 0 on success
 */
int main(int argc, char **argv)
{
	uint64_t l_sent = 0, l_got = 0, p_sent = 0, p_got = 0, l_end;
	int af = argc > 1 && !strcmp(argv[1], "6") ? AF_INET6 : AF_INET;
	union sockaddr_inany sa, la, pa;
	union inany_addr lo;
	socklen_t sl;
	int l, a, p, b, small = 4096, one = 1;
	struct tcp_mig m, m2;
	size_t used;
	ssize_t q;
	const char *why;
	time_t t;

	inany_pton(af == AF_INET ? "127.0.0.1" : "::1", &lo);
	sl = sockaddr_from_inany(&sa, &lo, 0);
	if ((l = socket(af, SOCK_STREAM, 0)) < 0 ||
	    bind(l, &sa.sa, sl) || listen(l, 1) ||
	    getsockname(l, &sa.sa, &sl))
		die_msg("listener", errno);
	if ((a = socket(af, SOCK_STREAM, 0)) < 0 ||
	    connect(a, &sa.sa, sl) ||
	    (p = accept(l, NULL, NULL)) < 0)
		die_msg("connection", errno);
	setsockopt(p, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));

	/* Local data the peer can't take yet, peer data unread */
	send_stream(a, 1, &l_sent, 64ULL << 20, false);
	send_stream(p, 2, &p_sent, PEER_BEFORE, true);
	for (t = time(NULL); time(NULL) - t < 5;) {
		int inq = 0;

		if (!ioctl(a, SIOCINQ, &inq) && inq >= PEER_BEFORE)
			break;
		poll(NULL, 0, 10);
	}

	repair(a, 1);
	memset(&m, 0, sizeof(m));
	sl = sizeof(la);
	getsockname(a, &la.sa, &sl);
	sl = sizeof(pa);
	getpeername(a, &pa.sa, &sl);
	inany_from_sockaddr(&m.side[HOSTSIDE].eaddr, &m.side[HOSTSIDE].eport,
			    &la);
	inany_from_sockaddr(&m.side[HOSTSIDE].faddr, &m.side[HOSTSIDE].fport,
			    &pa);
	m.side[GUESTSIDE] = m.side[HOSTSIDE];
	m.mss = 1460;
	q = tcp_repair_read(a, &m, qbuf, sizeof(qbuf));
	if (q < 0)
		die_msg("tcp_repair_read", (int)-q);
	if (!m.sndq_len || m.rcvq_len < PEER_BEFORE)
		die_msg("queues not as set up", 0);
	memcpy(rec + TCP_MIG_FIXED, qbuf, (size_t)q);
	tcp_mig_encode(&m, rec);
	if ((why = tcp_mig_decode(rec, TCP_MIG_FIXED + (size_t)q, &m2, &used)))
		die_msg(why, 0);
	if (used != TCP_MIG_FIXED + (size_t)q)
		die_msg("record length", 0);

	/* Frozen: what the peer sends now must not be acknowledged */
	send_stream(p, 2, &p_sent, PEER_BEFORE + PEER_LATE, true);
	poll(NULL, 0, 300);
	if (outq(p) < PEER_LATE) {
		printf("error: frozen socket acknowledged late data\n");
		return 1;
	}
	l_end = l_sent;
	close(a);	/* repair mode: nothing sent, 4-tuple free */

	if ((b = socket(af, SOCK_STREAM | SOCK_NONBLOCK, 0)) < 0)
		die_msg("socket", errno);
	repair(b, 1);
	if ((q = tcp_repair_write(b, &m2, 0)))
		die_msg("tcp_repair_write", (int)-q);
	repair(b, 0);
	setsockopt(b, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	/* Both ways, interleaved: all of it, in order, exactly once */
	while (l_got < l_end + LOCAL_EXTRA ||
	       p_got < PEER_BEFORE + PEER_LATE + PEER_AFTER) {
		if (l_sent < l_end + LOCAL_EXTRA)
			send_stream(b, 1, &l_sent, l_end + LOCAL_EXTRA, false);
		if (p_sent < PEER_BEFORE + PEER_LATE + PEER_AFTER)
			send_stream(p, 2, &p_sent,
				    PEER_BEFORE + PEER_LATE + PEER_AFTER, false);
		recv_stream(p, 1, &l_got, MIN(l_sent, l_got + 65536),
			    "peer");
		recv_stream(b, 2, &p_got, MIN(p_sent, p_got + 65536),
			    "local");
		if (l_sent == l_end + LOCAL_EXTRA &&
		    p_sent == PEER_BEFORE + PEER_LATE + PEER_AFTER) {
			recv_stream(p, 1, &l_got, l_sent, "peer");
			recv_stream(b, 2, &p_got, p_sent, "local");
		}
	}
	printf("ok: %u bytes unacknowledged and %u unread moved; %" PRIu64
	       " bytes to the peer, %" PRIu64 " back, no reset\n",
	       m.sndq_len, m.rcvq_len, l_got, p_got);
	return 0;
}
