// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for dhcp.c: replies to DISCOVER, REQUEST and INFORM checked
 * field by field, option 55 ordering, search list compression (RFC 3397),
 * classless static routes (RFC 3442) and rapid commit (RFC 4039) byte by
 * byte, size limits, configuration flags, and hostile requests (behind a
 * guard page) that must be dropped without reading out of bounds.
 */

#include "unit.h"
#include "frames.h"
#include "dhcp.h"

#define DISCOVER	1
#define OFFER		2
#define REQUEST		3
#define ACK		5
#define NAK		6
#define INFORM		8

static struct ctx_run c_run;
static struct ctx c = { .run = &c_run };
static struct dhcp_reply r;

/**
 * struct req - A DHCP request being built
 * @b:		Message bytes
 * @len:	Length so far
 */
struct req {
	uint8_t b[1400];
	size_t len;
};

static void req_init(struct req *q, uint8_t type, bool broadcast)
{
	memset(q, 0, sizeof(*q));
	q->b[0] = 1;			/* BOOTREQUEST */
	q->b[1] = 1;			/* Ethernet */
	q->b[2] = 6;
	q->b[4] = 0xde; q->b[5] = 0xad; q->b[6] = 0xbe; q->b[7] = 0xef;
	if (broadcast)
		q->b[10] = 0x80;
	memcpy(q->b + 28, guest_mac, 6);
	q->b[236] = 99; q->b[237] = 130; q->b[238] = 83; q->b[239] = 99;
	q->len = 240;
	q->b[q->len++] = 53;
	q->b[q->len++] = 1;
	q->b[q->len++] = type;
}

static void req_opt(struct req *q, uint8_t code, const void *data, size_t len)
{
	q->b[q->len++] = code;
	q->b[q->len++] = (uint8_t)len;
	memcpy(q->b + q->len, data, len);
	q->len += len;
}

static void req_addr(struct req *q, uint8_t code, const char *a)
{
	struct in_addr in;

	inet_pton(AF_INET, a, &in);
	req_opt(q, code, &in, 4);
}

static void req_end(struct req *q)
{
	q->b[q->len++] = 255;
}

static int run(const struct req *q, const char *src)
{
	uint8_t buf[FRAME_BUF];
	struct frame_info fi;
	struct iovec iov;
	size_t len;

	len = udp4_frame(buf, src, "255.255.255.255", 68, 67, q->b, q->len,
			 &fi);
	iov = guarded(buf, len);
	return dhcp_process(&c, &iov, &fi, &r);
}

/**
 * opt_find() - Find an option in our reply, concatenating split pieces
 * @code:	Option code
 * @out:	Concatenated data
 * @pos:	Set to the index among options of the first piece, if not NULL
 *
 * Return: length of the data, -1 if absent
 */
static int opt_find(uint8_t code, uint8_t *out, int *pos)
{
	size_t off = 240;
	int len = -1, idx = 0;

	while (off < r.len && r.msg[off] != 255) {
		if (r.msg[off] == 0) {
			off++;
			continue;
		}
		if (off + 2 > r.len || off + 2 + r.msg[off + 1] > r.len)
			return -2;
		if (r.msg[off] == code) {
			if (len < 0) {
				len = 0;
				if (pos)
					*pos = idx;
			}
			memcpy(out + len, r.msg + off + 2, r.msg[off + 1]);
			len += r.msg[off + 1];
		}
		off += 2 + r.msg[off + 1];
		idx++;
	}
	return len;
}

static bool opt_is(uint8_t code, const void *data, size_t len)
{
	uint8_t out[2048];

	return opt_find(code, out, NULL) == (int)len && !memcmp(out, data, len);
}

static bool opt_addr(uint8_t code, const char *a)
{
	struct in_addr in;

	inet_pton(AF_INET, a, &in);
	return opt_is(code, &in, 4);
}

static bool addr_is(const struct in_addr *a, const char *s)
{
	struct in_addr in;

	inet_pton(AF_INET, s, &in);
	return a->s_addr == in.s_addr;
}

static bool field_is(size_t off, const char *s)
{
	struct in_addr in;

	inet_pton(AF_INET, s, &in);
	return !memcmp(r.msg + off, &in, 4);
}

/**
 * dns_decode() - Decode compressed names of option 119, following pointers
 * @data:	Option data
 * @len:	Length
 * @out:	Names, dotted, separated by spaces
 *
 * Return: 0 on success, -1 on bad encoding
 */
static int dns_decode(const uint8_t *data, size_t len, char *out)
{
	size_t off = 0;

	*out = 0;
	while (off < len) {
		size_t p = off, jumps = 0;
		bool jumped = false;

		if (*out)
			strcat(out, " ");
		for (;;) {
			if (p >= len)
				return -1;
			if ((data[p] & 0xc0) == 0xc0) {
				if (p + 1 >= len || ++jumps > 100)
					return -1;
				if (!jumped)
					off = p + 2;
				jumped = true;
				p = (size_t)(data[p] & 0x3f) << 8 | data[p + 1];
				continue;
			}
			if (!data[p]) {
				if (!jumped)
					off = p + 1;
				break;
			}
			if (p + 1 + data[p] > len)
				return -1;
			if (out[strlen(out) - 1 + !*out] != ' ' && *out &&
			    out[strlen(out) - 1] != ' ')
				strcat(out, ".");
			strncat(out, (const char *)data + p + 1, data[p]);
			p += 1 + data[p];
		}
	}
	return 0;
}

static void dhcp_discover_offer(void)
{
	static const uint8_t mtu[] = { 0xff, 0xf0 }, lease[] = { 255, 255,
		255, 255 };
	static const uint8_t fqdn[] = { 0x0c, 255, 255, 5, 'g', 'u', 'e', 's',
		't', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'o', 'r', 'g',
		0 };
	uint8_t dns[8], out[64];
	struct req q;

	test_ctx(&c);
	inet_pton(AF_INET, "192.0.2.53", dns);
	inet_pton(AF_INET, "198.51.100.53", dns + 4);

	req_init(&q, DISCOVER, true);
	req_end(&q);
	CHECK(run(&q, "0.0.0.0") == 1);
	CHECK(r.len >= 300 && r.len <= 548);
	CHECK(r.msg[0] == 2 && r.msg[1] == 1 && r.msg[2] == 6);
	CHECK(!memcmp(r.msg + 4, "\xde\xad\xbe\xef", 4));
	CHECK(r.msg[10] == 0x80);
	CHECK(field_is(12, "0.0.0.0"));			/* ciaddr */
	CHECK(field_is(16, "192.0.2.2"));		/* yiaddr */
	CHECK(!memcmp(r.msg + 28, guest_mac, 6));
	CHECK(!memcmp(r.msg + 236, "\x63\x82\x53\x63", 4));
	CHECK(opt_is(53, "\x02", 1));
	CHECK(opt_addr(54, "192.0.2.1"));
	CHECK(opt_is(51, lease, 4));
	CHECK(opt_addr(1, "255.255.255.0"));
	CHECK(opt_addr(3, "192.0.2.1"));
	CHECK(opt_is(6, dns, 8));
	CHECK(opt_is(12, "guest", 5));
	CHECK(opt_is(15, "example.org", 11));
	CHECK(opt_is(26, mtu, 2));
	/* "test.example" shares no suffix with "example.org": written out */
	CHECK(opt_find(119, out, NULL) == 13 + 14);
	CHECK(!memcmp(out, "\x07" "example" "\x03" "org" "\x00"
		      "\x04" "test" "\x07" "example" "\x00", 27));
	CHECK(opt_is(81, fqdn, sizeof(fqdn)));
	CHECK(addr_is(&r.src, "192.0.2.1"));
	CHECK(addr_is(&r.dst, "255.255.255.255"));

	/* Without the broadcast flag: unicast to the offered address */
	req_init(&q, DISCOVER, false);
	req_end(&q);
	CHECK(run(&q, "0.0.0.0") == 1 && r.len);
	CHECK(addr_is(&r.dst, "192.0.2.2"));
}

static void dhcp_prl_order(void)
{
	static const uint8_t prl[] = { 26, 6, 3, 1, 12 };
	uint8_t out[64];
	int p26, p6, p3, p1, p12, p54, p53;
	struct req q;

	test_ctx(&c);
	req_init(&q, DISCOVER, true);
	req_opt(&q, 55, prl, sizeof(prl));
	req_end(&q);
	CHECK(run(&q, "0.0.0.0") == 1 && r.len);
	CHECK(opt_find(53, out, &p53) == 1 && opt_find(54, out, &p54) == 4);
	CHECK(opt_find(26, out, &p26) == 2 && opt_find(6, out, &p6) == 8);
	CHECK(opt_find(3, out, &p3) == 4 && opt_find(1, out, &p1) == 4);
	CHECK(opt_find(12, out, &p12) == 5);
	CHECK(p53 == 0 && p54 == 1);
	CHECK(p26 < p6 && p6 < p3 && p3 < p1 && p1 < p12);
}

static void dhcp_request_ack_nak(void)
{
	uint8_t out[64], cid[] = { 1, 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
	struct req q;

	test_ctx(&c);

	/* SELECTING: our server identifier, our address */
	req_init(&q, REQUEST, true);
	req_addr(&q, 54, "192.0.2.1");
	req_addr(&q, 50, "192.0.2.2");
	req_opt(&q, 61, cid, sizeof(cid));
	req_end(&q);
	CHECK(run(&q, "0.0.0.0") == 1 && r.len);
	CHECK(opt_is(53, "\x05", 1));
	CHECK(field_is(16, "192.0.2.2"));
	CHECK(opt_is(61, cid, sizeof(cid)));
	CHECK(opt_addr(3, "192.0.2.1"));
	CHECK(addr_is(&r.dst, "255.255.255.255"));

	/* Another server's offer: not for us, no answer */
	req_init(&q, REQUEST, true);
	req_addr(&q, 54, "192.0.2.99");
	req_addr(&q, 50, "192.0.2.2");
	req_end(&q);
	CHECK(run(&q, "0.0.0.0") == 1 && !r.len);

	/* INIT-REBOOT with a stale address: NAK, broadcast, no config */
	req_init(&q, REQUEST, false);
	req_addr(&q, 50, "192.0.2.77");
	req_end(&q);
	CHECK(run(&q, "0.0.0.0") == 1 && r.len);
	CHECK(opt_is(53, "\x06", 1));
	CHECK(opt_addr(54, "192.0.2.1"));
	CHECK(field_is(16, "0.0.0.0"));
	CHECK(opt_find(51, out, NULL) == -1 && opt_find(3, out, NULL) == -1);
	CHECK(addr_is(&r.dst, "255.255.255.255"));

	/* RENEWING: ciaddr only, unicast answer */
	req_init(&q, REQUEST, false);
	req_end(&q);
	inet_pton(AF_INET, "192.0.2.2", q.b + 12);
	CHECK(run(&q, "192.0.2.2") == 1 && r.len);
	CHECK(opt_is(53, "\x05", 1));
	CHECK(field_is(12, "192.0.2.2") && field_is(16, "192.0.2.2"));
	CHECK(addr_is(&r.dst, "192.0.2.2"));

	/* RENEWING a wrong address */
	inet_pton(AF_INET, "192.0.2.3", q.b + 12);
	CHECK(run(&q, "192.0.2.3") == 1 && r.len);
	CHECK(opt_is(53, "\x06", 1));

	/* Nothing requested at all */
	req_init(&q, REQUEST, false);
	req_end(&q);
	CHECK(run(&q, "0.0.0.0") == 1 && r.len && opt_is(53, "\x06", 1));
}

static void dhcp_inform(void)
{
	uint8_t out[64];
	struct req q;

	test_ctx(&c);
	req_init(&q, INFORM, false);
	req_end(&q);
	inet_pton(AF_INET, "192.0.2.2", q.b + 12);
	CHECK(run(&q, "192.0.2.2") == 1 && r.len);
	CHECK(opt_is(53, "\x05", 1));
	CHECK(field_is(16, "0.0.0.0") && field_is(12, "192.0.2.2"));
	CHECK(opt_find(51, out, NULL) == -1);
	CHECK(opt_addr(6, "192.0.2.53") || opt_find(6, out, NULL) == 8);
	CHECK(addr_is(&r.dst, "192.0.2.2"));

	/* DECLINE and RELEASE: nothing to say */
	req_init(&q, 4, false);
	req_end(&q);
	CHECK(run(&q, "0.0.0.0") == 1 && !r.len);
	req_init(&q, 7, false);
	req_end(&q);
	CHECK(run(&q, "192.0.2.2") == 1 && !r.len);
}

static void dhcp_search_compression(void)
{
	static const uint8_t want[] = {
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'o', 'r', 'g', 0,
		4, 't', 'e', 's', 't', 0xc0, 0,
		0xc0, 0,
		1, 'a', 1, 'b', 1, 'c', 0,
		3, 'w', 'w', 'w', 0xc0, 22 + 2,
		0xc0, 8,
	};
	uint8_t out[512];
	char names[1024];
	ssize_t n;

	test_ctx(&c);
	strcpy(c.dns_search[0], "example.org");
	strcpy(c.dns_search[1], "test.example.org.");
	strcpy(c.dns_search[2], "example.org");
	strcpy(c.dns_search[3], "a.b.c");
	strcpy(c.dns_search[4], "www.b.c");
	strcpy(c.dns_search[5], "org");
	n = dhcp_search_encode(&c, out, sizeof(out));
	CHECK(n == sizeof(want));
	CHECK(!memcmp(out, want, sizeof(want)));
	CHECK(!dns_decode(out, n, names));
	CHECK_MSG(!strcmp(names, "example.org test.example.org example.org "
			  "a.b.c www.b.c org"), "decoded: %s", names);

	/* Domains that don't fit are left out, whole */
	n = dhcp_search_encode(&c, out, 15);
	CHECK(n == 13);

	/* Invalid names are skipped */
	test_ctx(&c);
	strcpy(c.dns_search[0], "a..b");
	memset(c.dns_search[1], 'x', 64);
	c.dns_search[1][64] = 0;
	strcpy(c.dns_search[2], "ok");
	n = dhcp_search_encode(&c, out, sizeof(out));
	CHECK(n == 4 && !memcmp(out, "\x02ok\x00", 4));
}

/**
 * set_addr() - Give the guest another address, prefix length and gateway
 * @addr:	Guest address
 * @plen:	Prefix length
 * @gw:		Gateway
 */
static void set_addr(const char *addr, int plen, const char *gw)
{
	test_ctx(&c);
	inet_pton(AF_INET, addr, &c.ip4.addr);
	c.ip4.prefix_len = plen;
	inet_pton(AF_INET, gw, &c.ip4.guest_gw);
}

static void dhcp_classless_routes(void)
{
	/* 10.0.0.1/32 on the link, then 0.0.0.0/0 via 10.0.0.1 */
	static const uint8_t host32[] = { 32, 10, 0, 0, 1, 0, 0, 0, 0,
					  0, 10, 0, 0, 1 };
	static const uint8_t other24[] = { 32, 198, 51, 100, 1, 0, 0, 0, 0,
					   0, 198, 51, 100, 1 };
	static const uint8_t prl[] = { 121, 3, 1 };
	uint8_t out[64];
	int p121 = -1, p3 = -1, p1 = -1;
	struct req q;

	/* Gateway inside the subnet: option 3 only, even if 121 is asked */
	test_ctx(&c);
	req_init(&q, DISCOVER, true);
	req_opt(&q, 55, prl, sizeof(prl));
	req_end(&q);
	CHECK(run(&q, "0.0.0.0") == 1 && r.len);
	CHECK(opt_find(121, out, NULL) == -1);
	CHECK(opt_addr(3, "192.0.2.1"));

	/* A /32 host address, as copied from a cloud host */
	set_addr("10.0.0.2", 32, "10.0.0.1");
	req_init(&q, DISCOVER, true);
	req_end(&q);
	CHECK(run(&q, "0.0.0.0") == 1 && r.len);
	CHECK(field_is(16, "10.0.0.2"));
	CHECK(opt_addr(1, "255.255.255.255"));
	CHECK(opt_is(121, host32, sizeof(host32)));
	/* Kept for clients without option 121, which ignore it otherwise */
	CHECK(opt_addr(3, "10.0.0.1"));
	CHECK(opt_addr(54, "10.0.0.1"));

	/* Asked for first: given first, in the ACK too */
	req_init(&q, REQUEST, true);
	req_addr(&q, 54, "10.0.0.1");
	req_addr(&q, 50, "10.0.0.2");
	req_opt(&q, 55, prl, sizeof(prl));
	req_end(&q);
	CHECK(run(&q, "0.0.0.0") == 1 && r.len && opt_is(53, "\x05", 1));
	CHECK(opt_find(121, out, &p121) == sizeof(host32));
	CHECK(!memcmp(out, host32, sizeof(host32)));
	CHECK(opt_find(3, out, &p3) == 4 && opt_find(1, out, &p1) == 4);
	CHECK(p121 >= 0 && p121 < p3 && p3 < p1);

	/* A gateway in another /24 */
	set_addr("192.0.2.2", 24, "198.51.100.1");
	req_init(&q, DISCOVER, true);
	req_end(&q);
	CHECK(run(&q, "0.0.0.0") == 1 && r.len);
	CHECK(opt_is(121, other24, sizeof(other24)));

	/* Just inside, just outside a /31 */
	set_addr("192.0.2.2", 31, "192.0.2.3");
	CHECK(run(&q, "0.0.0.0") == 1 && r.len);
	CHECK(opt_find(121, out, NULL) == -1);
	set_addr("192.0.2.2", 31, "192.0.2.1");
	CHECK(run(&q, "0.0.0.0") == 1 && r.len);
	CHECK(opt_find(121, out, NULL) == 14 && out[0] == 32 && !out[9]);

	/* No gateway, or no netmask we'd give: nothing to route */
	set_addr("10.0.0.2", 32, "0.0.0.0");
	CHECK(run(&q, "0.0.0.0") == 1 && r.len);
	CHECK(opt_find(121, out, NULL) == -1 && opt_find(3, out, NULL) == -1);
	set_addr("10.0.0.2", 0, "192.0.2.1");
	CHECK(run(&q, "0.0.0.0") == 1 && r.len);
	CHECK(opt_find(121, out, NULL) == -1 && opt_find(1, out, NULL) == -1);

	/* A NAK carries no routes */
	set_addr("10.0.0.2", 32, "10.0.0.1");
	req_init(&q, REQUEST, false);
	req_addr(&q, 50, "10.0.0.3");
	req_end(&q);
	CHECK(run(&q, "0.0.0.0") == 1 && r.len && opt_is(53, "\x06", 1));
	CHECK(opt_find(121, out, NULL) == -1);
}

static void dhcp_rapid_commit(void)
{
	/* Message type ACK, server identifier, rapid commit, lease time */
	static const uint8_t head[] = { 53, 1, 5, 54, 4, 192, 0, 2, 1, 80, 0,
					51, 4, 255, 255, 255, 255 };
	uint8_t out[64];
	struct req q;

	test_ctx(&c);
	req_init(&q, DISCOVER, false);
	req_opt(&q, 80, "", 0);
	req_end(&q);
	CHECK(run(&q, "0.0.0.0") == 1 && r.len);
	CHECK(!memcmp(r.msg + 240, head, sizeof(head)));
	CHECK(r.msg[0] == 2 && !memcmp(r.msg + 4, "\xde\xad\xbe\xef", 4));
	CHECK(field_is(12, "0.0.0.0") && field_is(16, "192.0.2.2"));
	CHECK(opt_addr(1, "255.255.255.0") && opt_addr(3, "192.0.2.1"));
	CHECK(addr_is(&r.src, "192.0.2.1"));
	CHECK(addr_is(&r.dst, "192.0.2.2"));

	/* Broadcast flag: broadcast, as for an OFFER */
	req_init(&q, DISCOVER, true);
	req_opt(&q, 80, "", 0);
	req_end(&q);
	CHECK(run(&q, "0.0.0.0") == 1 && r.len);
	CHECK(opt_is(53, "\x05", 1) && opt_is(80, "", 0));
	CHECK(addr_is(&r.dst, "255.255.255.255"));

	/* Not asked for: an OFFER, no option 80 */
	req_init(&q, DISCOVER, true);
	req_end(&q);
	CHECK(run(&q, "0.0.0.0") == 1 && r.len);
	CHECK(opt_is(53, "\x02", 1) && opt_find(80, out, NULL) == -1);

	/* Option 80 with data isn't rapid commit: the usual OFFER */
	req_init(&q, DISCOVER, true);
	req_opt(&q, 80, "\x01", 1);
	req_end(&q);
	CHECK(run(&q, "0.0.0.0") == 1 && r.len);
	CHECK(opt_is(53, "\x02", 1) && opt_find(80, out, NULL) == -1);

	/* In a REQUEST it means nothing: a plain ACK */
	req_init(&q, REQUEST, true);
	req_addr(&q, 54, "192.0.2.1");
	req_addr(&q, 50, "192.0.2.2");
	req_opt(&q, 80, "", 0);
	req_end(&q);
	CHECK(run(&q, "0.0.0.0") == 1 && r.len);
	CHECK(opt_is(53, "\x05", 1) && opt_find(80, out, NULL) == -1);

	/* With the routes of an off-link gateway, and option 80 in the list
	 * of requested parameters (meaningless there): ignored
	 */
	set_addr("10.0.0.2", 32, "10.0.0.1");
	req_init(&q, DISCOVER, true);
	req_opt(&q, 80, "", 0);
	req_opt(&q, 55, "\x50\x79", 2);
	req_end(&q);
	CHECK(run(&q, "0.0.0.0") == 1 && r.len);
	CHECK(opt_is(53, "\x05", 1) && opt_is(80, "", 0));
	CHECK(opt_find(121, out, NULL) == 14);
}

static void dhcp_size_limits(void)
{
	uint8_t out[2048], maxsize[] = { 0x05, 0xdc };	/* 1500 */
	char names[4096], want[4096] = "";
	struct req q;
	int i, n;

	test_ctx(&c);
	for (i = 0; i < DNS_SEARCH_MAX; i++) {
		memset(c.dns_search[i], 'a' + i, 60);
		strcpy(c.dns_search[i] + 60, ".example.com");
		if (i)
			strcat(want, " ");
		strcat(want, c.dns_search[i]);
	}

	/* 576-byte datagrams by default: the search list is cut */
	req_init(&q, DISCOVER, true);
	req_end(&q);
	CHECK(run(&q, "0.0.0.0") == 1 && r.len);
	CHECK(r.len <= 576 - 28);
	n = opt_find(119, out, NULL);
	CHECK(n > 0 && n < 300);
	CHECK(opt_find(53, out, NULL) == 1 && opt_find(51, out, NULL) == 4);

	/* Option 57 allows the whole list, split in 255-byte pieces */
	req_init(&q, DISCOVER, true);
	req_opt(&q, 57, maxsize, 2);
	req_end(&q);
	CHECK(run(&q, "0.0.0.0") == 1 && r.len);
	CHECK(r.len <= 1500 - 28 && r.len > 576);
	n = opt_find(119, out, NULL);
	CHECK(n > 255);
	CHECK(!dns_decode(out, n, names));
	CHECK_MSG(!strcmp(names, want), "decoded: %s", names);
}

static void dhcp_flags(void)
{
	uint8_t out[64];
	struct req q;

	req_init(&q, DISCOVER, true);
	req_end(&q);

	test_ctx(&c);
	c.no_dhcp_dns = true;
	CHECK(run(&q, "0.0.0.0") == 1 && r.len);
	CHECK(opt_find(6, out, NULL) == -1 && opt_find(119, out, NULL) > 0);

	test_ctx(&c);
	c.no_dhcp_dns_search = true;
	c.mtu = 0;
	c.hostname[0] = c.fqdn[0] = 0;
	CHECK(run(&q, "0.0.0.0") == 1 && r.len);
	CHECK(opt_find(6, out, NULL) == 8);
	CHECK(opt_find(119, out, NULL) == -1 && opt_find(15, out, NULL) == -1);
	CHECK(opt_find(26, out, NULL) == -1 && opt_find(12, out, NULL) == -1);
	CHECK(opt_find(81, out, NULL) == -1);

	test_ctx(&c);
	c.no_dhcp = true;
	CHECK(run(&q, "0.0.0.0") == 1 && !r.len);

	/* Client FQDN in ASCII (E clear, S set): we answer in ASCII, O set */
	test_ctx(&c);
	req_init(&q, DISCOVER, true);
	req_opt(&q, 81, "\x01\x00\x00" "x", 4);
	req_end(&q);
	CHECK(run(&q, "0.0.0.0") == 1 && r.len);
	CHECK(opt_is(81, "\x0a\xff\xff" "guest.example.org", 20));
}

static void dhcp_not_ours(void)
{
	uint8_t buf[FRAME_BUF], dns[12] = { 0 };
	struct frame_info fi;
	struct iovec iov;
	size_t len;

	test_ctx(&c);
	len = udp4_frame(buf, "192.0.2.2", "192.0.2.53", 1234, 53, dns,
			 sizeof(dns), &fi);
	iov = guarded(buf, len);
	CHECK(dhcp_process(&c, &iov, &fi, &r) == 0 && !r.len);
	CHECK(dhcp(&c, &iov, &fi) == 0);

	fi.l4proto = IPPROTO_TCP;
	CHECK(dhcp_process(&c, &iov, &fi, &r) == 0);
}

/**
 * struct hostile - A malformed request and what makes it so
 * @name:	Description
 * @b:		UDP payload
 * @len:	Its length
 */
struct hostile {
	const char *name;
	uint8_t b[300];
	size_t len;
};

static void dhcp_hostile(void)
{
	struct hostile h[16];
	size_t n = 0, i;
	struct req q;

	test_ctx(&c);
	req_init(&q, DISCOVER, true);

#define H(desc, bytes, l)						\
	do {								\
		h[n].name = desc;					\
		memcpy(h[n].b, bytes, l);				\
		h[n++].len = l;						\
	} while (0)

	H("empty", q.b, 0);
	H("truncated BOOTP header", q.b, 100);
	H("no magic cookie", q.b, 236);
	H("truncated cookie", q.b, 238);
	H("type option without length", q.b, 241);
	H("type option without data", q.b, 242);
	q.b[241] = 200;
	H("option length past the end", q.b, 243);
	q.b[241] = 0;
	H("zero-length message type", q.b, 243);
	q.b[241] = 1;
	q.b[2] = 16;
	H("hlen 16", q.b, 243);
	q.b[2] = 6;
	q.b[0] = 2;
	H("BOOTREPLY", q.b, 243);
	q.b[0] = 1;
	q.b[236] = 0;
	H("bad cookie", q.b, 243);
	q.b[236] = 99;
	q.b[243] = 55;
	q.b[244] = 0;
	H("zero-length parameter list", q.b, 245);
	q.b[243] = 50;
	q.b[244] = 4;
	H("requested address past the end", q.b, 247);
	q.b[243] = 255;
	q.b[242] = 0;
	H("message type 0 (BOOTP)", q.b, 244);
	q.b[240] = 0;
	q.b[241] = 0;
	q.b[242] = 0;
	H("only padding, no type", q.b, 243);
#undef H

	for (i = 0; i < n; i++) {
		uint8_t buf[FRAME_BUF];
		struct frame_info fi;
		struct iovec iov;
		size_t len;
		int ret;

		len = udp4_frame(buf, "0.0.0.0", "255.255.255.255", 68, 67,
				 h[i].b, h[i].len, &fi);
		iov = guarded(buf, len);
		ret = dhcp_process(&c, &iov, &fi, &r);
		CHECK_MSG(ret == 1 && !r.len, "%s: ret %i, reply %zu",
			  h[i].name, ret, r.len);
	}

	/* UDP length shorter than its header, and frame info pointing past
	 * the end of the frame
	 */
	{
		uint8_t buf[FRAME_BUF];
		struct frame_info fi;
		struct iovec iov;
		size_t len;

		len = udp4_frame(buf, "0.0.0.0", "255.255.255.255", 68, 67,
				 q.b, 300, &fi);
		buf[fi.l4_off + 4] = 0;
		buf[fi.l4_off + 5] = 4;
		iov = guarded(buf, len);
		CHECK(dhcp_process(&c, &iov, &fi, &r) == 1 && !r.len);

		len = udp4_frame(buf, "0.0.0.0", "255.255.255.255", 68, 67,
				 q.b, 300, &fi);
		iov = guarded(buf, len - 100);
		CHECK(dhcp_process(&c, &iov, &fi, &r) == 1 && !r.len);
		iov = guarded(buf, fi.l4_off + 4);
		CHECK(dhcp_process(&c, &iov, &fi, &r) == 0 && !r.len);
	}
}

static void dhcp_through_tap(void)
{
	uint8_t buf[FRAME_BUF], out[FRAME_BUF];
	struct frame_info fi;
	struct iovec iov;
	struct req q;
	size_t len;
	ssize_t n;
	int peer;

	test_ctx(&c);
	peer = tap_pair(&c);
	req_init(&q, DISCOVER, false);
	req_end(&q);
	len = udp4_frame(buf, "0.0.0.0", "255.255.255.255", 68, 67, q.b,
			 q.len, &fi);
	CHECK(tap_frame_in(&c, buf, len, &iov, &fi) == 0);
	CHECK(dhcp(&c, &iov, &fi) == 1);
	n = recv(peer, out, sizeof(out), 0);
	dhcp_process(&c, &iov, &fi, &r);

	CHECK(n == (ssize_t)(ETH_HLEN + 20 + 8 + r.len));
	CHECK(!memcmp(out, guest_mac, 6) && !memcmp(out + 6, our_mac, 6));
	CHECK(out[12] == 0x08 && out[13] == 0x00);
	CHECK(out[ETH_HLEN + 9] == IPPROTO_UDP);
	CHECK(!memcmp(out + ETH_HLEN + 12, "\xc0\x00\x02\x01", 4));
	CHECK(!memcmp(out + ETH_HLEN + 16, "\xc0\x00\x02\x02", 4));
	CHECK(!memcmp(out + ETH_HLEN + 20, "\x00\x43\x00\x44", 4));
	CHECK(n > 0 && l4_csum_ok(out, n));
	CHECK(n > 42 && !memcmp(out + 42, r.msg, r.len));
	CHECK(recv(peer, out, sizeof(out), 0) < 0);

	/* Broadcast flag: to 255.255.255.255 */
	req_init(&q, DISCOVER, true);
	req_end(&q);
	len = udp4_frame(buf, "0.0.0.0", "255.255.255.255", 68, 67, q.b,
			 q.len, &fi);
	CHECK(tap_frame_in(&c, buf, len, &iov, &fi) == 0);
	CHECK(dhcp(&c, &iov, &fi) == 1);
	n = recv(peer, out, sizeof(out), 0);
	CHECK(n > 42 && !memcmp(out + ETH_HLEN + 16, "\xff\xff\xff\xff", 4));
	CHECK(!memcmp(out, "\xff\xff\xff\xff\xff\xff", 6));

	/* DNS isn't ours: nothing sent */
	len = udp4_frame(buf, "192.0.2.2", "192.0.2.53", 40000, 53, q.b, 40,
			 &fi);
	CHECK(tap_frame_in(&c, buf, len, &iov, &fi) == 0);
	CHECK(dhcp(&c, &iov, &fi) == 0);
	CHECK(recv(peer, out, sizeof(out), 0) < 0);

	tap_pair_close(&c, peer);
}

static void dhcp_fuzz(void)
{
	uint8_t buf[FRAME_BUF], m[FRAME_BUF];
	uint8_t prl[] = { 1, 3, 6, 119, 81, 121 };
	unsigned replies = 0, i;
	struct frame_info fi, f;
	uint32_t seed = 1;
	struct req q;
	size_t len;

	/* Off-link gateway: option 121 in replies */
	set_addr("192.0.2.2", 32, "192.0.2.1");
	req_init(&q, REQUEST, true);
	req_addr(&q, 54, "192.0.2.1");
	req_addr(&q, 50, "192.0.2.2");
	req_opt(&q, 55, prl, sizeof(prl));
	req_opt(&q, 80, "", 0);
	req_opt(&q, 81, "\x05\x00\x00\x01x\x00", 6);
	req_opt(&q, 61, "\x01\x02\x03", 3);
	req_end(&q);
	len = udp4_frame(buf, "0.0.0.0", "255.255.255.255", 68, 67, q.b,
			 q.len, &fi);

	for (i = 0; i < 200000; i++) {
		size_t n = mutate(m, buf, len, fi.l4_off, &seed);
		struct iovec iov = guarded(m, n);

		f = fi;
		if (i % 2)
			f.l4_len = n >= f.l4_off ? n - f.l4_off : 0;
		if (dhcp_process(&c, &iov, &f, &r) != 1 && n >= fi.l4_off + 8 &&
		    m[fi.l4_off + 2] == 0 && m[fi.l4_off + 3] == 67)
			CHECK(0);
		if (r.len) {
			replies++;
			CHECK(r.len <= 548);
		}
	}
	CHECK_MSG(replies > 1000, "only %u replies", replies);
	printf("  %u replies to 200000 mutated requests\n", replies);
}

int main(void)
{
	RUN(dhcp_discover_offer);
	RUN(dhcp_prl_order);
	RUN(dhcp_request_ack_nak);
	RUN(dhcp_inform);
	RUN(dhcp_search_compression);
	RUN(dhcp_classless_routes);
	RUN(dhcp_rapid_commit);
	RUN(dhcp_size_limits);
	RUN(dhcp_flags);
	RUN(dhcp_not_ours);
	RUN(dhcp_hostile);
	RUN(dhcp_through_tap);
	RUN(dhcp_fuzz);
	UNIT_EXIT();
}
