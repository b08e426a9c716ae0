// SPDX-License-Identifier: GPL-2.0-or-later
/* dhcp.c - Built-in DHCP server (RFC 2131, options from RFC 2132). The
 * guest gets the single address we have for it (c->ip4.addr) with an
 * infinite lease, plus netmask, router, DNS servers, domain and search list
 * (RFC 3397, compressed), MTU, hostname and FQDN (RFC 4702), and classless
 * static routes (RFC 3442) when the gateway is outside the guest's subnet.
 * A DISCOVER asking for rapid commit (RFC 4039) is answered with an ACK.
 * Requests for any other address are refused with a DHCPNAK. There is no
 * lease state: every reply follows from the request and the configuration
 * alone.
 */

#include <string.h>
#include <netinet/udp.h>
#include <netinet/if_ether.h>

#include "util.h"
#include "log.h"
#include "dns_name.h"
#include "tap.h"
#include "dhcp.h"

#define BOOTREQUEST		1
#define BOOTREPLY		2
#define DHCP_HTYPE_ETHER	1
/* RFC 2131, 2: leftmost bit of the flags field */
#define DHCP_FLAG_BROADCAST	0x8000

/* Message types, option 53 (RFC 2132, 9.6) */
enum dhcp_msg_type {
	DHCPDISCOVER = 1,
	DHCPOFFER,
	DHCPREQUEST,
	DHCPDECLINE,
	DHCPACK,
	DHCPNAK,
	DHCPRELEASE,
	DHCPINFORM,
};

/* Option codes (RFC 2132, RFC 3397, RFC 3442, RFC 4039, RFC 4702,
 * RFC 6842)
 */
#define OPT_PAD			0
#define OPT_NETMASK		1
#define OPT_ROUTER		3
#define OPT_DNS			6
#define OPT_HOSTNAME		12
#define OPT_DOMAIN		15
#define OPT_MTU			26
#define OPT_REQ_ADDR		50
#define OPT_LEASE		51
#define OPT_MSG_TYPE		53
#define OPT_SERVER_ID		54
#define OPT_PRL			55
#define OPT_MAX_SIZE		57
#define OPT_CLIENT_ID		61
#define OPT_RAPID_COMMIT	80
#define OPT_FQDN		81
#define OPT_SEARCH		119
#define OPT_ROUTES		121
#define OPT_END			255

/* An option carries at most this much; longer ones are split (RFC 3396) */
#define DHCP_OPT_DATA_MAX	255
/* RFC 3396 splitting: code and length before each piece */
#define DHCP_OPT_HDR_LEN	2

/* Client FQDN flags (RFC 4702, 2.1) */
#define DHCP_FQDN_S		0x01
#define DHCP_FQDN_O		0x02
#define DHCP_FQDN_E		0x04
#define DHCP_FQDN_N		0x08
/* RFC 4702, 3.3: RCODE1 and RCODE2 in replies */
#define DHCP_FQDN_RCODE		255

/* RFC 1035, 4.1.4: pointer marker, and the largest offset a pointer takes */
#define DNS_PTR_MARK		0xc0
#define DNS_PTR_OFF_MAX		0x3fff

static const uint8_t dhcp_cookie[DHCP_COOKIE_LEN] = { 99, 130, 83, 99 };

/* Options we give when configured, after those the client asked for */
static const uint8_t dhcp_opts_default[] = {
	OPT_NETMASK, OPT_ROUTER, OPT_ROUTES, OPT_DNS, OPT_HOSTNAME,
	OPT_DOMAIN, OPT_MTU, OPT_SEARCH, OPT_FQDN,
};

/* Option 121: a host route to the gateway and a default route, each at most
 * prefix length, four octets of destination, four of router (RFC 3442)
 */
#define DHCP_ROUTE_MAX_LEN	(1 + 4 + 4)

/**
 * struct dhcp_hdr - BOOTP fixed part of a DHCP message (RFC 2131, 2)
 * @op:		BOOTREQUEST or BOOTREPLY
 * @htype:	Hardware address type
 * @hlen:	Hardware address length
 * @hops:	Relay hops
 * @xid:	Transaction ID
 * @secs:	Seconds since the client began
 * @flags:	Flags, DHCP_FLAG_BROADCAST
 * @ciaddr:	Client address, when it has one
 * @yiaddr:	Address given to the client
 * @siaddr:	Next server
 * @giaddr:	Relay agent address
 * @chaddr:	Client hardware address
 * @sname:	Server host name
 * @file:	Boot file name
 */
struct dhcp_hdr {
	uint8_t op;
	uint8_t htype;
	uint8_t hlen;
	uint8_t hops;
	uint32_t xid;
	uint16_t secs;
	uint16_t flags;
	struct in_addr ciaddr;
	struct in_addr yiaddr;
	struct in_addr siaddr;
	struct in_addr giaddr;
	uint8_t chaddr[16];
	uint8_t sname[64];
	uint8_t file[128];
} __attribute__((packed));

_Static_assert(sizeof(struct dhcp_hdr) == DHCP_FIXED_LEN, "BOOTP header");

/**
 * struct dhcp_req - What we use of a request from the guest
 * @h:			Fixed part, copied
 * @type:		Message type, option 53
 * @has_reqip:		Requested IP address (option 50) present
 * @reqip:		Requested IP address
 * @has_srvid:		Server identifier (option 54) present
 * @srvid:		Server identifier
 * @prl:		Parameter request list (option 55), concatenated
 * @prl_len:		Entries in @prl
 * @max_size:		Maximum message size (option 57), 0 if not given
 * @client_id:		Client identifier (option 61) in frame, or NULL
 * @client_id_len:	Length of @client_id
 * @has_fqdn:		Client FQDN (option 81) present
 * @fqdn_flags:		Flags of the client's option 81
 * @rapid_commit:	Rapid commit (option 80, empty) present
 */
struct dhcp_req {
	struct dhcp_hdr h;
	uint8_t type;
	bool has_reqip;
	struct in_addr reqip;
	bool has_srvid;
	struct in_addr srvid;
	uint8_t prl[DHCP_OPT_DATA_MAX];
	size_t prl_len;
	size_t max_size;
	const uint8_t *client_id;
	size_t client_id_len;
	bool has_fqdn;
	uint8_t fqdn_flags;
	bool rapid_commit;
};

/**
 * dhcp_search_encode() - Encode the search list for option 119 (RFC 3397)
 * @c:		Execution context
 * @buf:	Output buffer
 * @size:	Size of @buf: domains that don't fit are left out
 *
 * Suffixes already written are replaced by pointers (RFC 1035, 4.1.4),
 * relative to the start of the option data, as RFC 3397, 2 requires.
 *
 * Return: length of the encoding, 0 if there are no (valid) domains
 */
ssize_t dhcp_search_encode(const struct ctx *c, uint8_t *buf, size_t size)
{
	/* Every label written in full, with the dotted suffix it starts */
	static struct {
		size_t off;
		const char *suffix;
	} seen[DNS_SEARCH_MAX * (DNS_NAME_MAX / 2 + 1)];
	static char names[DNS_SEARCH_MAX][DNS_NAME_MAX + 1];
	size_t nseen = 0, off = 0, i;

	for (i = 0; i < DNS_SEARCH_MAX && c->dns_search[i][0]; i++) {
		uint8_t check[DNS_WIRE_NAME_MAX];
		size_t start = off, len;
		const char *p;

		len = strnlen(c->dns_search[i], DNS_NAME_MAX);
		memcpy(names[i], c->dns_search[i], len);
		names[i][len] = 0;
		if (len && names[i][len - 1] == '.')
			names[i][len - 1] = 0;

		if (dns_name_encode(names[i], check, sizeof(check)) < 0) {
			debug("DHCP: invalid search domain %s", names[i]);
			continue;
		}

		for (p = names[i]; ; ) {
			const char *dot;
			size_t j;

			if (!*p) {
				if (off + 1 > size)
					goto full;
				buf[off++] = 0;
				break;
			}

			for (j = 0; j < nseen; j++) {
				if (!strcmp(seen[j].suffix, p))
					break;
			}
			if (j < nseen) {
				if (off + 2 > size)
					goto full;
				buf[off++] = DNS_PTR_MARK | (seen[j].off >> 8);
				buf[off++] = seen[j].off & 0xff;
				break;
			}

			dot = strchr(p, '.');
			len = dot ? (size_t)(dot - p) : strlen(p);
			if (off + 1 + len > size)
				goto full;

			if (nseen < ARRAY_SIZE(seen) &&
			    off <= DNS_PTR_OFF_MAX) {
				seen[nseen].off = off;
				seen[nseen++].suffix = p;
			}
			buf[off++] = (uint8_t)len;
			memcpy(buf + off, p, len);
			off += len;

			p += len;
			if (*p == '.')
				p++;
		}
		continue;
full:
		debug("DHCP: no room for search domain %s and after", names[i]);
		return (ssize_t)start;
	}

	return (ssize_t)off;
}

/**
 * dhcp_opt_parse() - Note one option of a request
 * @req:	Request being parsed
 * @code:	Option code
 * @data:	Option data, inside the frame
 * @len:	Length of @data, already checked against the frame
 *
 * Return: 0 if fine, -1 if the option has a length it can't have
 */
static int dhcp_opt_parse(struct dhcp_req *req, uint8_t code,
			  const uint8_t *data, size_t len)
{
	size_t n;

	switch (code) {
	case OPT_MSG_TYPE:
		if (len != 1)
			return -1;
		req->type = data[0];
		break;
	case OPT_REQ_ADDR:
		if (len != sizeof(req->reqip))
			return -1;
		memcpy(&req->reqip, data, len);
		req->has_reqip = true;
		break;
	case OPT_SERVER_ID:
		if (len != sizeof(req->srvid))
			return -1;
		memcpy(&req->srvid, data, len);
		req->has_srvid = true;
		break;
	case OPT_PRL:
		if (!len)
			return -1;
		/* RFC 3396: repeated options are concatenated */
		n = MIN(len, sizeof(req->prl) - req->prl_len);
		memcpy(req->prl + req->prl_len, data, n);
		req->prl_len += n;
		break;
	case OPT_MAX_SIZE:
		if (len != 2)
			return -1;
		req->max_size = (size_t)data[0] << 8 | data[1];
		break;
	case OPT_CLIENT_ID:
		if (len < 2)
			return -1;
		if (!req->client_id) {
			req->client_id = data;
			req->client_id_len = len;
		}
		break;
	case OPT_FQDN:
		if (len < 3)
			return -1;
		req->has_fqdn = true;
		req->fqdn_flags = data[0];
		break;
	case OPT_RAPID_COMMIT:
		/* RFC 4039, 4: no data. With some, it's not rapid commit as
		 * we know it: answer the usual way rather than drop
		 */
		req->rapid_commit = !len;
		break;
	default:
		break;
	}

	return 0;
}

/**
 * dhcp_parse() - Validate and parse a DHCP message from the guest
 * @msg:	DHCP message (UDP payload)
 * @req:	Parsed request, pointing into @msg for the client identifier
 *
 * Return: 0 on success, -1 if the message is not a well-formed request
 */
static int dhcp_parse(const struct iovec *msg, struct dhcp_req *req)
{
	size_t off = DHCP_OPTS_OFF;
	const uint8_t *p;

	memset(req, 0, sizeof(*req));

	p = packet_get(msg, 0, DHCP_OPTS_OFF, NULL);
	if (!p)
		return -1;
	memcpy(&req->h, p, sizeof(req->h));

	if (req->h.op != BOOTREQUEST || req->h.htype != DHCP_HTYPE_ETHER ||
	    req->h.hlen != ETH_ALEN ||
	    memcmp(p + DHCP_FIXED_LEN, dhcp_cookie, DHCP_COOKIE_LEN))
		return -1;

	for (;;) {
		const uint8_t *code, *len, *data;

		/* A missing end option is tolerated: all we read is checked */
		code = packet_get(msg, off, 1, NULL);
		if (!code || *code == OPT_END)
			break;
		if (*code == OPT_PAD) {
			off++;
			continue;
		}

		len = packet_get(msg, off + 1, 1, NULL);
		if (!len)
			return -1;
		data = packet_get(msg, off + DHCP_OPT_HDR_LEN, *len, NULL);
		if (!data || dhcp_opt_parse(req, *code, data, *len))
			return -1;

		off += DHCP_OPT_HDR_LEN + *len;
	}

	return req->type ? 0 : -1;
}

/**
 * dhcp_opt_put() - Append an option, split if longer than 255 (RFC 3396)
 * @msg:	Message
 * @off:	Where the option goes
 * @limit:	Size limit of the message, one byte of it kept for OPT_END
 * @code:	Option code
 * @data:	Option data
 * @len:	Length of @data
 *
 * Return: offset after the option, @off if it didn't fit (and was left out)
 */
static size_t dhcp_opt_put(uint8_t *msg, size_t off, size_t limit,
			   uint8_t code, const uint8_t *data, size_t len)
{
	size_t pieces = MAX(DIV_ROUND_UP(len, DHCP_OPT_DATA_MAX), 1);

	if (off + len + pieces * DHCP_OPT_HDR_LEN + 1 > limit) {
		debug("DHCP: no room for option %u", code);
		return off;
	}

	do {
		size_t n = MIN(len, DHCP_OPT_DATA_MAX);

		msg[off++] = code;
		msg[off++] = (uint8_t)n;
		memcpy(msg + off, data, n);
		off += n;
		data += n;
		len -= n;
	} while (len);

	return off;
}

/**
 * dhcp_server_id() - Our address as DHCP server: the guest's gateway
 * @c:		Execution context
 *
 * conf() always sets one when DHCP is enabled (in local mode, too).
 *
 * Return: server identifier, also the source address of replies
 */
static struct in_addr dhcp_server_id(const struct ctx *c)
{
	return c->ip4.guest_gw;
}

/**
 * dhcp_gw_on_link() - Can the guest reach its gateway from its own subnet?
 * @c:		Execution context
 *
 * Return: false if the gateway lies outside the subnet given by the guest's
 *	   address and netmask (option 1), true otherwise or without either
 */
static bool dhcp_gw_on_link(const struct ctx *c)
{
	uint32_t mask;

	if (!c->ip4.guest_gw.s_addr ||
	    c->ip4.prefix_len <= 0 || c->ip4.prefix_len > 32)
		return true;

	mask = htonl(~0U << (32 - c->ip4.prefix_len));
	return !((c->ip4.guest_gw.s_addr ^ c->ip4.addr.s_addr) & mask);
}

/**
 * dhcp_route_put() - Encode one classless static route (RFC 3442, 5)
 * @buf:	Output, room for DHCP_ROUTE_MAX_LEN bytes
 * @plen:	Prefix length of the destination, 0 to 32
 * @dst:	Destination: only its first DIV_ROUND_UP(@plen, 8) octets go
 * @router:	Router, or 0.0.0.0 for a destination on the link
 *
 * Return: length of the encoding
 */
static size_t dhcp_route_put(uint8_t *buf, unsigned plen, struct in_addr dst,
			     struct in_addr router)
{
	size_t n = DIV_ROUND_UP(plen, 8);

	if (plen)
		dst.s_addr &= htonl(~0U << (32 - plen));
	else
		dst.s_addr = 0;

	buf[0] = (uint8_t)plen;
	memcpy(buf + 1, &dst, n);
	memcpy(buf + 1 + n, &router, sizeof(router));
	return 1 + n + sizeof(router);
}

/**
 * dhcp_routes() - Classless static routes to a gateway outside the subnet
 * @c:		Execution context
 * @buf:	Output buffer
 * @size:	Size of @buf
 *
 * A client that takes option 121 ignores option 3 (RFC 3442, page 5), so
 * the default route is given here too, after a host route making the
 * gateway reachable on the link: clients add routes in this order, and a
 * route via a gateway it can't reach yet would be refused. With the gateway
 * inside the subnet, option 3 alone does it: nothing to send.
 *
 * Return: length of the option data, -1 if we don't give it
 */
static ssize_t dhcp_routes(const struct ctx *c, uint8_t *buf, size_t size)
{
	uint8_t data[DHCP_ROUTE_MAX_LEN * 2];
	struct in_addr any = { 0 };
	size_t n;

	if (dhcp_gw_on_link(c))
		return -1;

	n = dhcp_route_put(data, 32, c->ip4.guest_gw, any);
	n += dhcp_route_put(data + n, 0, any, c->ip4.guest_gw);
	if (n > size)
		return -1;

	memcpy(buf, data, n);
	return (ssize_t)n;
}

/**
 * dhcp_opt_data() - Data of an option we give from configuration
 * @c:		Execution context
 * @req:	Request we answer
 * @code:	Option code
 * @buf:	Buffer for the data
 * @size:	Room for the data: a search list is cut to fit
 *
 * Return: length of the data, -1 if we don't give this option
 */
static ssize_t dhcp_opt_data(const struct ctx *c, const struct dhcp_req *req,
			     uint8_t code, uint8_t *buf, size_t size)
{
	uint32_t u32;
	ssize_t n;
	size_t i;

	switch (code) {
	case OPT_NETMASK:
		if (c->ip4.prefix_len <= 0 || c->ip4.prefix_len > 32)
			return -1;
		u32 = htonl(~0U << (32 - c->ip4.prefix_len));
		memcpy(buf, &u32, sizeof(u32));
		return sizeof(u32);
	case OPT_ROUTER:
		if (!c->ip4.guest_gw.s_addr)
			return -1;
		memcpy(buf, &c->ip4.guest_gw, sizeof(c->ip4.guest_gw));
		return sizeof(c->ip4.guest_gw);
	case OPT_ROUTES:
		return dhcp_routes(c, buf, size);
	case OPT_DNS:
		if (c->no_dhcp_dns)
			return -1;
		for (i = 0; i < DNS_MAX && c->ip4.dns[i].s_addr; i++)
			memcpy(buf + i * 4, &c->ip4.dns[i], 4);
		return i ? (ssize_t)i * 4 : -1;
	case OPT_HOSTNAME:
		n = strnlen(c->hostname, HOSTNAME_MAX);
		if (!n)
			return -1;
		memcpy(buf, c->hostname, n);
		return n;
	case OPT_DOMAIN:
		if (c->no_dhcp_dns_search || !c->dns_search[0][0])
			return -1;
		n = strnlen(c->dns_search[0], DNS_NAME_MAX);
		if (c->dns_search[0][n - 1] == '.')
			n--;
		memcpy(buf, c->dns_search[0], n);
		return n ? n : -1;
	case OPT_MTU:
		if (c->mtu < MTU_MIN_IPV4 || (unsigned)c->mtu > ETH_MAX_MTU)
			return -1;
		buf[0] = (uint8_t)(c->mtu >> 8);
		buf[1] = (uint8_t)c->mtu;
		return 2;
	case OPT_SEARCH:
		if (c->no_dhcp_dns_search)
			return -1;
		n = dhcp_search_encode(c, buf, size);
		return n ? n : -1;
	case OPT_FQDN:
		if (!c->fqdn[0] || size < 3)
			return -1;
		/* RFC 4702, 3.1: we do no DNS updates, and answer in the
		 * encoding the client used (canonical wire format if none)
		 */
		buf[0] = DHCP_FQDN_N;
		if (req->has_fqdn && (req->fqdn_flags & DHCP_FQDN_S))
			buf[0] |= DHCP_FQDN_O;
		buf[1] = buf[2] = DHCP_FQDN_RCODE;
		if (req->has_fqdn && !(req->fqdn_flags & DHCP_FQDN_E)) {
			n = strnlen(c->fqdn, FQDN_MAX);
			if ((size_t)n > size - 3)
				return -1;
			memcpy(buf + 3, c->fqdn, n);
		} else {
			buf[0] |= DHCP_FQDN_E;
			n = dns_name_encode(c->fqdn, buf + 3, size - 3);
			if (n < 0)
				return -1;
		}
		return 3 + n;
	case OPT_CLIENT_ID:
		/* RFC 6842, 3: returned unaltered */
		if (!req->client_id || req->client_id_len > size)
			return -1;
		memcpy(buf, req->client_id, req->client_id_len);
		return req->client_id_len;
	default:
		return -1;
	}
}

/**
 * dhcp_opt_add() - Append an option from configuration, once
 * @c:		Execution context
 * @req:	Request we answer
 * @code:	Option code
 * @msg:	Reply message
 * @off:	Where the option goes
 * @limit:	Size limit of the reply
 * @done:	Bitmap of options already added or refused, updated
 *
 * Return: offset after the option, or @off if not added
 */
static size_t dhcp_opt_add(const struct ctx *c, const struct dhcp_req *req,
			   uint8_t code, uint8_t *msg, size_t off,
			   size_t limit, unsigned long *done)
{
	static uint8_t data[DHCP_MSG_MAX];
	size_t room;
	ssize_t n;

	if (bitmap_isset(done, code))
		return off;
	bitmap_set(done, code);

	if (off + DHCP_OPT_HDR_LEN + 1 >= limit)
		return off;
	/* Data that fits with a header for every 255 bytes, and OPT_END */
	room = limit - off - 1;
	room -= DHCP_OPT_HDR_LEN * DIV_ROUND_UP(room, DHCP_OPT_DATA_MAX +
						DHCP_OPT_HDR_LEN);

	n = dhcp_opt_data(c, req, code, data, MIN(room, sizeof(data)));
	if (n < 0)
		return off;

	return dhcp_opt_put(msg, off, limit, code, data, n);
}

/**
 * dhcp_reply_build() - Build an OFFER, ACK or NAK
 * @c:		Execution context
 * @req:	Request we answer
 * @type:	DHCPOFFER, DHCPACK or DHCPNAK
 * @r:		Reply, @r->src set to the server identifier
 *
 * Return: length of the reply message
 */
static size_t dhcp_reply_build(const struct ctx *c, const struct dhcp_req *req,
			       uint8_t type, struct dhcp_reply *r)
{
	unsigned long done[BITMAP_WORDS(OPT_END + 1)] = { 0 };
	struct dhcp_hdr *h = (struct dhcp_hdr *)r->msg;
	bool inform = req->type == DHCPINFORM;
	size_t limit = DHCP_DGRAM_MIN - DHCP_IP_UDP_LEN, off, i;
	uint32_t lease = htonl(DHCP_LEASE_INFINITE);

	/* RFC 2132, 9.10: the client may take more than 576 bytes */
	if (req->max_size >= DHCP_DGRAM_MIN) {
		limit = MIN(req->max_size - DHCP_IP_UDP_LEN, DHCP_MSG_MAX);
		if (c->mtu >= DHCP_DGRAM_MIN)
			limit = MIN(limit, (size_t)c->mtu - DHCP_IP_UDP_LEN);
	}

	memset(r->msg, 0, DHCP_OPTS_OFF);
	h->op = BOOTREPLY;
	h->htype = req->h.htype;
	h->hlen = req->h.hlen;
	h->xid = req->h.xid;
	h->flags = req->h.flags;
	h->giaddr = req->h.giaddr;
	memcpy(h->chaddr, req->h.chaddr, sizeof(h->chaddr));
	/* RFC 2131, 4.3.1 table 3 */
	if (type == DHCPACK)
		h->ciaddr = req->h.ciaddr;
	if (type != DHCPNAK && !inform)
		h->yiaddr = c->ip4.addr;
	memcpy(r->msg + DHCP_FIXED_LEN, dhcp_cookie, DHCP_COOKIE_LEN);

	off = DHCP_OPTS_OFF;
	off = dhcp_opt_put(r->msg, off, limit, OPT_MSG_TYPE, &type, 1);
	off = dhcp_opt_put(r->msg, off, limit, OPT_SERVER_ID,
			   (uint8_t *)&r->src, sizeof(r->src));
	off = dhcp_opt_add(c, req, OPT_CLIENT_ID, r->msg, off, limit, done);
	/* RFC 4039, 3: an ACK to a DISCOVER says it's a rapid commit */
	if (type == DHCPACK && req->type == DHCPDISCOVER)
		off = dhcp_opt_put(r->msg, off, limit, OPT_RAPID_COMMIT,
				   (const uint8_t *)"", 0);
	if (type == DHCPNAK)
		goto end;

	if (!inform) {
		off = dhcp_opt_put(r->msg, off, limit, OPT_LEASE,
				   (uint8_t *)&lease, sizeof(lease));
	}

	/* RFC 2132, 9.8: in the order the client asked for them */
	for (i = 0; i < req->prl_len; i++)
		off = dhcp_opt_add(c, req, req->prl[i], r->msg, off, limit,
				   done);
	for (i = 0; i < ARRAY_SIZE(dhcp_opts_default); i++)
		off = dhcp_opt_add(c, req, dhcp_opts_default[i], r->msg, off,
				   limit, done);

end:
	r->msg[off++] = OPT_END;
	if (off < DHCP_MSG_MIN_LEN) {
		memset(r->msg + off, 0, DHCP_MSG_MIN_LEN - off);
		off = DHCP_MSG_MIN_LEN;
	}
	return off;
}

/**
 * dhcp_process() - Check a DHCP request from the guest, build our answer
 * @c:		Execution context
 * @frame:	Ethernet frame from the guest
 * @fi:		What tap_parse() found in @frame
 * @r:		Reply to fill: @r->len is 0 if there's nothing to send
 *
 * Return: 1 if the frame is for a DHCP server (UDP port 67), answered or
 *	   deliberately ignored, 0 if not
 */
int dhcp_process(const struct ctx *c, const struct iovec *frame,
		 const struct frame_info *fi, struct dhcp_reply *r)
{
	static const char *names[] = {
		[DHCPOFFER] = "offer", [DHCPACK] = "ack", [DHCPNAK] = "nak",
		[DHCPDISCOVER] = "discover", [DHCPREQUEST] = "request",
		[DHCPINFORM] = "inform",
	};
	struct in_addr bcast = { .s_addr = htonl(INADDR_BROADCAST) };
	char mac[MAC_STRLEN];
	struct dhcp_req req;
	struct udphdr uh;
	struct iovec msg;
	struct in_addr want;
	uint8_t type;

	r->len = 0;
	if (fi->ethertype != ETH_P_IP || fi->l4proto != IPPROTO_UDP)
		return 0;

	if (packet_udp(frame, fi, &uh, &msg) ||
	    ntohs(uh.dest) != DHCP_SERVER_PORT)
		return 0;

	if (c->no_dhcp || !c->ipv4_enabled || !c->ip4.addr.s_addr)
		return 1;

	if (!msg.iov_base || dhcp_parse(&msg, &req)) {
		drop_debug("DHCP: malformed request, dropping");
		return 1;
	}

	r->src = dhcp_server_id(c);

	switch (req.type) {
	case DHCPDISCOVER:
		/* RFC 4039, 3: the client takes an ACK at once, without the
		 * REQUEST: we keep no lease state, so nothing to commit either
		 */
		type = req.rapid_commit ? DHCPACK : DHCPOFFER;
		break;
	case DHCPREQUEST:
		/* RFC 2131, 4.3.2: SELECTING another server's offer */
		if (req.has_srvid && req.srvid.s_addr != r->src.s_addr)
			return 1;
		want = req.has_reqip ? req.reqip : req.h.ciaddr;
		type = want.s_addr == c->ip4.addr.s_addr ? DHCPACK : DHCPNAK;
		break;
	case DHCPINFORM:
		type = DHCPACK;
		break;
	default:
		/* DECLINE, RELEASE: no state to change, nothing to answer */
		debug("DHCP: ignoring message type %u", req.type);
		return 1;
	}

	r->len = dhcp_reply_build(c, &req, type, r);

	/* RFC 2131, 4.1 (no relay agents on our link) */
	if (type == DHCPNAK)
		r->dst = bcast;
	else if (req.h.ciaddr.s_addr)
		r->dst = req.h.ciaddr;
	else if ((ntohs(req.h.flags) & DHCP_FLAG_BROADCAST) ||
		 req.type == DHCPINFORM)
		r->dst = bcast;
	else
		r->dst = c->ip4.addr;

	info_ratelimit("DHCP: %s to %s from %s", names[type], names[req.type],
		       mac_ntop(req.h.chaddr, mac, sizeof(mac)));
	return 1;
}

/**
 * dhcp() - Answer a DHCP request from the guest
 * @c:		Execution context
 * @frame:	Ethernet frame from the guest
 * @fi:		What tap_parse() found in @frame
 *
 * Return: 1 if the frame was for a DHCP server (answered or ignored), 0 if
 *	   it's other UDP traffic
 */
int dhcp(const struct ctx *c, const struct iovec *frame, const struct frame_info *fi)
{
	static struct dhcp_reply r;
	int ret;

	ret = dhcp_process(c, frame, fi, &r);
	if (r.len) {
		tap_udp4_send(c, r.src, DHCP_SERVER_PORT, r.dst,
			      DHCP_CLIENT_PORT, r.msg, r.len);
	}

	return ret;
}
