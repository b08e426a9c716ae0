// SPDX-License-Identifier: GPL-2.0-or-later
/* icmp.c - ICMP and ICMPv6 Echo through unprivileged "ping" sockets, see
 * icmp(7). Each Echo request from the guest selects a flow: one ping socket
 * per (address family, guest identifier, guest source, destination). The
 * socket is bound with the guest's identifier as "port", so that the kernel
 * keeps it on the wire; if that bind fails (identifier in use, restrictive
 * LSM policies), an unbound socket gets an identifier from the kernel, and
 * we map it back on replies. Replies are sent to the guest from the address
 * it pinged. Flows expire after ICMP_TIMEOUT_SEC without requests.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <netinet/icmp6.h>
#include <netinet/if_ether.h>

#include "epoll_ctl.h"
#include "inany.h"
#include "util.h"
#include "log.h"
#include "ctx.h"
#include "packet.h"
#include "checksum.h"
#include "sock_l4.h"
#include "tap.h"
#include "icmp.h"

/* Echo flows per address family */
#define ICMP_FLOWS_MAX		1024
/* Idle flows are closed after this long without a request */
#define ICMP_TIMEOUT_SEC	60
/* Interval between scans for expired flows */
#define ICMP_TIMER_INTERVAL_MS	1000
/* Largest Echo reply we read: an ICMP message of a maximum-sized packet */
#define ICMP_BUF_BYTES		65536
/* Replies read per socket event, so that one flow can't starve others */
#define ICMP_READ_BATCH		32
/* Echo header: type, code, checksum, identifier, sequence number */
#define ICMP_ECHO_HDR_BYTES	8

/* Indices in icmp_flows[] */
enum icmp_af {
	ICMP_V4 = 0,
	ICMP_V6,
	ICMP_AF_COUNT,
};

/**
 * struct icmp_flow - One Echo flow and its ping socket
 * @sock:	Ping socket, -1 if the entry is free
 * @bound:	Socket bound with @id, identifiers on the wire are the guest's
 * @id:		Echo identifier used by the guest, network order
 * @gaddr:	Guest address requests came from (IPv4 as v4-mapped)
 * @oaddr:	Address the guest pinged: source of replies to the guest
 * @ts:		Time of the last request
 */
struct icmp_flow {
	int sock;
	bool bound;
	uint16_t id;
	union inany_addr gaddr;
	union inany_addr oaddr;
	struct timespec ts;
};

static struct icmp_flow icmp_flows[ICMP_AF_COUNT][ICMP_FLOWS_MAX];
static bool icmp_initialised;
static struct timespec icmp_timer_last;

/* Receive buffer for replies from ping sockets */
static uint8_t icmp_buf[ICMP_BUF_BYTES];

/**
 * icmp_flow_ref() - Flow index for epoll references, both families
 * @af:		ICMP_V4 or ICMP_V6
 * @i:		Index in icmp_flows[@af]
 *
 * Return: flow index
 */
static uint32_t icmp_flow_ref(enum icmp_af af, unsigned int i)
{
	return (uint32_t)af * ICMP_FLOWS_MAX + i;
}

/**
 * icmp_table_init() - Mark all flows free, once
 */
static void icmp_table_init(void)
{
	unsigned int af, i;

	if (icmp_initialised)
		return;
	for (af = 0; af < ICMP_AF_COUNT; af++) {
		for (i = 0; i < ICMP_FLOWS_MAX; i++)
			icmp_flows[af][i].sock = -1;
	}
	icmp_initialised = true;
}

/**
 * icmp_probe() - Tell if we may open a ping socket for a family
 * @af:		AF_INET or AF_INET6
 *
 * Return: 0 if we can, negative error code otherwise
 */
static int icmp_probe(sa_family_t af)
{
	int s = sock_l4(&(struct sock_l4){
		.proto = af == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6,
		.af = af,
	});

	if (s < 0)
		return s;
	close(s);
	return 0;
}

/**
 * icmp_warn_denied() - Say once per family that ping sockets are denied
 * @af:		ICMP_V4 or ICMP_V6
 * @ret:	Error from socket()
 */
static void icmp_warn_denied(enum icmp_af af, int ret)
{
	static bool warned[ICMP_AF_COUNT];

	if (warned[af])
		return;
	warned[af] = true;
	warn("%s Echo requests will be dropped: can't open %s ping socket "
	     "(%s), net.ipv4.ping_group_range must include group %u",
	     af == ICMP_V4 ? "ICMP" : "ICMPv6", af == ICMP_V4 ? "IPv4" : "IPv6",
	     strerror(-ret), (unsigned int)getegid());
}

/**
 * icmp_init() - Set up the flow table, warn if ping sockets are unusable
 * @c:		Execution context
 *
 * The probe runs with our current identity: if we change user later and
 * that one may not open ping sockets, we warn on the first request instead.
 */
void icmp_init(const struct ctx *c)
{
	int ret;

	icmp_table_init();
	if (c->no_icmp)
		return;

	if (c->ipv4_enabled && (ret = icmp_probe(AF_INET)) < 0)
		icmp_warn_denied(ICMP_V4, ret);
	if (c->ipv6_enabled && (ret = icmp_probe(AF_INET6)) < 0)
		icmp_warn_denied(ICMP_V6, ret);
}

/**
 * icmp_sendto() - Send an Echo request to an address from a ping socket
 * @s:		Ping socket
 * @msg:	ICMP or ICMPv6 message
 * @len:	Length of @msg
 * @sa:		Destination
 * @sl:		Length of @sa
 *
 * Return: what sendmsg() returns (not sendto(): one call fewer to allow)
 */
static ssize_t icmp_sendto(int s, const void *msg, size_t len,
			   const struct sockaddr *sa, socklen_t sl)
{
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
	struct msghdr mh = { .msg_name = (void *)sa, .msg_namelen = sl,
			     .msg_iov = &iov, .msg_iovlen = 1 };

	/* #syscalls sendmsg */
	return sendmsg(s, &mh, MSG_NOSIGNAL);
}

/**
 * icmp_flow_close() - Close a flow's socket and free its entry
 * @c:		Execution context
 * @f:		Flow
 */
static void icmp_flow_close(const struct ctx *c, struct icmp_flow *f)
{
	epoll_ctl(c->run->epollfd, EPOLL_CTL_DEL, f->sock, NULL);
	close(f->sock);
	f->sock = -1;
}

/**
 * icmp_fwd_dst() - Host-side destination for an address the guest pinged
 * @c:		Execution context
 * @oaddr:	Destination as seen by the guest
 * @taddr:	Destination on the host, set on return
 *
 * The --map-host-loopback address reaches the host itself on loopback,
 * the --map-guest-addr address the host's (guest's assigned) address.
 *
 * Return: true if @taddr is a loopback address
 */
static bool icmp_fwd_dst(const struct ctx *c, const union inany_addr *oaddr,
			 union inany_addr *taddr)
{
	const struct in_addr *v4 = inany_v4(oaddr);

	*taddr = *oaddr;
	if (v4) {
		struct in_addr lo = { .s_addr = htonl(INADDR_LOOPBACK) };

		if (c->ip4.map_host_loopback.s_addr &&
		    v4->s_addr == c->ip4.map_host_loopback.s_addr)
			inany_from_v4(taddr, lo);
		else if (c->ip4.map_guest_addr.s_addr &&
			 v4->s_addr == c->ip4.map_guest_addr.s_addr)
			inany_from_v4(taddr, c->ip4.addr);
	} else {
		if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.map_host_loopback) &&
		    IN6_ARE_ADDR_EQUAL(&oaddr->a6, &c->ip6.map_host_loopback))
			taddr->a6 = in6addr_loopback;
		else if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.map_guest_addr) &&
			 IN6_ARE_ADDR_EQUAL(&oaddr->a6,
					    &c->ip6.map_guest_addr))
			taddr->a6 = c->ip6.addr;
	}

	return inany_is_loopback(taddr);
}

/**
 * icmp_sock_open() - Open a ping socket for a new flow
 * @c:		Execution context
 * @af:		ICMP_V4 or ICMP_V6
 * @f:		Flow, @id set, @sock and @bound set on return
 * @lo:		Destination is loopback: don't bind to the outbound
 *		address or interface, they can't reach it
 *
 * Return: 0 on success, negative error code on failure
 */
static int icmp_sock_open(const struct ctx *c, enum icmp_af af,
			  struct icmp_flow *f, bool lo)
{
	union inany_addr a;
	int s;

	if (af == ICMP_V4) {
		struct in_addr a4 = { .s_addr = htonl(INADDR_ANY) };

		inany_from_v4(&a, lo ? a4 : c->ip4.addr_out);
	} else {
		a.a6 = lo ? in6addr_any : c->ip6.addr_out;
	}

	/* Ping sockets come with SO_REUSEADDR set: two sockets could then
	 * share an identifier, and only one of them would see the replies.
	 * Clear it, so that bind() tells us if the identifier is taken: if
	 * it is, fall back (see NOTES) to keeping the address, with any
	 * identifier.
	 */
	s = sock_l4(&(struct sock_l4){
		.proto = af == ICMP_V4 ? IPPROTO_ICMP : IPPROTO_ICMPV6,
		.addr = &a, .port = ntohs(f->id),
		.ifname = lo ? NULL : (af == ICMP_V4 ? c->ip4.ifname_out :
						       c->ip6.ifname_out),
		.flags = SOCK_L4_NOREUSEADDR | SOCK_L4_SOFT,
		.port_kept = &f->bound,
	});
	if (s < 0)
		return s;

	f->sock = s;
	return 0;
}

/**
 * icmp_flow_get() - Find the flow for a request, or create it
 * @c:		Execution context
 * @af:		ICMP_V4 or ICMP_V6
 * @id:		Echo identifier, network order
 * @gaddr:	Guest source address
 * @oaddr:	Destination as seen by the guest
 * @lo:		Host-side destination is loopback
 *
 * Return: flow index in icmp_flows[@af], -1 if none can be created
 */
static int icmp_flow_get(const struct ctx *c, enum icmp_af af, uint16_t id,
			 const union inany_addr *gaddr,
			 const union inany_addr *oaddr, bool lo)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_PING };
	struct icmp_flow *f;
	int i, free_i = -1, ret;

	for (i = 0; i < ICMP_FLOWS_MAX; i++) {
		f = &icmp_flows[af][i];
		if (f->sock < 0) {
			if (free_i < 0)
				free_i = i;
			continue;
		}
		if (f->id == id && inany_equals(&f->gaddr, gaddr) &&
		    inany_equals(&f->oaddr, oaddr))
			return i;
	}

	if (free_i < 0) {
		debug("ICMP: flow table full, dropping request");
		return -1;
	}

	f = &icmp_flows[af][free_i];
	f->id = id;
	f->gaddr = *gaddr;
	f->oaddr = *oaddr;
	ret = icmp_sock_open(c, af, f, lo);
	if (ret == -EACCES || ret == -EPERM) {
		icmp_warn_denied(af, ret);
		return -1;
	}
	if (ret < 0) {
		debug("ICMP: can't open ping socket: %s", strerror(-ret));
		return -1;
	}

	ref.fd = f->sock;
	ref.flow = icmp_flow_ref(af, free_i);
	if (epoll_add_ref(c->run->epollfd, f->sock, EPOLLIN, ref)) {
		close(f->sock);
		f->sock = -1;
		return -1;
	}

	return free_i;
}

/**
 * icmp_echo_valid() - Check an Echo request from the guest
 * @fi:		Frame information
 * @msg:	ICMP or ICMPv6 message, @fi->l4_len bytes
 *
 * Return: true if it's a well-formed Echo request with a valid checksum
 */
static bool icmp_echo_valid(const struct frame_info *fi, const uint8_t *msg)
{
	uint32_t sum = 0;

	if (fi->l4_len < ICMP_ECHO_HDR_BYTES)
		return false;

	if (fi->ethertype == ETH_P_IP) {
		if (msg[0] != ICMP_ECHO || msg[1])
			return false;
	} else {
		if (msg[0] != ICMP6_ECHO_REQUEST || msg[1])
			return false;
		sum = csum_pseudo6(fi->l4_len, IPPROTO_ICMPV6,
				   &fi->saddr.a6, &fi->daddr.a6);
	}

	/* RFC 1071: a correct checksum sums to all ones */
	return csum(msg, fi->l4_len, sum) == 0;
}

/**
 * icmp_tap_handler() - Forward an Echo request from the guest
 * @c:		Execution context
 * @frame:	Whole frame
 * @fi:		What tap_parse() found in it
 * @now:	Current timestamp
 *
 * Return: 1 if the frame was an Echo request (forwarded or dropped), 0 if
 *	   it's not for us
 */
int icmp_tap_handler(const struct ctx *c, const struct iovec *frame,
		     const struct frame_info *fi, const struct timespec *now)
{
	bool v4 = fi->ethertype == ETH_P_IP;
	enum icmp_af af = v4 ? ICMP_V4 : ICMP_V6;
	union inany_addr taddr;
	union {
		struct sockaddr sa;
		struct sockaddr_in sa4;
		struct sockaddr_in6 sa6;
	} sa;
	struct icmp_flow *f;
	const uint8_t *msg;
	uint16_t id;
	socklen_t sl;
	bool lo;
	int i;

	msg = packet_get(frame, fi->l4_off, fi->l4_len, NULL);
	if (!msg || fi->l4_len < 1)
		return 0;
	if (msg[0] != (v4 ? ICMP_ECHO : ICMP6_ECHO_REQUEST))
		return 0;

	if (c->no_icmp)
		return 1;
	if (!icmp_echo_valid(fi, msg)) {
		drop_debug("ICMP: dropping malformed Echo request");
		return 1;
	}
	if (inany_is_unspecified(&fi->daddr) || inany_is_loopback(&fi->daddr))
		return 1;
	/* Multicast and broadcast Echo would leave through the host's
	 * interfaces to whole networks, on behalf of the guest: don't.
	 */
	if (v4 ? (IN_MULTICAST(ntohl(inany_v4(&fi->daddr)->s_addr)) ||
		  inany_v4(&fi->daddr)->s_addr == htonl(INADDR_BROADCAST))
	       : IN6_IS_ADDR_MULTICAST(&fi->daddr.a6)) {
		drop_debug("ICMP: dropping Echo request to multicast address");
		return 1;
	}

	icmp_table_init();
	lo = icmp_fwd_dst(c, &fi->daddr, &taddr);
	memcpy(&id, msg + 4, sizeof(id));

	i = icmp_flow_get(c, af, id, &fi->saddr, &fi->daddr, lo);
	if (i < 0)
		return 1;
	f = &icmp_flows[af][i];
	f->ts = *now;

	memset(&sa, 0, sizeof(sa));
	if (v4) {
		sa.sa4.sin_family = AF_INET;
		sa.sa4.sin_addr = *inany_v4(&taddr);
		sl = sizeof(sa.sa4);
	} else {
		sa.sa6.sin6_family = AF_INET6;
		sa.sa6.sin6_addr = taddr.a6;
		if (IN6_IS_ADDR_LINKLOCAL(&taddr.a6))
			sa.sa6.sin6_scope_id = c->ifi6;
		sl = sizeof(sa.sa6);
	}

	/* The kernel sets identifier and checksum, keeps the sequence */
	if (icmp_sendto(f->sock, msg, fi->l4_len, &sa.sa, sl) < 0) {
		debug("ICMP: can't send Echo request: %s", strerror(errno));
		return 1;
	}

	trace("ICMP: Echo request id %u seq %u", ntohs(id),
	      (unsigned int)(msg[6] << 8 | msg[7]));
	return 1;
}

/**
 * icmp_sock_handler() - Forward Echo replies from a ping socket to the guest
 * @c:		Execution context
 * @ref:	epoll reference: socket and flow index
 */
void icmp_sock_handler(const struct ctx *c, union epoll_ref ref)
{
	enum icmp_af af = ref.flow / ICMP_FLOWS_MAX;
	unsigned int i = ref.flow % ICMP_FLOWS_MAX;
	struct icmp_flow *f;
	int n;

	if (af >= ICMP_AF_COUNT)
		return;
	f = &icmp_flows[af][i];
	if (f->sock != ref.fd)
		return;

	for (n = 0; n < ICMP_READ_BATCH; n++) {
		uint8_t reply = af == ICMP_V4 ? ICMP_ECHOREPLY :
						ICMP6_ECHO_REPLY;
		ssize_t len;

		len = sock_recv(f->sock, icmp_buf, sizeof(icmp_buf),
				MSG_DONTWAIT);
		if (len < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			/* ICMP errors about our requests are queued as
			 * socket errors: reading them clears them.
			 */
			debug("ICMP: ping socket error: %s", strerror(errno));
			continue;
		}
		if (len < ICMP_ECHO_HDR_BYTES || icmp_buf[0] != reply)
			continue;

		/* Replies carry the socket's identifier: give the guest's */
		memcpy(icmp_buf + 4, &f->id, sizeof(f->id));

		if (af == ICMP_V4) {
			tap_icmp4_send(c, *inany_v4(&f->oaddr),
				       *inany_v4(&f->gaddr), icmp_buf, len);
		} else {
			tap_icmp6_send(c, &f->oaddr.a6, &f->gaddr.a6,
				       icmp_buf, len);
		}
	}
}

/**
 * icmp_timer() - Close flows idle for longer than ICMP_TIMEOUT_SEC
 * @c:		Execution context
 * @now:	Current timestamp
 */
void icmp_timer(const struct ctx *c, const struct timespec *now)
{
	unsigned int af, i;

	if (!icmp_initialised ||
	    timespec_diff_ms(now, &icmp_timer_last) < ICMP_TIMER_INTERVAL_MS)
		return;
	icmp_timer_last = *now;

	for (af = 0; af < ICMP_AF_COUNT; af++) {
		for (i = 0; i < ICMP_FLOWS_MAX; i++) {
			struct icmp_flow *f = &icmp_flows[af][i];

			if (f->sock >= 0 &&
			    timespec_diff_ms(now, &f->ts) >
			    ICMP_TIMEOUT_SEC * MS_PER_SEC)
				icmp_flow_close(c, f);
		}
	}
}

/**
 * icmp_guest_gone() - The guest went away: close its echo flows
 * @c:		Execution context
 */
void icmp_guest_gone(const struct ctx *c)
{
	unsigned int af, i;

	if (!icmp_initialised)
		return;
	for (af = 0; af < ICMP_AF_COUNT; af++) {
		for (i = 0; i < ICMP_FLOWS_MAX; i++) {
			if (icmp_flows[af][i].sock >= 0)
				icmp_flow_close(c, &icmp_flows[af][i]);
		}
	}
}
