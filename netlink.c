// SPDX-License-Identifier: GPL-2.0-or-later
/* netlink.c - rtnetlink over raw NETLINK_ROUTE sockets, no libraries
 *
 * At start-up, conf.c asks which host interface leads outside (the one of
 * the default route) and reads its addresses, gateway, MTU and MAC address
 * to give the guest the host's own view. With --config-net, pasta.c uses a
 * second socket opened inside the target namespace to bring the tap device
 * up and to copy the host interface's addresses and routes onto it.
 *
 * Every exchange is one request and its replies, read into a static buffer
 * and walked with bounds checks: replies are matched by sequence number,
 * dumps end at NLMSG_DONE, changes are acknowledged (NLM_F_ACK) and the
 * kernel's error code is handed back as -errno.
 */

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>

#include "log.h"
#include "netlink.h"

#define NL_BUF_BYTES		(64 * 1024)	/* one receive, any dump part */
#define NL_REQ_BYTES		4096		/* one outgoing request */
#define NL_IFS_MAX		64		/* interfaces tracked per scan */
#define ETH_ADDR_BYTES		6

int nl_sock = -1;
int nl_sock_ns = -1;

/* Replies land here; dumps are read part by part, never all at once */
static char nl_buf[NL_BUF_BYTES] __attribute__((aligned(NLMSG_ALIGNTO)));

/* Requests collected by the *_dup() functions, sent after the dump ends */
static char nl_dup_buf[NL_BUF_BYTES] __attribute__((aligned(NLMSG_ALIGNTO)));

static uint32_t nl_seq;

/* A request under construction: header, then family header and attributes */
struct nl_req {
	struct nlmsghdr nh;
	char data[NL_REQ_BYTES - sizeof(struct nlmsghdr)];
} __attribute__((aligned(NLMSG_ALIGNTO)));

/* State of a walk through the replies to one request */
struct nl_walk {
	int s;			/* socket the request went out on */
	uint32_t seq;		/* sequence number of the request */
	char *p;		/* next message in nl_buf */
	ssize_t left;		/* bytes after p in nl_buf */
	bool done;		/* NLMSG_DONE or NLMSG_ERROR seen */
	int err;		/* 0, or -errno from the kernel or recv() */
};

/**
 * af_addr_len() - Size of an address of the given family
 * @af:		AF_INET or AF_INET6
 *
 * Return: 4, 16, or 0 for any other family
 */
static size_t af_addr_len(sa_family_t af)
{
	if (af == AF_INET)
		return sizeof(struct in_addr);
	if (af == AF_INET6)
		return sizeof(struct in6_addr);
	return 0;
}

/**
 * nl_open() - Open and bind a NETLINK_ROUTE socket in the current namespace
 *
 * Return: socket descriptor, or -errno
 */
static int nl_open(void)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK };
	int s, one = 1;

	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s < 0)
		return -errno;

	if (bind(s, (struct sockaddr *)&addr, sizeof(addr))) {
		int ret = -errno;

		close(s);
		return ret;
	}

	/* Not essential: only makes the kernel's error reports terser */
	setsockopt(s, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));

	return s;
}

/**
 * nl_sock_init() - Open the netlink socket for the namespace we're in
 * @ns:		true in pasta's target namespace (after setns() into it): the
 *		socket, and everything done through it, belongs to that
 *		namespace and replaces nl_sock_ns; false for the init (host)
 *		namespace and nl_sock
 *
 * Return: 0 on success, -errno on failure
 */
int nl_sock_init(bool ns)
{
	int *sock = ns ? &nl_sock_ns : &nl_sock;
	int s = nl_open();

	if (s < 0)
		return s;
	if (*sock >= 0)
		close(*sock);
	*sock = s;
	return 0;
}

/**
 * nl_req_init() - Start a request: netlink header and family header
 * @req:	Request to initialise
 * @type:	Message type (RTM_*)
 * @flags:	Flags besides NLM_F_REQUEST
 * @hdr:	Family header (struct rtmsg, ifaddrmsg, ifinfomsg), copied
 * @hdr_len:	Size of @hdr
 */
static void nl_req_init(struct nl_req *req, uint16_t type, uint16_t flags,
			const void *hdr, size_t hdr_len)
{
	memset(&req->nh, 0, sizeof(req->nh));
	req->nh.nlmsg_type = type;
	req->nh.nlmsg_flags = NLM_F_REQUEST | flags;
	req->nh.nlmsg_len = NLMSG_LENGTH(hdr_len);
	memcpy(NLMSG_DATA(&req->nh), hdr, hdr_len);
}

/**
 * nl_attr_put() - Append an attribute to a message, if it fits
 * @nh:		Message, with nlmsg_len set to its current length
 * @size:	Space available for the whole message
 * @type:	Attribute type
 * @data:	Payload, may be NULL if @len is 0
 * @len:	Payload length
 *
 * Return: pointer to the attribute payload, NULL if it doesn't fit
 */
static void *nl_attr_put(struct nlmsghdr *nh, size_t size, uint16_t type,
			 const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(nh->nlmsg_len);
	struct rtattr *rta;

	if (len > UINT16_MAX - RTA_LENGTH(0) || off > size ||
	    RTA_SPACE(len) > size - off)
		return NULL;

	rta = (struct rtattr *)((char *)nh + off);
	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	memset(RTA_DATA(rta), 0, RTA_ALIGN(len));
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = off + RTA_SPACE(len);

	return RTA_DATA(rta);
}

/**
 * nl_send() - Send a request, assigning it the next sequence number
 * @s:		Netlink socket
 * @nh:		Complete request
 *
 * Return: sequence number used (never 0), or 0 on failure (errno set)
 */
static uint32_t nl_send(int s, struct nlmsghdr *nh)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	ssize_t n;

	if (!++nl_seq)
		nl_seq++;
	nh->nlmsg_seq = nl_seq;

	do {
		n = sendto(s, nh, nh->nlmsg_len, 0,
			   (struct sockaddr *)&kernel, sizeof(kernel));
	} while (n < 0 && errno == EINTR);

	if (n < 0)
		return 0;
	if ((size_t)n != nh->nlmsg_len) {
		errno = EMSGSIZE;
		return 0;
	}
	return nh->nlmsg_seq;
}

/**
 * nl_walk_start() - Send a request and prepare to walk through its replies
 * @w:		Walk state to initialise
 * @s:		Netlink socket
 * @nh:		Request: a dump, or a query with NLM_F_ACK set
 *
 * The walk ends at NLMSG_DONE or at NLMSG_ERROR (an acknowledgement or an
 * error), so a query without NLM_F_ACK would never end: callers set it.
 */
static void nl_walk_start(struct nl_walk *w, int s, struct nlmsghdr *nh)
{
	memset(w, 0, sizeof(*w));
	w->s = s;
	w->seq = nl_send(s, nh);
	if (!w->seq) {
		w->err = -errno;
		w->done = true;
	}
}

/**
 * nl_walk_recv() - Read the next batch of replies into nl_buf
 * @w:		Walk state
 *
 * Return: 0 on success, -errno on failure
 */
static int nl_walk_recv(struct nl_walk *w)
{
	ssize_t n;

	do {
		n = recv(w->s, nl_buf, sizeof(nl_buf), MSG_TRUNC);
	} while (n < 0 && errno == EINTR);

	if (n < 0)
		return -errno;
	if (n == 0)
		return -ECONNRESET;
	if ((size_t)n > sizeof(nl_buf))
		return -EMSGSIZE;

	w->p = nl_buf;
	w->left = n;
	return 0;
}

/**
 * nl_walk_next() - Get the next reply message carrying data
 * @w:		Walk state
 *
 * Messages from earlier, abandoned requests (other sequence numbers) are
 * skipped. The walk always goes on to the end marker, so that nothing of
 * this request is left queued on the socket once NULL is returned.
 *
 * Return: next data message (length checked against the buffer), or NULL
 *	   at the end, with w->err set to 0 or -errno
 */
static struct nlmsghdr *nl_walk_next(struct nl_walk *w)
{
	while (!w->done) {
		struct nlmsghdr *nh;

		if (w->left <= 0) {
			int ret = nl_walk_recv(w);

			if (ret) {
				w->err = ret;
				w->done = true;
				break;
			}
		}

		nh = (struct nlmsghdr *)w->p;
		if (!NLMSG_OK(nh, w->left)) {
			/* Trailing junk: drop the rest of this datagram */
			w->left = 0;
			continue;
		}
		w->p += NLMSG_ALIGN(nh->nlmsg_len);
		w->left -= NLMSG_ALIGN(nh->nlmsg_len);

		if (nh->nlmsg_seq != w->seq)
			continue;

		if (nh->nlmsg_type == NLMSG_DONE) {
			w->done = true;
		} else if (nh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(nh);

			if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(e->error)))
				w->err = -EPROTO;
			else
				w->err = e->error > 0 ? -e->error : e->error;
			w->done = true;
		} else if (nh->nlmsg_type >= NLMSG_MIN_TYPE) {
			if (nh->nlmsg_flags & NLM_F_DUMP_INTR)
				debug("netlink: dump interrupted, may be stale");
			return nh;
		}
	}

	return NULL;
}

/**
 * nl_do() - Send a change request and wait for the kernel's acknowledgement
 * @s:		Netlink socket
 * @nh:		Request, NLM_F_ACK is added here
 *
 * Return: 0 if acknowledged, -errno from the kernel (or from I/O) otherwise
 */
static int nl_do(int s, struct nlmsghdr *nh)
{
	struct nl_walk w;

	nh->nlmsg_flags |= NLM_F_ACK;
	nl_walk_start(&w, s, nh);
	while (nl_walk_next(&w))
		;	/* changes have no data replies: nothing to look at */

	return w.err;
}

/**
 * nl_payload_ok() - Check that a message holds at least its family header
 * @nh:		Message, length already checked against the buffer
 * @type:	Expected message type
 * @hdr_len:	Size of the family header
 *
 * Return: true if @nh has type @type and at least @hdr_len bytes of payload
 */
static bool nl_payload_ok(const struct nlmsghdr *nh, uint16_t type,
			  size_t hdr_len)
{
	return nh->nlmsg_type == type && nh->nlmsg_len >= NLMSG_LENGTH(hdr_len);
}

/**
 * nl_attrs() - First attribute after a family header, and space left
 * @nh:		Message, length checked by nl_payload_ok()
 * @hdr_len:	Size of the family header
 * @len:	Set to the length of the attribute area
 *
 * Return: first attribute (check with RTA_OK() before use)
 */
static struct rtattr *nl_attrs(struct nlmsghdr *nh, size_t hdr_len, int *len)
{
	*len = nh->nlmsg_len - NLMSG_LENGTH(hdr_len);
	return (struct rtattr *)((char *)NLMSG_DATA(nh) + NLMSG_ALIGN(hdr_len));
}

/* What a route message says, the way the functions below need it */
struct nl_route {
	const struct rtmsg *rtm;
	uint32_t table;			/* RTA_TABLE, or rtm_table */
	unsigned int oif;		/* RTA_OIF, 0 if absent */
	const void *dst;		/* RTA_DST payload, NULL if absent */
	const void *gw;			/* RTA_GATEWAY payload, or NULL */
	const struct rtattr *mp;	/* RTA_MULTIPATH, or NULL */
};

/**
 * nl_route_parse() - Read the attributes of a route message we care about
 * @nh:		RTM_NEWROUTE message
 * @af:		Address family the route must have
 * @r:		Filled with what was found
 *
 * Return: true if @nh is a well-formed route of family @af
 */
static bool nl_route_parse(struct nlmsghdr *nh, sa_family_t af,
			   struct nl_route *r)
{
	size_t alen = af_addr_len(af);
	struct rtattr *rta;
	int len;

	if (!nl_payload_ok(nh, RTM_NEWROUTE, sizeof(struct rtmsg)))
		return false;

	memset(r, 0, sizeof(*r));
	r->rtm = NLMSG_DATA(nh);
	if (r->rtm->rtm_family != af)
		return false;
	r->table = r->rtm->rtm_table;

	for (rta = nl_attrs(nh, sizeof(struct rtmsg), &len); RTA_OK(rta, len);
	     rta = RTA_NEXT(rta, len)) {
		size_t plen = RTA_PAYLOAD(rta);

		switch (rta->rta_type) {
		case RTA_TABLE:
			if (plen >= sizeof(uint32_t))
				memcpy(&r->table, RTA_DATA(rta),
				       sizeof(uint32_t));
			break;
		case RTA_OIF:
			if (plen >= sizeof(uint32_t))
				memcpy(&r->oif, RTA_DATA(rta),
				       sizeof(uint32_t));
			break;
		case RTA_DST:
			if (plen == alen)
				r->dst = RTA_DATA(rta);
			break;
		case RTA_GATEWAY:
			if (plen == alen)
				r->gw = RTA_DATA(rta);
			break;
		case RTA_MULTIPATH:
			r->mp = rta;
			break;
		}
	}

	return true;
}

/**
 * nl_route_usable() - Is this a unicast route of the main table?
 * @r:		Parsed route
 *
 * Local, broadcast, multicast entries, unreachable and blackhole routes,
 * and other tables say nothing about the way out.
 *
 * Return: true if the route is a unicast route in the main table
 */
static bool nl_route_usable(const struct nl_route *r)
{
	return r->table == RT_TABLE_MAIN && r->rtm->rtm_type == RTN_UNICAST;
}

/**
 * nl_nexthop_best() - Pick the nexthop with the highest weight
 * @mp:		RTA_MULTIPATH attribute
 * @ifi:	Only consider nexthops via this interface, 0 for any
 * @alen:	Address length for the family, to validate gateways
 * @gw:		Set to the gateway of the nexthop chosen (NULL if none)
 *
 * The weight is rtnh_hops + 1; the first nexthop wins on ties, as the
 * manual page describes.
 *
 * Return: interface index of the nexthop chosen, 0 if none
 */
static unsigned int nl_nexthop_best(const struct rtattr *mp, unsigned int ifi,
				    size_t alen, const void **gw)
{
	const struct rtnexthop *rtnh = RTA_DATA(mp);
	int left = RTA_PAYLOAD(mp), best_w = -1;
	unsigned int best = 0;

	*gw = NULL;
	while (left >= (int)sizeof(*rtnh) && rtnh->rtnh_len >= sizeof(*rtnh) &&
	       rtnh->rtnh_len <= left) {
		const struct rtattr *rta = RTNH_DATA(rtnh);
		int alen_left = rtnh->rtnh_len - RTNH_LENGTH(0);
		const void *this_gw = NULL;

		for (; RTA_OK(rta, alen_left);
		     rta = RTA_NEXT(rta, alen_left)) {
			if (rta->rta_type == RTA_GATEWAY &&
			    RTA_PAYLOAD(rta) == alen)
				this_gw = RTA_DATA(rta);
		}

		if ((!ifi || (unsigned int)rtnh->rtnh_ifindex == ifi) &&
		    rtnh->rtnh_hops > best_w) {
			best_w = rtnh->rtnh_hops;
			best = rtnh->rtnh_ifindex;
			*gw = this_gw;
		}

		left -= RTNH_ALIGN(rtnh->rtnh_len);
		rtnh = RTNH_NEXT(rtnh);
	}

	return best;
}

/**
 * nl_route_dump_start() - Request a dump of all routes of a family
 * @w:		Walk state to initialise
 * @s:		Netlink socket
 * @af:		Address family
 */
static void nl_route_dump_start(struct nl_walk *w, int s, sa_family_t af)
{
	struct rtmsg rtm = { .rtm_family = af };
	struct nl_req req;

	nl_req_init(&req, RTM_GETROUTE, NLM_F_DUMP, &rtm, sizeof(rtm));
	nl_walk_start(w, s, &req.nh);
}

/**
 * nl_link_get() - Query a link and find one of its attributes
 * @s:		Netlink socket
 * @ifi:	Interface index
 * @type:	Attribute type (IFLA_*) to copy out, 0 for none
 * @buf:	Buffer for the attribute payload
 * @len:	Exact payload size expected for @type
 * @flags:	Set to the interface flags (IFF_*), may be NULL
 *
 * Return: 0 on success, -ENOENT if the attribute is missing or of another
 *	   size, other -errno on failure
 */
static int nl_link_get(int s, unsigned int ifi, uint16_t type, void *buf,
		       size_t len, unsigned int *flags)
{
	struct ifinfomsg ifm = { .ifi_family = AF_UNSPEC, .ifi_index = ifi };
	bool found = !type, seen = false;
	struct nlmsghdr *nh;
	struct nl_req req;
	struct nl_walk w;

	nl_req_init(&req, RTM_GETLINK, NLM_F_ACK, &ifm, sizeof(ifm));
	nl_walk_start(&w, s, &req.nh);
	while ((nh = nl_walk_next(&w))) {
		const struct ifinfomsg *ifi_msg = NLMSG_DATA(nh);
		struct rtattr *rta;
		int alen;

		if (seen || !nl_payload_ok(nh, RTM_NEWLINK, sizeof(ifm)) ||
		    (unsigned int)ifi_msg->ifi_index != ifi)
			continue;
		seen = true;

		if (flags)
			*flags = ifi_msg->ifi_flags;

		for (rta = nl_attrs(nh, sizeof(ifm), &alen);
		     type && RTA_OK(rta, alen); rta = RTA_NEXT(rta, alen)) {
			if (rta->rta_type == type && RTA_PAYLOAD(rta) == len) {
				memcpy(buf, RTA_DATA(rta), len);
				found = true;
			}
		}
	}

	if (w.err)
		return w.err;
	return seen && found ? 0 : -ENOENT;
}

/**
 * nl_link_flags() - Get the interface flags (IFF_*) of a link
 * @s:		Netlink socket
 * @ifi:	Interface index
 *
 * Return: flags, or -errno
 */
static long nl_link_flags(int s, unsigned int ifi)
{
	unsigned int flags;
	int ret;

	ret = nl_link_get(s, ifi, 0, NULL, 0, &flags);
	return ret ? ret : (long)flags;
}

/**
 * nl_v6_link_local() - Is this an IPv6 address in fe80::/10?
 * @addr:	IPv6 address, 16 bytes
 *
 * Return: true if link-local
 */
static bool nl_v6_link_local(const void *addr)
{
	const uint8_t *a = addr;

	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

/**
 * nl_get_ext_if() - Find the interface leading outside for an address family
 * @s:		Netlink socket
 * @af:		AF_INET or AF_INET6
 *
 * The interface of the first default route in the main table; for a
 * multipath default route, the one of the nexthop with the highest weight
 * (the first such on ties). Without default routes: the only interface with
 * any route of this family, ignoring loopback interfaces and IPv6
 * link-local routes. Otherwise none.
 *
 * Return: interface index, 0 if none was found
 */
unsigned int nl_get_ext_if(int s, sa_family_t af)
{
	unsigned int ifs[NL_IFS_MAX], def = 0, found = 0;
	size_t n_ifs = 0, alen = af_addr_len(af), i;
	bool overflow = false;
	struct nlmsghdr *nh;
	struct nl_walk w;

	if (!alen)
		return 0;

	nl_route_dump_start(&w, s, af);
	while ((nh = nl_walk_next(&w))) {
		unsigned int oif;
		struct nl_route r;
		const void *gw;

		if (def || !nl_route_parse(nh, af, &r) || !nl_route_usable(&r))
			continue;

		oif = r.oif;
		if (r.mp)
			oif = nl_nexthop_best(r.mp, 0, alen, &gw);
		if (!oif)
			continue;

		if (!r.rtm->rtm_dst_len) {
			def = oif;
			continue;
		}

		/* The kernel adds fe80::/64 to every IPv6 link: says nothing */
		if (af == AF_INET6 && r.dst && nl_v6_link_local(r.dst))
			continue;

		for (i = 0; i < n_ifs; i++) {
			if (ifs[i] == oif)
				break;
		}
		if (i == n_ifs) {
			if (n_ifs < NL_IFS_MAX)
				ifs[n_ifs++] = oif;
			else
				overflow = true;
		}
	}

	if (w.err) {
		debug("netlink: route dump failed: %s", strerror(-w.err));
		return 0;
	}
	if (def)
		return def;
	if (overflow)
		return 0;

	for (i = 0; i < n_ifs; i++) {
		long flags = nl_link_flags(s, ifs[i]);

		if (flags < 0 || (flags & IFF_LOOPBACK))
			continue;
		if (found)
			return 0;	/* more than one: no obvious choice */
		found = ifs[i];
	}

	return found;
}

/**
 * nl_route_get_def() - Get the gateway of the default route via an interface
 * @s:		Netlink socket
 * @ifi:	Interface index
 * @af:		AF_INET or AF_INET6
 * @gw:		Gateway address, struct in_addr or struct in6_addr, set on
 *		success
 *
 * For a multipath default route, the gateway is the one of the first
 * nexthop with the highest weight among those via @ifi.
 *
 * Return: 0 on success, -ENOENT if there's no such route with a gateway,
 *	   other -errno on failure
 */
int nl_route_get_def(int s, unsigned int ifi, sa_family_t af, void *gw)
{
	size_t alen = af_addr_len(af);
	struct nlmsghdr *nh;
	struct nl_walk w;
	bool found = false;

	if (!alen)
		return -EAFNOSUPPORT;

	nl_route_dump_start(&w, s, af);
	while ((nh = nl_walk_next(&w))) {
		const void *this_gw = NULL;
		struct nl_route r;

		if (found || !nl_route_parse(nh, af, &r) ||
		    !nl_route_usable(&r) || r.rtm->rtm_dst_len)
			continue;

		if (r.mp) {
			if (!nl_nexthop_best(r.mp, ifi, alen, &this_gw))
				continue;
		} else if (r.oif == ifi) {
			this_gw = r.gw;
		}

		if (this_gw) {
			memcpy(gw, this_gw, alen);
			found = true;
		}
	}

	if (w.err)
		return w.err;
	return found ? 0 : -ENOENT;
}

/**
 * nl_addr_dump_start() - Request a dump of all addresses of a family
 * @w:		Walk state to initialise
 * @s:		Netlink socket
 * @af:		Address family
 */
static void nl_addr_dump_start(struct nl_walk *w, int s, sa_family_t af)
{
	struct ifaddrmsg ifa = { .ifa_family = af };
	struct nl_req req;

	nl_req_init(&req, RTM_GETADDR, NLM_F_DUMP, &ifa, sizeof(ifa));
	nl_walk_start(w, s, &req.nh);
}

/* What an address message says */
struct nl_ifaddr {
	const struct ifaddrmsg *ifa;
	const void *addr;	/* IFA_LOCAL if present, else IFA_ADDRESS */
	uint32_t flags;		/* IFA_FLAGS if present, else ifa_flags */
};

/**
 * nl_addr_parse() - Read an address message
 * @nh:		RTM_NEWADDR message
 * @af:		Address family it must have
 * @ifi:	Interface it must be on
 * @a:		Filled with what was found
 *
 * IFA_LOCAL is the address of the interface itself; IFA_ADDRESS is the
 * peer's on point-to-point links, and the same as IFA_LOCAL (or alone) on
 * others.
 *
 * Return: true if @nh is a well-formed address of @af on @ifi
 */
static bool nl_addr_parse(struct nlmsghdr *nh, sa_family_t af,
			  unsigned int ifi, struct nl_ifaddr *a)
{
	size_t alen = af_addr_len(af);
	const void *local = NULL, *address = NULL;
	struct rtattr *rta;
	int len;

	if (!nl_payload_ok(nh, RTM_NEWADDR, sizeof(struct ifaddrmsg)))
		return false;

	a->ifa = NLMSG_DATA(nh);
	if (a->ifa->ifa_family != af || a->ifa->ifa_index != ifi)
		return false;
	a->flags = a->ifa->ifa_flags;

	for (rta = nl_attrs(nh, sizeof(struct ifaddrmsg), &len);
	     RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		size_t plen = RTA_PAYLOAD(rta);

		if (rta->rta_type == IFA_LOCAL && plen == alen)
			local = RTA_DATA(rta);
		else if (rta->rta_type == IFA_ADDRESS && plen == alen)
			address = RTA_DATA(rta);
		else if (rta->rta_type == IFA_FLAGS && plen >= sizeof(uint32_t))
			memcpy(&a->flags, RTA_DATA(rta), sizeof(uint32_t));
	}

	a->addr = local ? local : address;
	return a->addr;
}

/**
 * nl_addr_get() - Get the global and link-local addresses of an interface
 * @s:		Netlink socket
 * @ifi:	Interface index
 * @af:		AF_INET or AF_INET6
 * @addr:	First global address (struct in_addr or struct in6_addr), set
 *		if found, may be NULL
 * @prefix_len:	Prefix length of @addr, set if found, may be NULL
 * @addr_ll:	First IPv6 link-local address, set if found, may be NULL
 *
 * IPv6 addresses that are deprecated, tentative or failed duplicate
 * address detection are taken only if there's no other global one.
 *
 * Return: 0 if a global address was found (if @addr is NULL: a link-local
 *	   one), -ENOENT if not, other -errno on failure
 */
int nl_addr_get(int s, unsigned int ifi, sa_family_t af, void *addr,
		int *prefix_len, void *addr_ll)
{
	const uint32_t bad = IFA_F_DEPRECATED | IFA_F_TENTATIVE |
			     IFA_F_DADFAILED;
	size_t alen = af_addr_len(af);
	bool found = false, found_good = false, found_ll = false;
	struct nlmsghdr *nh;
	struct nl_walk w;

	if (!alen)
		return -EAFNOSUPPORT;

	nl_addr_dump_start(&w, s, af);
	while ((nh = nl_walk_next(&w))) {
		struct nl_ifaddr a;
		bool good;

		if (!nl_addr_parse(nh, af, ifi, &a))
			continue;

		if (af == AF_INET6 && a.ifa->ifa_scope == RT_SCOPE_LINK) {
			if (addr_ll && !found_ll &&
			    !(a.flags & IFA_F_DADFAILED)) {
				memcpy(addr_ll, a.addr, alen);
				found_ll = true;
			}
			continue;
		}

		if (a.ifa->ifa_scope != RT_SCOPE_UNIVERSE || found_good)
			continue;

		good = af == AF_INET || !(a.flags & bad);
		if (found && !good)
			continue;

		if (addr)
			memcpy(addr, a.addr, alen);
		if (prefix_len)
			*prefix_len = a.ifa->ifa_prefixlen;
		found = true;
		found_good = good;
	}

	if (w.err)
		return w.err;
	if (addr)
		return found ? 0 : -ENOENT;
	return found_ll ? 0 : -ENOENT;
}

/**
 * nl_link_set() - Change a link: flags and at most one attribute
 * @s:		Netlink socket
 * @ifi:	Interface index
 * @change:	Interface flags to change (IFF_*)
 * @flags:	New values of the flags in @change
 * @type:	Attribute type (IFLA_*) to set, 0 for none
 * @data:	Attribute payload
 * @len:	Payload length
 *
 * Return: 0 on success, -errno from the kernel on failure
 */
static int nl_link_set(int s, unsigned int ifi, unsigned int change,
		       unsigned int flags, uint16_t type, const void *data,
		       size_t len)
{
	struct ifinfomsg ifm = {
		.ifi_family = AF_UNSPEC,
		.ifi_index = ifi,
		.ifi_change = change,
		.ifi_flags = flags,
	};
	struct nl_req req;

	nl_req_init(&req, RTM_NEWLINK, 0, &ifm, sizeof(ifm));
	if (type && !nl_attr_put(&req.nh, sizeof(req), type, data, len))
		return -ENOBUFS;

	return nl_do(s, &req.nh);
}

/**
 * nl_link_set_up() - Bring an interface up
 * @s:		Netlink socket
 * @ifi:	Interface index
 *
 * Return: 0 on success, -errno from the kernel on failure
 */
int nl_link_set_up(int s, unsigned int ifi)
{
	return nl_link_set(s, ifi, IFF_UP, IFF_UP, 0, NULL, 0);
}

/**
 * nl_link_set_mtu() - Set the MTU of an interface
 * @s:		Netlink socket
 * @ifi:	Interface index
 * @mtu:	New MTU
 *
 * Return: 0 on success, -errno from the kernel on failure
 */
int nl_link_set_mtu(int s, unsigned int ifi, int mtu)
{
	uint32_t v = mtu;

	if (mtu <= 0)
		return -EINVAL;
	return nl_link_set(s, ifi, 0, 0, IFLA_MTU, &v, sizeof(v));
}

/**
 * nl_link_set_mac() - Set the hardware (MAC) address of an interface
 * @s:		Netlink socket
 * @ifi:	Interface index
 * @mac:	6-byte MAC address
 *
 * Return: 0 on success, -errno from the kernel on failure
 */
int nl_link_set_mac(int s, unsigned int ifi, const void *mac)
{
	return nl_link_set(s, ifi, 0, 0, IFLA_ADDRESS, mac, ETH_ADDR_BYTES);
}

/**
 * nl_addr_set() - Add an address to an interface
 * @s:		Netlink socket
 * @ifi:	Interface index
 * @af:		AF_INET or AF_INET6
 * @addr:	Address, struct in_addr or struct in6_addr
 * @prefix_len:	Prefix length
 *
 * IPv6 addresses skip duplicate address detection (IFA_F_NODAD), so that
 * they're usable at once.
 *
 * Return: 0 on success, -errno from the kernel on failure (-EEXIST if the
 *	   address is already there)
 */
int nl_addr_set(int s, unsigned int ifi, sa_family_t af, const void *addr,
		int prefix_len)
{
	size_t alen = af_addr_len(af);
	struct ifaddrmsg ifa = {
		.ifa_family = af,
		.ifa_prefixlen = prefix_len,
		.ifa_scope = RT_SCOPE_UNIVERSE,
		.ifa_index = ifi,
	};
	uint32_t flags = 0;
	struct nl_req req;

	if (!alen)
		return -EAFNOSUPPORT;
	if (prefix_len < 0 || (size_t)prefix_len > alen * 8)
		return -EINVAL;

	if (af == AF_INET6) {
		flags = IFA_F_NODAD;
		ifa.ifa_flags = IFA_F_NODAD;
	}

	nl_req_init(&req, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL,
		    &ifa, sizeof(ifa));
	if (!nl_attr_put(&req.nh, sizeof(req), IFA_LOCAL, addr, alen) ||
	    !nl_attr_put(&req.nh, sizeof(req), IFA_ADDRESS, addr, alen) ||
	    !nl_attr_put(&req.nh, sizeof(req), IFA_FLAGS, &flags,
			 sizeof(flags)))
		return -ENOBUFS;

	return nl_do(s, &req.nh);
}

/**
 * nl_dup_add() - Append a built request to nl_dup_buf
 * @used:	Bytes of nl_dup_buf in use, updated
 * @nh:		Request
 *
 * Return: true if it fit
 */
static bool nl_dup_add(size_t *used, const struct nlmsghdr *nh)
{
	if (NLMSG_ALIGN(nh->nlmsg_len) > sizeof(nl_dup_buf) - *used)
		return false;

	memcpy(nl_dup_buf + *used, nh, nh->nlmsg_len);
	*used += NLMSG_ALIGN(nh->nlmsg_len);
	return true;
}

/**
 * nl_dup_send() - Send the requests in nl_dup_buf, retrying failed ones
 * @s:		Netlink socket
 * @used:	Bytes of nl_dup_buf in use
 *
 * A route via a gateway can only be added once the gateway is reachable,
 * that is, once the route covering it is there: the kernel doesn't dump
 * routes in that order. Send everything, then retry what failed as long as
 * each round adds something. Requests done are marked NLMSG_NOOP.
 * Something already present (-EEXIST) counts as done.
 *
 * Return: 0 if all were added, else the last error from the kernel
 */
static int nl_dup_send(int s, size_t used)
{
	bool progress = true;
	int ret = 0;

	while (progress) {
		struct nlmsghdr *nh;
		size_t off;

		progress = false;
		ret = 0;
		for (off = 0; off < used; off += NLMSG_ALIGN(nh->nlmsg_len)) {
			int rc;

			nh = (struct nlmsghdr *)(nl_dup_buf + off);
			if (nh->nlmsg_type == NLMSG_NOOP)
				continue;

			rc = nl_do(s, nh);
			if (!rc || rc == -EEXIST) {
				nh->nlmsg_type = NLMSG_NOOP;
				progress = true;
			} else {
				ret = rc;
			}
		}
	}

	return ret;
}

/**
 * nl_addr_dup() - Copy the addresses of an interface to another one
 * @s_src:	Netlink socket in the namespace of @ifi_src
 * @ifi_src:	Interface to copy addresses from
 * @s_dst:	Netlink socket in the namespace of @ifi_dst
 * @ifi_dst:	Interface to add addresses to
 * @af:		AF_INET or AF_INET6
 *
 * Link-local addresses are left out: the destination link has its own.
 * Addresses are made permanent, IPv6 ones without duplicate address
 * detection (IFA_F_NODAD). Addresses already present are not an error.
 *
 * Return: 0 on success, -errno on failure (the last error seen, if some
 *	   addresses could not be added)
 */
int nl_addr_dup(int s_src, unsigned int ifi_src, int s_dst,
		unsigned int ifi_dst, sa_family_t af)
{
	size_t alen = af_addr_len(af), used = 0;
	struct nlmsghdr *nh;
	struct nl_walk w;
	int ret = 0;

	if (!alen)
		return -EAFNOSUPPORT;

	nl_addr_dump_start(&w, s_src, af);
	while ((nh = nl_walk_next(&w))) {
		struct ifaddrmsg ifa;
		struct nl_ifaddr a;
		struct nl_req req;
		struct rtattr *rta;
		uint32_t flags;
		int len;

		if (ret || !nl_addr_parse(nh, af, ifi_src, &a))
			continue;
		if (a.ifa->ifa_scope == RT_SCOPE_LINK ||
		    (af == AF_INET6 && nl_v6_link_local(a.addr)))
			continue;

		ifa = *a.ifa;
		ifa.ifa_index = ifi_dst;
		flags = a.flags & IFA_F_NOPREFIXROUTE;
		if (af == AF_INET6)
			flags |= IFA_F_NODAD;
		ifa.ifa_flags = flags & 0xff;

		nl_req_init(&req, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL,
			    &ifa, sizeof(ifa));

		/* Addresses and broadcast, not labels, lifetimes or flags */
		for (rta = nl_attrs(nh, sizeof(ifa), &len); RTA_OK(rta, len);
		     rta = RTA_NEXT(rta, len)) {
			if (rta->rta_type != IFA_ADDRESS &&
			    rta->rta_type != IFA_LOCAL &&
			    rta->rta_type != IFA_BROADCAST)
				continue;
			if (!nl_attr_put(&req.nh, sizeof(req), rta->rta_type,
					 RTA_DATA(rta), RTA_PAYLOAD(rta)))
				ret = -ENOBUFS;
		}
		if (!nl_attr_put(&req.nh, sizeof(req), IFA_FLAGS, &flags,
				 sizeof(flags)))
			ret = -ENOBUFS;

		if (!ret && !nl_dup_add(&used, &req.nh))
			ret = -ENOBUFS;
	}

	if (w.err)
		return w.err;
	if (ret)
		return ret;

	return nl_dup_send(s_dst, used);
}

/**
 * nl_route_set_def() - Add a default route via a gateway
 * @s:		Netlink socket
 * @ifi:	Interface index of the output device
 * @af:		AF_INET or AF_INET6
 * @gw:		Gateway address, struct in_addr or struct in6_addr
 *
 * If the gateway isn't reachable on the link (e.g. outside the prefix of
 * any address), the route is added again marked "onlink", which tells the
 * kernel to trust it is. The link must be up for IPv4 gateways.
 *
 * Return: 0 on success, -errno from the kernel on failure (-EEXIST if a
 *	   default route is already there)
 */
int nl_route_set_def(int s, unsigned int ifi, sa_family_t af, const void *gw)
{
	size_t alen = af_addr_len(af);
	struct rtmsg rtm = {
		.rtm_family = af,
		.rtm_table = RT_TABLE_MAIN,
		.rtm_protocol = RTPROT_BOOT,
		.rtm_scope = RT_SCOPE_UNIVERSE,
		.rtm_type = RTN_UNICAST,
	};
	uint32_t oif = ifi;
	struct nl_req req;
	int ret;

	if (!alen)
		return -EAFNOSUPPORT;

	nl_req_init(&req, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL,
		    &rtm, sizeof(rtm));
	if (!nl_attr_put(&req.nh, sizeof(req), RTA_OIF, &oif, sizeof(oif)) ||
	    !nl_attr_put(&req.nh, sizeof(req), RTA_GATEWAY, gw, alen))
		return -ENOBUFS;

	ret = nl_do(s, &req.nh);
	if (ret != -ENETUNREACH && ret != -EHOSTUNREACH)
		return ret;

	((struct rtmsg *)NLMSG_DATA(&req.nh))->rtm_flags |= RTNH_F_ONLINK;
	return nl_do(s, &req.nh);
}

/**
 * nl_route_dup_mp() - Copy the nexthops via one interface to another one
 * @nh:		Request being built
 * @size:	Space available for @nh
 * @mp:		RTA_MULTIPATH attribute of the source route
 * @ifi_src:	Interface whose nexthops are copied
 * @ifi_dst:	Interface they're translated to
 *
 * Return: number of nexthops copied, -ENOBUFS if they don't fit
 */
static int nl_route_dup_mp(struct nlmsghdr *nh, size_t size,
			   const struct rtattr *mp, unsigned int ifi_src,
			   unsigned int ifi_dst)
{
	const struct rtnexthop *rtnh = RTA_DATA(mp);
	int left = RTA_PAYLOAD(mp), n = 0;
	struct rtattr *out;
	size_t out_len = 0;
	char *p;

	/* Reserve the attribute with the whole source payload, then trim */
	p = nl_attr_put(nh, size, RTA_MULTIPATH, NULL, 0);
	if (!p)
		return -ENOBUFS;
	out = (struct rtattr *)(p - RTA_LENGTH(0));

	while (left >= (int)sizeof(*rtnh) && rtnh->rtnh_len >= sizeof(*rtnh) &&
	       rtnh->rtnh_len <= left) {
		size_t step = RTNH_ALIGN(rtnh->rtnh_len);

		if ((unsigned int)rtnh->rtnh_ifindex == ifi_src) {
			struct rtnexthop *copy;

			if ((size_t)(p - (char *)nh) + out_len + step > size)
				return -ENOBUFS;

			copy = (struct rtnexthop *)(p + out_len);
			memcpy(copy, rtnh, rtnh->rtnh_len);
			copy->rtnh_ifindex = ifi_dst;
			copy->rtnh_flags &= RTNH_F_ONLINK;
			out_len += step;
			n++;
		}

		left -= step;
		rtnh = RTNH_NEXT(rtnh);
	}

	if (RTA_LENGTH(out_len) > UINT16_MAX)
		return -ENOBUFS;
	out->rta_len = RTA_LENGTH(out_len);
	nh->nlmsg_len = (p - (char *)nh) + out_len;

	return n;
}

/**
 * nl_route_dup_one() - Build the copy of a route for the destination
 * @nh:		Source route message, parsed into @r
 * @r:		Parsed source route
 * @ifi_src:	Interface the route must use
 * @ifi_dst:	Interface the copy uses instead
 * @req:	Request to build
 *
 * Return: 1 if a copy was built, 0 if the route isn't via @ifi_src, -errno
 *	   if the copy doesn't fit
 */
static int nl_route_dup_one(struct nlmsghdr *nh, const struct nl_route *r,
			    unsigned int ifi_src, unsigned int ifi_dst,
			    struct nl_req *req)
{
	struct rtmsg rtm = *r->rtm;
	uint32_t oif = ifi_dst;
	struct rtattr *rta;
	int len;

	if (!r->mp && r->oif != ifi_src)
		return 0;

	rtm.rtm_table = RT_TABLE_MAIN;
	rtm.rtm_flags &= RTNH_F_ONLINK;
	nl_req_init(req, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL,
		    &rtm, sizeof(rtm));

	if (!r->mp &&
	    !nl_attr_put(&req->nh, sizeof(*req), RTA_OIF, &oif, sizeof(oif)))
		return -ENOBUFS;

	for (rta = nl_attrs(nh, sizeof(rtm), &len); RTA_OK(rta, len);
	     rta = RTA_NEXT(rta, len)) {
		int n;

		switch (rta->rta_type) {
		case RTA_DST:
		case RTA_SRC:
		case RTA_GATEWAY:
		case RTA_PRIORITY:
		case RTA_PREFSRC:
		case RTA_METRICS:
		case RTA_PREF:
			if (!nl_attr_put(&req->nh, sizeof(*req), rta->rta_type,
					 RTA_DATA(rta), RTA_PAYLOAD(rta)))
				return -ENOBUFS;
			break;
		case RTA_MULTIPATH:
			n = nl_route_dup_mp(&req->nh, sizeof(*req), rta,
					    ifi_src, ifi_dst);
			if (n <= 0)
				return n;
			break;
		}
	}

	return 1;
}

/**
 * nl_route_dup_skip() - Is this route one not to copy?
 * @r:		Parsed route
 * @af:		Address family
 *
 * Return: true for routes the kernel makes itself (it will make them again
 *	   for the copied addresses), link-local destinations, and anything
 *	   that isn't a unicast route of the main table
 */
static bool nl_route_dup_skip(const struct nl_route *r, sa_family_t af)
{
	const uint8_t *dst = r->dst;

	if (!nl_route_usable(r) || r->rtm->rtm_protocol == RTPROT_KERNEL)
		return true;
	if (!dst)
		return false;
	if (af == AF_INET6)
		return r->rtm->rtm_dst_len >= 10 && nl_v6_link_local(dst);
	return r->rtm->rtm_dst_len >= 16 && dst[0] == 169 && dst[1] == 254;
}

/**
 * nl_route_dup() - Copy the routes via an interface to another one
 * @s_src:	Netlink socket in the namespace of @ifi_src
 * @ifi_src:	Interface to copy routes from
 * @s_dst:	Netlink socket in the namespace of @ifi_dst
 * @ifi_dst:	Interface to add routes to
 * @af:		AF_INET or AF_INET6
 *
 * Copies the routes of the main table whose output interface is @ifi_src,
 * multipath ones with their nexthops via @ifi_src, translating the output
 * interface to @ifi_dst. Routes the kernel adds by itself (proto kernel)
 * and link-local destinations are left out. Routes already present in the
 * destination are not an error. Routes whose gateway is reachable only
 * through another route are retried once that one is added. Copy the
 * addresses first, and bring @ifi_dst up: the kernel refuses routes via
 * gateways on links that are down, or that no prefix route covers.
 *
 * Return: 0 on success, -errno on failure (the last error seen, if some
 *	   routes could not be added)
 */
int nl_route_dup(int s_src, unsigned int ifi_src, int s_dst,
		 unsigned int ifi_dst, sa_family_t af)
{
	size_t used = 0;
	struct nlmsghdr *nh;
	struct nl_walk w;
	int ret = 0;

	if (!af_addr_len(af))
		return -EAFNOSUPPORT;

	nl_route_dump_start(&w, s_src, af);
	while ((nh = nl_walk_next(&w))) {
		struct nl_route r;
		struct nl_req req;
		int rc;

		if (ret || !nl_route_parse(nh, af, &r) ||
		    nl_route_dup_skip(&r, af))
			continue;

		rc = nl_route_dup_one(nh, &r, ifi_src, ifi_dst, &req);
		if (rc < 0 || (rc > 0 && !nl_dup_add(&used, &req.nh)))
			ret = -ENOBUFS;
	}

	if (w.err)
		return w.err;
	if (ret)
		return ret;

	return nl_dup_send(s_dst, used);
}
