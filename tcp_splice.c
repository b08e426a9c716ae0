// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_splice.c - pasta's loopback bypass for TCP.
 *
 * A connection accepted from loopback on a forwarded port (host side, -t) or
 * on a port pasta listens to inside the namespace (-T) is not translated to
 * frames: we connect a socket on the other side to its loopback (or, by
 * default for host to namespace, to the namespace's own address, see NOTES
 * in the manual) and move data between the two sockets with splice(2)
 * through one pipe per direction. Nothing is copied to user space and
 * nothing is buffered beyond the pipe: when the pipe is full we stop
 * reading, the kernel's receive buffer fills and TCP throttles the sender.
 *
 * Sockets are registered level-triggered, for what they need at the time:
 * input while their pipe has room, output only while data waits for them.
 * An event runs only the direction it concerns, one read and one write in
 * the common case: a request and its answer cost one epoll_wait() and two
 * splice() calls each way, the least a relay can do (doc/perf-splice.md
 * has the figures). A read of end-of-file with its pipe drained becomes a
 * shutdown(SHUT_WR) on the other socket; an error on either socket resets
 * both (SO_LINGER zero). Sockets in the namespace come from a pool filled
 * off the hot path (one namespace switch fills the pool), and so do pipes.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "epoll_ctl.h"
#include "inany.h"
#include "util.h"
#include "json.h"
#include "log.h"
#include "ctx.h"
#include "flow.h"
#include "fwd.h"
#include "pasta.h"
#include "sock_l4.h"
#include "tcp_splice.h"

/* Pre-opened sockets in the namespace, per IP version */
#define TCP_SPLICE_POOL		32
/* Pre-opened pipes (a connection takes two) */
#define TCP_SPLICE_PIPE_POOL	32
/* Size we ask for pipes: fewer splice() calls per byte, bounded memory */
#define TCP_SPLICE_PIPE_BYTES	(1024 * 1024)
/* Size assumed when the kernel keeps its default */
#define TCP_SPLICE_PIPE_DEFAULT	(64 * 1024)
#define TCP_SPLICE_BACKLOG	128

/* Connection flags; direction d moves data read from s[d] to s[!d] */
#define SPLICE_CONNECTING	(1U << 0)	/* s[1] connect() pending */
#define SPLICE_EOF(d)		(1U << (1 + (d)))	/* EOF read on s[d] */
#define SPLICE_FIN(d)		(1U << (3 + (d)))	/* s[!d] shut for writes */
#define SPLICE_V6		(1U << 5)
#define SPLICE_TO_NS		(1U << 6)	/* s[1] is in the namespace */
#define SPLICE_FULL(d)		(1U << (7 + (d)))	/* pipe [d] took no more */

/**
 * struct tcp_splice_conn - Flow table entry of type FLOW_TCP_SPLICE
 * @f:		Common flow part: [0] accepted side, [1] side we connected
 * @s:		Sockets: [0] accepted, [1] connected by us
 * @pipe_r:	Read ends of the pipes, [d] carries data read from @s[d]
 * @pipe_w:	Write ends of the same pipes
 * @pending:	Bytes held in each pipe
 * @pipe_size:	Capacity of each pipe, bytes
 * @events:	epoll events each socket is registered for now
 * @flags:	SPLICE_* flags
 */
struct tcp_splice_conn {
	struct flow_common f;
	int s[2];
	int pipe_r[2];
	int pipe_w[2];
	uint32_t pending[2];
	uint32_t pipe_size[2];
	uint32_t events[2];
	uint16_t flags;
};

_Static_assert(sizeof(struct tcp_splice_conn) <= sizeof(union flow),
	       "spliced connection state must fit a flow table entry");

/* Sockets created in the namespace, [0] IPv4, [1] IPv6 */
static int tcp_splice_ns_socks[2][TCP_SPLICE_POOL];
static int tcp_splice_ns_n[2];

/**
 * struct tcp_splice_pipe - A pipe of the pool
 * @r:		Read end
 * @w:		Write end
 * @size:	Capacity, bytes
 */
struct tcp_splice_pipe {
	int r;
	int w;
	uint32_t size;
};

static struct tcp_splice_pipe tcp_splice_pipes[TCP_SPLICE_PIPE_POOL];
static int tcp_splice_npipes;

static unsigned long tcp_splice_conns_total;

/**
 * tcp_splice_conn_at() - Spliced connection at a flow table entry
 * @flow:	Entry, may be NULL
 *
 * Return: connection, NULL if @flow isn't a spliced connection
 */
static struct tcp_splice_conn *tcp_splice_conn_at(union flow *flow)
{
	if (!flow || flow->f.type != FLOW_TCP_SPLICE)
		return NULL;
	return (struct tcp_splice_conn *)flow;
}

/**
 * tcp_splice_sock_new() - Open a socket for the connecting side
 * @v6:		IPv6 rather than IPv4
 *
 * Return: socket, or -errno
 */
static int tcp_splice_sock_new(bool v6)
{
	int s, one = 1;

	s = sock_l4(&(struct sock_l4){ .proto = IPPROTO_TCP,
				       .af = v6 ? AF_INET6 : AF_INET });
	if (s < 0)
		return s;
	/* We forward what we got as soon as we got it: no extra delay */
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return s;
}

/**
 * tcp_splice_ns_pool_fill() - Fill the socket pools (run inside the namespace)
 * @arg:	Execution context
 *
 * Return: 0
 */
static int tcp_splice_ns_pool_fill(void *arg)
{
	const struct ctx *c = arg;
	int v;

	for (v = 0; v < 2; v++) {
		if (!(v ? c->ipv6_enabled : c->ipv4_enabled))
			continue;
		while (tcp_splice_ns_n[v] < TCP_SPLICE_POOL) {
			int s = tcp_splice_sock_new(v);

			if (s < 0)
				break;
			tcp_splice_ns_socks[v][tcp_splice_ns_n[v]++] = s;
		}
	}
	return 0;
}

/**
 * tcp_splice_ns_sock() - Take a socket in the namespace from the pool
 * @c:		Execution context
 * @v6:		IPv6 rather than IPv4
 *
 * The pool is normally refilled by the timer; if a burst of connections
 * empties it, one namespace switch refills it whole.
 *
 * Return: socket, or -1 on failure
 */
static int tcp_splice_ns_sock(const struct ctx *c, bool v6)
{
	if (!tcp_splice_ns_n[v6])
		pasta_ns_call(c, tcp_splice_ns_pool_fill, (void *)c);
	if (!tcp_splice_ns_n[v6])
		return -1;
	return tcp_splice_ns_socks[v6][--tcp_splice_ns_n[v6]];
}

/**
 * tcp_splice_pipe_new() - Open a non-blocking pipe, enlarged if we may
 * @p:		Pipe to fill
 *
 * Return: 0 on success, -errno on failure
 */
static int tcp_splice_pipe_new(struct tcp_splice_pipe *p)
{
	int fd[2], size;

	if (pipe2(fd, O_NONBLOCK | O_CLOEXEC))
		return -errno;
	if (fd[0] > FD_REF_MAX || fd[1] > FD_REF_MAX) {
		close(fd[0]);
		close(fd[1]);
		return -EMFILE;
	}
	/* Fails beyond the per-user pipe page budget: keep the default */
	/* #syscalls:pasta pipe2 fcntl(arg1=F_SETPIPE_SZ/F_GETPIPE_SZ) */
	fcntl(fd[0], F_SETPIPE_SZ, TCP_SPLICE_PIPE_BYTES);
	size = fcntl(fd[0], F_GETPIPE_SZ);
	p->r = fd[0];
	p->w = fd[1];
	p->size = size > 0 ? (uint32_t)size : TCP_SPLICE_PIPE_DEFAULT;
	return 0;
}

/**
 * tcp_splice_pipe_pool_fill() - Top up the pipe pool
 */
static void tcp_splice_pipe_pool_fill(void)
{
	while (tcp_splice_npipes < TCP_SPLICE_PIPE_POOL) {
		if (tcp_splice_pipe_new(&tcp_splice_pipes[tcp_splice_npipes]))
			return;
		tcp_splice_npipes++;
	}
}

/**
 * tcp_splice_pipe_get() - Take a pipe from the pool, or open one
 * @p:		Pipe to fill
 *
 * Return: 0 on success, -errno on failure
 */
static int tcp_splice_pipe_get(struct tcp_splice_pipe *p)
{
	if (tcp_splice_npipes) {
		*p = tcp_splice_pipes[--tcp_splice_npipes];
		return 0;
	}
	return tcp_splice_pipe_new(p);
}

/**
 * tcp_splice_pipe_put() - Give back a pipe: to the pool if empty, else close
 * @r:		Read end
 * @w:		Write end
 * @size:	Capacity
 * @empty:	Nothing is left in the pipe
 */
static void tcp_splice_pipe_put(int r, int w, uint32_t size, bool empty)
{
	if (r < 0)
		return;
	if (empty && tcp_splice_npipes < TCP_SPLICE_PIPE_POOL) {
		struct tcp_splice_pipe *p;

		p = &tcp_splice_pipes[tcp_splice_npipes++];
		p->r = r;
		p->w = w;
		p->size = size;
		return;
	}
	close(r);
	close(w);
}

/**
 * tcp_splice_close() - Close a connection and free its entry
 * @conn:	Connection
 * @rst:	Reset both peers (SO_LINGER zero) instead of closing cleanly
 */
static void tcp_splice_close(struct tcp_splice_conn *conn, bool rst)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };
	int d;

	for (d = 0; d < 2; d++) {
		if (conn->s[d] >= 0) {
			if (rst)
				setsockopt(conn->s[d], SOL_SOCKET, SO_LINGER,
					   &l, sizeof(l));
			close(conn->s[d]);
		}
		tcp_splice_pipe_put(conn->pipe_r[d], conn->pipe_w[d],
				conn->pipe_size[d], !conn->pending[d]);
	}
	flow_free((union flow *)conn);
}

/**
 * tcp_splice_events() - epoll events a socket of a connection needs now
 * @conn:	Connection
 * @x:		Socket, index in @conn->s
 *
 * Level-triggered: input (and the peer's shutdown) while end-of-file
 * wasn't read and the pipe it fills has room (in bytes, and in buffers: a
 * pipe holds as many pieces of socket buffers as it has pages, however
 * small they are, see tcp_splice_read()), output while its connect()
 * is pending or data waits in the other pipe for it. A socket needing
 * neither is registered edge-triggered for nothing: a hang-up it reports
 * later reaches us once, not at every epoll_wait().
 *
 * Return: epoll event mask
 */
static uint32_t tcp_splice_events(const struct tcp_splice_conn *conn, int x)
{
	uint32_t ev = 0;

	if (!(conn->flags & (SPLICE_EOF(x) | SPLICE_FULL(x))) &&
	    conn->pending[x] < conn->pipe_size[x])
		ev |= EPOLLIN | EPOLLRDHUP;
	if (conn->flags & SPLICE_CONNECTING) {
		if (x == 1)
			ev |= EPOLLOUT;
	} else if (conn->pending[!x]) {
		ev |= EPOLLOUT;
	}
	return ev ? ev : EPOLLET;
}

/**
 * tcp_splice_update() - Register each socket for the events it needs now
 * @c:		Execution context
 * @conn:	Connection
 *
 * Nothing to do, and no system call, in the common case: a request and
 * its answer leave both pipes empty, as they found them.
 *
 * Return: 0 on success, -1 if epoll_ctl() failed
 */
static int tcp_splice_update(const struct ctx *c, struct tcp_splice_conn *conn)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_TCP_SPLICE };
	int x;

	ref.flow = flow_idx((union flow *)conn);
	for (x = 0; x < 2; x++) {
		uint32_t ev = tcp_splice_events(conn, x);
		struct epoll_event e;

		if (ev == conn->events[x])
			continue;
		ref.fd = conn->s[x];
		e.events = ev;
		e.data.u64 = ref.u64;
		/* #syscalls:pasta epoll_ctl */
		if (epoll_ctl(c->run->epollfd, EPOLL_CTL_MOD, conn->s[x], &e))
			return -1;
		conn->events[x] = ev;
	}
	return 0;
}

/**
 * tcp_splice_read() - Fill the pipe of one direction from its socket, once
 * @conn:	Connection
 * @d:		Direction: from @conn->s[d] to @conn->s[!d]
 *
 * Nothing read while the pipe holds data: its buffers may all be taken by
 * small pieces, with bytes to spare. We stop asking for input until a
 * write empties some (the other socket is registered for output), else a
 * readable socket would report input at every epoll_wait() in vain.
 *
 * Return: bytes read, 0 if none, -1 if the connection must be reset
 */
static ssize_t tcp_splice_read(struct tcp_splice_conn *conn, int d)
{
	ssize_t n;

	if ((conn->flags & (SPLICE_EOF(d) | SPLICE_FULL(d))) ||
	    conn->pending[d] >= conn->pipe_size[d])
		return 0;

	/* #syscalls:pasta splice */
	n = splice(conn->s[d], NULL, conn->pipe_w[d], NULL,
		   conn->pipe_size[d] - conn->pending[d],
		   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	if (n > 0) {
		conn->pending[d] += (uint32_t)n;
		return n;
	}
	if (!n)
		conn->flags |= SPLICE_EOF(d);
	else if (errno != EAGAIN && errno != EINTR)
		return -1;
	else if (errno == EAGAIN && conn->pending[d])
		conn->flags |= SPLICE_FULL(d);
	return 0;
}

/**
 * tcp_splice_write() - Empty the pipe of one direction into its target
 * @conn:	Connection
 * @d:		Direction: from @conn->s[d] to @conn->s[!d]
 *
 * Return: bytes written, 0 if none, -1 if the connection must be reset
 */
static ssize_t tcp_splice_write(struct tcp_splice_conn *conn, int d)
{
	ssize_t n;

	if (!conn->pending[d] || (conn->flags & SPLICE_CONNECTING))
		return 0;

	n = splice(conn->pipe_r[d], NULL, conn->s[!d], NULL, conn->pending[d],
		   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	if (n > 0) {
		conn->pending[d] -= (uint32_t)n;
		conn->flags &= ~SPLICE_FULL(d);
		return n;
	}
	if (n < 0 && errno != EAGAIN && errno != EINTR)
		return -1;
	return 0;
}

/**
 * tcp_splice_dir() - Move what one socket has for the other
 * @conn:	Connection
 * @d:		Direction: from @conn->s[d] to @conn->s[!d]
 *
 * One read, one write. Again only if the read filled the pipe to the brim
 * and the write emptied it: more is likely waiting, and the target keeps
 * up. A target taking less waits for output to be reported instead (else
 * we would move a few kilobytes per pair of calls as it frees them), and
 * anything left to read, epoll (level-triggered) reports again.
 *
 * Return: 0 on success, -1 if the connection must be reset
 */
static int tcp_splice_dir(struct tcp_splice_conn *conn, int d)
{
	uint32_t room;
	ssize_t rd, wr;

	do {
		room = conn->pipe_size[d] - conn->pending[d];
		rd = tcp_splice_read(conn, d);
		wr = tcp_splice_write(conn, d);
		if (rd < 0 || wr < 0)
			return -1;
	} while (room && rd == room && !conn->pending[d]);
	return 0;
}

/**
 * tcp_splice_shut() - Pass on end-of-file once its pipe is empty
 * @conn:	Connection
 * @d:		Direction: from @conn->s[d] to @conn->s[!d]
 *
 * Return: 0 on success, -1 if the connection must be reset
 */
static int tcp_splice_shut(struct tcp_splice_conn *conn, int d)
{
	if (!(conn->flags & SPLICE_EOF(d)) || conn->pending[d] ||
	    (conn->flags & (SPLICE_CONNECTING | SPLICE_FIN(d))))
		return 0;
	if (shutdown(conn->s[!d], SHUT_WR) && errno != ENOTCONN)
		return -1;
	conn->flags |= SPLICE_FIN(d);
	return 0;
}

/**
 * tcp_splice_run() - Act on events of one socket, close the connection if done
 * @c:		Execution context
 * @conn:	Connection
 * @x:		Socket the events are for, index in @conn->s
 * @events:	epoll events
 *
 * Input on @x moves data from it, output on @x moves data to it. Then both
 * sockets are registered for what they need next.
 */
static void tcp_splice_run(const struct ctx *c, struct tcp_splice_conn *conn,
			   int x, uint32_t events)
{
	if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) &&
	    tcp_splice_dir(conn, x))
		goto reset;
	if ((events & EPOLLOUT) && tcp_splice_write(conn, !x) < 0)
		goto reset;
	if (tcp_splice_shut(conn, 0) || tcp_splice_shut(conn, 1))
		goto reset;

	if ((conn->flags & SPLICE_FIN(0)) && (conn->flags & SPLICE_FIN(1))) {
		tcp_splice_close(conn, false);
		return;
	}
	if (!tcp_splice_update(c, conn))
		return;
reset:
	debug("TCP splice: flow %u: %s, resetting",
	      flow_idx((union flow *)conn), strerror(errno));
	tcp_splice_close(conn, true);
}

/**
 * tcp_splice_target() - Where a connection accepted on a port goes
 * @c:		Execution context
 * @to_ns:	Accepted on the host, goes to the namespace
 * @v6:		IPv6 connection
 * @port:	Forwarded port
 * @addr:	Target address, set on return
 * @tport:	Target port, set on return
 *
 * To the host: loopback. To the namespace: its own address, so that the
 * connection appears to come from there (a loopback source would expose
 * services bound to loopback in the namespace), or loopback with
 * --host-lo-to-ns-lo, or when the namespace has no address.
 */
static void tcp_splice_target(const struct ctx *c, bool to_ns, bool v6,
			  in_port_t port, union inany_addr *addr,
			  in_port_t *tport)
{
	struct in_addr lo4 = { htonl(INADDR_LOOPBACK) };

	if (v6)
		addr->a6 = in6addr_loopback;
	else
		inany_from_v4(addr, lo4);

	if (!to_ns) {
		*tport = fwd_port_target(&c->run->tcp_fwd_out, port);
		return;
	}

	*tport = fwd_port_target(&c->run->tcp_fwd_in, port);
	if (c->host_lo_to_ns_lo)
		return;
	if (v6 && !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr))
		addr->a6 = c->ip6.addr;
	else if (!v6 && c->ip4.addr.s_addr)
		inany_from_v4(addr, c->ip4.addr);
}

/**
 * tcp_splice_conn_new() - Splice an accepted connection to a new one
 * @c:		Execution context
 * @s:		Accepted socket
 * @to_ns:	Accepted on the host, connect in the namespace
 * @port:	Forwarded port the connection was accepted on
 * @peer:	Peer address of @s
 * @pport:	Peer port of @s
 */
static void tcp_splice_conn_new(const struct ctx *c, int s, bool to_ns, in_port_t port,
			    const union inany_addr *peer, in_port_t pport)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_TCP_SPLICE };
	struct linger l = { .l_onoff = 1, .l_linger = 0 };
	bool v6 = !inany_v4(peer);
	struct tcp_splice_conn *conn;
	struct tcp_splice_pipe p[2] = { { -1, -1, 0 }, { -1, -1, 0 } };
	union sockaddr_inany sa = { 0 };
	union flow *flow;
	socklen_t sl;
	int t, d;

	flow = flow_alloc();
	if (!flow)
		goto refuse;
	conn = (struct tcp_splice_conn *)flow;
	conn->f.type = FLOW_TCP_SPLICE;
	conn->f.proto = IPPROTO_TCP;
	conn->s[0] = s;
	conn->s[1] = conn->pipe_r[0] = conn->pipe_r[1] = -1;
	conn->pipe_w[0] = conn->pipe_w[1] = -1;
	conn->flags = (v6 ? SPLICE_V6 : 0) | (to_ns ? SPLICE_TO_NS : 0);

	/* The local address isn't looked at: no getsockname() for it */
	conn->f.side[0].faddr = *peer;
	conn->f.side[0].fport = pport;
	conn->f.side[0].eport = port;

	for (d = 0; d < 2; d++) {
		if (tcp_splice_pipe_get(&p[d])) {
			debug("TCP splice: no pipe: %s", strerror(errno));
			tcp_splice_close(conn, true);
			return;
		}
		conn->pipe_r[d] = p[d].r;
		conn->pipe_w[d] = p[d].w;
		conn->pipe_size[d] = p[d].size;
	}

	t = to_ns ? tcp_splice_ns_sock(c, v6) : tcp_splice_sock_new(v6);
	if (t < 0) {
		debug("TCP splice: no socket for the target");
		tcp_splice_close(conn, true);
		return;
	}
	conn->s[1] = t;		/* s has TCP_NODELAY from its listener */

	tcp_splice_target(c, to_ns, v6, port, &conn->f.side[1].faddr,
		      &conn->f.side[1].fport);
	sl = sockaddr_from_inany(&sa, &conn->f.side[1].faddr,
			    conn->f.side[1].fport);
	/* On loopback, the handshake is usually over by the time connect()
	 * returns EINPROGRESS: a second call tells, and spares us waiting
	 * for output on the socket, then registering it again without.
	 */
	if (connect(t, &sa.sa, sl) &&
	    (errno != EINPROGRESS || connect(t, &sa.sa, sl)) &&
	    errno != EISCONN) {
		if (errno != EINPROGRESS && errno != EALREADY) {
			debug("TCP splice: connect to port %u: %s",
			      conn->f.side[1].fport, strerror(errno));
			tcp_splice_close(conn, true);
			return;
		}
		conn->flags |= SPLICE_CONNECTING;
	}

	/* Data the client sent already is reported by the next epoll_wait() */
	ref.flow = flow_idx(flow);
	for (d = 0; d < 2; d++) {
		ref.fd = conn->s[d];
		conn->events[d] = tcp_splice_events(conn, d);
		if (epoll_add_ref(c->run->epollfd, conn->s[d],
				  conn->events[d], ref)) {
			tcp_splice_close(conn, true);
			return;
		}
	}
	tcp_splice_conns_total++;
	debug("TCP splice: flow %u: spliced port %u to %s port %u",
	      ref.flow, port, to_ns ? "namespace" : "host",
	      conn->f.side[1].fport);
	return;

refuse:
	debug("TCP splice: flow table full, resetting");
	setsockopt(s, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(s);
}

/**
 * tcp_splice_accept() - Take a connection accepted on a forwarded port
 * @c:		Execution context
 * @ref:	epoll reference of the listening socket
 * @s:		Accepted socket
 * @peer:	Peer address
 *
 * Connections to listeners in the namespace (-T) always go to the host's
 * loopback. On the host, only connections from loopback are ours, unless
 * --no-splice: the others go through the tap device.
 *
 * Return: true if the connection was taken (spliced or refused)
 */
bool tcp_splice_accept(const struct ctx *c, union epoll_ref ref, int s,
		       const union sockaddr_inany *peer)
{
	bool ns = ref.data & TCP_SPLICE_LISTEN_NS;
	union inany_addr pa;
	in_port_t pport;

	if (c->mode != MODE_PASTA)
		return false;
	if (inany_from_sockaddr(&pa, &pport, peer)) {
		if (!ns)
			return false;
		close(s);
		return true;
	}
	if (!ns && (c->no_splice || !inany_is_loopback(&pa)))
		return false;

	tcp_splice_conn_new(c, s, !ns, (in_port_t)(ref.data & 0xffff), &pa,
			pport);
	return true;
}

/**
 * tcp_splice_sock_handler() - Events on a socket of a spliced connection
 * @c:		Execution context
 * @ref:	epoll reference: flow index and socket
 * @events:	epoll events
 */
void tcp_splice_sock_handler(const struct ctx *c, union epoll_ref ref,
			     uint32_t events)
{
	struct tcp_splice_conn *conn = tcp_splice_conn_at(flow_at(ref.flow));
	int x;

	/* A stale event for a socket closed earlier in this batch */
	if (!conn || (conn->s[0] != ref.fd && conn->s[1] != ref.fd))
		return;
	x = ref.fd == conn->s[1];

	if ((conn->flags & SPLICE_CONNECTING) && x == 1) {
		int err = 0;
		socklen_t sl = sizeof(err);

		if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		if (getsockopt(ref.fd, SOL_SOCKET, SO_ERROR, &err, &sl) ||
		    err) {
			debug("TCP splice: flow %u: connect: %s",
			      ref.flow, strerror(err));
			tcp_splice_close(conn, true);
			return;
		}
		conn->flags &= ~SPLICE_CONNECTING;
	} else if (events & EPOLLERR) {
		int err = 0;
		socklen_t sl = sizeof(err);

		getsockopt(ref.fd, SOL_SOCKET, SO_ERROR, &err, &sl);
		debug("TCP splice: flow %u: %s", ref.flow, strerror(err));
		tcp_splice_close(conn, true);
		return;
	}
	tcp_splice_run(c, conn, x, events);
}

/**
 * tcp_splice_listen_one() - Open one listening socket for a forwarded port
 * @c:		Execution context
 * @la:		Address to bind
 * @r:		Rule with the interface to bind to, NULL for none
 * @port:	Port
 * @ns:		Socket is being opened in the namespace (caller is there)
 *
 * Return: socket on success, -errno on failure
 */
static int tcp_splice_listen_one(const struct ctx *c,
			     const struct fwd_listen_addr *la,
			     const struct fwd_rule *r, in_port_t port, bool ns)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_TCP_LISTEN,
				.data = port | (ns ? TCP_SPLICE_LISTEN_NS : 0) };

	return sock_l4(&(struct sock_l4){
		.proto = IPPROTO_TCP, .addr = &la->addr, .port = port,
		.ifname = r ? r->ifname : NULL,
		.flags = fwd_listen_flags(c, la),
		.backlog = TCP_SPLICE_BACKLOG,
		.fd_max = fwd_listen_fd_max,
		.epollfd = c->run->epollfd, .ref = &ref,
	});
}

/**
 * tcp_splice_listen() - Open the listening sockets for a forwarded port
 * @c:		Execution context
 * @r:		Rule with bind address and interface, NULL for none
 * @port:	Port
 * @ns:		Sockets are being opened in the namespace (caller is there)
 * @fds:	Set to the sockets, FWD_LISTEN_MAX, -1 for unused ones
 *
 * Addresses are those of fwd_listen_addrs(): the rule's, or loopback of
 * both IP versions in the namespace (-T), or every address on the host. A
 * loopback address the namespace lacks (IPv6 disabled there) is skipped.
 * The reference tells accepted connections apart: tcp_splice_accept()
 * sends those of @ns listeners to the host, the others to the namespace or
 * through the tap.
 *
 * Return: number of sockets opened, or -errno if none could be
 */
int tcp_splice_listen(const struct ctx *c, const struct fwd_rule *r,
		      in_port_t port, bool ns, int *fds)
{
	return fwd_listen_open(c, r, port, ns, fds, tcp_splice_listen_one);
}

/**
 * tcp_splice_listen_ns_rules() - Listeners for -T rules (run in the namespace)
 * @arg:	Execution context
 *
 * Return: 0 on success, -errno of the first port that must bind but can't
 */
static int tcp_splice_listen_ns_rules(void *arg)
{
	const struct ctx *c = arg;
	struct fwd_listen_count n;
	int rc;

	rc = fwd_listen_rules(c, &c->run->tcp_fwd_out, IPPROTO_TCP, true,
			      tcp_splice_listen_one, &n);
	if (rc)
		return rc;
	if ((n.failed || n.nofile) && !n.bound)
		return -EADDRINUSE;
	return 0;
}

/**
 * tcp_splice_init() - Fill the pools, listen in the namespace for -T
 * @c:		Execution context
 *
 * Return: 0 on success, -1 on failure
 */
int tcp_splice_init(const struct ctx *c)
{
	if (c->mode != MODE_PASTA || c->no_tcp)
		return 0;

	tcp_splice_pipe_pool_fill();
	pasta_ns_call(c, tcp_splice_ns_pool_fill, (void *)c);

	if (c->run->tcp_fwd_out.mode == FWD_SPEC &&
	    pasta_ns_call(c, tcp_splice_listen_ns_rules, (void *)c) < 0) {
		err("-T: can't forward ports from the namespace");
		return -1;
	}
	return 0;
}

/**
 * tcp_splice_timer() - Refill the pools, off the connection set-up path
 * @c:		Execution context
 * @now:	Current timestamp
 *
 * Pools below half are refilled at once; pools short of full only once a
 * second, so that a stream of connections doesn't cost a namespace switch
 * per loop iteration.
 */
void tcp_splice_timer(const struct ctx *c, const struct timespec *now)
{
	static time_t last;
	bool full_up;

	if (c->mode != MODE_PASTA || c->no_tcp)
		return;

	full_up = now->tv_sec != last;
	last = now->tv_sec;

	if (tcp_splice_npipes < TCP_SPLICE_PIPE_POOL / 2 ||
	    (full_up && tcp_splice_npipes < TCP_SPLICE_PIPE_POOL))
		tcp_splice_pipe_pool_fill();
	if ((c->ipv4_enabled && tcp_splice_ns_n[0] < TCP_SPLICE_POOL / 2) ||
	    (c->ipv6_enabled && tcp_splice_ns_n[1] < TCP_SPLICE_POOL / 2) ||
	    (full_up && ((c->ipv4_enabled &&
			  tcp_splice_ns_n[0] < TCP_SPLICE_POOL) ||
			 (c->ipv6_enabled &&
			  tcp_splice_ns_n[1] < TCP_SPLICE_POOL))))
		pasta_ns_call(c, tcp_splice_ns_pool_fill, (void *)c);
}

/**
 * tcp_splice_stats() - Log spliced connections, open and in total
 *
 * Tests read the "connections active" count to check that nothing leaks.
 */
void tcp_splice_stats(void)
{
	info("TCP splice: %u connections active, %lu spliced",
	     flow_count_type(FLOW_TCP_SPLICE), tcp_splice_conns_total);
}

/**
 * tcp_splice_stats_json() - Spliced TCP counters, members of a JSON object
 * @j:		Writer
 */
void tcp_splice_stats_json(struct json *j)
{
	json_printf(j, "\"flows\":%u,\"connections\":%lu",
		    flow_count_type(FLOW_TCP_SPLICE), tcp_splice_conns_total);
}
