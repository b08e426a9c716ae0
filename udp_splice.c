// SPDX-License-Identifier: GPL-2.0-or-later
/* udp_splice.c - pasta's loopback bypass for UDP.
 *
 * Datagrams from loopback reaching a port we forward on the host (-u), or
 * any datagram reaching a port we forward from the namespace (-U), are sent
 * on by a socket on the other side, connected to the target: the
 * namespace's own address (or loopback with --host-lo-to-ns-lo) for -u, the
 * host's loopback for -U. Each source address and port is a flow, with its
 * own connected socket on the other side, so that replies find their way
 * back: they are sent from the listening socket to the original source.
 *
 * Datagrams are read with recvmmsg() and sent with sendmmsg() in batches:
 * consecutive datagrams of one flow go out with a single call. Flows end
 * after the UDP idle timeout (udp.c) without traffic. Sockets in the
 * namespace come from a pool refilled by the timer. On the host, the
 * sockets bound for -u (explicit or auto) belong to udp.c, which passes
 * datagrams from loopback to us, one by one.
 */

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "epoll_ctl.h"
#include "inany.h"
#include "util.h"
#include "log.h"
#include "ctx.h"
#include "flow.h"
#include "fwd.h"
#include "pasta.h"
#include "sock_l4.h"
#include "udp_splice.h"

/* Datagrams per recvmmsg()/sendmmsg() */
#define UDP_SPLICE_BATCH	32
/* Largest UDP payload over IPv4 or IPv6 without jumbograms */
#define UDP_SPLICE_DGRAM_MAX	65535
/* Pre-opened sockets in the namespace, per IP version */
#define UDP_SPLICE_POOL		16

/* Flow flags */
#define UDP_SPLICE_TO_NS	(1U << 0)	/* @s is in the namespace */
#define UDP_SPLICE_L6		(1U << 1)	/* @lsock is AF_INET6 */

/**
 * struct udp_splice_flow - Flow table entry of type FLOW_UDP_SPLICE
 * @f:		Common part: [0] original source, [1] target
 * @lsock:	Listening socket the flow came in on, replies leave from it
 * @s:		Socket connected to the target, on the other side
 * @flags:	UDP_SPLICE_* flags
 * @last:	Time of the last datagram, seconds (monotonic)
 */
struct udp_splice_flow {
	struct flow_common f;
	int lsock;
	int s;
	uint16_t flags;
	time_t last;
};

_Static_assert(sizeof(struct udp_splice_flow) <= sizeof(union flow),
	       "UDP splice flow state must fit a flow table entry");

static uint8_t udp_splice_buf[UDP_SPLICE_BATCH][UDP_SPLICE_DGRAM_MAX];
static struct iovec udp_splice_iov[UDP_SPLICE_BATCH];
static struct mmsghdr udp_splice_mh[UDP_SPLICE_BATCH];
static union sockaddr_inany udp_splice_sa[UDP_SPLICE_BATCH];

static int udp_splice_pool[2][UDP_SPLICE_POOL];
static int udp_splice_pool_n[2];
/* Flows of the bypass open: the idle scan runs only while there are some */
static unsigned int udp_splice_flows_active;

/**
 * udp_splice_at() - UDP splice flow at a flow table entry
 * @flow:	Entry, may be NULL
 *
 * Return: flow, NULL if @flow isn't a spliced UDP flow
 */
static struct udp_splice_flow *udp_splice_at(union flow *flow)
{
	if (!flow || flow->f.type != FLOW_UDP_SPLICE)
		return NULL;
	return (struct udp_splice_flow *)flow;
}

/**
 * udp_splice_sock_new() - Open a UDP socket
 * @v6:		IPv6 rather than IPv4
 *
 * Return: socket, or -errno
 */
static int udp_splice_sock_new(bool v6)
{
	return sock_l4(&(struct sock_l4){ .proto = IPPROTO_UDP,
					  .af = v6 ? AF_INET6 : AF_INET });
}

/**
 * udp_splice_pool_fill() - Fill the namespace socket pools, in the namespace
 * @arg:	Execution context
 *
 * Return: 0
 */
static int udp_splice_pool_fill(void *arg)
{
	const struct ctx *c = arg;
	int v;

	for (v = 0; v < 2; v++) {
		if (!(v ? c->ipv6_enabled : c->ipv4_enabled))
			continue;
		while (udp_splice_pool_n[v] < UDP_SPLICE_POOL) {
			int s = udp_splice_sock_new(v);

			if (s < 0)
				break;
			udp_splice_pool[v][udp_splice_pool_n[v]++] = s;
		}
	}
	return 0;
}

/**
 * udp_splice_flow_close() - Close a flow, free its entry
 * @uf:		Flow
 */
static void udp_splice_flow_close(struct udp_splice_flow *uf)
{
	if (uf->s >= 0)
		close(uf->s);
	flow_free((union flow *)uf);
	udp_splice_flows_active--;
}

/**
 * udp_splice_key() - Guest-side (lookup) tuple of a flow
 * @side:	Side to fill
 * @src:	Source address of datagrams
 * @sport:	Source port
 * @port:	Listening port
 * @ns:		Listener is in the namespace
 *
 * Both sides of the bypass may see the same sources (loopback): the
 * forwarded address, unspecified in either of its forms (never in a tap
 * flow), tells them apart in the flow hash table.
 */
static void udp_splice_key(struct flowside *side, const union inany_addr *src,
		   in_port_t sport, in_port_t port, bool ns)
{
	memset(side, 0, sizeof(*side));
	side->eaddr = *src;
	side->eport = sport;
	side->fport = port;
	if (ns) {
		struct in_addr any = { htonl(INADDR_ANY) };

		inany_from_v4(&side->faddr, any);
	}
}

/**
 * udp_splice_flow_new() - New flow for a source: socket on the other side
 * @c:		Execution context
 * @lsock:	Listening socket
 * @key:	Lookup tuple, see udp_splice_key()
 * @ns:		Listener is in the namespace: target on the host
 * @l6:		Listener is an IPv6 socket (possibly dual-stack)
 * @now:	Current time, seconds
 *
 * Return: flow, NULL on failure
 */
static struct udp_splice_flow *udp_splice_flow_new(const struct ctx *c,
						   int lsock,
						   const struct flowside *key,
						   bool ns, bool l6, time_t now)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_UDP_SPLICE };
	const struct fwd_ports *fwd = ns ? &c->run->udp_fwd_out
					 : &c->run->udp_fwd_in;
	struct in_addr lo4 = { htonl(INADDR_LOOPBACK) };
	bool v6 = !inany_v4(&key->eaddr);
	struct udp_splice_flow *uf;
	union sockaddr_inany sa;
	struct flowside *t;
	union flow *flow;
	socklen_t sl;
	int s;

	flow = flow_alloc();
	if (!flow)
		return NULL;
	uf = (struct udp_splice_flow *)flow;
	uf->f.type = FLOW_UDP_SPLICE;
	udp_splice_flows_active++;
	uf->f.proto = IPPROTO_UDP;
	uf->f.side[0] = *key;
	uf->lsock = lsock;
	uf->s = -1;
	uf->last = now;
	uf->flags = (ns ? 0 : UDP_SPLICE_TO_NS) | (l6 ? UDP_SPLICE_L6 : 0);

	t = &uf->f.side[1];
	if (v6)
		t->faddr.a6 = in6addr_loopback;
	else
		inany_from_v4(&t->faddr, lo4);
	t->fport = fwd_port_target(fwd, key->fport);
	if (!ns && !c->host_lo_to_ns_lo) {
		if (v6 && !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr))
			t->faddr.a6 = c->ip6.addr;
		else if (!v6 && c->ip4.addr.s_addr)
			inany_from_v4(&t->faddr, c->ip4.addr);
	}

	if (ns) {
		s = udp_splice_sock_new(v6);
	} else {
		if (!udp_splice_pool_n[v6])
			pasta_ns_call(c, udp_splice_pool_fill, (void *)c);
		s = udp_splice_pool_n[v6] ?
		    udp_splice_pool[v6][--udp_splice_pool_n[v6]] : -1;
	}
	if (s < 0)
		goto fail;
	uf->s = s;

	sl = sockaddr_from_inany(&sa, &t->faddr, t->fport);
	if (connect(s, &sa.sa, sl))
		goto fail;
	ref.fd = s;
	ref.flow = flow_idx(flow);
	if (epoll_add_ref(c->run->epollfd, s, EPOLLIN, ref))
		goto fail;
	if (flow_hash_insert(flow))
		goto fail;
	return uf;

fail:
	debug("UDP splice: can't open flow to port %u: %s", t->fport,
	      strerror(errno));
	udp_splice_flow_close(uf);
	return NULL;
}

/**
 * udp_splice_recv() - Read a batch of datagrams
 * @s:		Socket
 * @addrs:	Also fetch source addresses
 *
 * Return: number of datagrams, 0 if none or on error
 */
static int udp_splice_recv(int s, bool addrs)
{
	int i, n;

	for (i = 0; i < UDP_SPLICE_BATCH; i++) {
		udp_splice_iov[i].iov_base = udp_splice_buf[i];
		udp_splice_iov[i].iov_len = UDP_SPLICE_DGRAM_MAX;
		memset(&udp_splice_mh[i], 0, sizeof(udp_splice_mh[i]));
		udp_splice_mh[i].msg_hdr.msg_iov = &udp_splice_iov[i];
		udp_splice_mh[i].msg_hdr.msg_iovlen = 1;
		if (addrs) {
			udp_splice_mh[i].msg_hdr.msg_name = &udp_splice_sa[i];
			udp_splice_mh[i].msg_hdr.msg_namelen =
				sizeof(udp_splice_sa[i]);
		}
	}
	n = recvmmsg(s, udp_splice_mh, UDP_SPLICE_BATCH, MSG_DONTWAIT, NULL);
	if (n < 0)
		return 0;
	for (i = 0; i < n; i++) {
		udp_splice_iov[i].iov_len = udp_splice_mh[i].msg_len;
		udp_splice_mh[i].msg_len = 0;
		if (!addrs)
			continue;
		/* sendmmsg() on connected sockets takes no address */
		udp_splice_mh[i].msg_hdr.msg_name = NULL;
		udp_splice_mh[i].msg_hdr.msg_namelen = 0;
	}
	return n;
}

/**
 * udp_splice_send() - Send a run of datagrams of the batch, drop what won't go
 * @s:		Socket
 * @first:	First datagram of the run
 * @n:		Datagrams in the run
 */
static void udp_splice_send(int s, int first, int n)
{
	while (n > 0) {
		int sent = sendmmsg(s, &udp_splice_mh[first], (unsigned)n,
				    MSG_DONTWAIT);

		/* A full buffer or an ICMP error: UDP may drop, so do we */
		if (sent <= 0)
			sent = 1;
		first += sent;
		n -= sent;
	}
}

/**
 * udp_splice_listen_handler() - Datagrams on a -U port, in the namespace
 * @c:		Execution context
 * @ref:	epoll reference: listener, port in @data
 * @events:	epoll events
 * @now:	Current timestamp
 */
void udp_splice_listen_handler(const struct ctx *c, union epoll_ref ref,
			       uint32_t events, const struct timespec *now)
{
	in_port_t port = ref.data & 0xffff;
	int n, i, run_start = 0;
	struct udp_splice_flow *run = NULL;

	if (!(events & EPOLLIN))
		return;

	n = udp_splice_recv(ref.fd, true);
	for (i = 0; i <= n; i++) {
		struct udp_splice_flow *uf = NULL;
		struct flowside key;
		union inany_addr src;
		in_port_t sport;

		/* Only namespace sockets (-U) come here, see
		 * udp_splice_listen(): every source is forwarded
		 */
		if (i < n &&
		    !inany_from_sockaddr(&src, &sport, &udp_splice_sa[i])) {
			bool v6 = udp_splice_sa[i].sa.sa_family == AF_INET6;

			udp_splice_key(&key, &src, sport, port, true);
			uf = udp_splice_at(flow_lookup(IPPROTO_UDP, &key.eaddr,
						       key.eport, &key.faddr,
						       key.fport));
			if (!uf)
				uf = udp_splice_flow_new(c, ref.fd, &key, true,
							 v6, now->tv_sec);
		}

		if (uf == run && i < n)
			continue;
		if (run)
			udp_splice_send(run->s, run_start, i - run_start);
		run = uf;
		run_start = i;
		if (uf)
			uf->last = now->tv_sec;
	}
}

/**
 * udp_splice_from_host() - Take a datagram from a host-side -u socket
 * @c:		Execution context
 * @lsock:	Socket it arrived on, answers leave from it
 * @port:	Forwarded port
 * @peer:	Source address
 * @data:	Payload
 * @len:	Payload length
 * @now:	Current timestamp
 *
 * For udp.c's sockets bound for -u rules: datagrams from loopback go to
 * the namespace through the bypass (one send() each), unless --no-splice.
 *
 * Return: true if the datagram was taken (sent or dropped), false if it
 *	   should go through the tap
 */
bool udp_splice_from_host(const struct ctx *c, int lsock, in_port_t port,
			  const union sockaddr_inany *peer,
			  const void *data, size_t len,
			  const struct timespec *now)
{
	struct udp_splice_flow *uf;
	struct flowside key;
	union inany_addr src;
	in_port_t sport;

	if (c->mode != MODE_PASTA || c->no_splice ||
	    inany_from_sockaddr(&src, &sport, peer) || !inany_is_loopback(&src))
		return false;

	udp_splice_key(&key, &src, sport, port, false);
	uf = udp_splice_at(flow_lookup(IPPROTO_UDP, &key.eaddr, key.eport,
				 &key.faddr, key.fport));
	if (!uf)
		uf = udp_splice_flow_new(c, lsock, &key, false,
				 peer->sa.sa_family == AF_INET6, now->tv_sec);
	if (uf) {
		if (sock_send(uf->s, data, len, MSG_DONTWAIT) < 0)
			debug("UDP splice: %s", strerror(errno));
		uf->last = now->tv_sec;
	}
	return true;
}

/**
 * udp_splice_sock_handler() - Replies from the target of a flow
 * @c:		Execution context
 * @ref:	epoll reference: flow index
 * @events:	epoll events
 * @now:	Current timestamp
 */
void udp_splice_sock_handler(const struct ctx *c, union epoll_ref ref,
			     uint32_t events, const struct timespec *now)
{
	struct udp_splice_flow *uf = udp_splice_at(flow_at(ref.flow));
	union sockaddr_inany sa;
	socklen_t sl;
	int n, i;

	(void)c;
	if (!uf || uf->s != ref.fd)
		return;

	if (events & EPOLLERR) {
		int err;

		sl = sizeof(err);
		getsockopt(ref.fd, SOL_SOCKET, SO_ERROR, &err, &sl);
	}
	if (!(events & EPOLLIN))
		return;

	n = udp_splice_recv(ref.fd, false);
	if (!n)
		return;
	sl = sockaddr_from_inany(&sa, &uf->f.side[0].eaddr,
				 uf->f.side[0].eport);
	/* A dual-stack listener talks to IPv4 peers as v4-mapped */
	if (sa.sa.sa_family == AF_INET && (uf->flags & UDP_SPLICE_L6)) {
		memset(&sa, 0, sizeof(sa));
		sa.sa6.sin6_family = AF_INET6;
		sa.sa6.sin6_addr = uf->f.side[0].eaddr.a6;
		sa.sa6.sin6_port = htons(uf->f.side[0].eport);
		sl = sizeof(sa.sa6);
	}
	for (i = 0; i < n; i++) {
		udp_splice_mh[i].msg_hdr.msg_name = &sa;
		udp_splice_mh[i].msg_hdr.msg_namelen = sl;
	}
	udp_splice_send(uf->lsock, 0, n);
	uf->last = now->tv_sec;
}

/**
 * udp_splice_listen_one() - Open one bound socket for a forwarded port
 * @c:		Execution context
 * @la:		Address to bind
 * @r:		Rule with the interface to bind to, NULL for none
 * @port:	Port
 * @ns:		Socket is being opened in the namespace (caller is there)
 *
 * Return: socket on success, -errno on failure
 */
static int udp_splice_listen_one(const struct ctx *c,
				 const struct fwd_listen_addr *la,
				 const struct fwd_rule *r, in_port_t port,
				 bool ns)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_UDP_SPLICE_LISTEN,
				.data = port };
	unsigned int flags = la->v6only ? SOCK_L4_V6ONLY : SOCK_L4_DUALSTACK;

	if (!ns) {
		/* udp.c's: datagrams from elsewhere than loopback go through
		 * the tap, with reply sockets sharing the port. No rule: see
		 * udp_listen_handler()
		 */
		ref.type = EPOLL_TYPE_UDP_LISTEN;
		ref.data |= FWD_RULES_MAX << 16;
		flags |= SOCK_L4_REUSEADDR | SOCK_L4_PKTINFO;
	}

	return sock_l4(&(struct sock_l4){
		.proto = IPPROTO_UDP, .addr = &la->addr, .port = port,
		.ifname = r ? r->ifname : NULL, .flags = flags,
		.fd_max = fwd_listen_fd_max,
		.epollfd = c->run->epollfd, .ref = &ref,
	});
}

/**
 * udp_splice_listen() - Open the bound sockets for a forwarded port
 * @c:		Execution context
 * @r:		Rule with bind address and interface, NULL for none
 * @port:	Port
 * @ns:		Sockets are being opened in the namespace (caller is there)
 * @fds:	Set to the sockets, FWD_LISTEN_MAX, -1 for unused ones
 *
 * Addresses are those of fwd_listen_addrs(): the rule's, or loopback of
 * both IP versions in the namespace (-U), or every address on the host. A
 * loopback address the namespace lacks (IPv6 disabled there) is skipped.
 * Host-side sockets (-u auto) are handled by udp.c, which hands datagrams
 * from loopback back to us (udp_splice_from_host()) and sends the others
 * through the tap. Namespace-side ones (-U) are ours alone.
 *
 * Return: number of sockets opened, or -errno if none could be
 */
int udp_splice_listen(const struct ctx *c, const struct fwd_rule *r,
		      in_port_t port, bool ns, int *fds)
{
	return fwd_listen_open(c, r, port, ns, fds, udp_splice_listen_one);
}

/**
 * udp_splice_unlisten() - Close a listener and the flows that came from it
 * @s:		Listening socket
 */
void udp_splice_unlisten(int s)
{
	unsigned i, n = flow_foreach_limit();

	for (i = 0; i < n; i++) {
		struct udp_splice_flow *uf = udp_splice_at(flow_at(i));

		if (uf && uf->lsock == s)
			udp_splice_flow_close(uf);
	}
	close(s);
}

/**
 * udp_splice_listen_ns_rules() - Sockets for -U rules (run in the namespace)
 * @arg:	Execution context
 *
 * Return: 0 on success, negative error code if a port must bind but can't
 */
static int udp_splice_listen_ns_rules(void *arg)
{
	const struct ctx *c = arg;
	struct fwd_listen_count n;

	return fwd_listen_rules(c, &c->run->udp_fwd_out, IPPROTO_UDP, true,
				udp_splice_listen_one, &n);
}

/**
 * udp_splice_init() - Pools, and sockets in the namespace for -U rules
 * @c:		Execution context
 *
 * Return: 0 on success, -1 on failure
 */
int udp_splice_init(const struct ctx *c)
{
	if (c->mode != MODE_PASTA || c->no_udp)
		return 0;
	pasta_ns_call(c, udp_splice_pool_fill, (void *)c);
	if (c->run->udp_fwd_out.mode == FWD_SPEC &&
	    pasta_ns_call(c, udp_splice_listen_ns_rules, (void *)c) < 0) {
		err("-U: can't forward ports from the namespace");
		return -1;
	}
	return 0;
}

/**
 * udp_splice_timer() - Close idle flows, refill the pools
 * @c:		Execution context
 * @now:	Current timestamp
 */
void udp_splice_timer(const struct ctx *c, const struct timespec *now)
{
	static time_t last;
	unsigned i, n;

	if (c->mode != MODE_PASTA || c->no_udp || now->tv_sec == last)
		return;
	last = now->tv_sec;

	/* Not a scan of a table full of TCP connections for no flow */
	n = udp_splice_flows_active ? flow_foreach_limit() : 0;
	for (i = 0; i < n; i++) {
		struct udp_splice_flow *uf = udp_splice_at(flow_at(i));

		if (uf && now->tv_sec - uf->last >= c->udp_timeout_sec)
			udp_splice_flow_close(uf);
	}

	if ((c->ipv4_enabled && udp_splice_pool_n[0] < UDP_SPLICE_POOL / 2) ||
	    (c->ipv6_enabled && udp_splice_pool_n[1] < UDP_SPLICE_POOL / 2))
		pasta_ns_call(c, udp_splice_pool_fill, (void *)c);
}
