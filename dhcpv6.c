// SPDX-License-Identifier: GPL-2.0-or-later
/* dhcpv6.c - Built-in DHCPv6 server (RFC 8415). The guest gets the single
 * global address we have for it (c->ip6.addr) in an IA_NA with infinite
 * lifetimes, and DNS servers and search domains (RFC 3646) and its FQDN
 * (RFC 4704) if configured. Our DUID is a DUID-LL of our MAC address.
 * Replies come from our link-local address (see ndp.c), as the client
 * learnt it from Router Advertisements.
 */

#include <string.h>
#include <netinet/udp.h>
#include <netinet/if_ether.h>

#include "util.h"
#include "log.h"
#include "dns_name.h"
#include "tap.h"
#include "ndp.h"
#include "dhcpv6.h"

/* Message types (RFC 8415, 7.3) */
enum dhcpv6_msg_type {
	DHCPV6_SOLICIT = 1,
	DHCPV6_ADVERTISE,
	DHCPV6_REQUEST,
	DHCPV6_CONFIRM,
	DHCPV6_RENEW,
	DHCPV6_REBIND,
	DHCPV6_REPLY,
	DHCPV6_RELEASE,
	DHCPV6_DECLINE,
	DHCPV6_RECONFIGURE,
	DHCPV6_INFO_REQUEST,
};

/* Option codes (RFC 8415, 21; RFC 3646; RFC 4704) */
#define OPT6_CLIENTID		1
#define OPT6_SERVERID		2
#define OPT6_IA_NA		3
#define OPT6_IAADDR		5
#define OPT6_ORO		6
#define OPT6_ELAPSED_TIME	8
#define OPT6_STATUS_CODE	13
#define OPT6_RAPID_COMMIT	14
#define OPT6_DNS_SERVERS	23
#define OPT6_DOMAIN_LIST	24
#define OPT6_CLIENT_FQDN	39

/* Status codes (RFC 8415, 21.13) */
#define STATUS_SUCCESS		0
#define STATUS_NOADDRSAVAIL	2
#define STATUS_NOTONLINK	4

/* Message header: type and transaction ID; option header: code, length */
#define DHCPV6_HDR_LEN		4
#define OPT6_HDR_LEN		4
/* IA_NA fixed part: IAID, T1, T2; IA Address fixed part: address,
 * preferred and valid lifetimes (RFC 8415, 21.4 and 21.6)
 */
#define OPT6_IA_NA_LEN		12
#define OPT6_IAADDR_LEN		24
/* RFC 8415, 11.1: DUIDs are at most 128 octets, plus the 2-octet type */
#define DUID_MAX_LEN		130
#define DUID_TYPE_LL		3
#define DUID_HWTYPE_ETHER	1
#define DUID_LL_LEN		(2 + 2 + ETH_ALEN)
/* Identity associations we answer in one message */
#define DHCPV6_IA_MAX		4

/* Client FQDN flags (RFC 4704, 4.1) */
#define DHCPV6_FQDN_S		0x01
#define DHCPV6_FQDN_O		0x02
#define DHCPV6_FQDN_N		0x04

/**
 * struct dhcpv6_req - What we use of a message from the guest
 * @type:		Message type
 * @xid:		Transaction ID
 * @client_id:		Client Identifier data in the frame, or NULL
 * @client_id_len:	Length of @client_id
 * @server_id:		Server Identifier data in the frame, or NULL
 * @server_id_len:	Length of @server_id
 * @rapid_commit:	Rapid Commit option present
 * @iaid:		IAIDs of the IA_NA options, as sent
 * @n_ia:		Number of IA_NA options (up to DHCPV6_IA_MAX)
 * @n_addr:		IA Address options seen in all IA_NAs
 * @wrong_addr:		Some IA Address isn't the guest's address
 * @stale:		Per IA_NA, an address of it that isn't the guest's
 * @has_stale:		Per IA_NA, @stale is set
 * @has_fqdn:		Client FQDN option present
 * @fqdn_flags:		Flags of the client's FQDN option
 */
struct dhcpv6_req {
	uint8_t type;
	uint8_t xid[3];
	const uint8_t *client_id;
	size_t client_id_len;
	const uint8_t *server_id;
	size_t server_id_len;
	bool rapid_commit;
	uint8_t iaid[DHCPV6_IA_MAX][4];
	size_t n_ia;
	size_t n_addr;
	bool wrong_addr;
	struct in6_addr stale[DHCPV6_IA_MAX];
	bool has_stale[DHCPV6_IA_MAX];
	bool has_fqdn;
	uint8_t fqdn_flags;
};

/**
 * dhcpv6_opt_hdr() - Read an option header, check its data is all there
 * @msg:	Message or option data holding options
 * @off:	Offset of the option header
 * @code:	Set to the option code
 * @data:	Set to the option data
 *
 * Return: length of the option data, -1 if the option runs past the end
 */
static ssize_t dhcpv6_opt_hdr(const struct iovec *msg, size_t off,
			      uint16_t *code, const uint8_t **data)
{
	const uint8_t *h = packet_get(msg, off, OPT6_HDR_LEN, NULL);
	size_t len;

	if (!h)
		return -1;
	*code = (uint16_t)(h[0] << 8 | h[1]);
	len = (size_t)(h[2] << 8 | h[3]);
	*data = packet_get(msg, off + OPT6_HDR_LEN, len, NULL);
	return *data ? (ssize_t)len : -1;
}

/**
 * dhcpv6_ia_na_parse() - Parse an IA_NA option of a request
 * @c:		Execution context
 * @req:	Request being parsed
 * @data:	Option data, inside the frame
 * @len:	Length of @data, checked against the frame
 *
 * Return: 0 if fine, -1 if malformed
 */
static int dhcpv6_ia_na_parse(const struct ctx *c, struct dhcpv6_req *req,
			      const uint8_t *data, size_t len)
{
	struct iovec ia = { .iov_base = (void *)data, .iov_len = len };
	size_t off = OPT6_IA_NA_LEN, idx = DHCPV6_IA_MAX;

	if (len < OPT6_IA_NA_LEN)
		return -1;

	if (req->n_ia < DHCPV6_IA_MAX) {
		idx = req->n_ia++;
		memcpy(req->iaid[idx], data, 4);
	}

	while (off < len) {
		const uint8_t *sub;
		struct in6_addr a;
		uint16_t code;
		ssize_t n;

		n = dhcpv6_opt_hdr(&ia, off, &code, &sub);
		if (n < 0)
			return -1;

		off += OPT6_HDR_LEN + n;
		if (code != OPT6_IAADDR)
			continue;

		if (n < OPT6_IAADDR_LEN)
			return -1;
		memcpy(&a, sub, sizeof(a));
		req->n_addr++;
		if (IN6_ARE_ADDR_EQUAL(&a, &c->ip6.addr))
			continue;

		req->wrong_addr = true;
		if (idx < DHCPV6_IA_MAX && !req->has_stale[idx]) {
			req->stale[idx] = a;
			req->has_stale[idx] = true;
		}
	}

	return 0;
}

/**
 * dhcpv6_parse() - Validate and parse a DHCPv6 message from the guest
 * @c:		Execution context
 * @msg:	DHCPv6 message (UDP payload)
 * @req:	Parsed message, pointing into @msg for identifiers
 *
 * Return: 0 on success, -1 if the message is malformed
 */
static int dhcpv6_parse(const struct ctx *c, const struct iovec *msg,
			struct dhcpv6_req *req)
{
	const uint8_t *h = packet_get(msg, 0, DHCPV6_HDR_LEN, NULL);
	size_t off = DHCPV6_HDR_LEN;

	memset(req, 0, sizeof(*req));
	if (!h)
		return -1;
	req->type = h[0];
	memcpy(req->xid, h + 1, sizeof(req->xid));

	while (off < msg->iov_len) {
		const uint8_t *data;
		uint16_t code;
		ssize_t len;

		len = dhcpv6_opt_hdr(msg, off, &code, &data);
		if (len < 0)
			return -1;

		switch (code) {
		case OPT6_CLIENTID:
		case OPT6_SERVERID:
			if (len < 2 || len > DUID_MAX_LEN)
				return -1;
			if (code == OPT6_CLIENTID) {
				req->client_id = data;
				req->client_id_len = len;
			} else {
				req->server_id = data;
				req->server_id_len = len;
			}
			break;
		case OPT6_IA_NA:
			if (dhcpv6_ia_na_parse(c, req, data, len))
				return -1;
			break;
		case OPT6_ORO:
			if (len % 2)
				return -1;
			break;
		case OPT6_ELAPSED_TIME:
			if (len != 2)
				return -1;
			break;
		case OPT6_RAPID_COMMIT:
			if (len)
				return -1;
			req->rapid_commit = true;
			break;
		case OPT6_CLIENT_FQDN:
			if (len < 1)
				return -1;
			req->has_fqdn = true;
			req->fqdn_flags = data[0];
			break;
		default:
			break;
		}

		off += OPT6_HDR_LEN + len;
	}

	return 0;
}

/**
 * dhcpv6_duid() - Our server DUID: DUID-LL from our MAC (RFC 8415, 11.4)
 * @c:		Execution context
 * @duid:	Buffer for DUID_LL_LEN bytes
 */
static void dhcpv6_duid(const struct ctx *c, uint8_t *duid)
{
	duid[0] = 0;
	duid[1] = DUID_TYPE_LL;
	duid[2] = 0;
	duid[3] = DUID_HWTYPE_ETHER;
	memcpy(duid + 4, c->our_tap_mac, ETH_ALEN);
}

/**
 * dhcpv6_check() - Check identifiers against the message type (RFC 8415, 16)
 * @c:		Execution context
 * @req:	Parsed message
 *
 * Return: true if we should answer, false to discard
 */
static bool dhcpv6_check(const struct ctx *c, const struct dhcpv6_req *req)
{
	uint8_t duid[DUID_LL_LEN];
	bool ours;

	dhcpv6_duid(c, duid);
	ours = req->server_id && req->server_id_len == sizeof(duid) &&
	       !memcmp(req->server_id, duid, sizeof(duid));

	switch (req->type) {
	case DHCPV6_SOLICIT:
	case DHCPV6_CONFIRM:
	case DHCPV6_REBIND:
		return req->client_id && !req->server_id;
	case DHCPV6_REQUEST:
	case DHCPV6_RENEW:
	case DHCPV6_RELEASE:
	case DHCPV6_DECLINE:
		return req->client_id && ours;
	case DHCPV6_INFO_REQUEST:
		return !req->server_id || ours;
	default:
		return false;
	}
}

/**
 * dhcpv6_opt_put() - Append an option to a reply
 * @r:		Reply
 * @code:	Option code
 * @data:	Option data, may be NULL if @len is 0
 * @len:	Length of @data
 *
 * Return: 0 on success, -1 if the option doesn't fit (and was left out)
 */
static int dhcpv6_opt_put(struct dhcpv6_reply *r, uint16_t code,
			  const void *data, size_t len)
{
	uint8_t *p = r->msg + r->len;

	if (r->len + OPT6_HDR_LEN + len > sizeof(r->msg)) {
		debug("DHCPv6: no room for option %u", code);
		return -1;
	}

	p[0] = code >> 8;
	p[1] = code & 0xff;
	p[2] = (uint8_t)(len >> 8);
	p[3] = len & 0xff;
	if (len)
		memcpy(p + OPT6_HDR_LEN, data, len);
	r->len += OPT6_HDR_LEN + len;
	return 0;
}

/**
 * dhcpv6_status() - Build Status Code option data (RFC 8415, 21.13)
 * @buf:	Buffer, at least 2 bytes plus the length of @text
 * @status:	Status code
 * @text:	Message for humans
 *
 * Return: length of the option data
 */
static size_t dhcpv6_status(uint8_t *buf, uint16_t status, const char *text)
{
	size_t len = strlen(text);

	buf[0] = status >> 8;
	buf[1] = status & 0xff;
	memcpy(buf + 2, text, len);
	return 2 + len;
}

/**
 * dhcpv6_iaaddr_put() - Write an IA Address option (RFC 8415, 21.6)
 * @p:		Where the option goes: OPT6_HDR_LEN + OPT6_IAADDR_LEN
 * @a:		Address
 * @lifetime:	Preferred and valid lifetime, host order
 *
 * Return: length of the option
 */
static size_t dhcpv6_iaaddr_put(uint8_t *p, const struct in6_addr *a,
				uint32_t lifetime)
{
	uint32_t t = htonl(lifetime);

	p[0] = 0;
	p[1] = OPT6_IAADDR;
	p[2] = 0;
	p[3] = OPT6_IAADDR_LEN;
	memcpy(p + 4, a, sizeof(*a));
	memcpy(p + 20, &t, sizeof(t));
	memcpy(p + 24, &t, sizeof(t));
	return OPT6_HDR_LEN + OPT6_IAADDR_LEN;
}

/**
 * dhcpv6_ia_na_put() - Append an IA_NA answering one of the client's
 * @c:		Execution context
 * @r:		Reply
 * @iaid:	IAID the client used
 * @give:	Put our address in it, or else a NoAddrsAvail status
 * @stale:	Address the client has in this IA that isn't ours, or NULL
 *
 * RFC 8415, 18.3.4 and 18.3.5: an address the client may no longer use is
 * returned with lifetimes of zero, so that it drops it.
 */
static void dhcpv6_ia_na_put(const struct ctx *c, struct dhcpv6_reply *r,
			     const uint8_t *iaid, bool give,
			     const struct in6_addr *stale)
{
	uint8_t ia[OPT6_IA_NA_LEN + 2 * (OPT6_HDR_LEN + OPT6_IAADDR_LEN) + 64];
	uint32_t t = htonl(DHCPV6_INFINITY);
	size_t len = OPT6_IA_NA_LEN;
	uint8_t *sub;

	memcpy(ia, iaid, 4);
	/* RFC 8415, 21.4: T1 and T2 of infinity, no renewals needed */
	memcpy(ia + 4, &t, sizeof(t));
	memcpy(ia + 8, &t, sizeof(t));

	if (stale)
		len += dhcpv6_iaaddr_put(ia + len, stale, 0);
	sub = ia + len;

	if (give && !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr)) {
		len += dhcpv6_iaaddr_put(sub, &c->ip6.addr, DHCPV6_INFINITY);
	} else {
		size_t n = dhcpv6_status(sub + OPT6_HDR_LEN,
					 STATUS_NOADDRSAVAIL,
					 "no addresses available");

		sub[0] = 0;
		sub[1] = OPT6_STATUS_CODE;
		sub[2] = 0;
		sub[3] = (uint8_t)n;
		len += OPT6_HDR_LEN + n;
	}

	dhcpv6_opt_put(r, OPT6_IA_NA, ia, len);
}

/**
 * dhcpv6_config_put() - Append DNS servers, domain list and FQDN options
 * @c:		Execution context
 * @req:	Request we answer
 * @r:		Reply
 */
static void dhcpv6_config_put(const struct ctx *c,
			      const struct dhcpv6_req *req,
			      struct dhcpv6_reply *r)
{
	uint8_t buf[DHCPV6_MSG_MAX];
	size_t i, n = 0;
	ssize_t len;

	if (!c->no_dhcp_dns) {
		for (i = 0; i < DNS_MAX; i++) {
			if (IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[i]))
				break;
		}
		if (i)
			dhcpv6_opt_put(r, OPT6_DNS_SERVERS, c->ip6.dns,
				       i * sizeof(struct in6_addr));
	}

	if (!c->no_dhcp_dns_search) {
		/* RFC 3646, 4: uncompressed; names that don't fit left out */
		size_t room = sizeof(r->msg) - r->len;

		room = room > OPT6_HDR_LEN ? room - OPT6_HDR_LEN : 0;
		for (i = 0; i < DNS_SEARCH_MAX && c->dns_search[i][0]; i++) {
			len = dns_name_encode(c->dns_search[i], buf + n,
					      room - n);
			if (len < 0) {
				debug("DHCPv6: search domain %s left out",
				      c->dns_search[i]);
				continue;
			}
			n += len;
		}
		if (n)
			dhcpv6_opt_put(r, OPT6_DOMAIN_LIST, buf, n);
	}

	if (c->fqdn[0]) {
		/* RFC 4704, 4.1: we do no DNS updates for the client */
		buf[0] = DHCPV6_FQDN_N;
		if (req->has_fqdn && (req->fqdn_flags & DHCPV6_FQDN_S))
			buf[0] |= DHCPV6_FQDN_O;
		len = dns_name_encode(c->fqdn, buf + 1, sizeof(buf) - 1);
		if (len > 0)
			dhcpv6_opt_put(r, OPT6_CLIENT_FQDN, buf, len + 1);
	}
}

/**
 * dhcpv6_reply_build() - Build our answer to a checked request
 * @c:		Execution context
 * @req:	Parsed request, checked by dhcpv6_check()
 * @r:		Reply to fill: @r->len is 0 if there's nothing to send
 */
static void dhcpv6_reply_build(const struct ctx *c,
			       const struct dhcpv6_req *req,
			       struct dhcpv6_reply *r)
{
	uint8_t duid[DUID_LL_LEN], status[64];
	bool give_ia = true;
	size_t i, n;

	r->len = 0;
	if (req->type == DHCPV6_CONFIRM && !req->n_addr)
		return;	/* RFC 8415, 18.3.3: nothing to confirm */

	if (req->type == DHCPV6_SOLICIT && !req->rapid_commit)
		r->msg[0] = DHCPV6_ADVERTISE;
	else
		r->msg[0] = DHCPV6_REPLY;
	memcpy(r->msg + 1, req->xid, sizeof(req->xid));
	r->len = DHCPV6_HDR_LEN;

	if (req->client_id)
		dhcpv6_opt_put(r, OPT6_CLIENTID, req->client_id,
			       req->client_id_len);
	dhcpv6_duid(c, duid);
	dhcpv6_opt_put(r, OPT6_SERVERID, duid, sizeof(duid));

	switch (req->type) {
	case DHCPV6_SOLICIT:
		if (req->rapid_commit)
			dhcpv6_opt_put(r, OPT6_RAPID_COMMIT, NULL, 0);
		break;
	case DHCPV6_CONFIRM:
		if (req->wrong_addr)
			n = dhcpv6_status(status, STATUS_NOTONLINK,
					  "address not on link");
		else
			n = dhcpv6_status(status, STATUS_SUCCESS, "on link");
		dhcpv6_opt_put(r, OPT6_STATUS_CODE, status, n);
		give_ia = false;
		break;
	case DHCPV6_RELEASE:
	case DHCPV6_DECLINE:
		/* RFC 8415, 18.3.7 and 18.3.8: acknowledged, nothing else */
		n = dhcpv6_status(status, STATUS_SUCCESS, "done");
		dhcpv6_opt_put(r, OPT6_STATUS_CODE, status, n);
		return;
	case DHCPV6_INFO_REQUEST:
		give_ia = false;
		break;
	default:
		break;
	}

	/* One address to give: it goes to the first IA_NA */
	for (i = 0; give_ia && i < req->n_ia; i++) {
		const struct in6_addr *stale = NULL;

		if (req->type != DHCPV6_SOLICIT && req->has_stale[i])
			stale = &req->stale[i];
		dhcpv6_ia_na_put(c, r, req->iaid[i], !i, stale);
	}

	dhcpv6_config_put(c, req, r);
}

/**
 * dhcpv6_process() - Check a DHCPv6 message from the guest, build an answer
 * @c:		Execution context
 * @frame:	Ethernet frame from the guest
 * @fi:		What tap_parse() found in @frame
 * @r:		Reply to fill: @r->len is 0 if there's nothing to send
 *
 * Return: 1 if the frame is for a DHCPv6 server (UDP port 547), answered or
 *	   deliberately ignored, 0 if not
 */
int dhcpv6_process(const struct ctx *c, const struct iovec *frame,
		   const struct frame_info *fi, struct dhcpv6_reply *r)
{
	static const char *names[] = {
		[DHCPV6_SOLICIT] = "SOLICIT", [DHCPV6_ADVERTISE] = "ADVERTISE",
		[DHCPV6_REQUEST] = "REQUEST", [DHCPV6_CONFIRM] = "CONFIRM",
		[DHCPV6_RENEW] = "RENEW", [DHCPV6_REBIND] = "REBIND",
		[DHCPV6_REPLY] = "REPLY", [DHCPV6_RELEASE] = "RELEASE",
		[DHCPV6_DECLINE] = "DECLINE",
		[DHCPV6_INFO_REQUEST] = "INFORMATION-REQUEST",
	};
	struct dhcpv6_req req;
	struct udphdr uh;
	struct iovec msg;

	r->len = 0;
	if (fi->ethertype != ETH_P_IPV6 || fi->l4proto != IPPROTO_UDP)
		return 0;

	if (packet_udp(frame, fi, &uh, &msg) ||
	    ntohs(uh.dest) != DHCPV6_SERVER_PORT)
		return 0;

	if (c->no_dhcpv6 || !c->ipv6_enabled)
		return 1;

	/* We answer to the source address: it must be a unicast one */
	if (IN6_IS_ADDR_UNSPECIFIED(&fi->saddr.a6) ||
	    IN6_IS_ADDR_MULTICAST(&fi->saddr.a6))
		return 1;

	if (!msg.iov_base || dhcpv6_parse(c, &msg, &req)) {
		drop_debug("DHCPv6: malformed message, dropping");
		return 1;
	}

	if (!dhcpv6_check(c, &req)) {
		debug("DHCPv6: ignoring message type %u", req.type);
		return 1;
	}

	dhcpv6_reply_build(c, &req, r);
	if (!r->len)
		return 1;

	ndp_our_ll(c, &r->src);
	r->dst = fi->saddr.a6;

	info_ratelimit("DHCPv6: received %s, sending %s", names[req.type],
		       names[r->msg[0]]);
	return 1;
}

/**
 * dhcpv6() - Answer a DHCPv6 message from the guest
 * @c:		Execution context
 * @frame:	Ethernet frame from the guest
 * @fi:		What tap_parse() found in @frame
 *
 * Return: 1 if the frame was for a DHCPv6 server (answered or ignored), 0
 *	   if it's other UDP traffic
 */
int dhcpv6(const struct ctx *c, const struct iovec *frame,
	   const struct frame_info *fi)
{
	static struct dhcpv6_reply r;
	int ret;

	ret = dhcpv6_process(c, frame, fi, &r);
	if (r.len) {
		tap_udp6_send(c, &r.src, DHCPV6_SERVER_PORT, &r.dst,
			      DHCPV6_CLIENT_PORT, r.msg, r.len);
	}

	return ret;
}
