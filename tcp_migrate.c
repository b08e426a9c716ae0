// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_migrate.c - The guest's TCP connections in a live migration
 * (vhost-user): the source freezes each connection's socket in repair mode
 * and describes it in the MIGRATE_SEC_TCP section (records of
 * tcp_repair.c, with the guest-side state tcp.c keeps); the target
 * recreates the sockets through its passt-repair helper and puts the
 * connections back in its flow table, on epoll and on timers. What the
 * kernel does, and why we do it this way, is in tcp_repair.c.
 *
 * Section payload: u32 count (little-endian), then count records.
 */

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "inany.h"
#include "log.h"
#include "migrate.h"
#include "repair.h"
#include "tcp_conn.h"
#include "tcp_deadline.h"
#include "tcp_migrate.h"
#include "tcp_repair.h"

/* Connection flags a record carries over: the rest describe work in
 * progress that the target starts afresh
 */
#define TCP_MIG_FLAGS	(TCP_F_V6 | TCP_F_WS | TCP_F_ESTABLISHED |	\
			 TCP_F_WND_LOW | TCP_F_WND_BLOCKED)

/* Connections of the save in progress: flow indices and their sockets */
static uint32_t mig_flows[FLOW_MAX];
static int mig_fds[FLOW_MAX];
static unsigned mig_count;

/* Flows recreated (target) or given back (source, failed migration): an
 * ACK (possibly held, or lost as the queues stopped) and acknowledged data
 * left in the socket are seen to once the queues run
 */
static uint32_t mig_resume[FLOW_MAX];
static unsigned mig_resume_count;

/* Sockets of connections that moved, kept frozen (no RST, see
 * tcp_repair.c) until we exit, unless --migrate-no-linger
 */
static int mig_linger[FLOW_MAX];
static unsigned mig_linger_count;

/* Target: resets owed to the guest for connections that didn't come
 * back, sent once its queues run (past this many: on its next segment)
 */
#define TCP_MIG_RST_MAX		4096
static struct tcp_mig_rst {
	struct flowside side;
	uint32_t seq;
	uint32_t ack;
} mig_rst[TCP_MIG_RST_MAX];
static unsigned mig_rst_count;
/* Each is sent this many times, this far apart at least: a guest whose
 * receive queue has no buffer yet drops the first, and an extra RST for a
 * connection already gone is ignored
 */
#define TCP_MIG_RST_TIMES	3
#define TCP_MIG_RST_GAP_MS	500
static unsigned mig_rst_sent;
static struct timespec mig_rst_last;

/**
 * mig_ms_since() - Milliseconds elapsed since a moment
 * @t0:		Start
 *
 * Return: milliseconds
 */
static unsigned long mig_ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (unsigned long)((t.tv_sec - t0->tv_sec) * 1000 +
			       (t.tv_nsec - t0->tv_nsec) / 1000000);
}

/**
 * tcp_conn_movable() - Can a connection move with the guest?
 * @conn:	Connection
 *
 * Established connections without a FIN either way move; handshakes and
 * closing connections don't (the target resets the guest's side).
 *
 * Return: true if it can
 */
static bool tcp_conn_movable(const struct tcp_conn *conn)
{
	return conn->sock >= 0 && (conn->flags & TCP_F_ESTABLISHED) &&
	       !(conn->flags & (TCP_F_HOST_EOF | TCP_F_EOF_READ |
				TCP_F_FIN_SENT | TCP_F_GUEST_FIN));
}

/**
 * tcp_mig_resume_later() - Have tcp_conn_resume() called once queues run
 * @conn:	Connection, thawed or recreated
 */
static void tcp_mig_resume_later(const struct tcp_conn *conn)
{
	if (mig_resume_count < FLOW_MAX)
		mig_resume[mig_resume_count++] =
			flow_idx((const union flow *)conn);
}

/**
 * tcp_mig_thaw() - Give a connection back to normal service, or start one
 *		    recreated on the target
 * @c:		Execution context
 * @conn:	Connection, its socket out of repair mode (and thawed)
 */
static void tcp_mig_thaw(const struct ctx *c, struct tcp_conn *conn)
{
	conn->flags &= ~TCP_F_FROZEN;
	conn->flags |= TCP_F_PEEK_RESET;
	tcp_epoll_set(c, conn, false);
	if (conn->seq_una != conn->seq_max)
		tcp_conn_deadline(conn, conn->rto_ms);
	tcp_mig_resume_later(conn);
}

/**
 * tcp_mig_describe() - Fill a record's guest-side part from a connection
 * @m:		Record
 * @conn:	Connection
 */
static void tcp_mig_describe(struct tcp_mig *m, const struct tcp_conn *conn)
{
	memcpy(m->side, conn->f.side, sizeof(m->side));
	m->flags = (uint16_t)(conn->flags & TCP_MIG_FLAGS);
	m->ws_guest = conn->ws_guest;
	m->mss = conn->mss;
	m->isn = conn->isn;
	m->seq_to_guest = conn->seq_to_guest;
	m->seq_max = conn->seq_max;
	m->seq_una = conn->seq_una;
	m->seq_head = conn->seq_head;
	m->seq_from_guest = conn->seq_from_guest;
	m->seq_ack_sent = conn->seq_ack_sent;
	m->wnd_guest = conn->wnd_guest;
	m->wnd_sent = conn->wnd_sent;
}

/**
 * tcp_mig_local() - Our address and port of a socket, as bound now
 * @s:		Socket
 * @hs:		Host side of the connection: @eaddr and @eport set
 *
 * The flow may not know its local address (a socket bound by connect()).
 */
static void tcp_mig_local(int s, struct flowside *hs)
{
	union sockaddr_inany sa;
	socklen_t sl = sizeof(sa);

	/* #syscalls:vu getsockname */
	if (!getsockname(s, &sa.sa, &sl))
		inany_from_sockaddr(&hs->eaddr, &hs->eport, &sa);
}

/**
 * tcp_mig_stay() - Source: a record that only names a connection staying
 * @conn:	Connection
 * @buf:	Where the record goes, TCP_MIG_FIXED bytes
 */
static void tcp_mig_stay(const struct tcp_conn *conn, uint8_t *buf)
{
	struct tcp_mig m = { 0 };

	tcp_mig_describe(&m, conn);
	tcp_mig_local(conn->sock, &m.side[HOSTSIDE]);
	m.opts = TCP_MIG_OPT_STAYS;
	m.sock_mss = m.mss;
	tcp_mig_encode(&m, buf);
}

/**
 * tcp_migrate_save() - Source: TCP connections into the state stream
 * @c:		Execution context
 * @buf:	Section payload: u32 count, then tcp_repair.c records
 * @size:	Room in @buf
 *
 * Without passt-repair, or if it fails, or for a connection whose state
 * can't be read, the record only names the connection (TCP_MIG_OPT_STAYS,
 * no queues): it stays here, and the target logs it and resets the
 * guest's side.
 *
 * Return: payload length, -1 if it doesn't fit
 */
static ssize_t tcp_migrate_save(const struct ctx *c, uint8_t *buf,
				size_t size)
{
	unsigned i, n = flow_foreach_limit(), count = 0, skipped = 0;
	struct timespec t0;
	size_t pos = 4;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	mig_count = 0;
	if (size < 4)
		return -1;
	memset(buf, 0, 4);
	tcp_wr_flush(c);

	for (i = 0; i < n; i++) {
		struct tcp_conn *conn = tcp_conn_at(flow_at(i));

		if (!conn)
			continue;
		if (!tcp_conn_movable(conn)) {
			skipped++;
			continue;
		}
		mig_flows[mig_count] = i;
		mig_fds[mig_count++] = conn->sock;
	}
	if (skipped)
		info("migration: %u TCP connections not established: they "
		     "don't move", skipped);
	if (!mig_count)
		return 4;
	if (!repair_connected() ||
	    repair_set(mig_fds, mig_count, REPAIR_CMD_ON)) {
		info("migration: %s: %u TCP connections don't move, the "
		     "target resets them", repair_connected() ?
		     "passt-repair failed" : "no passt-repair connected",
		     mig_count);
		for (i = 0; i < mig_count; i++, pos += TCP_MIG_FIXED) {
			if (size - pos < TCP_MIG_FIXED)
				return -1;
			tcp_mig_stay(tcp_conn_at(flow_at(mig_flows[i])),
				     buf + pos);
		}
		buf[0] = (uint8_t)mig_count;
		buf[1] = (uint8_t)(mig_count >> 8);
		buf[2] = (uint8_t)(mig_count >> 16);
		buf[3] = (uint8_t)(mig_count >> 24);
		mig_count = 0;
		return (ssize_t)pos;
	}

	for (i = 0; i < mig_count; i++) {
		struct tcp_conn *conn = tcp_conn_at(flow_at(mig_flows[i]));
		struct tcp_mig m = { 0 };
		ssize_t q = -ENOSPC;

		epoll_ctl(c->run->epollfd, EPOLL_CTL_DEL, conn->sock, NULL);
		conn->events = 0;
		conn->flags |= TCP_F_FROZEN;
		tcp_deadline_set(mig_flows[i], 0);
		conn->deadline = 0;

		if (size - pos >= TCP_MIG_FIXED)
			q = tcp_repair_read(conn->sock, &m,
					    buf + pos + TCP_MIG_FIXED,
					    size - pos - TCP_MIG_FIXED);
		if (q == -ENOSPC)
			return -1;
		if (q < 0) {
			/* Stays here: the target resets the guest's side */
			warn("migration: TCP flow %u: can't read its state: "
			     "%s", mig_flows[i], strerror((int)-q));
			mig_fds[i] = -1;
			if (!repair_set(&conn->sock, 1, REPAIR_CMD_OFF))
				tcp_mig_thaw(c, conn);
			if (size - pos < TCP_MIG_FIXED)
				return -1;
			tcp_mig_stay(conn, buf + pos);
			pos += TCP_MIG_FIXED;
			count++;
			continue;
		}
		tcp_mig_describe(&m, conn);
		tcp_mig_local(conn->sock, &m.side[HOSTSIDE]);
		tcp_mig_encode(&m, buf + pos);
		pos += TCP_MIG_FIXED + (size_t)q;
		count++;
	}
	buf[0] = (uint8_t)count;
	buf[1] = (uint8_t)(count >> 8);
	buf[2] = (uint8_t)(count >> 16);
	buf[3] = (uint8_t)(count >> 24);
	info("migration: %u TCP connections saved", count);
	debug("migration: %u TCP connections saved in %lu ms", count,
	      mig_ms_since(&t0));
	return (ssize_t)pos;
}

/**
 * tcp_migrate_done() - Source: the front end checked the saved state
 * @c:		Execution context
 * @ok:		Migration completed: the connections live on the target
 *
 * Completed: the connections leave the flow table; their sockets stay open
 * and frozen, so that late segments get no RST, or are closed (silently,
 * in repair mode) with --migrate-no-linger, or --migrate-exit: a target
 * on this host may connect the same 4-tuples as soon as the front end has
 * our answer, before we are done exiting. Failed: back to normal
 * service, and the peer retransmits what the frozen sockets dropped.
 */
static void tcp_migrate_done(const struct ctx *c, bool ok)
{
	/* Exiting: close them now, before the front end hears of it */
	bool close_now = c->migrate_no_linger || c->migrate_exit;
	unsigned i, n = 0;

	if (!mig_count)
		return;
	for (i = 0; i < mig_count; i++) {
		if (mig_fds[i] < 0)
			continue;
		mig_flows[n] = mig_flows[i];
		mig_fds[n++] = mig_fds[i];
	}
	if (!ok && n && repair_set(mig_fds, n, REPAIR_CMD_OFF))
		err("migration: failed, and passt-repair can't give %u TCP "
		    "connections back: they are closed", n);

	for (i = 0; i < n; i++) {
		struct tcp_conn *conn = tcp_conn_at(flow_at(mig_flows[i]));

		if (!conn || conn->sock != mig_fds[i])
			continue;
		if (!ok && repair_connected()) {
			tcp_mig_thaw(c, conn);
			continue;
		}
		if (ok && !close_now && mig_linger_count < FLOW_MAX) {
			mig_linger[mig_linger_count++] = conn->sock;
			conn->sock = -1;
		}
		/* In repair mode, close() sends nothing */
		tcp_conn_close(conn, false);
	}
	if (ok)
		info("migration: %u TCP connections moved, sockets %s", n,
		     close_now ? "closed" : "kept frozen");
	else
		info("migration: failed, %u TCP connections carry on here", n);
	mig_count = 0;
}

/**
 * tcp_mig_flow() - Target: make a flow of a restored socket
 * @c:		Execution context
 * @m:		Connection
 * @s:		Socket, out of repair mode, closed on failure
 *
 * Return: 0 on success, -1 if the flow can't be made
 */
static int tcp_mig_flow(const struct ctx *c, const struct tcp_mig *m, int s)
{
	union flow *flow = flow_alloc();
	struct tcp_conn *conn;
	int one = 1;

	if (!flow) {
		close(s);
		return -1;
	}
	conn = tcp_conn_init(flow, s);
	memcpy(conn->f.side, m->side, sizeof(conn->f.side));
	if (flow_hash_insert(flow)) {
		tcp_conn_close(conn, true);
		return -1;
	}
	conn->flags = m->flags & TCP_MIG_FLAGS;
	conn->ws_guest = m->ws_guest;
	conn->mss = m->mss;
	conn->isn = m->isn;
	conn->seq_to_guest = m->seq_to_guest;
	conn->seq_max = m->seq_max;
	conn->seq_una = m->seq_una;
	conn->seq_recover = m->seq_una;
	conn->seq_head = m->seq_head;
	conn->seq_from_guest = m->seq_from_guest;
	conn->seq_ack_sent = m->seq_ack_sent;
	conn->wnd_guest = m->wnd_guest;
	conn->wnd_sent = m->wnd_sent;
	conn->rto_ms = TCP_RTO_MIN_MS;

	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	tcp_mig_thaw(c, conn);
	return 0;
}

/**
 * tcp_mig_promised() - Guest data a connection's window lets in, unwritten
 * @m:		Record of the connection (never one after the guest's FIN:
 *		tcp_conn_movable() leaves those out)
 *
 * Return: bytes the guest may send beyond what reached the socket
 */
static uint32_t tcp_mig_promised(const struct tcp_mig *m)
{
	uint32_t edge = m->seq_ack_sent + m->wnd_sent;

	if (SEQ_LE(edge, m->seq_from_guest))
		return 0;
	return edge - m->seq_from_guest;
}

/**
 * tcp_mig_owe_rst() - Target: note a reset owed to the guest
 * @m:		Record of a connection that isn't recreated
 */
static void tcp_mig_owe_rst(const struct tcp_mig *m)
{
	struct tcp_mig_rst *r;

	if (mig_rst_count >= TCP_MIG_RST_MAX)
		return;
	r = &mig_rst[mig_rst_count++];
	r->side = m->side[GUESTSIDE];
	r->seq = m->seq_to_guest;
	r->ack = m->seq_from_guest;
}

/**
 * tcp_mig_owe_all() - Target: a reset owed for every connection of a
 *		       section
 * @p:		Section payload, checked
 * @len:	Its length
 * @count:	Records in it
 */
static void tcp_mig_owe_all(const uint8_t *p, size_t len, unsigned count)
{
	size_t pos, used;
	struct tcp_mig m;
	unsigned i;

	for (i = 0, pos = 4; i < count; i++, pos += used) {
		tcp_mig_decode(p + pos, len - pos, &m, &used);
		tcp_mig_owe_rst(&m);
	}
}

/**
 * tcp_migrate_ready() - Target: the guest's queues run, send the resets
 *			 owed
 * @c:		Execution context
 *
 * The guest's side of a connection that didn't come back learns of it
 * now, not at its next segment, which could be hours away for a
 * connection waiting to receive. Called again from the timers, to send
 * them TCP_MIG_RST_TIMES times in all.
 */
static void tcp_migrate_ready(const struct ctx *c)
{
	struct timespec now;
	unsigned i;

	if (c->run->fd_tap < 0)
		return;
	for (i = 0; i < mig_resume_count; i++) {
		struct tcp_conn *conn = tcp_conn_at(flow_at(mig_resume[i]));

		if (conn)
			tcp_conn_resume(c, conn);
	}
	mig_resume_count = 0;

	if (!mig_rst_count)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (mig_rst_sent &&
	    mig_ms_since(&mig_rst_last) < TCP_MIG_RST_GAP_MS)
		return;
	mig_rst_last = now;
	for (i = 0; i < mig_rst_count; i++)
		tcp_rst_to_guest(c, &mig_rst[i].side, mig_rst[i].seq,
				 mig_rst[i].ack);
	debug("migration: %u RST segments sent to the guest", mig_rst_count);
	if (++mig_rst_sent >= TCP_MIG_RST_TIMES)
		mig_rst_count = 0;
}

/**
 * tcp_mig_drop() - Target: close the sockets made so far (repair mode:
 *		    silently)
 * @n:		Sockets in mig_fds
 */
static void tcp_mig_drop(unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		if (mig_fds[i] >= 0)
			close(mig_fds[i]);
		mig_fds[i] = -1;
	}
}

/**
 * tcp_mig_compact() - Target: list the sockets still in play
 * @n:		Entries of mig_fds (-1: none)
 *
 * Return: how many, written to mig_flows as descriptors
 */
static unsigned tcp_mig_compact(unsigned n)
{
	unsigned i, k = 0;

	for (i = 0; i < n; i++)
		if (mig_fds[i] >= 0)
			mig_flows[k++] = (uint32_t)mig_fds[i];
	return k;
}

/**
 * tcp_mig_helper_failed() - Target: passt-repair failed, reset them all
 * @c:		Execution context
 * @p:		Section payload, checked
 * @len:	Its length
 * @count:	Records in it
 *
 * Return: NULL: the section itself was valid
 */
static const char *tcp_mig_helper_failed(const struct ctx *c,
					 const uint8_t *p, size_t len,
					 unsigned count)
{
	tcp_mig_drop(count);
	tcp_mig_owe_all(p, len, count);
	tcp_migrate_ready(c);
	info("migration: passt-repair failed: the guest's %u TCP "
	     "connections are reset", count);
	return NULL;
}

/**
 * tcp_migrate_load() - Target: check, or apply, the TCP section
 * @c:		Execution context
 * @p:		Section payload
 * @len:	Payload length
 * @apply:	false: check only; true: recreate the connections
 *
 * Without passt-repair, or where a socket can't be recreated, or for a
 * connection that stayed on the source, the guest's connection is left
 * out (one log line) and reset as soon as frames reach the guest.
 *
 * Return: NULL if valid, else what is wrong
 */
static const char *tcp_migrate_load(const struct ctx *c, const uint8_t *p,
				    size_t len, bool apply)
{
	unsigned i, count, k, made = 0, busy = 0, stays = 0;
	struct timespec now, t0;
	struct tcp_mig m;
	size_t pos, used;
	const char *why;

	if (len < 4)
		return "short TCP section";
	count = (unsigned)p[0] | (unsigned)p[1] << 8 |
		(unsigned)p[2] << 16 | (unsigned)p[3] << 24;
	if (count > FLOW_MAX)
		return "too many TCP connections";
	for (i = 0, pos = 4; i < count; i++, pos += used) {
		if ((why = tcp_mig_decode(p + pos, len - pos, &m, &used)))
			return why;
		if (m.opts & TCP_MIG_OPT_STAYS)
			stays++;
	}
	if (pos != len)
		return "trailing bytes in TCP section";
	if (!apply || !count)
		return NULL;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	mig_rst_count = mig_rst_sent = 0;
	mig_resume_count = 0;
	if (stays == count || c->no_tcp || !repair_connected()) {
		tcp_mig_owe_all(p, len, count);
		tcp_migrate_ready(c);
		info("migration: %s: the guest's %u TCP connections are "
		     "reset", stays == count ? "they stayed on the source "
		     "(no passt-repair there, or it failed)" :
		     c->no_tcp ? "TCP disabled" : "no passt-repair connected",
		     count);
		return NULL;
	}
	if (stays)
		info("migration: %u TCP connections stayed on the source "
		     "(their state couldn't be read there): the guest's side "
		     "is reset", stays);

	for (i = 0, pos = 4; i < count; i++, pos += used) {
		tcp_mig_decode(p + pos, len - pos, &m, &used);
		mig_fds[i] = -1;
		if (m.opts & TCP_MIG_OPT_STAYS)
			continue;
		/* #syscalls:vu socket */
		mig_fds[i] = socket(inany_v4(&m.side[HOSTSIDE].faddr) ?
				    AF_INET : AF_INET6,
				    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
				    IPPROTO_TCP);
	}
	k = tcp_mig_compact(count);
	if (repair_set((const int *)mig_flows, k, REPAIR_CMD_ON)) {
		return tcp_mig_helper_failed(c, p, len, count);
	}

	for (i = 0, pos = 4; i < count; i++, pos += used) {
		int ret;

		tcp_mig_decode(p + pos, len - pos, &m, &used);
		if (mig_fds[i] < 0)
			continue;
		if ((ret = tcp_repair_write(mig_fds[i], &m,
					    tcp_mig_promised(&m)))) {
			if (ret == -EADDRNOTAVAIL)
				busy++;
			else
				info("migration: TCP connection %u can't be "
				     "recreated (%s): reset", i,
				     strerror(-ret));
			close(mig_fds[i]);	/* repair mode: silent */
			mig_fds[i] = -1;
		}
	}
	if (busy)
		info("migration: %u TCP connections reset: their addresses "
		     "and ports are still in use on this host (a source "
		     "passt keeping them? see --migrate-no-linger)", busy);

	k = tcp_mig_compact(count);
	if (k && repair_set((const int *)mig_flows, k, REPAIR_CMD_OFF)) {
		return tcp_mig_helper_failed(c, p, len, count);
	}

	clock_gettime(CLOCK_MONOTONIC, &now);
	tcp_update_now(&now);
	for (i = 0, pos = 4; i < count; i++, pos += used) {
		tcp_mig_decode(p + pos, len - pos, &m, &used);
		if (mig_fds[i] >= 0 && !tcp_mig_flow(c, &m, mig_fds[i]))
			made++;
		else
			tcp_mig_owe_rst(&m);
		mig_fds[i] = -1;
	}
	tcp_migrate_ready(c);
	info("migration: %u TCP connections restored%s", made,
	     made < count - stays ? ", the others are reset" : "");
	debug("migration: %u TCP connections loaded in %lu ms", made,
	      mig_ms_since(&t0));
	return NULL;
}

const struct migrate_conn_ops tcp_migrate_ops = {
	.save = tcp_migrate_save,
	.done = tcp_migrate_done,
	.load = tcp_migrate_load,
	.ready = tcp_migrate_ready,
};
