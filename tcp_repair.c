// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_repair.c - TCP connections in the migration stream: the byte layout
 * of one connection's record, and the socket work in repair mode (the
 * passt-repair helper switches sockets in and out of it) that reads a
 * connection's kernel state on the source and recreates it on the target.
 *
 * Record (numbers little-endian, addresses as 16 bytes, IPv4-mapped):
 *   guest side, host side: eaddr, faddr, eport, fport (36 bytes each)
 *   u16 flags, u8 ws_guest, u8 opts, u16 mss, u16 sock_mss,
 *   u8 snd_wscale, u8 rcv_wscale, 2 bytes zero,
 *   u32 isn, seq_to_guest, seq_max, seq_una, seq_head, seq_from_guest,
 *       seq_ack_sent, wnd_guest, wnd_sent,
 *   u32 snd_seq, rcv_seq, sndq_len, rcvq_len, ts,
 *   u32 snd_wl1, snd_wnd, max_window, rcv_wnd, rcv_wup
 *   then sndq_len bytes of send queue, rcvq_len bytes of receive queue.
 *
 * Kernel facts (measured on Linux 6.18 with a throw-away probe in the
 * test sandbox, loopback connection with 3.8 MB unacknowledged in the send
 * queue and 14 kB unread in the receive queue):
 * - Dump, in repair mode: TCP_INFO (options, window scales), TCP_MAXSEG,
 *   TCP_TIMESTAMP, TCP_REPAIR_WINDOW, SIOCOUTQ/SIOCINQ, then per queue
 *   (TCP_REPAIR_QUEUE) TCP_QUEUE_SEQ (the sequence number after the last
 *   byte) and MSG_PEEK of the whole queue (from offset 0: SO_PEEK_OFF).
 * - Restore, on a new socket in repair mode, in this order (the kernel's
 *   rules): queue sequence numbers while closed, bind (repair mode forces
 *   address reuse, so a listener on the port is no obstacle), connect (no
 *   handshake), TCP_REPAIR_OPTIONS, TCP_TIMESTAMP, the receive then send
 *   queue data (send() with the queue selected: the send queue needs room
 *   in the socket's send buffer, hence SO_SNDBUF raised first), and
 *   TCP_REPAIR_WINDOW; leaving repair mode sends a window probe, and both
 *   directions carry on, the send queue retransmitted, no RST anywhere.
 * - A socket in repair mode still acknowledges and queues data arriving
 *   from its peer: bytes that came after the dump would be acknowledged by
 *   the source and lost. A zero receive window set through
 *   TCP_REPAIR_WINDOW doesn't stop it (the fast path takes the segment),
 *   nor does the smallest SO_RCVBUF when the receive queue is empty. A
 *   socket filter that drops everything (SO_ATTACH_FILTER, "ret 0") does:
 *   segments are discarded before TCP sees them, unacknowledged, and the
 *   peer retransmits them to the target. Attaching one takes no capability
 *   on most kernels, but failed with EPERM for passt here (without
 *   capabilities) and worked with CAP_NET_ADMIN alone: so passt-repair
 *   freezes each socket that way before it sets TCP_REPAIR, and thaws it
 *   after clearing it. The source's sockets are frozen before they are
 *   read, and thawed if the migration fails.
 * - The send queue goes back through send() in repair mode, charged to
 *   the socket's send buffer (about twice the payload): SO_SNDBUF is raised
 *   where needed, which an unprivileged process can only do up to twice
 *   net.core.wmem_max (here 4 MiB; 208 kiB by default), while the source's
 *   buffer grows by itself up to net.ipv4.tcp_wmem's maximum. A queue that
 *   doesn't fit fails with EAGAIN, and that connection is reset.
 * - close() of a socket in repair mode sends nothing, and frees the
 *   4-tuple. While a socket holds the 4-tuple, even frozen in repair mode,
 *   connect() of another socket to it fails with EADDRNOTAVAIL.
 *
 * Hence, after a completed migration, the source either keeps its frozen
 * sockets (the default, "linger": segments still reaching this host, say
 * before the network learned where the guest went, are dropped, not
 * answered with a RST), or closes them (--migrate-no-linger, and
 * --migrate-exit, which closes them before it answers the front end, so
 * that they are free once the target loads). A target on the same host
 * needs the
 * 4-tuples free: with a lingering source it gets EADDRNOTAVAIL, and resets
 * the guest's side of those connections with one log line instead of
 * waiting for a source that may never let go. For a same-host upgrade,
 * run the source with --migrate-no-linger or --migrate-exit.
 */

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/sockios.h>

#include "inany.h"
#include "tcp_repair.h"
#include "util.h"

/* The queues TCP_REPAIR_QUEUE selects and the element TCP_REPAIR_OPTIONS
 * takes: kernel ABI (linux/tcp.h, which clashes with netinet/tcp.h), and
 * not in every C library's netinet/tcp.h (musl has neither)
 */
enum {
	REPAIR_Q_NONE	= 0,
	REPAIR_Q_RECV	= 1,
	REPAIR_Q_SEND	= 2,
};

/**
 * struct repair_opt - One TCP option for TCP_REPAIR_OPTIONS
 * @code:	TCPOPT_* kind
 * @val:	Value: MSS, window scales (send | receive << 16), or 0
 */
struct repair_opt {
	uint32_t code;
	uint32_t val;
};

/**
 * struct cur - Cursor over a record
 * @p:		Record start
 * @pos:	Current offset
 */
struct cur {
	uint8_t *p;
	size_t pos;
};

/**
 * put() - Append a little-endian number
 * @c:		Cursor
 * @v:		Value
 * @n:		Bytes: 1, 2 or 4
 */
static void put(struct cur *c, uint32_t v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		c->p[c->pos++] = (uint8_t)(v >> (8 * i));
}

/**
 * get() - Take a little-endian number
 * @p:		Record
 * @pos:	Offset, advanced
 * @n:		Bytes: 1, 2 or 4
 *
 * Return: value
 */
static uint32_t get(const uint8_t *p, size_t *pos, size_t n)
{
	uint32_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v |= (uint32_t)p[(*pos)++] << (8 * i);
	return v;
}

/**
 * tcp_mig_encode() - Write the fixed part of a record
 * @m:		Connection
 * @p:		Destination, TCP_MIG_FIXED bytes (the queues follow, written
 *		by the caller)
 */
void tcp_mig_encode(const struct tcp_mig *m, uint8_t *p)
{
	const uint32_t w[] = { m->isn, m->seq_to_guest, m->seq_max,
			       m->seq_una, m->seq_head, m->seq_from_guest,
			       m->seq_ack_sent, m->wnd_guest, m->wnd_sent,
			       m->snd_seq, m->rcv_seq, m->sndq_len,
			       m->rcvq_len, m->ts, m->snd_wl1, m->snd_wnd,
			       m->max_window, m->rcv_wnd, m->rcv_wup };
	struct cur c = { .p = p };
	size_t i;

	for (i = 0; i < 2; i++) {
		memcpy(p + c.pos, &m->side[i].eaddr, 16);
		memcpy(p + c.pos + 16, &m->side[i].faddr, 16);
		c.pos += 32;
		put(&c, m->side[i].eport, 2);
		put(&c, m->side[i].fport, 2);
	}
	put(&c, m->flags, 2);
	put(&c, m->ws_guest, 1);
	put(&c, m->opts, 1);
	put(&c, m->mss, 2);
	put(&c, m->sock_mss, 2);
	put(&c, m->snd_wscale, 1);
	put(&c, m->rcv_wscale, 1);
	put(&c, 0, 2);
	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		put(&c, w[i], 4);
}

/**
 * tcp_mig_decode() - Read and check one record
 * @p:		Record
 * @len:	Bytes left in the section from @p
 * @m:		Connection, filled (queues point into @p)
 * @used:	Set to the record's length
 *
 * Return: NULL if valid, else what is wrong
 */
const char *tcp_mig_decode(const uint8_t *p, size_t len, struct tcp_mig *m,
			   size_t *used)
{
	uint32_t *w[] = { &m->isn, &m->seq_to_guest, &m->seq_max,
			  &m->seq_una, &m->seq_head, &m->seq_from_guest,
			  &m->seq_ack_sent, &m->wnd_guest, &m->wnd_sent,
			  &m->snd_seq, &m->rcv_seq, &m->sndq_len,
			  &m->rcvq_len, &m->ts, &m->snd_wl1, &m->snd_wnd,
			  &m->max_window, &m->rcv_wnd, &m->rcv_wup };
	size_t pos = 0, i;

	if (len < TCP_MIG_FIXED)
		return "short TCP connection record";
	memset(m, 0, sizeof(*m));
	for (i = 0; i < 2; i++) {
		memcpy(&m->side[i].eaddr, p + pos, 16);
		memcpy(&m->side[i].faddr, p + pos + 16, 16);
		pos += 32;
		m->side[i].eport = (in_port_t)get(p, &pos, 2);
		m->side[i].fport = (in_port_t)get(p, &pos, 2);
	}
	m->flags = (uint16_t)get(p, &pos, 2);
	m->ws_guest = (uint8_t)get(p, &pos, 1);
	m->opts = (uint8_t)get(p, &pos, 1);
	m->mss = (uint16_t)get(p, &pos, 2);
	m->sock_mss = (uint16_t)get(p, &pos, 2);
	m->snd_wscale = (uint8_t)get(p, &pos, 1);
	m->rcv_wscale = (uint8_t)get(p, &pos, 1);
	pos += 2;
	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		*w[i] = get(p, &pos, 4);

	if (m->ws_guest > 14 || m->snd_wscale > 14 || m->rcv_wscale > 14)
		return "bad window scale in TCP connection record";
	if (!m->mss || !m->sock_mss || m->mss > TCP_MIG_MSS_MAX)
		return "bad MSS in TCP connection record";
	if (m->wnd_guest > TCP_MIG_WND_MAX || m->wnd_sent > TCP_MIG_WND_MAX)
		return "bad window in TCP connection record";
	if (!inany_v4(&m->side[0].eaddr) != !inany_v4(&m->side[0].faddr) ||
	    !inany_v4(&m->side[1].eaddr) != !inany_v4(&m->side[1].faddr))
		return "mixed address families in TCP connection record";
	if (!m->side[0].eport || !m->side[0].fport ||
	    !m->side[1].eport || !m->side[1].fport)
		return "zero port in TCP connection record";
	if (m->sndq_len > TCP_MIG_QUEUE_MAX || m->rcvq_len > TCP_MIG_QUEUE_MAX)
		return "queue too long in TCP connection record";
	if (len - TCP_MIG_FIXED < (size_t)m->sndq_len + m->rcvq_len)
		return "truncated TCP connection record";
	m->sndq = p + TCP_MIG_FIXED;
	m->rcvq = m->sndq + m->sndq_len;
	*used = TCP_MIG_FIXED + (size_t)m->sndq_len + m->rcvq_len;
	return NULL;
}

/**
 * repair_queue() - Select the queue repair options and I/O act on
 * @s:		Socket, in repair mode
 * @q:		REPAIR_Q_NONE, REPAIR_Q_SEND or REPAIR_Q_RECV
 *
 * Return: 0 on success, -errno on failure
 */
static int repair_queue(int s, int q)
{
	if (setsockopt(s, IPPROTO_TCP, TCP_REPAIR_QUEUE, &q, sizeof(q)))
		return -errno;
	return 0;
}

/**
 * peek_all() - Copy a queue of a socket in repair mode, all or nothing
 * @s:		Socket, queue selected
 * @buf:	Destination
 * @len:	Bytes the queue holds
 *
 * Return: 0 on success, -errno on failure
 */
static int peek_all(int s, uint8_t *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		/* #syscalls:vu recvfrom */
		ssize_t n = recv(s, buf + got, len - got,
				 MSG_PEEK | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		got += (size_t)n;
	}
	return 0;
}

/**
 * tcp_repair_read() - Read the kernel's state of a connection's socket
 * @s:		Socket, frozen in repair mode (source, guest stopped)
 * @m:		Connection: socket fields and queue pointers filled
 * @buf:	Room for the queues' data (send queue, then receive queue)
 * @size:	Size of @buf
 *
 * Return: bytes of @buf used, -ENOSPC if the queues don't fit, other
 *	   -errno on failure
 */
ssize_t tcp_repair_read(int s, struct tcp_mig *m, uint8_t *buf, size_t size)
{
	struct tcp_repair_window rw;
	struct tcp_info ti;
	socklen_t sl;
	int v, outq, inq, zero = 0, ret;
	uint32_t seq;

	sl = sizeof(ti);
	memset(&ti, 0, sizeof(ti));
	if (getsockopt(s, IPPROTO_TCP, TCP_INFO, &ti, &sl))
		return -errno;
	m->opts = ti.tcpi_options & (TCP_MIG_OPT_TS | TCP_MIG_OPT_SACK |
				     TCP_MIG_OPT_WS);
	m->snd_wscale = ti.tcpi_snd_wscale;
	m->rcv_wscale = ti.tcpi_rcv_wscale;

	sl = sizeof(v);
	if (getsockopt(s, IPPROTO_TCP, TCP_MAXSEG, &v, &sl))
		return -errno;
	m->sock_mss = (uint16_t)v;
	m->ts = 0;
	sl = sizeof(v);
	if ((m->opts & TCP_MIG_OPT_TS) &&
	    getsockopt(s, IPPROTO_TCP, TCP_TIMESTAMP, &v, &sl) == 0)
		m->ts = (uint32_t)v;

	sl = sizeof(rw);
	if (getsockopt(s, IPPROTO_TCP, TCP_REPAIR_WINDOW, &rw, &sl))
		return -errno;
	m->snd_wl1 = rw.snd_wl1;
	m->snd_wnd = rw.snd_wnd;
	m->max_window = rw.max_window;
	m->rcv_wnd = rw.rcv_wnd;
	m->rcv_wup = rw.rcv_wup;

	if (ioctl(s, SIOCOUTQ, &outq) || ioctl(s, SIOCINQ, &inq))
		return -errno;
	if (outq < 0 || inq < 0 || (size_t)outq > TCP_MIG_QUEUE_MAX ||
	    (size_t)inq > TCP_MIG_QUEUE_MAX)
		return -EOVERFLOW;
	if ((size_t)outq + (size_t)inq > size)
		return -ENOSPC;
	m->sndq_len = (uint32_t)outq;
	m->rcvq_len = (uint32_t)inq;

	sl = sizeof(seq);
	if ((ret = repair_queue(s, REPAIR_Q_SEND)) ||
	    getsockopt(s, IPPROTO_TCP, TCP_QUEUE_SEQ, &seq, &sl))
		return ret ? ret : -errno;
	m->snd_seq = seq - m->sndq_len;
	if ((ret = peek_all(s, buf, m->sndq_len)))
		return ret;

	sl = sizeof(seq);
	if ((ret = repair_queue(s, REPAIR_Q_RECV)) ||
	    getsockopt(s, IPPROTO_TCP, TCP_QUEUE_SEQ, &seq, &sl))
		return ret ? ret : -errno;
	m->rcv_seq = seq - m->rcvq_len;
	/* Peek from the first byte: tcp.c keeps an offset on this socket */
	if (setsockopt(s, SOL_SOCKET, SO_PEEK_OFF, &zero, sizeof(zero)))
		return -errno;
	if ((ret = peek_all(s, buf + m->sndq_len, m->rcvq_len)))
		return ret;

	m->sndq = buf;
	m->rcvq = buf + m->sndq_len;
	if ((ret = repair_queue(s, REPAIR_Q_NONE)))
		return ret;
	return (ssize_t)m->sndq_len + m->rcvq_len;
}

/**
 * write_all_repair() - Fill the selected queue of a socket in repair mode
 * @s:		Socket
 * @p:		Data
 * @len:	Length
 *
 * Return: 0 on success, -errno on failure
 */
static int write_all_repair(int s, const uint8_t *p, size_t len)
{
	while (len) {
		/* #syscalls:vu sendto */
		ssize_t n = send(s, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/**
 * buf_room() - Make a socket buffer big enough for a restored queue
 * @s:		Socket
 * @opt:	SO_SNDBUF or SO_RCVBUF
 * @len:	Bytes the queue will hold
 *
 * A buffer is raised only if needed: setting it ends the kernel's tuning.
 *
 * Return: 0 on success, -ENOBUFS if the queue can't fit
 */
static int buf_room(int s, int opt, uint32_t len)
{
	socklen_t sl = sizeof(int);
	/* The kernel charges about twice the payload in its accounting */
	uint64_t want = (uint64_t)len * 2 + 65536;
	int v;

	if (!len)
		return 0;
	if (getsockopt(s, SOL_SOCKET, opt, &v, &sl))
		return -errno;
	if ((uint64_t)v >= want)
		return 0;
	v = (int)MIN(want / 2, (uint64_t)INT32_MAX / 2);
	setsockopt(s, SOL_SOCKET, opt, &v, sizeof(v));
	sl = sizeof(v);
	if (getsockopt(s, SOL_SOCKET, opt, &v, &sl))
		return -errno;
	return (uint64_t)v >= (uint64_t)len ? 0 : -ENOBUFS;
}

/**
 * tcp_repair_write() - Recreate a connection's socket from its record
 * @s:		New TCP socket of the right family, in repair mode
 * @m:		Connection
 * @promised:	Bytes the send buffer must take on top of the queue: the
 *		window the guest was offered and may fill at once
 *
 * The source's send buffer grew with its connection, and the window it
 * offered the guest was measured from it; a new socket's buffer starts at
 * a new connection's size. What the guest then sends within that window
 * and the socket refuses is lost to a sender without selective
 * acknowledgements until its timeouts, doubling while the socket stays
 * full: the send buffer is sized for the queue and the window together
 * (which ends the kernel's tuning of it, at about the size the source's
 * kernel had tuned it to), after connect() and only if the kernel's own
 * initial size falls short. Past net.core.wmem_max, the queue alone must
 * fit.
 *
 * Return: 0 on success (still in repair mode), -errno on failure
 */
int tcp_repair_write(int s, const struct tcp_mig *m, uint32_t promised)
{
	const struct flowside *hs = &m->side[HOSTSIDE];
	struct repair_opt opt[4];
	struct tcp_repair_window rw = {
		.snd_wl1 = m->snd_wl1, .snd_wnd = m->snd_wnd,
		.max_window = m->max_window, .rcv_wnd = m->rcv_wnd,
		.rcv_wup = m->rcv_wup,
	};
	union sockaddr_inany sa;
	int ret, v;
	unsigned nopt = 0;
	socklen_t sl;

	/* No SO_REUSEADDR: it would replace the forced reuse repair mode set */
	if ((ret = buf_room(s, SO_RCVBUF, m->rcvq_len)))
		return ret;
	if ((ret = repair_queue(s, REPAIR_Q_SEND)) ||
	    setsockopt(s, IPPROTO_TCP, TCP_QUEUE_SEQ, &m->snd_seq,
		       sizeof(m->snd_seq)))
		return ret ? ret : -errno;
	if ((ret = repair_queue(s, REPAIR_Q_RECV)) ||
	    setsockopt(s, IPPROTO_TCP, TCP_QUEUE_SEQ, &m->rcv_seq,
		       sizeof(m->rcv_seq)))
		return ret ? ret : -errno;

	sl = sockaddr_from_inany(&sa, &hs->eaddr, hs->eport);
	if (bind(s, &sa.sa, sl))
		return -errno;
	sl = sockaddr_from_inany(&sa, &hs->faddr, hs->fport);
	if (connect(s, &sa.sa, sl))
		return -errno;

	ret = buf_room(s, SO_SNDBUF, m->sndq_len + promised);
	if (ret == -ENOBUFS && promised)
		ret = buf_room(s, SO_SNDBUF, m->sndq_len);
	if (ret)
		return ret;

	opt[nopt].code = TCPOPT_MAXSEG;
	opt[nopt++].val = m->sock_mss;
	if (m->opts & TCP_MIG_OPT_WS) {
		opt[nopt].code = TCPOPT_WINDOW;
		opt[nopt++].val = m->snd_wscale |
				      ((uint32_t)m->rcv_wscale << 16);
	}
	if (m->opts & TCP_MIG_OPT_SACK) {
		opt[nopt].code = TCPOPT_SACK_PERMITTED;
		opt[nopt++].val = 0;
	}
	if (m->opts & TCP_MIG_OPT_TS) {
		opt[nopt].code = TCPOPT_TIMESTAMP;
		opt[nopt++].val = 0;
	}
	if (setsockopt(s, IPPROTO_TCP, TCP_REPAIR_OPTIONS, opt,
		       nopt * sizeof(opt[0])))
		return -errno;
	v = (int)m->ts;
	if ((m->opts & TCP_MIG_OPT_TS) &&
	    setsockopt(s, IPPROTO_TCP, TCP_TIMESTAMP, &v, sizeof(v)))
		return -errno;

	if ((ret = repair_queue(s, REPAIR_Q_RECV)) ||
	    (ret = write_all_repair(s, m->rcvq, m->rcvq_len)) ||
	    (ret = repair_queue(s, REPAIR_Q_SEND)) ||
	    (ret = write_all_repair(s, m->sndq, m->sndq_len)))
		return ret;

	if (setsockopt(s, IPPROTO_TCP, TCP_REPAIR_WINDOW, &rw, sizeof(rw)))
		return -errno;
	return repair_queue(s, REPAIR_Q_NONE);
}
