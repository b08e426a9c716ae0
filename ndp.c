// SPDX-License-Identifier: GPL-2.0-or-later
/* ndp.c - Built-in Neighbour Discovery (RFC 4861). We are the only other
 * node on the guest link and the guest's router: every Neighbour
 * Solicitation for an address that isn't the guest's own gets our MAC
 * address, and Router Solicitations get a Router Advertisement carrying the
 * /64 of the assigned address for SLAAC (RFC 4862), the MTU, and DNS
 * servers and search domains (RFC 8106). Advertisements are also sent
 * unsolicited, at start and then periodically, from ndp_timer().
 *
 * Our link-local address, the source of Router Advertisements (and of
 * DHCPv6 replies), is c->ip6.our_tap_ll, chosen by conf(): the -g gateway
 * if it is link-local (the guest then routes through the address it was
 * told about), else the host's, else the default gateway of local mode.
 * Neighbour Advertisements come from the target address itself, as they
 * would from a node owning it: some tools (ndisc6) expect that.
 */

#include <string.h>
#include <netinet/icmp6.h>
#include <netinet/if_ether.h>

#include "util.h"
#include "log.h"
#include "checksum.h"
#include "dns_name.h"
#include "tap.h"
#include "ndp.h"

/* Options are sized in units of 8 octets (RFC 4861, 4.6) */
#define NDP_OPT_UNIT		8
/* RFC 8106, 5.1 and 5.2 */
#define NDP_OPT_RDNSS		25
#define NDP_OPT_DNSSL		31
/* RFC 4861, 6.1.1 and 7.1.1: NDP messages are never forwarded */
#define NDP_HOP_LIMIT		255

/* ff02::1: all-nodes multicast, destination of unsolicited messages */
static const struct in6_addr ndp_all_nodes = {
	.s6_addr = { 0xff, 0x02, [15] = 0x01 }
};

/**
 * ndp_our_ll() - Our link-local address on the guest link
 * @c:		Execution context
 * @ll:	Set to the address (see the comment at the top of this file)
 */
void ndp_our_ll(const struct ctx *c, struct in6_addr *ll)
{
	*ll = c->ip6.our_tap_ll;
}

/**
 * ndp_csum() - Set the ICMPv6 checksum of a reply (RFC 4443, 2.3)
 * @r:		Reply with addresses, length and message set
 */
static void ndp_csum(struct ndp_reply *r)
{
	struct icmp6_hdr *ih = (struct icmp6_hdr *)r->msg;
	uint32_t sum;

	sum = csum_pseudo6(r->len, IPPROTO_ICMPV6, &r->src, &r->dst);
	ih->icmp6_cksum = 0;
	ih->icmp6_cksum = csum(r->msg, r->len, sum);
}

/**
 * ndp_opts_check() - Validate the options of a message from the guest
 * @msg:	ICMPv6 message
 * @off:	Offset of the first option
 * @slla:	Set if there's a Source Link-Layer Address option
 *
 * Return: 0 if options are well-formed, -1 if one has length zero or runs
 *	   past the end of the message (RFC 4861, 6.1.1 and 7.1.1)
 */
static int ndp_opts_check(const struct iovec *msg, size_t off, bool *slla)
{
	*slla = false;

	while (off < msg->iov_len) {
		const uint8_t *opt = packet_get(msg, off, 2, NULL);
		size_t len;

		if (!opt)
			return -1;

		len = (size_t)opt[1] * NDP_OPT_UNIT;
		if (!len || !packet_get(msg, off, len, NULL))
			return -1;

		if (opt[0] == ND_OPT_SOURCE_LINKADDR)
			*slla = true;
		off += len;
	}

	return 0;
}

/**
 * ndp_is_guest_addr() - Is an address one of the guest's own?
 * @c:		Execution context
 * @a:		Address
 *
 * Return: true if @a is assigned to or was used by the guest
 */
static bool ndp_is_guest_addr(const struct ctx *c, const struct in6_addr *a)
{
	const struct in6_addr *own[] = {
		&c->ip6.addr, &c->run->addr6_seen, &c->run->addr6_ll_seen,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(own); i++) {
		if (!IN6_IS_ADDR_UNSPECIFIED(own[i]) &&
		    IN6_ARE_ADDR_EQUAL(own[i], a))
			return true;
	}

	return false;
}

/**
 * ndp_opt_lladdr() - Append a link-layer address option with our MAC
 * @c:		Execution context
 * @type:	ND_OPT_SOURCE_LINKADDR or ND_OPT_TARGET_LINKADDR
 * @opt:	Where the option goes, NDP_OPT_UNIT bytes
 *
 * Return: length of the option
 */
static size_t ndp_opt_lladdr(const struct ctx *c, uint8_t type, uint8_t *opt)
{
	opt[0] = type;
	opt[1] = 1;
	memcpy(opt + 2, c->our_tap_mac, ETH_ALEN);
	return NDP_OPT_UNIT;
}

/**
 * ndp_opt_rdnss() - Append the Recursive DNS Server option (RFC 8106, 5.1)
 * @c:		Execution context
 * @opt:	Where the option goes
 * @room:	Bytes available at @opt
 *
 * Return: length of the option, 0 if there are no servers or no room
 */
static size_t ndp_opt_rdnss(const struct ctx *c, uint8_t *opt, size_t room)
{
	uint32_t lifetime = htonl(NDP_LIFETIME_INFINITE);
	size_t n, len;

	for (n = 0; n < DNS_MAX; n++) {
		if (IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[n]))
			break;
	}

	len = NDP_OPT_UNIT + n * sizeof(struct in6_addr);
	if (!n || len > room)
		return 0;

	opt[0] = NDP_OPT_RDNSS;
	opt[1] = len / NDP_OPT_UNIT;
	opt[2] = opt[3] = 0;
	memcpy(opt + 4, &lifetime, sizeof(lifetime));
	memcpy(opt + NDP_OPT_UNIT, c->ip6.dns, n * sizeof(struct in6_addr));
	return len;
}

/**
 * ndp_opt_dnssl() - Append the DNS Search List option (RFC 8106, 5.2)
 * @c:		Execution context
 * @opt:	Where the option goes
 * @room:	Bytes available at @opt
 *
 * Domains that don't fit are left out (the list is in preference order).
 *
 * Return: length of the option, 0 if there are no domains
 */
static size_t ndp_opt_dnssl(const struct ctx *c, uint8_t *opt, size_t room)
{
	uint32_t lifetime = htonl(NDP_LIFETIME_INFINITE);
	size_t i, off = NDP_OPT_UNIT, len;

	if (room < NDP_OPT_UNIT)
		return 0;
	room = ROUND_DOWN(room, NDP_OPT_UNIT);

	for (i = 0; i < DNS_SEARCH_MAX && c->dns_search[i][0]; i++) {
		ssize_t n = dns_name_encode(c->dns_search[i], opt + off,
					    room - off);

		if (n < 0) {
			debug("NDP: search domain %s left out of DNSSL",
			      c->dns_search[i]);
			continue;
		}
		off += n;
	}

	if (off == NDP_OPT_UNIT)
		return 0;

	/* RFC 8106, 5.2: padding with zeroes, which also end the names */
	len = ROUND_UP(off, NDP_OPT_UNIT);
	memset(opt + off, 0, len - off);

	opt[0] = NDP_OPT_DNSSL;
	opt[1] = len / NDP_OPT_UNIT;
	opt[2] = opt[3] = 0;
	memcpy(opt + 4, &lifetime, sizeof(lifetime));
	return len;
}

/**
 * ndp_ra_build() - Build a Router Advertisement (RFC 4861, 4.2)
 * @c:		Execution context
 * @dst:	Destination: the soliciting guest address, or all-nodes
 * @r:		Reply to fill
 */
void ndp_ra_build(const struct ctx *c, const struct in6_addr *dst,
		  struct ndp_reply *r)
{
	struct nd_router_advert *ra = (struct nd_router_advert *)r->msg;
	size_t off = sizeof(*ra);

	memset(r->msg, 0, sizeof(r->msg));
	ra->nd_ra_type = ND_ROUTER_ADVERT;
	ra->nd_ra_curhoplimit = NDP_RA_HOP_LIMIT;
	ra->nd_ra_router_lifetime = htons(NDP_RA_ROUTER_LIFETIME_SEC);

	/* Other configuration (DNS) from DHCPv6, and addresses too if we
	 * have one to give
	 */
	if (!c->no_dhcpv6) {
		ra->nd_ra_flags_reserved |= ND_RA_FLAG_OTHER;
		if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr))
			ra->nd_ra_flags_reserved |= ND_RA_FLAG_MANAGED;
	}

	off += ndp_opt_lladdr(c, ND_OPT_SOURCE_LINKADDR, r->msg + off);

	if (c->mtu >= MTU_MIN_IPV6) {
		struct nd_opt_mtu *mtu = (struct nd_opt_mtu *)(r->msg + off);

		mtu->nd_opt_mtu_type = ND_OPT_MTU;
		mtu->nd_opt_mtu_len = sizeof(*mtu) / NDP_OPT_UNIT;
		mtu->nd_opt_mtu_mtu = htonl(c->mtu);
		off += sizeof(*mtu);
	}

	if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr)) {
		struct nd_opt_prefix_info *pi;

		pi = (struct nd_opt_prefix_info *)(r->msg + off);
		pi->nd_opt_pi_type = ND_OPT_PREFIX_INFORMATION;
		pi->nd_opt_pi_len = sizeof(*pi) / NDP_OPT_UNIT;
		pi->nd_opt_pi_prefix_len = NDP_SLAAC_PREFIX_LEN;
		pi->nd_opt_pi_flags_reserved = ND_OPT_PI_FLAG_ONLINK |
					       ND_OPT_PI_FLAG_AUTO;
		pi->nd_opt_pi_valid_time = htonl(NDP_LIFETIME_INFINITE);
		pi->nd_opt_pi_preferred_time = htonl(NDP_LIFETIME_INFINITE);
		memcpy(&pi->nd_opt_pi_prefix, &c->ip6.addr,
		       NDP_SLAAC_PREFIX_LEN / 8);
		off += sizeof(*pi);
	}

	if (!c->no_dhcp_dns)
		off += ndp_opt_rdnss(c, r->msg + off, sizeof(r->msg) - off);

	if (!c->no_dhcp_dns_search)
		off += ndp_opt_dnssl(c, r->msg + off, sizeof(r->msg) - off);

	r->len = off;
	ndp_our_ll(c, &r->src);
	r->dst = *dst;
	ndp_csum(r);
}

/**
 * ndp_ns() - Answer a Neighbour Solicitation (RFC 4861, 7.2.4)
 * @c:		Execution context
 * @msg:	ICMPv6 message
 * @fi:		What tap_parse() found in the frame
 * @r:		Reply to fill, left empty if we don't answer
 */
static void ndp_ns(const struct ctx *c, const struct iovec *msg,
		   const struct frame_info *fi, struct ndp_reply *r)
{
	const struct in6_addr *saddr = &fi->saddr.a6;
	bool dad = IN6_IS_ADDR_UNSPECIFIED(saddr), slla;
	struct nd_neighbor_advert *na;
	struct nd_neighbor_solicit ns;
	struct in6_addr ll;
	const void *p;
	size_t off;

	p = packet_get(msg, 0, sizeof(ns), NULL);
	if (!p || ndp_opts_check(msg, sizeof(ns), &slla)) {
		drop_debug("NDP: malformed Neighbour Solicitation");
		return;
	}
	memcpy(&ns, p, sizeof(ns));

	if (IN6_IS_ADDR_MULTICAST(&ns.nd_ns_target) ||
	    IN6_IS_ADDR_UNSPECIFIED(&ns.nd_ns_target) ||
	    IN6_IS_ADDR_LOOPBACK(&ns.nd_ns_target) || (dad && slla)) {
		drop_debug("NDP: invalid Neighbour Solicitation");
		return;
	}

	ndp_our_ll(c, &ll);
	if (dad) {
		/* Duplicate Address Detection: only our address is taken */
		if (!IN6_ARE_ADDR_EQUAL(&ns.nd_ns_target, &ll))
			return;
	} else if (ndp_is_guest_addr(c, &ns.nd_ns_target) ||
		   IN6_ARE_ADDR_EQUAL(&ns.nd_ns_target, saddr)) {
		return;
	}

	memset(r->msg, 0, sizeof(*na) + NDP_OPT_UNIT);
	na = (struct nd_neighbor_advert *)r->msg;
	na->nd_na_type = ND_NEIGHBOR_ADVERT;
	na->nd_na_flags_reserved = ND_NA_FLAG_ROUTER | ND_NA_FLAG_OVERRIDE;
	if (!dad)
		na->nd_na_flags_reserved |= ND_NA_FLAG_SOLICITED;
	na->nd_na_target = ns.nd_ns_target;

	off = sizeof(*na);
	off += ndp_opt_lladdr(c, ND_OPT_TARGET_LINKADDR, r->msg + off);

	r->len = off;
	r->src = ns.nd_ns_target;
	r->dst = dad ? ndp_all_nodes : *saddr;
	ndp_csum(r);
}

/**
 * ndp_rs() - Answer a Router Solicitation (RFC 4861, 6.2.6)
 * @c:		Execution context
 * @msg:	ICMPv6 message
 * @fi:		What tap_parse() found in the frame
 * @r:		Reply to fill, left empty if we don't answer
 */
static void ndp_rs(const struct ctx *c, const struct iovec *msg,
		   const struct frame_info *fi, struct ndp_reply *r)
{
	const struct in6_addr *saddr = &fi->saddr.a6;
	bool slla;

	if (!packet_get(msg, 0, sizeof(struct nd_router_solicit), NULL) ||
	    ndp_opts_check(msg, sizeof(struct nd_router_solicit), &slla)) {
		drop_debug("NDP: malformed Router Solicitation");
		return;
	}

	if (IN6_IS_ADDR_UNSPECIFIED(saddr) && slla) {
		drop_debug("NDP: Router Solicitation from :: with address");
		return;
	}

	if (c->no_ra)
		return;

	ndp_ra_build(c, IN6_IS_ADDR_UNSPECIFIED(saddr) ? &ndp_all_nodes : saddr,
		     r);
}

/**
 * ndp_process() - Check an NDP message from the guest, build our answer
 * @c:		Execution context
 * @frame:	Ethernet frame from the guest
 * @fi:		What tap_parse() found in @frame
 * @r:		Reply to fill: @r->len is 0 if there's nothing to send
 *
 * Return: 1 if the frame is NDP (answered or deliberately ignored), 0 if
 *	   it's another kind of ICMPv6 message, or not ICMPv6 at all
 */
int ndp_process(const struct ctx *c, const struct iovec *frame,
		const struct frame_info *fi, struct ndp_reply *r)
{
	const uint8_t *hdr;
	struct iovec msg;

	r->len = 0;
	if (fi->ethertype != ETH_P_IPV6 || fi->l4proto != IPPROTO_ICMPV6)
		return 0;

	msg.iov_base = packet_get(frame, fi->l4_off, fi->l4_len, NULL);
	msg.iov_len = fi->l4_len;
	if (!msg.iov_base)
		return 0;

	/* Type and code: the rest of the header is checked by each type */
	hdr = packet_get(&msg, 0, 2, NULL);
	if (!hdr || hdr[0] < ND_ROUTER_SOLICIT || hdr[0] > ND_REDIRECT)
		return 0;

	if (c->no_ndp || !c->ipv6_enabled)
		return 1;

	if (fi->ttl != NDP_HOP_LIMIT || hdr[1]) {
		drop_debug("NDP: hop limit %u or code %u, dropping",
			   fi->ttl, hdr[1]);
		return 1;
	}

	/* We answer to the source address: never to a group */
	if (IN6_IS_ADDR_MULTICAST(&fi->saddr.a6))
		return 1;

	if (hdr[0] == ND_NEIGHBOR_SOLICIT)
		ndp_ns(c, &msg, fi, r);
	else if (hdr[0] == ND_ROUTER_SOLICIT)
		ndp_rs(c, &msg, fi, r);

	return 1;
}

/**
 * ndp() - Answer NDP messages from the guest
 * @c:		Execution context
 * @frame:	Ethernet frame from the guest
 * @fi:		What tap_parse() found in @frame
 *
 * Return: 1 if the frame was NDP (answered or ignored), 0 if not
 */
int ndp(const struct ctx *c, const struct iovec *frame, const struct frame_info *fi)
{
	static struct ndp_reply r;
	int ret;

	ret = ndp_process(c, frame, fi, &r);
	if (r.len) {
		debug("NDP: received %s, sending %s",
		      r.msg[0] == ND_ROUTER_ADVERT ? "RS" : "NS",
		      r.msg[0] == ND_ROUTER_ADVERT ? "RA" : "NA");
		tap_icmp6_send(c, &r.src, &r.dst, r.msg, r.len);
	}

	return ret;
}

/**
 * ndp_timer() - Send unsolicited Router Advertisements (RFC 4861, 6.2.4)
 * @c:		Execution context
 * @now:	Current timestamp
 *
 * The first one goes out as soon as a guest is attached (a new tap file
 * descriptor), then one every NDP_RA_INTERVAL_MIN_SEC to
 * NDP_RA_INTERVAL_MAX_SEC seconds, with jitter (RFC 4861, 6.2.4).
 */
void ndp_timer(const struct ctx *c, const struct timespec *now)
{
	static struct timespec next;
	static int guest_fd = -1;
	static struct ndp_reply r;
	long interval;

	if (c->no_ndp || c->no_ra || !c->ipv6_enabled || c->run->fd_tap < 0) {
		guest_fd = -1;
		return;
	}

	if (guest_fd == c->run->fd_tap && timespec_diff_ms(now, &next) < 0)
		return;
	guest_fd = c->run->fd_tap;

	ndp_ra_build(c, &ndp_all_nodes, &r);
	tap_icmp6_send(c, &r.src, &r.dst, r.msg, r.len);

	/* Nanoseconds of the clock are random enough for jitter */
	interval = NDP_RA_INTERVAL_MIN_SEC +
		   now->tv_nsec % (NDP_RA_INTERVAL_MAX_SEC -
				   NDP_RA_INTERVAL_MIN_SEC + 1);
	next = *now;
	next.tv_sec += interval;
}
