// SPDX-License-Identifier: GPL-2.0-or-later
/* udp.c - UDP translation. A flow is a pair of UDP endpoints: the guest's
 * 4-tuple on one side, a connected host socket on the other, so that the
 * kernel sorts incoming datagrams per flow and reports errors to us.
 *
 * Outbound: the first datagram from the guest to a new destination opens a
 * socket, bound to the guest's source port if it's free on the host (-o and
 * --outbound-if4/6 apply), connected to the destination fwd.c translates to
 * (loopback mapping, --map-guest-addr, --dns-forward). Inbound: -u ports are
 * bound on the host; a datagram from a new peer opens a "reply" socket bound
 * to the same local address and port (SO_REUSEADDR) and connected to the
 * peer: later datagrams from that peer arrive on it, and the guest's answers
 * leave from the address and port the peer sent to.
 *
 * Datagrams are moved in batches: recvmmsg() on host sockets into frames
 * sent with one tap_send_frames() call (the batch shrinks while the guest
 * can't keep up); guest datagrams queued during a batch of guest frames and
 * written with sendmmsg(), one call per run of datagrams for the same
 * socket, consecutive datagrams of one size coalesced into one segmented
 * send (UDP_SEGMENT): one pass through the host's stack for up to 64. Guest datagrams with a bad checksum or length are dropped; IPv4
 * frames to the guest carry no UDP checksum (RFC 768 allows it).
 *
 * pasta: datagrams of one size read together from a flow socket reach the
 * tap device as one segmented frame (virtio-net header, UDP GSO) that the
 * namespace's kernel cuts back into datagrams: one write() for up to 64.
 *
 * Datagrams are delivered to the guest as they are, whatever the MTU: every
 * datagram a host socket can receive fits an IPv4 packet, and an IPv6 one
 * unless it exceeds TAP_FRAME_MAX, in which case it is dropped and counted
 * (no silent truncation). Guests accept frames above their MTU on receive;
 * in the other direction, the guest's MTU bounds what it sends.
 *
 * ICMP and ICMPv6 errors for a flow (IP_RECVERR/IPV6_RECVERR: unreachable,
 * message too big, time exceeded) reach the guest as the same error about
 * the datagram it sent, with its own addresses quoted.
 *
 * Flows expire after UDP_TIMEOUT_SEC without traffic either way; the
 * environment variable PASST_UDP_TIMEOUT_SEC (read once at start, 1 to
 * 86400) overrides it, for tests and for deployments that want it. pasta's
 * bypass (udp_splice.c) ends its flows after the same time.
 */

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/udp.h>
#include <netinet/ip_icmp.h>
#include <netinet/icmp6.h>
#include <linux/errqueue.h>
#include <netinet/if_ether.h>

#include "epoll_ctl.h"
#include "inany.h"
#include "util.h"
#include "json.h"
#include "log.h"
#include "ctx.h"
#include "packet.h"
#include "checksum.h"
#include "flow.h"
#include "frag.h"
#include "fwd.h"
#include "sock_l4.h"
#include "tap.h"
#include "udp.h"
#include "udp_splice.h"

/* Concurrent UDP flows: each holds a socket. Past this, or when the flow
 * table or the descriptors run out, the least recently used flow goes
 */
#define UDP_FLOWS_MAX		65536
/* Idle flows are closed after this long without datagrams either way */
#define UDP_TIMEOUT_SEC		180
#define UDP_TIMEOUT_ENV		"PASST_UDP_TIMEOUT_SEC"
#define UDP_TIMEOUT_MAX_SEC	86400
/* Interval between scans for expired flows */
#define UDP_TIMER_INTERVAL_MS	1000
/* Datagrams read with one recvmmsg() and sent to the guest in one batch */
#define UDP_BATCH		64
/* Smallest adaptive batch, see udp_batch */
#define UDP_BATCH_MIN		4
/* Guest datagrams queued for sendmmsg() before a flush is forced */
#define UDP_WR_MAX		TAP_FRAMES_MAX
/* Most datagrams and bytes in one segmented send (kernel: 64 segments) */
#define UDP_GSO_SEGS		64
#define UDP_GSO_BYTES		(USHRT_MAX - sizeof(struct ip6_hdr) - \
				 sizeof(struct udphdr))
/* Largest UDP payload a socket may hand us, plus one to see truncation */
#define UDP_PAYLOAD_BYTES	65536
/* Room before the Ethernet header so that the IP header is 4-byte aligned */
#define UDP_L2_PAD		2
#define UDP_L2_BYTES		(UDP_L2_PAD + ETH_HLEN + sizeof(struct ip6_hdr) + \
				 sizeof(struct udphdr))
/* Error queue entries read per socket event */
#define UDP_ERRQ_MAX		16
/* Payload read from the error queue: the most an ICMPv6 error quotes */
#define UDP_ERR_DATA_BYTES	(TAP_ICMP6_QUOTE_L4 - sizeof(struct udphdr))
/* Socket buffer size asked for; the kernel caps it at rmem_max/wmem_max */
#define UDP_SOCK_BUF_BYTES	(4 << 20)

/**
 * struct udp_flow - A UDP flow: flow table entry of type FLOW_UDP
 * @f:		Common flow part: guest side and host side 4-tuples
 * @sock:	Connected host socket
 * @ts:		CLOCK_MONOTONIC seconds of the last datagram, either way
 * @inbound:	Created by a datagram to a forwarded port
 * @no_gso:	A segmented send (UDP_SEGMENT) failed: send one by one
 * @lru_prev:	Flow used less recently, FLOW_IDX_NONE for the first
 * @lru_next:	Flow used more recently, FLOW_IDX_NONE for the last
 */
struct udp_flow {
	struct flow_common f;
	int sock;
	time_t ts;
	bool inbound;
	bool no_gso;
	uint32_t lru_prev;
	uint32_t lru_next;
};

_Static_assert(sizeof(struct udp_flow) <= sizeof(union flow),
	       "UDP flow state must fit a flow table entry");

static unsigned udp_flows_active;
/* Flows from least to most recently used: expiry and eviction take the
 * first, the one idle for longest
 */
static uint32_t udp_lru_first = FLOW_IDX_NONE, udp_lru_last = FLOW_IDX_NONE;
/* Datagrams to read per batch: shrinks while the guest can't take a full
 * batch, so that we don't copy datagrams only to drop them
 */
static unsigned udp_batch = UDP_BATCH;
static struct timespec udp_timer_last;

/* Counters, logged at exit */
static unsigned long udp_flows_total;
static unsigned long udp_frames_bad;
static unsigned long udp_dropped;
static unsigned long udp_icmp_relayed;
static unsigned long udp_gso_fallbacks;
static unsigned long udp_evicted;

/* Host to guest: payloads, frame headers, receive descriptors */
static uint8_t udp_data[UDP_BATCH][UDP_PAYLOAD_BYTES];
static uint8_t udp_l2[UDP_BATCH][UDP_L2_BYTES] __attribute__((aligned(8)));
static struct iovec udp_tap_iov[UDP_BATCH][2];
/* Host to guest, pasta: headers and buffers of one segmented frame */
static uint8_t udp_gso_l2[UDP_L2_BYTES] __attribute__((aligned(8)));
static struct iovec udp_gso_iov[1 + UDP_GSO_SEGS];
static struct iovec udp_rx_iov[UDP_BATCH];
static struct mmsghdr udp_rx_mh[UDP_BATCH];
static union sockaddr_inany udp_rx_peer[UDP_BATCH];
static uint8_t udp_rx_cmsg[UDP_BATCH][CMSG_SPACE(sizeof(struct in6_pktinfo)) +
				      CMSG_SPACE(sizeof(struct in_pktinfo))]
	__attribute__((aligned(8)));

/* Guest to host: datagrams queued during a batch of guest frames */
static struct mmsghdr udp_wr_mh[UDP_WR_MAX];
static struct iovec udp_wr_iov[UDP_WR_MAX];
static int udp_wr_sock[UDP_WR_MAX];
static struct udp_flow *udp_wr_flow[UDP_WR_MAX];
/* Per message: datagrams it carries, index of the first, UDP_SEGMENT */
static unsigned udp_wr_segs[UDP_WR_MAX];
static unsigned udp_wr_first[UDP_WR_MAX];
static uint8_t udp_wr_cmsg[UDP_WR_MAX][CMSG_SPACE(sizeof(uint16_t))]
	__attribute__((aligned(8)));
static unsigned udp_wr_n;

/**
 * udp_flow_at() - UDP flow of a flow table entry
 * @flow:	Entry, may be NULL
 *
 * Return: UDP flow, NULL if @flow is NULL or not a UDP flow
 */
static struct udp_flow *udp_flow_at(union flow *flow)
{
	if (!flow || flow->f.type != FLOW_UDP)
		return NULL;
	return (struct udp_flow *)flow;
}

/**
 * udp_lru_at() - UDP flow at an index of the use order list
 * @idx:	Flow index, or FLOW_IDX_NONE
 *
 * Return: flow, NULL for FLOW_IDX_NONE
 */
static struct udp_flow *udp_lru_at(uint32_t idx)
{
	return idx == FLOW_IDX_NONE ? NULL : udp_flow_at(flow_at(idx));
}

/**
 * udp_lru_unlink() - Take a flow out of the use order list
 * @uf:		Flow, in the list
 */
static void udp_lru_unlink(struct udp_flow *uf)
{
	struct udp_flow *prev = udp_lru_at(uf->lru_prev);
	struct udp_flow *next = udp_lru_at(uf->lru_next);

	if (prev)
		prev->lru_next = uf->lru_next;
	else
		udp_lru_first = uf->lru_next;
	if (next)
		next->lru_prev = uf->lru_prev;
	else
		udp_lru_last = uf->lru_prev;
	uf->lru_prev = uf->lru_next = FLOW_IDX_NONE;
}

/**
 * udp_lru_append() - Put a flow at the most recently used end of the list
 * @uf:		Flow, not in the list
 */
static void udp_lru_append(struct udp_flow *uf)
{
	uint32_t idx = flow_idx((union flow *)uf);
	struct udp_flow *last = udp_lru_at(udp_lru_last);

	uf->lru_prev = udp_lru_last;
	uf->lru_next = FLOW_IDX_NONE;
	if (last)
		last->lru_next = idx;
	else
		udp_lru_first = idx;
	udp_lru_last = idx;
}

/**
 * udp_flow_touch() - A datagram went through a flow: note the time and use
 * @uf:		Flow
 * @now:	Current timestamp
 */
static void udp_flow_touch(struct udp_flow *uf, const struct timespec *now)
{
	uf->ts = now->tv_sec;
	if (udp_lru_last == flow_idx((union flow *)uf))
		return;
	udp_lru_unlink(uf);
	udp_lru_append(uf);
}

/**
 * udp_sock_opts() - Options every flow socket gets
 * @s:		Socket
 * @v4:		IPv4 socket, IPv6 otherwise
 */
static void udp_sock_opts(int s, bool v4)
{
	int one = 1, buf = UDP_SOCK_BUF_BYTES;

	if (v4)
		setsockopt(s, IPPROTO_IP, IP_RECVERR, &one, sizeof(one));
	else
		setsockopt(s, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof(one));
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	setsockopt(s, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
}

/**
 * udp_flow_close() - Close a flow's socket and free its entry
 * @c:		Execution context
 * @uf:		Flow
 */
static void udp_flow_close(const struct ctx *c, struct udp_flow *uf)
{
	epoll_ctl(c->run->epollfd, EPOLL_CTL_DEL, uf->sock, NULL);
	close(uf->sock);
	udp_lru_unlink(uf);
	flow_free((union flow *)uf);
	udp_flows_active--;
}

/**
 * udp_evict() - Close the flow idle for longest, to make room for a new one
 * @c:		Execution context
 *
 * Called when UDP_FLOWS_MAX flows exist, or the flow table or descriptors
 * ran out: a new flow is never refused while an old one can go. Counted,
 * and said once at info level.
 *
 * Return: true if a flow was closed
 */
static bool udp_evict(const struct ctx *c)
{
	struct udp_flow *uf = udp_lru_at(udp_lru_first);

	if (!uf)
		return false;
	if (!udp_evicted)
		info("UDP: out of flows, closing the longest idle ones for "
		     "new ones (counted in the statistics)");
	/* Queued guest datagrams name sockets by descriptor, which a new
	 * socket may take over: send them first
	 */
	udp_tap_flush(c);
	debug("UDP: evicting flow %u, idle for longest",
	      flow_idx((union flow *)uf));
	udp_evicted++;
	udp_flow_close(c, uf);
	return true;
}

/**
 * udp_flow_new() - Take a flow table entry for a new UDP flow
 * @c:		Execution context
 * @s:		Connected socket of the flow, closed on failure
 * @gs:		Guest side 4-tuple
 * @peer:	Address @s is connected to
 * @pport:	Port @s is connected to
 * @inbound:	Created by a datagram to a forwarded port
 * @now:	Current timestamp
 *
 * Return: flow, NULL on failure
 */
static struct udp_flow *udp_flow_new(const struct ctx *c, int s,
				     const struct flowside *gs,
				     const union inany_addr *peer,
				     in_port_t pport, bool inbound,
				     const struct timespec *now)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_UDP, .fd = s };
	struct flowside *hs;
	union sockaddr_inany sa;
	socklen_t sl = sizeof(sa);
	struct udp_flow *uf;
	union flow *flow;

	flow = flow_alloc();
	if (!flow && udp_evict(c))
		flow = flow_alloc();
	if (!flow) {
		close(s);
		return NULL;
	}
	memset(&sa, 0, sizeof(sa));
	uf = (struct udp_flow *)flow;
	uf->f.type = FLOW_UDP;
	uf->f.proto = IPPROTO_UDP;
	uf->f.side[GUESTSIDE] = *gs;
	uf->sock = s;
	uf->ts = now->tv_sec;
	uf->inbound = inbound;
	udp_lru_append(uf);

	hs = &uf->f.side[HOSTSIDE];
	if (!getsockname(s, &sa.sa, &sl))
		inany_from_sockaddr(&hs->eaddr, &hs->eport, &sa);
	hs->faddr = *peer;	/* what we connected to: no getpeername() */
	hs->fport = pport;

	ref.flow = flow_idx(flow);
	if (flow_hash_insert(flow) ||
	    epoll_add_ref(c->run->epollfd, s, EPOLLIN, ref)) {
		close(s);
		udp_lru_unlink(uf);
		flow_free(flow);
		return NULL;
	}

	udp_flows_active++;
	udp_flows_total++;
	if (log_level >= LOG_DEBUG) {
		char ea[INANY_ADDRSTRLEN], fa[INANY_ADDRSTRLEN];

		debug("UDP: %s flow %u: guest %s:%u, peer %s:%u",
		      inbound ? "inbound" : "outbound", ref.flow,
		      inany_ntop(&gs->eaddr, ea, sizeof(ea)), gs->eport,
		      inany_ntop(&gs->faddr, fa, sizeof(fa)), gs->fport);
	}
	return uf;
}

/**
 * udp_sock_out() - Open a flow socket, bound for a guest's datagram
 * @c:		Execution context
 * @v4:		IPv4 socket, IPv6 otherwise
 * @lo:		Destination is loopback: -o and --outbound-if* don't apply
 * @port:	Guest's source port, host order
 *
 * The port is kept if it's free on the host, otherwise the kernel picks one
 * (keeping the -o address). A port forwarded to the same port of the guest
 * (-u) is shared with our bound socket (SO_REUSEADDR on both), so that a
 * guest service keeps its well-known port towards peers it contacts itself.
 *
 * Return: socket, or -errno
 */
static int udp_sock_out(const struct ctx *c, bool v4, bool lo, in_port_t port)
{
	unsigned int flags = SOCK_L4_V6ONLY | SOCK_L4_SOFT;
	const struct fwd_ports *fwd = &c->run->udp_fwd_in;
	union inany_addr a;
	int s;

	if (port && fwd_port_is_forwarded(fwd, port) &&
	    fwd_port_target(fwd, port) == port)
		flags |= SOCK_L4_REUSEADDR;

	if (v4) {
		struct in_addr a4 = { .s_addr = htonl(INADDR_ANY) };

		inany_from_v4(&a, lo ? a4 : c->ip4.addr_out);
	} else {
		a.a6 = lo ? in6addr_any : c->ip6.addr_out;
	}

	s = sock_l4(&(struct sock_l4){
		.proto = IPPROTO_UDP, .addr = &a, .port = port,
		.ifname = lo ? NULL : (v4 ? c->ip4.ifname_out :
					    c->ip6.ifname_out),
		.flags = flags,
	});
	if (s >= 0)
		udp_sock_opts(s, v4);
	return s;
}

/**
 * udp_flow_from_guest() - Open a flow for a guest datagram to a new peer
 * @c:		Execution context
 * @fi:		Parsed frame: guest and destination addresses
 * @sport:	Guest's source port, host order
 * @dport:	Destination port, host order
 * @now:	Current timestamp
 *
 * Return: flow, NULL if the datagram can't be forwarded
 */
static struct udp_flow *udp_flow_from_guest(const struct ctx *c,
					    const struct frame_info *fi,
					    in_port_t sport, in_port_t dport,
					    const struct timespec *now)
{
	struct flowside gs = { .eaddr = fi->saddr, .eport = sport,
			       .faddr = fi->daddr, .fport = dport };
	union inany_addr dst;
	union sockaddr_inany sa;
	socklen_t sl;
	int s;

	if (fwd_nat_from_guest(c, IPPROTO_UDP, &fi->daddr, dport, &dst))
		return NULL;
	if (udp_flows_active >= UDP_FLOWS_MAX)
		udp_evict(c);

	s = udp_sock_out(c, inany_v4(&dst), inany_is_loopback(&dst), sport);
	if ((s == -EMFILE || s == -ENFILE || s == -ENOBUFS) && udp_evict(c))
		s = udp_sock_out(c, inany_v4(&dst), inany_is_loopback(&dst),
				 sport);
	if (s < 0) {
		debug("UDP: can't open socket: %s", strerror(-s));
		return NULL;
	}

	sl = sockaddr_from_inany(&sa, &dst, dport);
	if (connect(s, &sa.sa, sl)) {
		debug("UDP: can't connect flow socket: %s", strerror(errno));
		close(s);
		return NULL;
	}

	return udp_flow_new(c, s, &gs, &dst, dport, false, now);
}

/**
 * udp_csum_ok() - Verify the checksum of a guest datagram
 * @fi:		Parsed frame: addresses
 * @uh:		UDP header, copied out of the frame
 * @dgram:	UDP header and payload, in the frame
 * @ulen:	Length of @dgram, from the UDP header
 *
 * Return: true if the checksum is valid, or absent over IPv4 (RFC 768)
 */
static bool udp_csum_ok(const struct frame_info *fi,
			const struct udphdr *uh, const void *dgram,
			size_t ulen)
{
	const struct in_addr *s4 = inany_v4(&fi->saddr);
	const struct in_addr *d4 = inany_v4(&fi->daddr);
	uint32_t sum;

	if (!uh->check)
		return fi->ethertype == ETH_P_IP;	/* RFC 8200, 8.1 */

	if (fi->ethertype == ETH_P_IP && s4 && d4)
		sum = csum_pseudo4(ulen, IPPROTO_UDP, *s4, *d4);
	else
		sum = csum_pseudo6(ulen, IPPROTO_UDP, &fi->saddr.a6,
				   &fi->daddr.a6);
	return !csum(dgram, ulen, sum);
}

/**
 * udp_bad() - Count and log a malformed guest datagram
 * @why:	Reason, for the log
 */
static void udp_bad(const char *why)
{
	udp_frames_bad++;
	drop_debug("UDP: dropping guest datagram: %s", why);
}

/**
 * udp_src_ok() - Tell if a guest source address can have replies
 * @a:		Source address
 *
 * Return: false for unspecified, multicast and broadcast sources
 */
static bool udp_src_ok(const union inany_addr *a)
{
	const struct in_addr *v4 = inany_v4(a);

	if (v4)
		return v4->s_addr != htonl(INADDR_ANY) &&
		       v4->s_addr != htonl(INADDR_BROADCAST) &&
		       !IN_MULTICAST(ntohl(v4->s_addr));
	return !IN6_IS_ADDR_UNSPECIFIED(&a->a6) &&
	       !IN6_IS_ADDR_MULTICAST(&a->a6);
}

/**
 * udp_tap_handler() - Handle a UDP datagram from the guest
 * @c:		Execution context
 * @frame:	Frame, trimmed to its IP packet
 * @fi:		What tap_parse() found in it
 * @now:	Current timestamp
 *
 * DHCP and DHCPv6 are answered before this is called. The datagram is
 * queued: udp_tap_flush() writes it at the end of the batch.
 */
void udp_tap_handler(const struct ctx *c, const struct iovec *frame,
		     const struct frame_info *fi, const struct timespec *now)
{
	struct udp_flow *uf;
	in_port_t sport, dport;
	const uint8_t *dgram;
	const void *p;
	struct udphdr uh;
	size_t ulen;

	if (c->no_udp)
		return;

	/* A copy: frames from the qemu socket may start at any address */
	p = packet_get(frame, fi->l4_off, sizeof(uh), NULL);
	if (!p)
		return udp_bad("truncated header");
	memcpy(&uh, p, sizeof(uh));
	ulen = ntohs(uh.len);
	/* Shorter than the IP payload is allowed (and trimmed), as Linux
	 * does; longer is a lie
	 */
	if (ulen < sizeof(uh) || ulen > fi->l4_len)
		return udp_bad("bad length");
	dgram = packet_get(frame, fi->l4_off, ulen, NULL);
	if (!dgram)
		return udp_bad("truncated datagram");
	if (!udp_csum_ok(fi, &uh, dgram, ulen))
		return udp_bad("bad checksum");

	sport = ntohs(uh.source);
	dport = ntohs(uh.dest);
	if (!dport || !udp_src_ok(&fi->saddr))
		return udp_bad("bad port or source address");

	uf = udp_flow_at(flow_lookup(IPPROTO_UDP, &fi->saddr, sport,
				     &fi->daddr, dport));
	if (!uf)
		uf = udp_flow_from_guest(c, fi, sport, dport, now);
	if (!uf) {
		udp_dropped++;
		return;
	}
	udp_flow_touch(uf, now);

	if (udp_wr_n == UDP_WR_MAX)
		udp_tap_flush(c);
	udp_wr_sock[udp_wr_n] = uf->sock;
	udp_wr_flow[udp_wr_n] = uf;
	udp_wr_iov[udp_wr_n].iov_base = (void *)(dgram + sizeof(uh));
	udp_wr_iov[udp_wr_n].iov_len = ulen - sizeof(uh);
	udp_wr_n++;
}

/**
 * udp_gso_run() - Datagrams of a run that one segmented send can carry
 * @first:	Index of the first datagram in udp_wr_iov
 * @end:	End of the run of datagrams for the same socket
 *
 * UDP_SEGMENT sends consecutive payloads as one buffer the kernel cuts
 * every gso_size bytes: all but the last must have the first's size, the
 * last may be shorter.
 *
 * Return: number of datagrams, at least one
 */
static unsigned udp_gso_run(unsigned first, unsigned end)
{
	size_t size = udp_wr_iov[first].iov_len, total = size;
	unsigned j;

	if (!size || udp_wr_flow[first]->no_gso)
		return 1;
	for (j = first + 1; j < end && j - first < UDP_GSO_SEGS; j++) {
		size_t len = udp_wr_iov[j].iov_len;

		if (!len || len > size || total + len > UDP_GSO_BYTES)
			break;
		total += len;
		if (len < size) {
			j++;
			break;
		}
	}
	return j - first;
}

/**
 * udp_wr_msgs() - Build the messages for a run of datagrams for one socket
 * @i:		Index of the first datagram in udp_wr_iov
 * @end:	End of the run
 *
 * Each message is one datagram, or several of the same size sent with
 * UDP_SEGMENT: one pass through the host's stack for all of them, cut
 * back into datagrams where they leave, or where a local socket receives
 * them. Messages go in udp_wr_mh from index @i on.
 *
 * Return: number of messages
 */
static unsigned udp_wr_msgs(unsigned i, unsigned end)
{
	unsigned m = i;

	while (i < end) {
		struct msghdr *mh = &udp_wr_mh[m].msg_hdr;
		unsigned n = udp_gso_run(i, end);

		memset(mh, 0, sizeof(*mh));
		mh->msg_iov = &udp_wr_iov[i];
		mh->msg_iovlen = n;
		udp_wr_segs[m] = n;
		udp_wr_first[m] = i;
		if (n > 1) {
			uint16_t seg = (uint16_t)udp_wr_iov[i].iov_len;
			struct cmsghdr *cm;

			mh->msg_control = udp_wr_cmsg[m];
			mh->msg_controllen = sizeof(udp_wr_cmsg[m]);
			cm = CMSG_FIRSTHDR(mh);
			cm->cmsg_level = SOL_UDP;
			cm->cmsg_type = UDP_SEGMENT;
			cm->cmsg_len = CMSG_LEN(sizeof(seg));
			memcpy(CMSG_DATA(cm), &seg, sizeof(seg));
		}
		i += n;
		m++;
	}
	return m;
}

/**
 * udp_wr_each() - Send queued datagrams one a message, after a failed
 *		   segmented send
 * @s:		Socket
 * @first:	Index of the first datagram in udp_wr_iov
 * @n:		Number of datagrams, at most UDP_GSO_SEGS
 */
static void udp_wr_each(int s, unsigned first, unsigned n)
{
	static struct mmsghdr mh[UDP_GSO_SEGS];
	unsigned i = 0;
	int r;

	for (i = 0; i < n; i++) {
		memset(&mh[i].msg_hdr, 0, sizeof(mh[i].msg_hdr));
		mh[i].msg_hdr.msg_iov = &udp_wr_iov[first + i];
		mh[i].msg_hdr.msg_iovlen = 1;
	}
	for (i = 0; i < n; ) {
		r = sendmmsg(s, &mh[i], n - i, MSG_DONTWAIT);
		if (r < 0 && errno == EINTR)
			continue;
		if (r > 0) {
			i += r;
			continue;
		}
		udp_dropped++;
		i++;
	}
}

/**
 * udp_tap_flush() - Write the datagrams queued from a batch of guest frames
 * @c:		Execution context
 *
 * One sendmmsg() per run of datagrams for the same socket, datagrams of
 * the same size coalesced with UDP_SEGMENT (see udp_wr_msgs()). A datagram
 * the socket refuses (pending error, buffer full) is dropped, as a link
 * would. A segmented send the route can't take (a device without checksum
 * offload, a path MTU below the segment size) is sent again datagram by
 * datagram, and the flow doesn't segment again.
 */
void udp_tap_flush(const struct ctx *c)
{
	unsigned i = 0, j;

	(void)c;
	while (i < udp_wr_n) {
		int s = udp_wr_sock[i], n;
		unsigned m, end;

		for (j = i + 1; j < udp_wr_n && udp_wr_sock[j] == s; j++)
			;
		/* Fewer messages than datagrams: slots i to end - 1 */
		end = udp_wr_msgs(i, j);

		for (m = i; m < end; ) {
			/* #syscalls sendmmsg */
			n = sendmmsg(s, &udp_wr_mh[m], end - m, MSG_DONTWAIT);
			if (n < 0 && errno == EINTR)
				continue;
			if (n > 0) {
				m += n;
				continue;
			}
			if (udp_wr_segs[m] > 1 &&
			    (errno == EINVAL || errno == EIO ||
			     errno == EOPNOTSUPP || errno == ENOPROTOOPT)) {
				unsigned k = udp_wr_first[m];

				udp_wr_flow[k]->no_gso = true;
				udp_gso_fallbacks++;
				udp_wr_each(s, k, udp_wr_segs[m]);
				m++;
				continue;
			}
			/* Skip the message that failed: e.g. a pending
			 * ECONNREFUSED is reported once, by this send
			 */
			trace("UDP: send failed: %s", strerror(errno));
			udp_dropped += udp_wr_segs[m];
			m++;
		}
		i = j;
	}
	udp_wr_n = 0;
}

/**
 * udp_frame_fill() - Build a frame to the guest around a received payload
 * @c:		Execution context
 * @slot:	Frame slot in udp_l2 and udp_tap_iov
 * @gs:		Guest side of the flow
 * @data:	Payload
 * @len:	Payload length
 *
 * Return: 0 if the frame is in @slot, 1 if it was sent in fragments
 *	   already, -1 if the datagram can't be framed
 */
static int udp_frame_fill(const struct ctx *c, unsigned slot,
			  const struct flowside *gs, uint8_t *data, size_t len)
{
	uint8_t *l2 = udp_l2[slot] + UDP_L2_PAD;
	const struct in_addr *src4 = inany_v4(&gs->faddr);
	const struct in_addr *dst4 = inany_v4(&gs->eaddr);
	size_t l4len = sizeof(struct udphdr) + len, l3len;
	struct udphdr *uh;
	uint32_t sum = 0;

	if (dst4 && src4) {
		struct iphdr *iph = (struct iphdr *)(l2 + ETH_HLEN);

		l3len = sizeof(*iph);
		if (l3len + l4len > ETH_MAX_MTU)
			return -1;
		tap_eth_fill(c, (struct ethhdr *)l2, ETH_P_IP);
		tap_ip4_fill(iph, *src4, *dst4, IPPROTO_UDP, l4len);
	} else {
		struct ip6_hdr *ip6h = (struct ip6_hdr *)(l2 + ETH_HLEN);

		l3len = sizeof(*ip6h);
		if (l4len > ETH_MAX_MTU)
			return -1;
		tap_eth_fill(c, (struct ethhdr *)l2, ETH_P_IPV6);
		tap_ip6_fill(ip6h, &gs->faddr.a6, &gs->eaddr.a6, IPPROTO_UDP,
			     l4len);
		sum = csum_pseudo6(l4len, IPPROTO_UDP, &gs->faddr.a6,
				   &gs->eaddr.a6);
	}

	uh = (struct udphdr *)(l2 + ETH_HLEN + l3len);
	uh->source = htons(gs->fport);
	uh->dest = htons(gs->eport);
	uh->len = htons(l4len);
	uh->check = 0;
	/* RFC 768: no checksum over IPv4, the host's stack verified it and
	 * the guest link doesn't corrupt: a pass over 64 KiB saved per
	 * datagram. RFC 8200, 8.1: mandatory over IPv6.
	 */
	if (!dst4 || !src4) {
		sum = csum_unfolded(uh, sizeof(*uh), sum);
		sum = csum_unfolded(data, len, sum);
		uh->check = csum_fold(sum);
		/* A computed zero is sent as all ones */
		if (!uh->check)
			uh->check = 0xffff;
	}

	udp_tap_iov[slot][0].iov_base = l2;
	udp_tap_iov[slot][0].iov_len = ETH_HLEN + l3len + sizeof(*uh);
	udp_tap_iov[slot][1].iov_base = data;
	udp_tap_iov[slot][1].iov_len = len;
	/* Larger than the guest's MTU: sent now, in fragments */
	return frag_to_guest(c, udp_tap_iov[slot], 2, tap_send_frames);
}

/**
 * udp_gso_fill() - Headers of a segmented frame to the guest (pasta)
 * @c:		Execution context
 * @gs:		Guest side of the flow
 * @total:	Payload bytes of all the datagrams
 *
 * Return: length of the headers built in udp_gso_l2 (udp_gso_iov[0]),
 *	   0 if @total doesn't fit one IP packet
 */
static size_t udp_gso_fill(const struct ctx *c, const struct flowside *gs,
			   size_t total)
{
	uint8_t *l2 = udp_gso_l2 + UDP_L2_PAD;
	const struct in_addr *src4 = inany_v4(&gs->faddr);
	const struct in_addr *dst4 = inany_v4(&gs->eaddr);
	size_t l4len = sizeof(struct udphdr) + total, l3len;
	struct udphdr *uh;
	uint32_t sum;

	if (dst4 && src4) {
		l3len = sizeof(struct iphdr);
		if (l3len + l4len > USHRT_MAX)
			return 0;
		tap_eth_fill(c, (struct ethhdr *)l2, ETH_P_IP);
		tap_ip4_fill(l2 + ETH_HLEN, *src4, *dst4, IPPROTO_UDP, l4len);
		sum = csum_pseudo4(l4len, IPPROTO_UDP, *src4, *dst4);
	} else {
		l3len = sizeof(struct ip6_hdr);
		if (l4len > USHRT_MAX)
			return 0;
		tap_eth_fill(c, (struct ethhdr *)l2, ETH_P_IPV6);
		tap_ip6_fill(l2 + ETH_HLEN, &gs->faddr.a6, &gs->eaddr.a6,
			     IPPROTO_UDP, l4len);
		sum = csum_pseudo6(l4len, IPPROTO_UDP, &gs->faddr.a6,
				   &gs->eaddr.a6);
	}

	uh = (struct udphdr *)(l2 + ETH_HLEN + l3len);
	uh->source = htons(gs->fport);
	uh->dest = htons(gs->eport);
	uh->len = htons(l4len);
	/* Checksum offload: the pseudo-header sum, the kernel adds the rest
	 * for each datagram it cuts (or trusts it, delivering locally)
	 */
	uh->check = (uint16_t)~csum_fold(sum);

	udp_gso_iov[0].iov_base = l2;
	udp_gso_iov[0].iov_len = ETH_HLEN + l3len + sizeof(*uh);
	return ETH_HLEN + l3len;
}

/**
 * udp_tap_send() - Send a batch of frames to the guest, adapt the batch size
 * @c:		Execution context
 * @nframes:	Frames built in udp_l2 and udp_tap_iov
 */
static void udp_tap_send(const struct ctx *c, unsigned nframes)
{
	unsigned sent;

	if (!nframes)
		return;
	sent = (unsigned)tap_send_frames(c, udp_tap_iov[0], 2, nframes);
	udp_dropped += nframes - sent;
	if (sent < nframes)
		udp_batch = MAX(sent, UDP_BATCH_MIN);
	else if (nframes == udp_batch)
		udp_batch = MIN(udp_batch * 2, UDP_BATCH);
}

/**
 * udp_rx_count() - How many datagrams to read for the guest now
 * @c:		Execution context
 *
 * No more than the guest side takes (tap_send_room()), counting
 * datagrams as large as the MTU allows; at least one, as host sockets are
 * level-triggered and must be read.
 *
 * Return: number of datagrams to receive
 */
static unsigned udp_rx_count(const struct ctx *c)
{
	size_t frame = (size_t)c->mtu + ETH_HLEN + sizeof(uint32_t), room;
	unsigned n;

	room = tap_send_room(c, frame * udp_batch);
	if (room == SIZE_MAX)
		return udp_batch;
	n = (unsigned)MIN(room / frame, (size_t)udp_batch);
	return MAX(n, 1U);
}

/**
 * udp_rx_prepare() - Set up receive descriptors for a batch
 * @names:	Also receive peer addresses and packet information
 */
static void udp_rx_prepare(bool names)
{
	unsigned i;

	for (i = 0; i < UDP_BATCH; i++) {
		struct msghdr *mh = &udp_rx_mh[i].msg_hdr;

		udp_rx_iov[i].iov_base = udp_data[i];
		udp_rx_iov[i].iov_len = UDP_PAYLOAD_BYTES;
		memset(mh, 0, sizeof(*mh));
		mh->msg_iov = &udp_rx_iov[i];
		mh->msg_iovlen = 1;
		if (names) {
			mh->msg_name = &udp_rx_peer[i];
			mh->msg_namelen = sizeof(udp_rx_peer[i]);
			mh->msg_control = udp_rx_cmsg[i];
			mh->msg_controllen = sizeof(udp_rx_cmsg[i]);
		}
	}
}

/**
 * udp_rx_ok() - Check one received datagram of a batch
 * @i:		Index in the batch
 *
 * Return: true if complete and small enough to reach the guest
 */
static bool udp_rx_ok(unsigned i)
{
	if (udp_rx_mh[i].msg_hdr.msg_flags & MSG_TRUNC ||
	    udp_rx_mh[i].msg_len >= UDP_PAYLOAD_BYTES) {
		udp_dropped++;
		return false;
	}
	return true;
}

/**
 * udp_sock_to_tap() - Frames to the guest for a batch read from a flow
 * @c:		Execution context
 * @uf:		Flow
 * @n:		Datagrams in the batch
 *
 * pasta: runs of datagrams of one size go as one segmented frame
 * (tap_send_gso()), others as a frame each, in their order.
 */
static void udp_sock_to_tap(const struct ctx *c, const struct udp_flow *uf,
			    unsigned n)
{
	const struct flowside *gs = &uf->f.side[GUESTSIDE];
	unsigned i = 0, j, nframes = 0;

	while (i < n) {
		size_t size = udp_rx_mh[i].msg_len, total = size, l4_off;

		if (!udp_rx_ok(i)) {
			i++;
			continue;
		}
		for (j = i + 1; c->mode == MODE_PASTA && size && j < n &&
		     j - i < UDP_GSO_SEGS; j++) {
			size_t len = udp_rx_mh[j].msg_len;

			if (!len || len > size || total + len > UDP_GSO_BYTES ||
			    (udp_rx_mh[j].msg_hdr.msg_flags & MSG_TRUNC))
				break;
			total += len;
			if (len < size) {
				j++;
				break;
			}
		}
		if (j - i > 1 && (l4_off = udp_gso_fill(c, gs, total))) {
			unsigned k;

			for (k = i; k < j; k++) {
				udp_gso_iov[1 + k - i].iov_base = udp_data[k];
				udp_gso_iov[1 + k - i].iov_len =
					udp_rx_mh[k].msg_len;
			}
			/* Keep the order: frames built so far go first */
			udp_tap_send(c, nframes);
			nframes = 0;
			if (!tap_send_gso(c, udp_gso_iov, 1 + j - i, l4_off,
					  size)) {
				i = j;
				continue;
			}
		}
		for (; i < j; i++) {
			int ret = udp_frame_fill(c, nframes, gs, udp_data[i],
						 udp_rx_mh[i].msg_len);

			if (ret < 0)
				udp_dropped++;
			else if (!ret)
				nframes++;	/* 1: sent as fragments */
		}
	}
	udp_tap_send(c, nframes);
}

/**
 * udp_icmp_src() - Source of an ICMP error relayed to the guest
 * @c:		Execution context
 * @uf:		Flow
 * @ee:		Extended error, followed by the offender's address
 * @src:	Set to the guest-side source address
 */
static void udp_icmp_src(const struct ctx *c, const struct udp_flow *uf,
			 const struct sock_extended_err *ee,
			 union inany_addr *src)
{
	const struct flowside *gs = &uf->f.side[GUESTSIDE];
	const struct flowside *hs = &uf->f.side[HOSTSIDE];
	const struct sockaddr *off = SO_EE_OFFENDER(ee);
	union sockaddr_inany sa;
	union inany_addr a, eaddr;

	*src = gs->faddr;
	memset(&sa, 0, sizeof(sa));
	if (off->sa_family == AF_INET)
		memcpy(&sa.sa4, off, sizeof(sa.sa4));
	else if (off->sa_family == AF_INET6)
		memcpy(&sa.sa6, off, sizeof(sa.sa6));
	else
		return;
	if (inany_from_sockaddr(&a, NULL, &sa) || inany_equals(&a, &hs->faddr))
		return;
	if (!!inany_v4(&a) != !!inany_v4(&gs->faddr))
		return;
	/* A router on the way, or the host itself: as a peer would appear */
	if (fwd_nat_to_guest(c, &a, src, &eaddr))
		*src = gs->faddr;
}

/**
 * udp_icmp_relay() - Relay an ICMP or ICMPv6 error about a flow to the guest
 * @c:		Execution context
 * @uf:		Flow
 * @v4:		The flow's socket is IPv4 (ICMP), IPv6 otherwise (ICMPv6)
 * @ee:		Extended error from the error queue
 * @data:	Quoted payload of the datagram the error is about
 * @dlen:	Length of @data
 */
static void udp_icmp_relay(const struct ctx *c, const struct udp_flow *uf,
			   bool v4, const struct sock_extended_err *ee,
			   const uint8_t *data, size_t dlen)
{
	const struct flowside *gs = &uf->f.side[GUESTSIDE];
	union inany_addr src;
	struct udphdr uh;

	if (v4 && (ee->ee_origin != SO_EE_ORIGIN_ICMP ||
		   (ee->ee_type != ICMP_DEST_UNREACH &&
		    ee->ee_type != ICMP_TIME_EXCEEDED)))
		return;
	if (!v4 && (ee->ee_origin != SO_EE_ORIGIN_ICMP6 ||
		    (ee->ee_type != ICMP6_DST_UNREACH &&
		     ee->ee_type != ICMP6_PACKET_TOO_BIG &&
		     ee->ee_type != ICMP6_TIME_EXCEEDED)))
		return;

	/* As much as the error can quote: the datagram appears that long */
	dlen = MIN(dlen, (v4 ? TAP_ICMP4_QUOTE_L4 : TAP_ICMP6_QUOTE_L4) -
			 sizeof(uh));
	memset(&uh, 0, sizeof(uh));
	uh.source = htons(gs->eport);
	uh.dest = htons(gs->fport);
	uh.len = htons(sizeof(uh) + dlen);

	udp_icmp_src(c, uf, ee, &src);
	debug("UDP: %s type %u code %u for flow %u", v4 ? "ICMP" : "ICMPv6",
	      ee->ee_type, ee->ee_code, flow_idx((const union flow *)uf));
	tap_icmp_error(c, &src, ee->ee_type, ee->ee_code, ee->ee_info,
		       &(struct tap_icmp_quote){
			.src = &gs->eaddr, .dst = &gs->faddr,
			.proto = IPPROTO_UDP, .l4len = sizeof(uh) + dlen,
			.hdr = &uh, .hlen = sizeof(uh),
			.data = data, .dlen = dlen,
		       });
	udp_icmp_relayed++;
}

/**
 * udp_sock_errs() - Read a flow socket's error queue, relay ICMP errors
 * @c:		Execution context
 * @uf:		Flow
 */
static void udp_sock_errs(const struct ctx *c, const struct udp_flow *uf)
{
	static uint8_t data[UDP_ERR_DATA_BYTES];
	uint8_t cbuf[CMSG_SPACE(sizeof(struct sock_extended_err) +
				sizeof(struct sockaddr_in6))]
		__attribute__((aligned(8)));
	bool v4 = inany_v4(&uf->f.side[HOSTSIDE].faddr);
	unsigned i;

	for (i = 0; i < UDP_ERRQ_MAX; i++) {
		struct iovec iov = { .iov_base = data,
				     .iov_len = sizeof(data) };
		union sockaddr_inany sa;
		struct msghdr mh = { .msg_name = &sa,
				     .msg_namelen = sizeof(sa),
				     .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = cbuf,
				     .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *cm;
		ssize_t n;

		n = recvmsg(uf->sock, &mh, MSG_ERRQUEUE | MSG_DONTWAIT);
		if (n < 0)
			break;

		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			const struct sock_extended_err *ee;

			if (!((cm->cmsg_level == IPPROTO_IP &&
			       cm->cmsg_type == IP_RECVERR) ||
			      (cm->cmsg_level == IPPROTO_IPV6 &&
			       cm->cmsg_type == IPV6_RECVERR)))
				continue;
			if (cm->cmsg_len < CMSG_LEN(sizeof(*ee)))
				continue;
			ee = (const struct sock_extended_err *)CMSG_DATA(cm);
			udp_icmp_relay(c, uf, v4, ee, data, (size_t)n);
		}
	}

	/* Clear an error left pending without a queue entry */
	if (i == 0) {
		int e;
		socklen_t sl = sizeof(e);

		getsockopt(uf->sock, SOL_SOCKET, SO_ERROR, &e, &sl);
	}
}

/**
 * udp_sock_handler() - Datagrams or errors on a flow socket
 * @c:		Execution context
 * @ref:	epoll reference: flow index
 * @events:	epoll events
 * @now:	Current timestamp
 */
void udp_sock_handler(const struct ctx *c, union epoll_ref ref, uint32_t events,
		      const struct timespec *now)
{
	struct udp_flow *uf = udp_flow_at(flow_at(ref.flow));
	int n;

	if (!uf || uf->sock != ref.fd)
		return;

	if (events & EPOLLERR)
		udp_sock_errs(c, uf);
	if (!(events & EPOLLIN))
		return;

	udp_rx_prepare(false);
	do
		/* #syscalls recvmmsg */
		n = recvmmsg(uf->sock, udp_rx_mh, udp_rx_count(c),
			     MSG_DONTWAIT, NULL);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return;

	udp_flow_touch(uf, now);
	udp_sock_to_tap(c, uf, (unsigned)n);
}

/**
 * udp_rx_local() - Local address a datagram on a listening socket was for
 * @i:		Index in the receive batch
 * @local:	Set to the address, unspecified if not known
 */
static void udp_rx_local(unsigned i, union inany_addr *local)
{
	struct msghdr *mh = &udp_rx_mh[i].msg_hdr;
	struct cmsghdr *cm;

	memset(local, 0, sizeof(*local));
	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level == IPPROTO_IP &&
		    cm->cmsg_type == IP_PKTINFO &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			inany_from_v4(local, pi.ipi_addr);
		} else if (cm->cmsg_level == IPPROTO_IPV6 &&
			   cm->cmsg_type == IPV6_PKTINFO &&
			   cm->cmsg_len >=
			   CMSG_LEN(sizeof(struct in6_pktinfo))) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			local->a6 = pi.ipi6_addr;
		}
	}
}

/**
 * udp_reply_sock() - Socket for the guest's answers to a forwarded peer
 * @c:		Execution context
 * @rule:	Forwarding rule of the listening socket
 * @local:	Local address the peer sent to, unspecified if not known
 * @port:	Forwarded port
 * @peer:	Peer address
 * @pport:	Peer port, host order
 *
 * Return: socket bound to @local and @port, connected to the peer, or
 *	   -errno
 */
static int udp_reply_sock(const struct ctx *c, const struct fwd_rule *rule,
			  const union inany_addr *local, in_port_t port,
			  const union inany_addr *peer, in_port_t pport)
{
	bool v4 = inany_v4(peer);
	struct sock_l4 req = {
		.proto = IPPROTO_UDP, .port = port,
		.ifname = rule ? rule->ifname : NULL,
		.flags = SOCK_L4_REUSEADDR | SOCK_L4_V6ONLY | SOCK_L4_IF_SOFT |
			 (c->freebind ? SOCK_L4_FREEBIND : 0),
	};
	union sockaddr_inany sa;
	union inany_addr any;
	socklen_t sl;
	int s;

	if (v4)
		inany_from_v4(&any, (struct in_addr){ 0 });
	else
		any.a6 = in6addr_any;

	/* The local address may not be bindable (broadcast): any will do */
	req.addr = inany_is_unspecified(local) ||
		   !inany_v4(local) != !v4 ? &any : local;
	s = sock_l4(&req);
	if (s < 0 && req.addr != &any) {
		req.addr = &any;
		s = sock_l4(&req);
	}
	if (s < 0) {
		debug("UDP: can't open reply socket: %s", strerror(-s));
		return s;
	}
	udp_sock_opts(s, v4);

	sl = sockaddr_from_inany(&sa, peer, pport);
	if (connect(s, &sa.sa, sl)) {
		int e = errno;

		debug("UDP: can't open reply socket: %s", strerror(e));
		close(s);
		return -e;
	}
	return s;
}

/**
 * udp_flow_from_host() - Flow for a datagram received on a forwarded port
 * @c:		Execution context
 * @rule:	Forwarding rule of the listening socket, NULL if unknown
 * @port:	Forwarded port
 * @i:		Index of the datagram in the receive batch
 * @now:	Current timestamp
 *
 * Return: flow, existing or new, NULL if the datagram can't be forwarded
 */
static struct udp_flow *udp_flow_from_host(const struct ctx *c,
					   const struct fwd_rule *rule,
					   in_port_t port, unsigned i,
					   const struct timespec *now)
{
	union inany_addr peer, local;
	struct flowside gs;
	struct udp_flow *uf;
	in_port_t pport;
	int s;

	if (inany_from_sockaddr(&peer, &pport, &udp_rx_peer[i]))
		return NULL;
	udp_rx_local(i, &local);

	memset(&gs, 0, sizeof(gs));
	if (fwd_nat_to_guest(c, &peer, &gs.faddr, &gs.eaddr))
		return NULL;
	gs.eport = fwd_port_target(&c->run->udp_fwd_in, port);
	gs.fport = pport;

	uf = udp_flow_at(flow_lookup(IPPROTO_UDP, &gs.eaddr, gs.eport,
				     &gs.faddr, gs.fport));
	if (uf)
		return uf;

	if (udp_flows_active >= UDP_FLOWS_MAX)
		udp_evict(c);
	s = udp_reply_sock(c, rule, &local, port, &peer, pport);
	if ((s == -EMFILE || s == -ENFILE || s == -ENOBUFS) && udp_evict(c))
		s = udp_reply_sock(c, rule, &local, port, &peer, pport);
	if (s < 0)
		return NULL;
	return udp_flow_new(c, s, &gs, &peer, pport, true, now);
}

/**
 * udp_listen_handler() - Datagrams on a forwarded port
 * @c:		Execution context
 * @ref:	epoll reference: port and forwarding rule index (FWD_RULES_MAX
 *		for the sockets of -u auto, which have no rule)
 * @events:	epoll events
 * @now:	Current timestamp
 */
void udp_listen_handler(const struct ctx *c, union epoll_ref ref, uint32_t events,
			const struct timespec *now)
{
	in_port_t port = ref.data & ((1U << UDP_LISTEN_PORT_BITS) - 1);
	unsigned r = ref.data >> UDP_LISTEN_PORT_BITS, i, nframes = 0;
	const struct fwd_rule *rule = NULL;
	int n, ret;

	if (events & EPOLLERR) {
		int e;
		socklen_t sl = sizeof(e);

		getsockopt(ref.fd, SOL_SOCKET, SO_ERROR, &e, &sl);
	}
	if (!(events & EPOLLIN))
		return;
	if (r < c->run->udp_fwd_in.count)
		rule = &c->run->udp_fwd_in.rules[r];

	udp_rx_prepare(true);
	do
		n = recvmmsg(ref.fd, udp_rx_mh, udp_rx_count(c), MSG_DONTWAIT,
			     NULL);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return;

	for (i = 0; i < (unsigned)n; i++) {
		struct udp_flow *uf;

		if (!udp_rx_ok(i))
			continue;
		/* pasta: loopback sources take the bypass, not the tap */
		if (udp_splice_from_host(c, ref.fd, port, &udp_rx_peer[i],
					 udp_data[i], udp_rx_mh[i].msg_len,
					 now))
			continue;
		uf = udp_flow_from_host(c, rule, port, i, now);
		ret = uf ? udp_frame_fill(c, nframes, &uf->f.side[GUESTSIDE],
					  udp_data[i],
					  udp_rx_mh[i].msg_len) : -1;
		if (ret < 0) {
			udp_dropped++;
			continue;
		}
		udp_flow_touch(uf, now);
		nframes += !ret;
	}
	udp_tap_send(c, nframes);
}

/**
 * udp_listen_one() - Bind a socket for one forwarded port (-u)
 * @c:		Execution context
 * @la:		Address to bind, from fwd_listen_addrs()
 * @rule:	Forwarding rule, in c->run->udp_fwd_in
 * @port:	Port
 * @ns:		Unused: -u sockets are on the host
 *
 * Return: socket on success, -errno on failure
 */
static int udp_listen_one(const struct ctx *c,
			  const struct fwd_listen_addr *la,
			  const struct fwd_rule *rule, in_port_t port, bool ns)
{
	unsigned int r = (unsigned int)(rule - c->run->udp_fwd_in.rules);
	union epoll_ref ref = { .type = EPOLL_TYPE_UDP_LISTEN,
				.data = port | (r << UDP_LISTEN_PORT_BITS) };

	(void)ns;
	if (inany_v4(&la->addr) && !c->ipv4_enabled)
		return -EAFNOSUPPORT;

	/* Reply sockets share the port: see udp_reply_sock() */
	return sock_l4(&(struct sock_l4){
		.proto = IPPROTO_UDP, .addr = &la->addr, .port = port,
		.ifname = rule->ifname,
		.flags = fwd_listen_flags(c, la) | SOCK_L4_PKTINFO,
		.fd_max = fwd_listen_fd_max,
		.epollfd = c->run->epollfd, .ref = &ref,
	});
}

/**
 * udp_timer() - Close flows idle for longer than the timeout
 * @c:		Execution context
 * @now:	Current timestamp
 */
void udp_timer(const struct ctx *c, const struct timespec *now)
{
	struct udp_flow *uf;

	if (c->no_udp || !udp_flows_active ||
	    timespec_diff_ms(now, &udp_timer_last) < UDP_TIMER_INTERVAL_MS)
		return;
	udp_timer_last = *now;

	/* In order of use, so of idle time: stop at the first still used */
	while ((uf = udp_lru_at(udp_lru_first)) &&
	       now->tv_sec - uf->ts >= c->udp_timeout_sec)
		udp_flow_close(c, uf);
}

/**
 * udp_guest_gone() - The guest went away: close its flows
 * @c:		Execution context
 */
void udp_guest_gone(const struct ctx *c)
{
	unsigned i;

	for (i = 0; i < flow_foreach_limit(); i++) {
		struct udp_flow *uf = udp_flow_at(flow_at(i));

		if (uf)
			udp_flow_close(c, uf);
	}
}

/**
 * udp_init() - Read the timeout override, bind forwarded ports
 * @c:		Execution context, flow table already initialised
 *
 * Return: 0 on success (failures to bind required ports are fatal)
 */
int udp_init(struct ctx *c)
{
	const char *env = getenv(UDP_TIMEOUT_ENV);

	c->udp_timeout_sec = UDP_TIMEOUT_SEC;
	if (c->no_udp)
		return 0;

	if (env) {
		int e = 0;
		long t = parse_long(env, 1, UDP_TIMEOUT_MAX_SEC, &e);

		if (e)
			die("%s=%s: expected seconds, 1 to %u",
			    UDP_TIMEOUT_ENV, env, UDP_TIMEOUT_MAX_SEC);
		c->udp_timeout_sec = t;
	}

	fwd_listen_inbound(c, &c->run->udp_fwd_in, IPPROTO_UDP, udp_listen_one);
	return 0;
}

/**
 * udp_stats() - Log UDP counters and the number of active flows
 */
void udp_stats(void)
{
	info("UDP: %u flows active, %lu flows, %lu evicted, %lu malformed "
	     "datagrams, %lu dropped, %lu ICMP errors relayed, %lu segmented "
	     "sends refused", udp_flows_active, udp_flows_total, udp_evicted,
	     udp_frames_bad, udp_dropped, udp_icmp_relayed,
	     udp_gso_fallbacks);
}

/**
 * udp_stats_json() - UDP counters as the members of a JSON object
 * @j:		Writer
 */
void udp_stats_json(struct json *j)
{
	json_printf(j, "\"flows\":%u,\"flows_total\":%lu,"
		    "\"malformed\":%lu,\"dropped\":%lu,"
		    "\"icmp_errors_relayed\":%lu", udp_flows_active,
		    udp_flows_total, udp_frames_bad, udp_dropped,
		    udp_icmp_relayed);
}
