// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp.c - TCP translation between guest frames and host sockets, without a
 * TCP stack and without per-connection data buffers.
 *
 * Guest to host: segments are written to the host socket as they arrive in
 * order; the guest is acknowledged only for what the kernel accepted, and
 * the window we advertise is the free space of the socket's send buffer.
 * Out-of-order or refused data is not acknowledged: the guest retransmits.
 *
 * Host to guest: data is peeked (MSG_PEEK with SO_PEEK_OFF) from the socket
 * straight into the payload area of prebuilt frames, and removed from the
 * socket only once the guest acknowledges it, so a retransmission is a
 * rewind of the peek offset (go-back-N, on three duplicate ACKs or on the
 * retransmission timer).
 *
 * Connection state is a handful of flags and sequence numbers per flow
 * table entry. One timerfd serves every connection: deadlines (handshake,
 * retransmission) are kept ordered in tcp_deadline.c, the timer is armed
 * for the earliest, and the handler takes out what is due. Frames from the
 * guest are handled in batches: payloads of consecutive in-order segments
 * of one connection are written with a single sendmsg(), and
 * acknowledgements and new data go out once per batch.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/ip_icmp.h>
#include <netinet/icmp6.h>
#include <netinet/tcp.h>
#include <netinet/if_ether.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>

#include "epoll_ctl.h"
#include "inany.h"
#include "util.h"
#include "json.h"
#include "log.h"
#include "ctx.h"
#include "checksum.h"
#include "siphash.h"
#include "sock_l4.h"
#include "flow.h"
#include "fwd.h"
#include "tap.h"
#include "tcp.h"
#include "tcp_conn.h"
#include "tcp_wnd.h"
#include "tcp_deadline.h"
#include "tcp_delack.h"
#include "tcp_seg.h"
#include "tcp_splice.h"

/* Frames built per batch towards the guest */
#define TCP_FRAMES		128
/* Payload room of each frame: largest TCP payload in a 64 KiB IP packet */
#define TCP_PAYLOAD_BYTES	65536
/* Each frame to the guest is two iovecs: headers, then payload */
#define TCP_IOV_HDR		0
#define TCP_IOV_PAYLOAD		1
#define TCP_IOV_PER_FRAME	2

/* Largest MSS we announce: payload room less a margin that keeps the IPv4
 * total length and IPv6 payload length fields in range
 */
#define TCP_MSS_MAX		(TCP_PAYLOAD_BYTES - 64)

/* The ISN clock ticks every 4 microseconds (RFC 6528, 3) */
#define TCP_ISN_TICK_NS		(4 * NS_PER_US)
/* Default MSS when the guest gives none (RFC 9293, 3.7.1; RFC 8200, 5) */
#define TCP_MSS4_DEFAULT	536
#define TCP_MSS6_DEFAULT	1220

/* Timeouts and retries */
#define TCP_SYN_TIMEOUT_MS	1000
#define TCP_SYN_RETRIES		4
#define TCP_CONNECT_TIMEOUT_MS	30000
#define TCP_RTO_MAX_MS		8000
#define TCP_DATA_RETRIES	10
/* Duplicate ACKs that make us retransmit (RFC 5681, 3.2) */
#define TCP_DUPACK_THRESHOLD	3

/* Acknowledged data left in the socket for a while (tcp_discard_acked()),
 * at most: bytes, acknowledgements, and the flags that allow it
 */
#define TCP_DISCARD_HOLD_BYTES	512
#define TCP_DISCARD_HOLD_ACKS	8
#define TCP_DISCARD_HOLD_FLAGS	(TCP_F_DRAINED | TCP_F_HOST_EOF |	\
				 TCP_F_EOF_READ | TCP_F_FIN_SENT)

#define TCP_LISTEN_BACKLOG	128
#define TCP_ACCEPT_BATCH	64
/* Connections coming one at a time: look for a second one every ... events */
#define TCP_ACCEPT_PROBE	4
/* Guest payloads coalesced into one write to a socket */
#define TCP_WR_IOV_MAX		TAP_FRAMES_MAX

/* Frames towards the guest: header buffers, payloads, iovecs */
static uint8_t tcp_hdr[TCP_FRAMES][TCP_HDR_BYTES]
	__attribute__((aligned(TCP_HDR_ALIGN)));
static uint8_t tcp_payload[TCP_FRAMES][TCP_PAYLOAD_BYTES];
static struct iovec tcp_frame_iov[TCP_FRAMES][TCP_IOV_PER_FRAME];
static struct iovec tcp_peek_iov[TCP_FRAMES];
static uint8_t tcp_ctrl[TCP_HDR_BYTES] __attribute__((aligned(TCP_HDR_ALIGN)));

/* Coalesced guest payloads waiting to be written to one socket */
static struct tcp_conn *tcp_wr_conn;
static struct iovec tcp_wr_iov[TCP_WR_IOV_MAX];
static unsigned tcp_wr_count;
static size_t tcp_wr_len;
static bool tcp_wr_fin;

/* Connections touched by the current batch of guest frames */
static uint32_t tcp_touched[TAP_FRAMES_MAX * 2];
static unsigned tcp_touched_count;

static uint8_t tcp_isn_key[SIPHASH_KEY_BYTES];
static int tcp_timer_fd = -1;
static uint64_t tcp_timer_armed;	/* armed expiry, 0 if disarmed */
static uint64_t tcp_now_ms;

/* Listener events in a row that had one connection only, then none */
static unsigned tcp_accept_lone;

/* Counters for --stats and the exit summary */
static unsigned long tcp_conns_total, tcp_frames_bad, tcp_retrans;
static unsigned long tcp_refused;	/* no flow entry or no descriptor */

/* A descriptor kept for one purpose: when accept() finds none left, close
 * this one, accept the connection and reset it, so that the peer learns
 * at once and the listener doesn't stay readable
 */
static int tcp_spare_fd = -1;

/**
 * tcp_conn_at() - Connection of a flow table entry
 * @flow:	Entry
 *
 * Return: connection, NULL if @flow is NULL or not a TCP flow
 */
struct tcp_conn *tcp_conn_at(union flow *flow)
{
	if (!flow || flow->f.type != FLOW_TCP)
		return NULL;
	return (struct tcp_conn *)flow;
}

/**
 * tcp_conn_idx() - Flow table index of a connection
 * @conn:	Connection
 *
 * Return: index
 */
static uint32_t tcp_conn_idx(const struct tcp_conn *conn)
{
	return flow_idx((const union flow *)conn);
}

/**
 * tcp_update_now() - Refresh the millisecond clock from a timestamp
 * @now:	Current timestamp
 */
void tcp_update_now(const struct timespec *now)
{
	tcp_now_ms = (uint64_t)now->tv_sec * MS_PER_SEC +
		     (uint64_t)now->tv_nsec / NS_PER_MS;
}

/**
 * tcp_timer_arm() - Make sure the timer fires no later than @when
 * @when:	Deadline, milliseconds on the monotonic clock
 */
static void tcp_timer_arm(uint64_t when)
{
	struct itimerspec its = { 0 };

	if (tcp_timer_fd < 0 || (tcp_timer_armed && tcp_timer_armed <= when))
		return;

	its.it_value.tv_sec = when / MS_PER_SEC;
	its.it_value.tv_nsec = (when % MS_PER_SEC) * NS_PER_MS;
	/* #syscalls timerfd_settime */
	if (timerfd_settime(tcp_timer_fd, TFD_TIMER_ABSTIME, &its, NULL))
		warn_perror("TCP timer");
	else
		tcp_timer_armed = when;
}

/**
 * tcp_conn_deadline() - Set the connection's timer deadline
 * @conn:	Connection
 * @ms:		Milliseconds from now, 0 to clear
 */
void tcp_conn_deadline(struct tcp_conn *conn, uint32_t ms)
{
	conn->deadline = ms ? tcp_now_ms + ms : 0;
	tcp_deadline_set(tcp_conn_idx(conn), conn->deadline);
	if (conn->deadline)
		tcp_timer_arm(conn->deadline);
}

/**
 * tcp_isn() - Initial sequence number for a connection (RFC 6528)
 * @conn:	Connection, guest side set
 *
 * Return: keyed hash of the 4-tuple plus a 4 microsecond clock
 */
static uint32_t tcp_isn(const struct tcp_conn *conn)
{
	const struct flowside *s = &conn->f.side[GUESTSIDE];
	struct timespec ts;
	struct {
		union inany_addr eaddr;
		union inany_addr faddr;
		in_port_t eport;
		in_port_t fport;
	} __attribute__((packed)) in;

	memset(&in, 0, sizeof(in));
	in.eaddr = s->eaddr;
	in.faddr = s->faddr;
	in.eport = s->eport;
	in.fport = s->fport;
	clock_gettime(CLOCK_MONOTONIC, &ts);

	return (uint32_t)siphash_2_4(tcp_isn_key, &in, sizeof(in)) +
	       (uint32_t)(((uint64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec) /
			  TCP_ISN_TICK_NS);
}

/**
 * tcp_conn_mss_local() - Largest payload our MTU towards the guest allows
 * @c:		Execution context
 * @v6:		IPv6 connection
 *
 * Return: MSS
 */
static uint16_t tcp_conn_mss_local(const struct ctx *c, bool v6)
{
	int mtu = c->mtu ? c->mtu : MTU_DEFAULT;
	int mss = mtu - (int)sizeof(struct tcphdr) -
		  (int)(v6 ? sizeof(struct ip6_hdr) : sizeof(struct iphdr));

	return (uint16_t)MIN(mss, TCP_MSS_MAX);
}

/**
 * tcp_fill() - Build Ethernet, IP and TCP headers for a segment to the guest
 * @c:		Execution context
 * @conn:	Connection
 * @buf:	Header buffer (TCP_HDR_BYTES, TCP_HDR_ALIGN aligned)
 * @flags:	TCP flags
 * @seq:	Sequence number
 * @wnd_field:	Window field value
 * @payload:	Payload, NULL for none
 * @plen:	Payload length
 *
 * A SYN carries our MSS, and window scaling unless it answers a SYN that
 * had none.
 *
 * Return: length of the headers, starting at @buf + TCP_HDR_PAD
 */
static size_t tcp_fill(const struct ctx *c, const struct tcp_conn *conn,
		       uint8_t *buf, uint8_t flags, uint32_t seq,
		       uint16_t wnd_field, const void *payload, size_t plen)
{
	struct tcp_seg out = {
		.seq = seq, .wnd = wnd_field, .flags = flags, .ws = -1,
		.ack = (flags & TCP_ACK) ? conn->seq_from_guest : 0,
		.data = payload, .len = plen,
	};

	if (flags & TCP_SYN) {
		out.mss = tcp_conn_mss_local(c, conn->flags & TCP_F_V6);
		if (!(flags & TCP_ACK) || (conn->flags & TCP_F_WS))
			out.ws = TCP_WS_OURS;
	}
	return tcp_seg_fill(c, &conn->f.side[GUESTSIDE],
			    conn->flags & TCP_F_V6, buf, &out);
}

/**
 * tcp_conn_wnd_field() - Window field for a segment, recording what we
 *			  announced
 * @c:		Execution context
 * @conn:	Connection
 * @syn:	Segment carries SYN (windows in SYNs are never scaled)
 *
 * A small window needs an update as soon as the socket drains: ask for
 * EPOLLOUT then.
 *
 * Return: window field value
 */
static uint16_t tcp_conn_wnd_field(const struct ctx *c, struct tcp_conn *conn,
			       bool syn)
{
	bool low;
	uint32_t wnd = tcp_wnd_hole(conn, tcp_wnd_calc(conn, &low));

	if (low && (conn->flags & TCP_F_ESTABLISHED) &&
	    !(conn->flags & TCP_F_WND_LOW)) {
		conn->flags |= TCP_F_WND_LOW;
		tcp_epoll_set(c, conn, true);
	}

	if (syn || !(conn->flags & TCP_F_WS)) {
		conn->wnd_sent = MIN(wnd, (uint32_t)TCP_MAXWIN);
		return (uint16_t)conn->wnd_sent;
	}
	conn->wnd_sent = wnd & ~((1U << TCP_WS_OURS) - 1);
	return (uint16_t)(wnd >> TCP_WS_OURS);
}

/**
 * tcp_send_ctrl() - Send a segment without payload to the guest
 * @c:		Execution context
 * @conn:	Connection
 * @flags:	TCP flags
 * @seq:	Sequence number
 */
static void tcp_send_ctrl(const struct ctx *c, struct tcp_conn *conn,
			  uint8_t flags, uint32_t seq)
{
	uint16_t wnd;
	size_t len;

	wnd = (flags & TCP_RST) ? 0 :
	      tcp_conn_wnd_field(c, conn, flags & TCP_SYN);
	len = tcp_fill(c, conn, tcp_ctrl, flags, seq, wnd, NULL, 0);
	tap_send_single(c, tcp_ctrl + TCP_HDR_PAD, len);
	if (flags & TCP_ACK)
		conn->seq_ack_sent = conn->seq_from_guest;
}

/**
 * tcp_send_ack() - Send a pure ACK with the current window
 * @c:		Execution context
 * @conn:	Connection
 */
static void tcp_send_ack(const struct ctx *c, struct tcp_conn *conn)
{
	tcp_send_ctrl(c, conn, TCP_ACK, conn->seq_to_guest);
}

/**
 * tcp_epoll_set() - Register the connection's socket, or look at it again
 * @c:		Execution context
 * @conn:	Connection
 * @rearm:	Already registered: have epoll check readiness now, so that
 *		a socket with room already reports EPOLLOUT
 *
 * The socket is registered once, edge-triggered, for EPOLLIN, EPOLLRDHUP
 * and EPOLLOUT: the kernel signals EPOLLOUT on a connected socket only
 * once it ran out of room (SOCK_NOSPACE) and got some back, so keeping it
 * costs nothing, and spares two epoll_ctl() calls per connection and per
 * time the guest fills the socket.
 */
void tcp_epoll_set(const struct ctx *c, struct tcp_conn *conn, bool rearm)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_TCP, .fd = conn->sock,
				.flow = tcp_conn_idx(conn) };
	struct epoll_event ev = { .data.u64 = ref.u64 };
	int op = conn->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;

	if (conn->events && !rearm)
		return;
	ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
	if (epoll_ctl(c->run->epollfd, op, conn->sock, &ev))
		debug("TCP: epoll_ctl on socket %i: %s", conn->sock,
		      strerror(errno));
	else
		conn->events = ev.events;
}

/**
 * tcp_conn_close() - Close the socket and free the flow table entry
 * @conn:	Connection
 * @rst:	Reset the host side (SO_LINGER with zero timeout)
 */
void tcp_conn_close(struct tcp_conn *conn, bool rst)
{
	if (tcp_wr_conn == conn) {
		tcp_wr_conn = NULL;
		tcp_wr_count = 0;
		tcp_wr_len = 0;
	}

	if (conn->sock >= 0) {
		if (rst) {
			struct linger l = { .l_onoff = 1, .l_linger = 0 };

			setsockopt(conn->sock, SOL_SOCKET, SO_LINGER,
				   &l, sizeof(l));
		}
		close(conn->sock);
	}
	trace("TCP: flow %u closed%s", tcp_conn_idx(conn),
	      rst ? " (reset)" : "");
	tcp_deadline_set(tcp_conn_idx(conn), 0);
	flow_free((union flow *)conn);
}

/**
 * tcp_conn_rst() - Reset both sides of a connection and free it
 * @c:		Execution context
 * @conn:	Connection
 */
static void tcp_conn_rst(const struct ctx *c, struct tcp_conn *conn)
{
	if (!(conn->flags & (TCP_F_SYN_SENT | TCP_F_CONNECTING)))
		tcp_send_ctrl(c, conn, TCP_RST | TCP_ACK, conn->seq_to_guest);
	else if (conn->flags & TCP_F_CONNECTING)
		tcp_send_ctrl(c, conn, TCP_RST | TCP_ACK, conn->isn);
	tcp_conn_close(conn, true);
}

/**
 * tcp_rst_to_guest() - Reset a connection the guest has and we don't
 * @c:		Execution context
 * @side:	Guest side of the connection (guest's address and port first)
 * @seq:	Sequence number the guest expects from us next
 * @ack:	Sequence number we expect from the guest next
 */
void tcp_rst_to_guest(const struct ctx *c, const struct flowside *side,
		      uint32_t seq, uint32_t ack)
{
	struct tcp_conn tmp;

	memset(&tmp, 0, sizeof(tmp));
	tmp.sock = -1;
	tmp.flags = inany_v4(&side->eaddr) ? 0 : TCP_F_V6;
	tmp.f.side[GUESTSIDE] = *side;
	tmp.seq_from_guest = ack;
	tcp_send_ctrl(c, &tmp, TCP_RST | TCP_ACK, seq);
}

/**
 * tcp_rst_reply() - Answer a segment that matches no connection with RST
 * @c:		Execution context
 * @fi:		Frame information (addresses)
 * @seg:	The segment (RFC 9293, 3.10.7.1)
 */
static void tcp_rst_reply(const struct ctx *c, const struct frame_info *fi,
			  const struct tcp_seg *seg)
{
	struct tcp_conn tmp;

	if (seg->flags & TCP_RST)
		return;

	memset(&tmp, 0, sizeof(tmp));
	tmp.sock = -1;
	tmp.flags = fi->ethertype == ETH_P_IPV6 ? TCP_F_V6 : 0;
	tmp.f.side[GUESTSIDE].eaddr = fi->saddr;
	tmp.f.side[GUESTSIDE].faddr = fi->daddr;
	tmp.f.side[GUESTSIDE].eport = seg->sport;
	tmp.f.side[GUESTSIDE].fport = seg->dport;

	if (seg->flags & TCP_ACK) {
		tcp_send_ctrl(c, &tmp, TCP_RST, seg->ack);
	} else {
		tmp.seq_from_guest = seg->seq + seg->len +
				     !!(seg->flags & TCP_SYN) +
				     !!(seg->flags & TCP_FIN);
		tcp_send_ctrl(c, &tmp, TCP_RST | TCP_ACK, 0);
	}
}

/**
 * tcp_touch() - Note work for a connection at the end of the frame batch
 * @conn:	Connection
 * @work:	TCP_B_* flags
 */
static void tcp_touch(struct tcp_conn *conn, uint8_t work)
{
	if (!(conn->batch & TCP_B_TOUCHED)) {
		if (tcp_touched_count >= ARRAY_SIZE(tcp_touched))
			return;
		tcp_touched[tcp_touched_count++] = tcp_conn_idx(conn);
	}
	conn->batch |= TCP_B_TOUCHED | work;
}

/**
 * tcp_sock_local() - Record the local address of a connection's socket
 * @conn:	Connection
 */
static void tcp_sock_local(struct tcp_conn *conn)
{
	struct flowside *hs = &conn->f.side[HOSTSIDE];
	union sockaddr_inany sa = { 0 };
	socklen_t sl = sizeof(sa);

	if (!getsockname(conn->sock, &sa.sa, &sl))
		inany_from_sockaddr(&hs->eaddr, &hs->eport, &sa);
}

/**
 * tcp_established() - Both sides connected: start moving data
 * @c:		Execution context
 * @conn:	Connection
 */
static void tcp_established(const struct ctx *c, struct tcp_conn *conn)
{
	int zero = 0;

	conn->flags &= ~(TCP_F_SYN_SENT | TCP_F_SYNACK_SENT |
			 TCP_F_CONNECTING);
	conn->flags |= TCP_F_ESTABLISHED;
	conn->seq_una = conn->seq_to_guest = conn->seq_max = conn->isn + 1;
	conn->seq_head = conn->isn + 1;
	conn->retries = 0;
	conn->rto_ms = TCP_RTO_MIN_MS;
	tcp_conn_deadline(conn, 0);

	if (setsockopt(conn->sock, SOL_SOCKET, SO_PEEK_OFF, &zero,
		       sizeof(zero)))
		warn_perror("TCP: SO_PEEK_OFF");
	tcp_epoll_set(c, conn, false);
}

/**
 * tcp_sock_outbound() - Open and bind a socket for a guest's connection
 * @c:		Execution context
 * @dst:	Host-side destination
 *
 * Return: socket, or -errno
 */
static int tcp_sock_outbound(const struct ctx *c, const union inany_addr *dst)
{
	bool v4 = inany_v4(dst), lo = inany_is_loopback(dst);
	union inany_addr out;
	int s, one = 1;

	if (v4)
		inany_from_v4(&out, c->ip4.addr_out);
	else
		out.a6 = c->ip6.addr_out;

	/* #syscalls socket bind connect setsockopt getsockopt close */
	s = sock_l4(&(struct sock_l4){
		.proto = IPPROTO_TCP, .af = v4 ? AF_INET : AF_INET6,
		/* -o and --outbound-if* can't reach loopback */
		.addr = lo || inany_is_unspecified(&out) ? NULL : &out,
		.ifname = lo ? NULL : (v4 ? c->ip4.ifname_out :
					    c->ip6.ifname_out),
		.flags = SOCK_L4_SOFT,
	});
	if (s < 0)
		return s;

	/* The guest does its own coalescing: don't delay what it sent */
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return s;
}

/**
 * tcp_send_synack() - Connected on the host: answer the guest's SYN
 * @c:		Execution context
 * @conn:	Connection
 */
static void tcp_send_synack(const struct ctx *c, struct tcp_conn *conn)
{
	conn->flags &= ~TCP_F_CONNECTING;
	conn->flags |= TCP_F_SYNACK_SENT;
	tcp_send_ctrl(c, conn, TCP_SYN | TCP_ACK, conn->isn);
	conn->seq_to_guest = conn->seq_max = conn->isn + 1;
	tcp_conn_deadline(conn, TCP_SYN_TIMEOUT_MS << conn->retries);
}

/**
 * tcp_connect_unreach() - Tell the guest its SYN found no way to the peer
 * @c:		Execution context
 * @conn:	Connection, not answered yet
 * @err:	Error of connect()
 *
 * What the host learnt from ICMP (or from its own routing table) reaches
 * the guest the same way: an ICMP or ICMPv6 destination unreachable error
 * from the address it tried, quoting its SYN. A refused connection, or
 * any other error, is an RST, as the host saw it.
 *
 * Return: true if an ICMP error was sent, false if the caller resets
 */
static bool tcp_connect_unreach(const struct ctx *c,
				const struct tcp_conn *conn, int err)
{
	const struct flowside *gs = &conn->f.side[GUESTSIDE];
	struct tcphdr th;
	uint8_t type, code;

	if (err != EHOSTUNREACH && err != ENETUNREACH)
		return false;

	if (!(conn->flags & TCP_F_V6)) {
		type = ICMP_DEST_UNREACH;
		code = err == ENETUNREACH ? ICMP_NET_UNREACH :
					    ICMP_HOST_UNREACH;
	} else {
		type = ICMP6_DST_UNREACH;
		code = err == ENETUNREACH ? ICMP6_DST_UNREACH_NOROUTE :
					    ICMP6_DST_UNREACH_ADDR;
	}

	/* The quote: the SYN's IP header and its first eight bytes of TCP */
	memset(&th, 0, sizeof(th));
	th.source = htons(gs->eport);
	th.dest = htons(gs->fport);
	th.seq = htonl(conn->seq_from_guest - 1);
	tap_icmp_error(c, &gs->faddr, type, code, 0, &(struct tap_icmp_quote){
		.src = &gs->eaddr, .dst = &gs->faddr, .proto = IPPROTO_TCP,
		.l4len = sizeof(th), .hdr = &th,
		.hlen = TAP_ICMP_QUOTE_L4_MIN,
	});
	debug("TCP: flow %u: connect: %s, ICMP code %u to the guest",
	      tcp_conn_idx(conn), strerror(err), code);
	return true;
}

/**
 * tcp_conn_init() - Make a free flow table entry a TCP connection
 * @flow:	Entry from flow_alloc()
 * @s:		Host-side socket of the connection
 *
 * Return: the connection
 */
struct tcp_conn *tcp_conn_init(union flow *flow, int s)
{
	struct tcp_conn *conn = (struct tcp_conn *)flow;

	conn->f.type = FLOW_TCP;
	conn->f.proto = IPPROTO_TCP;
	conn->sock = s;
	return conn;
}

/**
 * tcp_conn_from_guest() - A SYN from the guest for a new connection
 * @c:		Execution context
 * @fi:		Frame information
 * @seg:	The SYN
 */
static void tcp_conn_from_guest(const struct ctx *c,
				const struct frame_info *fi,
				const struct tcp_seg *seg)
{
	union sockaddr_inany sa = { 0 };
	struct tcp_conn *conn;
	struct flowside *gs, *hs;
	union flow *flow;
	socklen_t sl;
	bool v6 = fi->ethertype == ETH_P_IPV6;
	union inany_addr dst;
	int s;

	if (fwd_nat_from_guest(c, IPPROTO_TCP, &fi->daddr, seg->dport,
			       &dst)) {
		tcp_rst_reply(c, fi, seg);
		return;
	}

	flow = flow_alloc();
	if (!flow) {
		debug("TCP: flow table full, refusing connection");
		tcp_refused++;
		tcp_rst_reply(c, fi, seg);
		return;
	}

	s = tcp_sock_outbound(c, &dst);
	if (s < 0) {
		debug("TCP: no socket for new connection: %s", strerror(-s));
		if (s == -EMFILE || s == -ENFILE || s == -ENOBUFS ||
		    s == -ENOMEM)
			tcp_refused++;
		flow_free(flow);
		tcp_rst_reply(c, fi, seg);
		return;
	}

	conn = tcp_conn_init(flow, s);
	gs = &conn->f.side[GUESTSIDE];
	hs = &conn->f.side[HOSTSIDE];
	gs->eaddr = fi->saddr;
	gs->eport = seg->sport;
	gs->faddr = fi->daddr;
	gs->fport = seg->dport;
	hs->faddr = dst;
	hs->fport = seg->dport;
	if (flow_hash_insert(flow)) {
		tcp_conn_close(conn, true);
		return;
	}
	tcp_conns_total++;

	conn->flags = v6 ? TCP_F_V6 : 0;
	if (seg->ws >= 0) {
		conn->flags |= TCP_F_WS;
		conn->ws_guest = (uint8_t)seg->ws;
	}
	conn->mss = seg->mss ? seg->mss :
			       (v6 ? TCP_MSS6_DEFAULT : TCP_MSS4_DEFAULT);
	conn->mss = MIN(conn->mss, tcp_conn_mss_local(c, v6));
	conn->wnd_guest = seg->wnd;
	conn->seq_from_guest = seg->seq + 1;
	conn->isn = tcp_isn(conn);
	conn->seq_una = conn->isn;

	sl = sockaddr_from_inany(&sa, &dst, seg->dport);
	if (!connect(s, &sa.sa, sl)) {
		tcp_send_synack(c, conn);
		return;
	}
	if (errno != EINPROGRESS) {
		int err = errno;

		debug("TCP: connect: %s", strerror(err));
		if (!tcp_connect_unreach(c, conn, err))
			tcp_rst_reply(c, fi, seg);
		tcp_conn_close(conn, false);
		return;
	}

	conn->flags |= TCP_F_CONNECTING;
	tcp_epoll_set(c, conn, false);
	tcp_conn_deadline(conn, TCP_CONNECT_TIMEOUT_MS);
}

/**
 * tcp_connect_finish() - The host socket of a guest's connection is ready
 * @c:		Execution context
 * @conn:	Connection, in TCP_F_CONNECTING
 * @events:	epoll events that said so
 */
static void tcp_connect_finish(const struct ctx *c, struct tcp_conn *conn,
			       uint32_t events)
{
	socklen_t sl = sizeof(int);
	int err = 0;

	/* EPOLLOUT alone: connected, no error to fetch */
	if ((events & (EPOLLERR | EPOLLHUP)) &&
	    (getsockopt(conn->sock, SOL_SOCKET, SO_ERROR, &err, &sl) || err)) {
		debug("TCP: connect: %s", strerror(err));
		if (tcp_connect_unreach(c, conn, err))
			tcp_conn_close(conn, false);
		else
			tcp_conn_rst(c, conn);
		return;
	}

	tcp_send_synack(c, conn);
}

/**
 * tcp_send_fin() - Send FIN once the host side closed and all was acked
 * @c:		Execution context
 * @conn:	Connection
 */
static void tcp_send_fin(const struct ctx *c, struct tcp_conn *conn)
{
	tcp_send_ctrl(c, conn, TCP_FIN | TCP_ACK, conn->seq_max - 1);
}

/**
 * tcp_peek() - Peek data from the socket into the payload buffers
 * @conn:	Connection, established
 * @want:	Bytes to peek at most, up to TCP_FRAMES payloads of @conn->mss
 *
 * Rewinds or advances the peek offset first if a retransmission or a guest
 * acknowledgement beyond what we sent asked for it.
 *
 * Return: bytes peeked, 0 on end of file, -EAGAIN if nothing is there,
 *	   another -errno if the socket failed
 */
static ssize_t tcp_peek(struct tcp_conn *conn, uint32_t want)
{
	struct msghdr mh = { .msg_iov = tcp_peek_iov };
	uint32_t mss = conn->mss;
	size_t nbufs, i;
	ssize_t n;

	if (conn->flags & TCP_F_PEEK_RESET) {
		int off = (int)(conn->seq_to_guest - conn->seq_head);

		if (setsockopt(conn->sock, SOL_SOCKET, SO_PEEK_OFF,
			       &off, sizeof(off)))
			return -errno;
		conn->flags &= ~TCP_F_PEEK_RESET;
	}

	nbufs = DIV_ROUND_UP(want, mss);
	for (i = 0; i < nbufs; i++) {
		tcp_peek_iov[i].iov_base = tcp_payload[i];
		tcp_peek_iov[i].iov_len = mss;
	}
	tcp_peek_iov[nbufs - 1].iov_len = want - (nbufs - 1) * mss;
	mh.msg_iovlen = nbufs;

	do
		/* #syscalls recvmsg */
		n = recvmsg(conn->sock, &mh, MSG_PEEK | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);

	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return -EAGAIN;
		debug("TCP: flow %u: recv: %s", tcp_conn_idx(conn),
		      strerror(errno));
		return -errno;
	}
	if (!n)
		conn->flags |= TCP_F_HOST_EOF | TCP_F_EOF_READ;
	return n;
}

/**
 * tcp_frames_build() - Headers for the payloads peeked into the buffers
 * @c:		Execution context
 * @conn:	Connection
 * @len:	Bytes peeked
 *
 * Return: number of frames in tcp_frame_iov
 */
static size_t tcp_frames_build(const struct ctx *c, struct tcp_conn *conn,
			       size_t len)
{
	size_t nbufs = DIV_ROUND_UP(len, conn->mss), i;
	uint16_t wnd = tcp_conn_wnd_field(c, conn, false);
	uint32_t seq = conn->seq_to_guest;

	for (i = 0; i < nbufs; i++) {
		size_t plen = MIN(len - i * conn->mss, conn->mss);
		uint8_t fl = TCP_ACK | (i == nbufs - 1 ? TCP_PSH : 0);
		struct iovec *iov = tcp_frame_iov[i];
		size_t hlen;

		hlen = tcp_fill(c, conn, tcp_hdr[i], fl, seq, wnd,
				tcp_payload[i], plen);
		iov[TCP_IOV_HDR].iov_base = tcp_hdr[i] + TCP_HDR_PAD;
		iov[TCP_IOV_HDR].iov_len = hlen;
		iov[TCP_IOV_PAYLOAD].iov_base = tcp_payload[i];
		iov[TCP_IOV_PAYLOAD].iov_len = plen;
		seq += plen;
	}
	return nbufs;
}

/**
 * tcp_frames_sent() - Account for the frames the guest queue took
 * @conn:	Connection
 * @sent:	Frames of tcp_frame_iov sent, in order
 *
 * Moves the sequence numbers on, counts retransmitted bytes, and starts the
 * retransmission timer if it isn't running.
 */
static void tcp_frames_sent(struct tcp_conn *conn, size_t sent)
{
	uint32_t bytes = 0;
	size_t i;

	for (i = 0; i < sent; i++)
		bytes += tcp_frame_iov[i][TCP_IOV_PAYLOAD].iov_len;

	if (conn->seq_to_guest != conn->seq_max &&
	    SEQ_LT(conn->seq_to_guest, conn->seq_max))
		tcp_retrans += bytes;
	conn->seq_to_guest += bytes;
	if (SEQ_GT(conn->seq_to_guest, conn->seq_max))
		conn->seq_max = conn->seq_to_guest;
	if (sent)
		conn->seq_ack_sent = conn->seq_from_guest;
	if (!conn->deadline)
		tcp_conn_deadline(conn, conn->rto_ms);
}

/**
 * tcp_persist_or_fin() - Probe a closed window, or send FIN once all is sent
 * @c:		Execution context
 * @conn:	Connection
 */
static void tcp_persist_or_fin(const struct ctx *c, struct tcp_conn *conn)
{
	/* A zero window with nothing in flight: the guest's window update may
	 * be lost, and nothing else would make it speak. Probe (persist)
	 */
	if (!conn->wnd_guest && conn->seq_una == conn->seq_max &&
	    !(conn->flags & TCP_F_EOF_READ) && !conn->deadline) {
		conn->flags |= TCP_F_PERSIST;
		tcp_conn_deadline(conn, conn->rto_ms);
	}

	if ((conn->flags & TCP_F_EOF_READ) &&
	    conn->seq_una == conn->seq_max &&
	    conn->seq_to_guest == conn->seq_max) {
		conn->seq_to_guest = ++conn->seq_max;
		conn->flags |= TCP_F_FIN_SENT;
		tcp_send_fin(c, conn);
		tcp_conn_deadline(conn, conn->rto_ms);
	}
}

/**
 * tcp_data_to_guest() - Peek data from the socket into frames, send them
 * @c:		Execution context
 * @conn:	Connection
 *
 * Sends as much as the guest's window allows; data stays in the socket
 * until acknowledged.
 *
 * Return: true if the connection was reset and freed
 */
static bool tcp_data_to_guest(const struct ctx *c, struct tcp_conn *conn)
{
	if (!(conn->flags & TCP_F_ESTABLISHED) ||
	    (conn->flags & TCP_F_FIN_SENT))
		return false;

	for (;;) {
		uint32_t inflight = conn->seq_to_guest - conn->seq_una, want;
		size_t nbufs, sent;
		ssize_t n;

		if (conn->wnd_guest <= inflight)
			break;
		want = MIN(conn->wnd_guest - inflight, TCP_FRAMES * conn->mss);

		/* All was peeked, and no EPOLLIN since: nothing to find */
		if ((conn->flags & (TCP_F_DRAINED | TCP_F_PEEK_RESET)) ==
		    TCP_F_DRAINED)
			break;
		n = tcp_peek(conn, want);
		if ((n == -EAGAIN || (n >= 0 && (size_t)n < want)) &&
		    !(conn->flags & TCP_F_HOST_EOF))
			conn->flags |= TCP_F_DRAINED;
		if (n == -EAGAIN || !n)
			break;
		if (n < 0) {
			tcp_conn_rst(c, conn);
			return true;
		}

		nbufs = tcp_frames_build(c, conn, (size_t)n);
		sent = tap_send_frames(c, tcp_frame_iov[0], TCP_IOV_PER_FRAME,
				       nbufs);
		tcp_frames_sent(conn, sent);

		if (sent < nbufs) {
			/* Guest queue full: peek again from here later */
			conn->flags |= TCP_F_PEEK_RESET;
			break;
		}
		if ((size_t)n < want && !(conn->flags & TCP_F_HOST_EOF))
			break;
	}

	tcp_persist_or_fin(c, conn);
	return false;
}

/**
 * tcp_wr_flush() - Write coalesced guest payloads to their socket
 * @c:		Execution context
 *
 * Return: the connection written to if it was reset and freed, else NULL
 */
const struct tcp_conn *tcp_wr_flush(const struct ctx *c)
{
	struct tcp_conn *conn = tcp_wr_conn;
	struct msghdr mh = { .msg_iov = tcp_wr_iov };
	const struct tcp_conn *closed = NULL;
	ssize_t n = 0;

	if (!conn)
		return NULL;
	tcp_wr_conn = NULL;

	if (tcp_wr_len) {
		mh.msg_iovlen = tcp_wr_count;
		do
			/* #syscalls sendmsg shutdown getsockname
			 * #syscalls ioctl(arg1=SIOCINQ/SIOCOUTQ)
			 */
			n = sendmsg(conn->sock, &mh,
				    MSG_DONTWAIT | MSG_NOSIGNAL);
		while (n < 0 && errno == EINTR);

		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				debug("TCP: flow %u: send: %s",
				      tcp_conn_idx(conn), strerror(errno));
				tcp_conn_rst(c, conn);
				closed = conn;
				goto out;
			}
			n = 0;
		}
		conn->seq_from_guest += (uint32_t)n;
	}

	if ((size_t)n < tcp_wr_len) {
		/* Socket full: the guest will send the rest again */
		debug("TCP: flow %u: socket took %zd of %zu bytes",
		      tcp_conn_idx(conn), n, tcp_wr_len);
		conn->flags |= TCP_F_WND_BLOCKED;
		conn->flags &= ~TCP_F_WND_CACHED;
		tcp_epoll_set(c, conn, true);
	} else if (tcp_wr_fin && !(conn->flags & TCP_F_GUEST_FIN)) {
		shutdown(conn->sock, SHUT_WR);
		conn->seq_from_guest++;
		conn->flags |= TCP_F_GUEST_FIN;
	}
	tcp_touch(conn, TCP_B_ACK);

out:
	tcp_wr_count = 0;
	tcp_wr_len = 0;
	tcp_wr_fin = false;
	return closed;
}

/**
 * tcp_wr_queue() - Queue an in-order guest payload for writing
 * @c:		Execution context
 * @conn:	Connection
 * @data:	Payload
 * @len:	Payload length
 * @fin:	Segment carries FIN
 */
static void tcp_wr_queue(const struct ctx *c, struct tcp_conn *conn,
			 const uint8_t *data, size_t len, bool fin)
{
	if ((tcp_wr_conn != conn || tcp_wr_count >= TCP_WR_IOV_MAX) &&
	    tcp_wr_flush(c) == conn)
		return;		/* reset: what's left needs no writing */
	if (conn->flags & TCP_F_WND_BLOCKED)
		return;		/* refused: this follows a hole, comes again */

	tcp_wr_conn = conn;
	if (len) {
		tcp_wr_iov[tcp_wr_count].iov_base = (void *)data;
		tcp_wr_iov[tcp_wr_count].iov_len = len;
		tcp_wr_count++;
		tcp_wr_len += len;
	}
	if (fin) {
		tcp_wr_fin = true;
		tcp_wr_flush(c);
	}
}

/**
 * tcp_ack_from_guest() - Process the acknowledgement and window of a segment
 * @conn:	Connection, established
 * @seg:	Segment
 */
static void tcp_ack_from_guest(struct tcp_conn *conn,
			       const struct tcp_seg *seg)
{
	uint32_t wnd = (uint32_t)seg->wnd << conn->ws_guest;

	if (!(seg->flags & TCP_ACK))
		return;
	if (SEQ_GT(seg->ack, conn->seq_max) || SEQ_LT(seg->ack, conn->seq_una))
		return;

	if (conn->flags & TCP_F_PERSIST) {
		/* The guest answers our probes: it's alive */
		conn->retries = 0;
		if (wnd) {
			conn->flags &= ~TCP_F_PERSIST;
			conn->rto_ms = TCP_RTO_MIN_MS;
		}
	}

	if (SEQ_GT(seg->ack, conn->seq_una)) {
		conn->seq_una = seg->ack;
		conn->dup_acks = 0;
		conn->retries = 0;
		conn->rto_ms = TCP_RTO_MIN_MS;
		if (SEQ_GT(seg->ack, conn->seq_to_guest)) {
			/* Guest had kept data we sent before rewinding */
			conn->seq_to_guest = seg->ack;
			conn->flags |= TCP_F_PEEK_RESET;
		}
		if ((conn->flags & TCP_F_RECOVERY) &&
		    SEQ_GE(seg->ack, conn->seq_recover))
			conn->flags &= ~TCP_F_RECOVERY;
		if ((conn->flags & TCP_F_FIN_SENT) &&
		    conn->seq_una == conn->seq_max)
			conn->flags |= TCP_F_FIN_ACKED;
		tcp_conn_deadline(conn, conn->seq_una == conn->seq_max ?
				    0 : conn->rto_ms);
		conn->wnd_guest = wnd;
		tcp_touch(conn, TCP_B_DATA);
		return;
	}

	/* RFC 5681, 2: duplicate ACK. A receiver queueing out-of-order data
	 * also shrinks its window as it does: a smaller window counts too
	 */
	if (!seg->len && !(seg->flags & (TCP_SYN | TCP_FIN)) &&
	    wnd <= conn->wnd_guest && conn->seq_una != conn->seq_max &&
	    !(conn->flags & TCP_F_RECOVERY)) {
		conn->wnd_guest = wnd;
		if (++conn->dup_acks == TCP_DUPACK_THRESHOLD)
			tcp_touch(conn, TCP_B_RETRANS);
		return;
	}

	if (wnd != conn->wnd_guest) {
		if (wnd > conn->wnd_guest)
			tcp_touch(conn, TCP_B_DATA);
		conn->wnd_guest = wnd;
	}
}

/**
 * tcp_data_from_guest() - Handle payload and FIN of a guest segment
 * @c:		Execution context
 * @conn:	Connection, established
 * @seg:	Segment
 */
static void tcp_data_from_guest(const struct ctx *c, struct tcp_conn *conn,
				struct tcp_seg *seg)
{
	uint32_t next = conn->seq_from_guest;
	bool fin = seg->flags & TCP_FIN;
	const uint8_t *data = seg->data;
	size_t len = seg->len;
	uint32_t seq = seg->seq;

	if (!len && !fin) {
		/* Zero window probes and keepalives without data sit just
		 * before what we expect: they ask for an ACK (RFC 9293,
		 * 3.8.6.1, 3.8.4), which carries our current window
		 */
		if (SEQ_LT(seq, next))
			tcp_touch(conn, TCP_B_ACK);
		return;
	}
	if (conn->flags & TCP_F_GUEST_FIN) {
		tcp_touch(conn, TCP_B_ACK);
		return;
	}
	if (tcp_wr_conn == conn)
		next += (uint32_t)tcp_wr_len;

	if (SEQ_LT(seq, next)) {
		uint32_t skip = next - seq;

		if (skip > len || (skip == len && !fin)) {
			/* Old duplicate: tell the guest where we are */
			tcp_touch(conn, TCP_B_ACK);
			return;
		}
		data += skip;
		len -= skip;
		seq = next;
	}
	if (seq != next) {
		uint32_t end = seq + (uint32_t)len + fin;

		/* Out of order: no buffers, ask again with duplicate ACKs.
		 * Until the hole is filled, the window doesn't grow: a guest
		 * sending new data beyond it, as after a retransmission
		 * timeout (F-RTO, RFC 5682), would only see it dropped too,
		 * and, without SACK, wait for another timeout to resend it
		 */
		if (!(conn->flags & TCP_F_HOLE)) {
			conn->flags |= TCP_F_HOLE;
			conn->hole_edge = conn->seq_ack_sent + conn->wnd_sent;
			conn->hole_end = end;
			if (SEQ_GT(end, conn->hole_edge))
				conn->hole_edge = end;
		} else if (SEQ_GT(end, conn->hole_end)) {
			conn->hole_end = end;
		}
		if ((conn->batch & TCP_B_OOO_MASK) != TCP_B_OOO_MASK)
			conn->batch += 1U << TCP_B_OOO_SHIFT;
		tcp_touch(conn, TCP_B_ACK);
		return;
	}
	if (conn->flags & TCP_F_WND_BLOCKED) {
		tcp_touch(conn, TCP_B_ACK);
		return;
	}

	conn->flags &= ~TCP_F_PSH;
	conn->flags |= (seg->flags & TCP_PSH) ? TCP_F_PSH : 0;
	tcp_wr_queue(c, conn, data, len, fin);
}

/**
 * tcp_handshake_from_guest() - Guest segment for a connection being set up
 * @c:		Execution context
 * @conn:	Connection, not established
 * @seg:	Segment
 *
 * Return: true if the segment was consumed
 */
static bool tcp_handshake_from_guest(const struct ctx *c, struct tcp_conn *conn,
				     const struct tcp_seg *seg)
{
	if (conn->flags & TCP_F_SYN_SENT) {
		/* We connected to the guest: expect SYN-ACK */
		if ((seg->flags & (TCP_SYN | TCP_ACK)) != (TCP_SYN | TCP_ACK) ||
		    seg->ack != conn->isn + 1)
			return true;

		if (seg->ws >= 0) {
			conn->flags |= TCP_F_WS;
			conn->ws_guest = (uint8_t)seg->ws;
		}
		if (seg->mss)
			conn->mss = MIN(seg->mss, conn->mss);
		conn->wnd_guest = seg->wnd;
		conn->seq_from_guest = seg->seq + 1;
		tcp_established(c, conn);
		tcp_touch(conn, TCP_B_ACK | TCP_B_DATA);
		return true;
	}

	if (conn->flags & TCP_F_CONNECTING)
		return true;	/* SYN retransmitted: still connecting */

	/* TCP_F_SYNACK_SENT: expect the ACK, which may carry data */
	if (seg->flags & TCP_SYN) {
		if (seg->seq + 1 == conn->seq_from_guest)
			tcp_send_ctrl(c, conn, TCP_SYN | TCP_ACK, conn->isn);
		return true;
	}
	if (!(seg->flags & TCP_ACK) || seg->ack != conn->isn + 1)
		return true;

	tcp_established(c, conn);
	conn->wnd_guest = (uint32_t)seg->wnd << conn->ws_guest;
	tcp_touch(conn, TCP_B_DATA);
	return false;
}

/**
 * tcp_rst_from_guest() - Handle a RST from the guest (RFC 5961, 3.2)
 * @conn:	Connection
 * @seg:	Segment with RST
 *
 * A RST at exactly the next expected sequence number closes the connection;
 * one elsewhere in the window only gets a challenge ACK, to which a guest
 * that really reset the connection answers with an exact RST.
 *
 * Return: true if the connection was closed
 */
static bool tcp_rst_from_guest(struct tcp_conn *conn,
			       const struct tcp_seg *seg)
{
	if (conn->flags & TCP_F_SYN_SENT) {
		if (!(seg->flags & TCP_ACK) || seg->ack != conn->isn + 1)
			return false;
	} else if (seg->seq != conn->seq_from_guest) {
		if (SEQ_GT(seg->seq, conn->seq_from_guest) &&
		    SEQ_LE(seg->seq, conn->seq_from_guest +
				     MAX(conn->wnd_sent, 1U)))
			tcp_touch(conn, TCP_B_ACK);
		return false;
	}

	tcp_conn_close(conn, true);
	return true;
}

/**
 * tcp_tap_handler() - Handle one TCP segment from the guest
 * @c:		Execution context
 * @frame:	Frame
 * @fi:		Frame information from tap_parse()
 * @now:	Current timestamp
 *
 * Work that can be shared by several segments of a connection (writes to
 * the socket, ACKs, data towards the guest) is left to tcp_tap_flush(),
 * which the caller runs at the end of the batch.
 */
void tcp_tap_handler(const struct ctx *c, const struct iovec *frame,
		     const struct frame_info *fi, const struct timespec *now)
{
	struct tcp_conn *conn;
	struct tcp_seg seg;

	if (c->no_tcp)
		return;
	tcp_update_now(now);

	if (tcp_seg_parse(frame, fi, &seg)) {
		tcp_frames_bad++;
		drop_debug("TCP: dropping malformed segment");
		return;
	}

	conn = tcp_conn_at(flow_lookup(IPPROTO_TCP, &fi->saddr, seg.sport,
				   &fi->daddr, seg.dport));
	if (!conn) {
		if ((seg.flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN)
			tcp_conn_from_guest(c, fi, &seg);
		else
			tcp_rst_reply(c, fi, &seg);
		return;
	}

	if (seg.flags & TCP_RST) {
		tcp_rst_from_guest(conn, &seg);
		return;
	}

	if (!(conn->flags & TCP_F_ESTABLISHED) &&
	    tcp_handshake_from_guest(c, conn, &seg))
		return;

	if (seg.flags & TCP_SYN) {
		/* SYN on an established connection: challenge ACK */
		tcp_touch(conn, TCP_B_ACK);
		return;
	}

	tcp_ack_from_guest(conn, &seg);
	tcp_data_from_guest(c, conn, &seg);
}

/**
 * tcp_discard_acked() - Remove data the guest acknowledged from the socket
 * @c:		Execution context
 * @conn:	Connection
 * @may_hold:	Small request/response data may stay for a while
 *
 * On every acknowledgement: acknowledged data left in the socket would keep
 * its receive window closed (the kernel counts buffer overhead, not bytes),
 * and a sender waiting for it would never send what makes us come back.
 * But in request/response traffic, the request acknowledges an answer that
 * was all the socket had, and is small: its removal waits for a few more,
 * never longer than the held ACKs (tcp_delack.c), and not around a FIN.
 *
 * Return: true if the connection was reset and freed
 */
static bool tcp_discard_acked(const struct ctx *c, struct tcp_conn *conn,
			      bool may_hold)
{
	uint32_t end = conn->seq_una;
	ssize_t n;

	if ((conn->flags & TCP_F_FIN_SENT) && end == conn->seq_max)
		end--;		/* FIN isn't socket data */
	if (!SEQ_GT(end, conn->seq_head))
		return false;

	if (may_hold && end - conn->seq_head <= TCP_DISCARD_HOLD_BYTES &&
	    conn->discards_held < TCP_DISCARD_HOLD_ACKS &&
	    (conn->flags & TCP_DISCARD_HOLD_FLAGS) == TCP_F_DRAINED &&
	    tcp_delack_add(tcp_conn_idx(conn), tcp_now_ms)) {
		conn->discards_held++;
		return false;
	}

	n = sock_recv(conn->sock, NULL, end - conn->seq_head,
		      MSG_TRUNC | MSG_DONTWAIT);
	if (n < 0) {
		debug("TCP: flow %u: discard: %s", tcp_conn_idx(conn),
		      strerror(errno));
		tcp_conn_rst(c, conn);
		return true;
	}
	conn->seq_head += (uint32_t)n;
	conn->discards_held = 0;
	return false;
}

/**
 * tcp_conn_resume() - Do what a connection held back while it was frozen
 * @c:		Execution context
 * @conn:	Connection, its socket out of repair mode
 *
 * A migration froze the connection (source) or recreated it (target) with
 * data the guest acknowledged still in the socket, or with the guest's
 * acknowledgement held back (tcp_delack.c), whose entry on the held list
 * went by meanwhile: both are done now, with frames reaching the guest.
 * The ACK goes out even if one was sent: one sent as the queues stopped
 * never reached the guest, and the window may have changed with the
 * socket.
 */
void tcp_conn_resume(const struct ctx *c, struct tcp_conn *conn)
{
	if (!(conn->flags & TCP_F_ESTABLISHED) ||
	    tcp_discard_acked(c, conn, false))
		return;
	tcp_send_ack(c, conn);
}

/**
 * tcp_retransmit() - Go back to the oldest unacknowledged byte
 * @c:		Execution context
 * @conn:	Connection
 *
 * Return: true if the connection was reset and freed
 */
static bool tcp_retransmit(const struct ctx *c, struct tcp_conn *conn)
{
	conn->dup_acks = 0;
	conn->flags |= TCP_F_RECOVERY;
	conn->seq_recover = conn->seq_max;

	if ((conn->flags & TCP_F_FIN_SENT) &&
	    conn->seq_una == conn->seq_max - 1) {
		tcp_send_fin(c, conn);
		return false;
	}
	if (conn->flags & TCP_F_FIN_SENT)
		return false;

	conn->seq_to_guest = conn->seq_una;
	conn->flags |= TCP_F_PEEK_RESET;
	return tcp_data_to_guest(c, conn);
}

/**
 * tcp_conn_maybe_done() - Free the connection once both FINs are through
 * @conn:	Connection
 *
 * Return: true if the connection was freed
 */
static bool tcp_conn_maybe_done(struct tcp_conn *conn)
{
	if ((conn->flags & TCP_F_GUEST_FIN) &&
	    (conn->flags & TCP_F_FIN_ACKED)) {
		tcp_conn_close(conn, false);
		return true;
	}
	return false;
}

/**
 * tcp_ack_may_wait() - Hold the ACK of a request back for the answer to carry
 * @conn:	Connection with guest data to acknowledge
 *
 * Less than a full segment, ending with PSH (not bulk data, nor the first
 * part of a write whose rest the guest's Nagle algorithm holds back for
 * this ACK), and no news about the window: see tcp_delack.c. The guest's
 * FIN, before ours, is held too, as a TCP receiver would: the host side
 * usually closes next, and our FIN carries it.
 *
 * Return: true if the ACK is held
 */
static bool tcp_ack_may_wait(const struct tcp_conn *conn)
{
	uint32_t unacked = conn->seq_from_guest - conn->seq_ack_sent;
	uint32_t flags = conn->flags & TCP_DELACK_FLAGS;

	if ((conn->flags & (TCP_F_GUEST_FIN | TCP_F_FIN_SENT)) ==
	    TCP_F_GUEST_FIN)
		flags = (flags & ~TCP_F_GUEST_FIN) | TCP_F_PSH;
	return unacked && unacked < conn->mss && flags == TCP_F_PSH &&
	       tcp_delack_add(tcp_conn_idx(conn), tcp_now_ms);
}

/**
 * tcp_conn_update() - Work for one connection at the end of a frame batch
 * @c:		Execution context
 * @conn:	Connection
 */
static void tcp_conn_update(const struct ctx *c, struct tcp_conn *conn)
{
	uint32_t to_guest = conn->seq_to_guest;
	uint8_t work = conn->batch;

	conn->batch = 0;
	if (!(conn->flags & TCP_F_ESTABLISHED)) {
		if (work & TCP_B_ACK)
			tcp_send_ack(c, conn);
		return;
	}

	if (tcp_discard_acked(c, conn, true))
		return;

	if (work & TCP_B_RETRANS) {
		if (tcp_retransmit(c, conn))
			return;
	} else if ((work & TCP_B_DATA) && tcp_data_to_guest(c, conn)) {
		return;
	} else if (conn->seq_to_guest != to_guest && !(work & TCP_B_OOO_MASK)) {
		work &= (uint8_t)~TCP_B_ACK;	/* data or FIN sent carried it */
	}

	if ((work & TCP_B_ACK) || conn->seq_ack_sent != conn->seq_from_guest) {
		unsigned dups = (work & TCP_B_OOO_MASK) >> TCP_B_OOO_SHIFT, i;

		/* The first ACK is a duplicate itself unless it moves on */
		if (dups && conn->seq_ack_sent == conn->seq_from_guest)
			dups--;
		else if (!dups && tcp_ack_may_wait(conn))
			return;
		tcp_send_ack(c, conn);
		for (i = 0; i < dups; i++)
			tcp_send_ack(c, conn);
	}
	tcp_conn_maybe_done(conn);
}

/**
 * tcp_tap_flush() - Finish a batch of guest segments, send held ACKs due
 * @c:		Execution context
 * @now:	Current timestamp
 */
void tcp_tap_flush(const struct ctx *c, const struct timespec *now)
{
	uint32_t i;

	tcp_update_now(now);
	tcp_wr_flush(c);

	for (i = 0; i < tcp_touched_count; i++) {
		struct tcp_conn *conn = tcp_conn_at(flow_at(tcp_touched[i]));

		if (conn && (conn->batch & TCP_B_TOUCHED))
			tcp_conn_update(c, conn);
	}
	tcp_touched_count = 0;

	/* A frozen socket (repair mode) can't be read: the migration's
	 * tcp_conn_resume() does this work if the connection stays here
	 */
	while ((i = tcp_delack_pop(tcp_now_ms)) != TCP_DELACK_NONE) {
		struct tcp_conn *conn = tcp_conn_at(flow_at(i));

		if (!conn || !(conn->flags & TCP_F_ESTABLISHED) ||
		    (conn->flags & TCP_F_FROZEN) ||
		    tcp_discard_acked(c, conn, false))
			continue;
		if (conn->seq_ack_sent != conn->seq_from_guest)
			tcp_send_ack(c, conn);
	}
}

/**
 * tcp_sock_handler() - Events on the host socket of a connection
 * @c:		Execution context
 * @ref:	epoll reference: flow index
 * @events:	epoll events
 * @now:	Current timestamp
 */
void tcp_sock_handler(const struct ctx *c, union epoll_ref ref, uint32_t events,
		      const struct timespec *now)
{
	struct tcp_conn *conn = tcp_conn_at(flow_at(ref.flow));

	/* Frozen: an event of the batch the migration's save was in */
	if (!conn || conn->sock != ref.fd || (conn->flags & TCP_F_FROZEN))
		return;
	tcp_update_now(now);

	/* Edge-triggered: an end or data the host sent while the guest's
	 * side is still opening is signalled now and never again, so note
	 * it before deciding whether to act on it
	 */
	if (events & (EPOLLRDHUP | EPOLLHUP))
		conn->flags |= TCP_F_HOST_EOF;
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP))
		conn->flags &= ~TCP_F_DRAINED;

	if (conn->flags & TCP_F_CONNECTING) {
		if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			tcp_connect_finish(c, conn, events);
		return;
	}
	if (!(conn->flags & TCP_F_ESTABLISHED))
		return;

	if (events & EPOLLERR) {
		socklen_t sl = sizeof(int);
		int err = 0;

		getsockopt(conn->sock, SOL_SOCKET, SO_ERROR, &err, &sl);
		debug("TCP: flow %u: socket error: %s", tcp_conn_idx(conn),
		      strerror(err));
		tcp_conn_rst(c, conn);
		return;
	}

	if ((events & EPOLLOUT) &&
	    (conn->flags & (TCP_F_WND_BLOCKED | TCP_F_WND_LOW))) {
		int i, n = (conn->flags & TCP_F_WND_BLOCKED) ?
			   TCP_DUPACK_THRESHOLD : 0;

		/* Room again: window update, then duplicate ACKs so that the
		 * guest resends what we refused without waiting for its RTO
		 */
		conn->flags &= ~(TCP_F_WND_BLOCKED | TCP_F_WND_LOW |
				 TCP_F_WND_CACHED);
		for (i = 0; i <= n; i++)
			tcp_send_ack(c, conn);
	}

	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP))
		tcp_data_to_guest(c, conn);
}

/**
 * tcp_conn_from_host() - A connection accepted on a forwarded port
 * @c:		Execution context
 * @s:		Accepted socket
 * @port:	Local (forwarded) port
 * @peer:	Peer address
 */
static void tcp_conn_from_host(const struct ctx *c, int s, in_port_t port,
			       const union sockaddr_inany *peer)
{
	struct flowside *gs, *hs;
	struct tcp_conn *conn;
	union flow *flow;

	flow = flow_alloc();
	if (!flow) {
		struct linger l = { .l_onoff = 1, .l_linger = 0 };

		debug("TCP: flow table full, resetting host connection");
		tcp_refused++;
		setsockopt(s, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		close(s);
		return;
	}

	conn = tcp_conn_init(flow, s);
	gs = &conn->f.side[GUESTSIDE];
	hs = &conn->f.side[HOSTSIDE];

	if (inany_from_sockaddr(&hs->faddr, &hs->fport, peer) ||
	    fwd_nat_to_guest(c, &hs->faddr, &gs->faddr, &gs->eaddr)) {
		debug("TCP: can't forward connection to the guest");
		tcp_conn_close(conn, true);
		return;
	}
	tcp_sock_local(conn);
	gs->fport = hs->fport;
	gs->eport = fwd_port_target(&c->run->tcp_fwd_in, port);

	if (flow_hash_insert(flow)) {
		debug("TCP: guest-side 4-tuple in use, resetting");
		tcp_conn_close(conn, true);
		return;
	}
	tcp_conns_total++;

	conn->flags = inany_v4(&gs->eaddr) ? 0 : TCP_F_V6;
	conn->flags |= TCP_F_SYN_SENT;
	conn->mss = tcp_conn_mss_local(c, conn->flags & TCP_F_V6);
	conn->isn = tcp_isn(conn);
	conn->seq_una = conn->isn;
	tcp_send_ctrl(c, conn, TCP_SYN, conn->isn);
	conn->seq_to_guest = conn->seq_max = conn->isn + 1;
	tcp_conn_deadline(conn, TCP_SYN_TIMEOUT_MS);
}

/**
 * tcp_accept_refuse() - No descriptor left: reset a pending connection
 * @fd:		Listening socket
 *
 * The spare descriptor makes room for accept(), and is taken back at once.
 */
static void tcp_accept_refuse(int fd)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };
	int s;

	if (tcp_spare_fd < 0)
		return;
	close(tcp_spare_fd);
	s = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (s >= 0) {
		setsockopt(s, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		close(s);
		tcp_refused++;
		debug("TCP: no descriptor left, resetting host connection");
	}
	tcp_spare_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
}

/**
 * tcp_listen_handler() - Accept connections on a forwarded port
 * @c:		Execution context
 * @ref:	epoll reference: listening socket, port in @data
 * @now:	Current timestamp
 *
 * Accepts until the queue is empty, which takes a call that finds nothing,
 * unless connections came one at a time lately: then one per event (the
 * listener is level-triggered: the next epoll_wait() reports another one),
 * and every TCP_ACCEPT_PROBE events a look for a second one.
 */
void tcp_listen_handler(const struct ctx *c, union epoll_ref ref,
			const struct timespec *now)
{
	int i;

	tcp_update_now(now);
	for (i = 0; i < TCP_ACCEPT_BATCH; i++) {
		union sockaddr_inany sa = { 0 };
		socklen_t sl = sizeof(sa);
		int s;

		/* One at a time: the next one, if any, is reported again */
		if (i == 1 && tcp_accept_lone++ % TCP_ACCEPT_PROBE)
			return;

		/* #syscalls accept4 */
		s = accept4(ref.fd, &sa.sa, &sl,
			    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (s < 0) {
			if (errno == EMFILE || errno == ENFILE)
				tcp_accept_refuse(ref.fd);
			tcp_accept_lone = i == 1;
			return;
		}
		if (s > FD_REF_MAX) {
			close(s);
			continue;
		}
		if (tcp_splice_accept(c, ref, s, &sa))
			continue;
		tcp_conn_from_host(c, s, (in_port_t)ref.data, &sa);
	}
}

/**
 * tcp_conn_timeout() - A connection's deadline passed
 * @c:		Execution context
 * @conn:	Connection
 *
 * Return: true if the connection was reset and freed
 */
static bool tcp_conn_timeout(const struct ctx *c, struct tcp_conn *conn)
{
	tcp_conn_deadline(conn, 0);

	if (conn->flags & TCP_F_CONNECTING) {
		debug("TCP: flow %u: connect timeout", tcp_conn_idx(conn));
		tcp_conn_rst(c, conn);
		return true;
	}

	if (conn->flags & (TCP_F_SYN_SENT | TCP_F_SYNACK_SENT)) {
		if (++conn->retries > TCP_SYN_RETRIES) {
			debug("TCP: flow %u: handshake timeout",
			      tcp_conn_idx(conn));
			tcp_conn_rst(c, conn);
			return true;
		}
		if (conn->flags & TCP_F_SYN_SENT)
			tcp_send_ctrl(c, conn, TCP_SYN, conn->isn);
		else
			tcp_send_ctrl(c, conn, TCP_SYN | TCP_ACK, conn->isn);
		tcp_conn_deadline(conn, TCP_SYN_TIMEOUT_MS << conn->retries);
		return false;
	}

	if (conn->seq_una != conn->seq_max) {
		if (++conn->retries > TCP_DATA_RETRIES) {
			debug("TCP: flow %u: guest unresponsive, resetting",
			      tcp_conn_idx(conn));
			tcp_conn_rst(c, conn);
			return true;
		}
		conn->rto_ms = MIN(conn->rto_ms * 2, TCP_RTO_MAX_MS);
		conn->flags &= ~TCP_F_RECOVERY;
		if (tcp_retransmit(c, conn))
			return true;
	} else if ((conn->flags & TCP_F_PERSIST) && !conn->wnd_guest) {
		/* Answers reset @retries: only a silent guest runs out */
		if (++conn->retries > TCP_DATA_RETRIES) {
			debug("TCP: flow %u: zero window probes unanswered",
			      tcp_conn_idx(conn));
			tcp_conn_rst(c, conn);
			return true;
		}
		/* Out of window by one byte: the guest answers with an ACK
		 * carrying its current window (RFC 9293, 3.8.6.1)
		 */
		tcp_send_ctrl(c, conn, TCP_ACK, conn->seq_una - 1);
		conn->rto_ms = MIN(conn->rto_ms * 2, TCP_RTO_MAX_MS);
		tcp_conn_deadline(conn, conn->rto_ms);
		return false;
	} else {
		conn->flags &= ~TCP_F_PERSIST;
		if (tcp_data_to_guest(c, conn))
			return true;
	}

	if (!conn->deadline && conn->seq_una != conn->seq_max)
		tcp_conn_deadline(conn, conn->rto_ms);
	return false;
}

/**
 * tcp_timer_handler() - The TCP timer fired: handle expired deadlines
 * @c:		Execution context
 * @now:	Current timestamp
 */
void tcp_timer_handler(const struct ctx *c, const struct timespec *now)
{
	unsigned n;

	/* Edge-triggered, and re-arming resets the expiration count: no
	 * read(), so that the qemu socket back end needs no read() at all
	 */
	tcp_update_now(now);
	tcp_timer_armed = 0;

	/* New deadlines are later than now: at most one round for each */
	for (n = tcp_deadline_count(); n; n--) {
		uint32_t idx = tcp_deadline_pop(tcp_now_ms);
		struct tcp_conn *conn;

		if (idx == FLOW_IDX_NONE)
			break;
		conn = tcp_conn_at(flow_at(idx));
		if (conn && conn->deadline)
			tcp_conn_timeout(c, conn);
	}

	if (tcp_deadline_next())
		tcp_timer_arm(tcp_deadline_next());
}

/**
 * tcp_guest_gone() - The guest went away: reset its connections' host side
 * @c:		Execution context
 */
void tcp_guest_gone(const struct ctx *c)
{
	unsigned i, n = flow_foreach_limit(), closed = 0;

	(void)c;
	for (i = 0; i < n; i++) {
		struct tcp_conn *conn = tcp_conn_at(flow_at(i));

		if (conn) {
			tcp_conn_close(conn, true);
			closed++;
		}
	}
	if (closed)
		debug("TCP: %u connections of the old guest reset", closed);
}

/**
 * tcp_listen_one() - Open one listening socket for a forwarded port (-t)
 * @c:		Execution context
 * @la:		Address to bind, from fwd_listen_addrs()
 * @r:		Forwarding rule
 * @port:	Port
 * @ns:		Unused: -t listeners are on the host
 *
 * Return: socket on success, -errno on failure
 */
static int tcp_listen_one(const struct ctx *c,
			  const struct fwd_listen_addr *la,
			  const struct fwd_rule *r, in_port_t port, bool ns)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_TCP_LISTEN, .data = port };

	(void)ns;
	if (inany_v4(&la->addr) && !c->ipv4_enabled)
		return -EAFNOSUPPORT;

	return sock_l4(&(struct sock_l4){
		.proto = IPPROTO_TCP, .addr = &la->addr, .port = port,
		.ifname = r->ifname,
		.flags = fwd_listen_flags(c, la),
		.backlog = TCP_LISTEN_BACKLOG,
		.fd_max = fwd_tcp_listen_fd_max,
		.epollfd = c->run->epollfd, .ref = &ref,
	});
}

/**
 * tcp_init() - Set up the flow table, timer and listening sockets
 * @c:		Execution context
 *
 * Return: 0 on success, -1 on failure
 */
int tcp_init(const struct ctx *c)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_TCP_TIMER };

	flow_init();
	tcp_deadline_clear();
	if (c->no_tcp)
		return 0;

	raw_random(tcp_isn_key, sizeof(tcp_isn_key));

	tcp_timer_fd = timerfd_create(CLOCK_MONOTONIC,
				      TFD_NONBLOCK | TFD_CLOEXEC);
	if (tcp_timer_fd < 0) {
		err_perror("TCP timer");
		return -1;
	}
	ref.fd = tcp_timer_fd;
	if (epoll_add_ref(c->run->epollfd, tcp_timer_fd, EPOLLIN | EPOLLET,
			  ref)) {
		err("Can't add TCP timer to epoll");
		return -1;
	}

	/* #syscalls socket */
	tcp_spare_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	fwd_listen_inbound(c, &c->run->tcp_fwd_in, IPPROTO_TCP, tcp_listen_one);
	return 0;
}

/**
 * tcp_stats() - Log TCP counters and the number of active flows
 *
 * Tests read the "flows active" count to check that nothing leaks.
 */
void tcp_stats(void)
{
	info("TCP: %u flows active, %lu connections, %lu bytes retransmitted, "
	     "%lu malformed segments, %lu refused (%lu flow table full)",
	     flow_count_type(FLOW_TCP), tcp_conns_total, tcp_retrans,
	     tcp_frames_bad, tcp_refused, flow_full());
}

/**
 * tcp_stats_json() - TCP counters as the members of a JSON object
 * @j:		Writer
 */
void tcp_stats_json(struct json *j)
{
	json_printf(j, "\"flows\":%u,\"connections\":%lu,"
		    "\"retransmitted_bytes\":%lu,\"malformed\":%lu",
		    flow_count_type(FLOW_TCP), tcp_conns_total, tcp_retrans,
		    tcp_frames_bad);
}

