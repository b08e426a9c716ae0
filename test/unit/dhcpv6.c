// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for dhcpv6.c: ADVERTISE and REPLY contents (identifiers,
 * IA_NA with our address, DNS servers, domain list, FQDN), Rapid Commit,
 * CONFIRM status codes, server identifier checks, and malformed messages
 * behind a guard page.
 */

#include "unit.h"
#include "frames.h"
#include "dhcpv6.h"

#define SOLICIT		1
#define ADVERTISE	2
#define REQUEST		3
#define CONFIRM		4
#define RENEW		5
#define REBIND		6
#define REPLY		7
#define RELEASE		8
#define INFO_REQ	11

static struct ctx_run c_run;
static struct ctx c = { .run = &c_run };
static struct dhcpv6_reply r;

static const uint8_t client_duid[] = { 0, 1, 0, 1, 0x2a, 0x2b, 0x2c, 0x2d,
				       0x52, 0x54, 0, 0x12, 0x34, 0x56 };
static const uint8_t our_duid[] = { 0, 3, 0, 1, 0x9a, 0x55, 0x9a, 0x55, 0x9a,
				    0x55 };

/**
 * struct msg - A DHCPv6 message being built
 * @b:		Bytes
 * @len:	Length so far
 */
struct msg {
	uint8_t b[1024];
	size_t len;
};

static void msg_init(struct msg *m, uint8_t type)
{
	m->b[0] = type;
	m->b[1] = 0x12;
	m->b[2] = 0x34;
	m->b[3] = 0x56;
	m->len = 4;
}

static void msg_opt(struct msg *m, uint16_t code, const void *data,
		    size_t len)
{
	m->b[m->len++] = code >> 8;
	m->b[m->len++] = code & 0xff;
	m->b[m->len++] = len >> 8;
	m->b[m->len++] = len & 0xff;
	if (len)
		memcpy(m->b + m->len, data, len);
	m->len += len;
}

/* IA_NA with IAID 0x11223344, and an IA Address if @addr */
static void msg_ia_na(struct msg *m, const char *addr)
{
	uint8_t ia[12 + 28] = { 0x11, 0x22, 0x33, 0x44 };
	size_t len = 12;

	if (addr) {
		ia[12] = 0;
		ia[13] = 5;
		ia[14] = 0;
		ia[15] = 24;
		inet_pton(AF_INET6, addr, ia + 16);
		len += 28;
	}
	msg_opt(m, 3, ia, len);
}

static void msg_std(struct msg *m, uint8_t type, bool server_id)
{
	static const uint8_t oro[] = { 0, 23, 0, 24 };

	msg_init(m, type);
	msg_opt(m, 1, client_duid, sizeof(client_duid));
	if (server_id)
		msg_opt(m, 2, our_duid, sizeof(our_duid));
	msg_opt(m, 8, "\0\0", 2);
	msg_opt(m, 6, oro, sizeof(oro));
}

static int run(const struct msg *m)
{
	uint8_t buf[FRAME_BUF];
	struct frame_info fi;
	struct iovec iov;
	size_t len;

	len = udp6_frame(buf, "fe80::5054:ff:fe12:3456", "ff02::1:2", 546, 547,
			 m->b, m->len, &fi);
	iov = guarded(buf, len);
	return dhcpv6_process(&c, &iov, &fi, &r);
}

/**
 * opt_find() - Find a top-level option in our reply
 * @code:	Option code
 * @len:	Set to the option data length
 *
 * Return: pointer to the option data, NULL if absent or malformed
 */
static const uint8_t *opt_find(uint16_t code, size_t *len)
{
	size_t off = 4;

	while (off + 4 <= r.len) {
		uint16_t c_ = r.msg[off] << 8 | r.msg[off + 1];
		size_t l = r.msg[off + 2] << 8 | r.msg[off + 3];

		if (off + 4 + l > r.len)
			return NULL;
		if (c_ == code) {
			*len = l;
			return r.msg + off + 4;
		}
		off += 4 + l;
	}
	return NULL;
}

static bool opt_is(uint16_t code, const void *data, size_t len)
{
	const uint8_t *p;
	size_t l;

	p = opt_find(code, &l);
	return p && l == len && (!len || !memcmp(p, data, len));
}

static bool a6_is(const struct in6_addr *a, const char *s)
{
	struct in6_addr b;

	inet_pton(AF_INET6, s, &b);
	return IN6_ARE_ADDR_EQUAL(a, &b);
}

/* Our IA_NA for IAID 0x11223344 with 2001:db8::2, infinite lifetimes */
static bool ia_na_ok(void)
{
	uint8_t want[12 + 28] = { 0x11, 0x22, 0x33, 0x44, 0xff, 0xff, 0xff,
				  0xff, 0xff, 0xff, 0xff, 0xff, 0, 5, 0, 24 };

	inet_pton(AF_INET6, "2001:db8::2", want + 16);
	memset(want + 32, 0xff, 8);
	return opt_is(3, want, sizeof(want));
}

static void dhcpv6_advertise(void)
{
	static const uint8_t domains[] = {
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'o', 'r', 'g', 0,
		4, 't', 'e', 's', 't', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0,
	};
	static const uint8_t fqdn[] = { 0x04, 5, 'g', 'u', 'e', 's', 't',
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'o', 'r', 'g', 0 };
	uint8_t dns[16];
	struct msg m;
	size_t len;

	test_ctx(&c);
	inet_pton(AF_INET6, "2001:db8::53", dns);
	msg_std(&m, SOLICIT, false);
	msg_ia_na(&m, NULL);
	CHECK(run(&m) == 1);
	CHECK(r.len && r.len <= DHCPV6_MSG_MAX);
	CHECK(r.msg[0] == ADVERTISE && !memcmp(r.msg + 1, "\x12\x34\x56", 3));
	CHECK(opt_is(1, client_duid, sizeof(client_duid)));
	CHECK(opt_is(2, our_duid, sizeof(our_duid)));
	CHECK(ia_na_ok());
	CHECK(opt_is(23, dns, 16));
	CHECK(opt_is(24, domains, sizeof(domains)));
	CHECK(opt_is(39, fqdn, sizeof(fqdn)));
	CHECK(!opt_find(14, &len) && !opt_find(13, &len));
	CHECK(a6_is(&r.src, "fe80::1"));
	CHECK(a6_is(&r.dst, "fe80::5054:ff:fe12:3456"));

	/* Rapid Commit: REPLY right away, with the option */
	msg_std(&m, SOLICIT, false);
	msg_opt(&m, 14, NULL, 0);
	msg_ia_na(&m, NULL);
	CHECK(run(&m) == 1 && r.len);
	CHECK(r.msg[0] == REPLY && opt_is(14, NULL, 0) && ia_na_ok());

	/* No address to give */
	memset(&c.ip6.addr, 0, 16);
	msg_std(&m, SOLICIT, false);
	msg_ia_na(&m, NULL);
	CHECK(run(&m) == 1 && r.len && r.msg[0] == ADVERTISE);
	{
		const uint8_t *ia = opt_find(3, &len);

		CHECK(ia && len > 16 && ia[12] == 0 && ia[13] == 13);
		CHECK(ia && ia[16] == 0 && ia[17] == 2); /* NoAddrsAvail */
	}
}

static void dhcpv6_request_reply(void)
{
	uint8_t other[10];
	struct msg m;
	size_t len;
	int t;

	test_ctx(&c);
	for (t = REQUEST; t <= REBIND; t++) {
		if (t == CONFIRM)
			continue;
		msg_std(&m, t, t != REBIND);
		msg_ia_na(&m, t == REQUEST ? "2001:db8::2" : "2001:db8::2");
		CHECK_MSG(run(&m) == 1 && r.len && r.msg[0] == REPLY,
			  "type %i", t);
		CHECK(opt_is(2, our_duid, sizeof(our_duid)));
		CHECK(ia_na_ok());
	}

	/* RENEW of an address that isn't ours: it comes back with zero
	 * lifetimes, then ours (RFC 8415, 18.3.4)
	 */
	msg_std(&m, RENEW, true);
	msg_ia_na(&m, "2001:db8:1::7");
	CHECK(run(&m) == 1 && r.len && r.msg[0] == REPLY);
	{
		uint8_t want[12 + 28 + 28] = { 0x11, 0x22, 0x33, 0x44, 0xff,
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 5, 0, 24 };

		inet_pton(AF_INET6, "2001:db8:1::7", want + 16);
		want[40] = 0;
		want[41] = 5;
		want[42] = 0;
		want[43] = 24;
		inet_pton(AF_INET6, "2001:db8::2", want + 44);
		memset(want + 60, 0xff, 8);
		CHECK(opt_is(3, want, sizeof(want)));
	}

	/* Another server's identifier, or none where one is needed */
	memcpy(other, our_duid, 10);
	other[9] ^= 1;
	msg_init(&m, REQUEST);
	msg_opt(&m, 1, client_duid, sizeof(client_duid));
	msg_opt(&m, 2, other, sizeof(other));
	msg_ia_na(&m, NULL);
	CHECK(run(&m) == 1 && !r.len);
	msg_std(&m, RENEW, false);
	msg_ia_na(&m, NULL);
	CHECK(run(&m) == 1 && !r.len);

	/* ...or one where none may be */
	msg_std(&m, SOLICIT, true);
	msg_ia_na(&m, NULL);
	CHECK(run(&m) == 1 && !r.len);
	msg_std(&m, REBIND, true);
	CHECK(run(&m) == 1 && !r.len);

	/* No client identifier */
	msg_init(&m, SOLICIT);
	msg_ia_na(&m, NULL);
	CHECK(run(&m) == 1 && !r.len);

	/* RELEASE: acknowledged with Success */
	msg_std(&m, RELEASE, true);
	msg_ia_na(&m, "2001:db8::2");
	CHECK(run(&m) == 1 && r.len && r.msg[0] == REPLY);
	CHECK(opt_find(13, &len) && len >= 2 && !opt_find(3, &len));
}

static void dhcpv6_confirm_info(void)
{
	const uint8_t *p;
	struct msg m;
	size_t len;

	test_ctx(&c);
	msg_std(&m, CONFIRM, false);
	msg_ia_na(&m, "2001:db8::2");
	CHECK(run(&m) == 1 && r.len && r.msg[0] == REPLY);
	p = opt_find(13, &len);
	CHECK(p && len >= 2 && p[0] == 0 && p[1] == 0);
	CHECK(!opt_find(3, &len));

	msg_std(&m, CONFIRM, false);
	msg_ia_na(&m, "2001:db8:1::2");
	CHECK(run(&m) == 1 && r.len);
	p = opt_find(13, &len);
	CHECK(p && len >= 2 && p[0] == 0 && p[1] == 4);	/* NotOnLink */

	/* Nothing to confirm: no reply (RFC 8415, 18.3.3) */
	msg_std(&m, CONFIRM, false);
	msg_ia_na(&m, NULL);
	CHECK(run(&m) == 1 && !r.len);

	/* INFORMATION-REQUEST: configuration, no addresses */
	msg_std(&m, INFO_REQ, false);
	CHECK(run(&m) == 1 && r.len && r.msg[0] == REPLY);
	CHECK(!opt_find(3, &len) && opt_find(23, &len) && len == 16);
	CHECK(opt_find(24, &len));
	msg_init(&m, INFO_REQ);
	CHECK(run(&m) == 1 && r.len && r.msg[0] == REPLY);
	CHECK(!opt_find(1, &len));
}

static void dhcpv6_flags(void)
{
	struct msg m;
	size_t len;

	msg_std(&m, SOLICIT, false);
	msg_ia_na(&m, NULL);

	test_ctx(&c);
	c.no_dhcp_dns = true;
	c.no_dhcp_dns_search = true;
	c.fqdn[0] = 0;
	CHECK(run(&m) == 1 && r.len && ia_na_ok());
	CHECK(!opt_find(23, &len) && !opt_find(24, &len));
	CHECK(!opt_find(39, &len));

	test_ctx(&c);
	c.no_dhcpv6 = true;
	CHECK(run(&m) == 1 && !r.len);

	/* Not for a DHCPv6 server */
	{
		uint8_t buf[FRAME_BUF];
		struct frame_info fi;
		struct iovec iov;
		size_t n;

		test_ctx(&c);
		n = udp6_frame(buf, "2001:db8::2", "2001:db8::53", 546, 53,
			       m.b, m.len, &fi);
		iov = guarded(buf, n);
		CHECK(dhcpv6_process(&c, &iov, &fi, &r) == 0 && !r.len);
		CHECK(dhcpv6(&c, &iov, &fi) == 0);
	}

	/* Long search list: domains that fit in a minimum-MTU reply */
	test_ctx(&c);
	for (len = 0; len < DNS_SEARCH_MAX; len++) {
		memset(c.dns_search[len], 'a' + len, 63);
		c.dns_search[len][63] = '.';
		memset(c.dns_search[len] + 64, 'b', 63);
		c.dns_search[len][127] = '.';
		memset(c.dns_search[len] + 128, 'c', 63);
		strcpy(c.dns_search[len] + 191, ".example.org");
	}
	CHECK(run(&m) == 1 && r.len && r.len <= DHCPV6_MSG_MAX);
	CHECK(opt_find(24, &len) && len % 205 == 0 && len >= 205 * 4);
	CHECK(ia_na_ok());
}

static void dhcpv6_hostile(void)
{
	struct msg m, base;
	uint8_t ia[64];

	test_ctx(&c);
	msg_std(&base, SOLICIT, false);

	m = base;
	m.len = 3;
	CHECK(run(&m) == 1 && !r.len);			/* truncated header */

	m = base;
	msg_opt(&m, 3, ia, 12);
	m.b[m.len - 12 - 1] = 13;			/* IA_NA past the end */
	CHECK(run(&m) == 1 && !r.len);

	m = base;
	msg_opt(&m, 3, ia, 11);				/* IA_NA too short */
	CHECK(run(&m) == 1 && !r.len);

	m = base;
	memset(ia, 0, sizeof(ia));
	ia[13] = 5;
	ia[15] = 23; /* IA Address too short */
	msg_opt(&m, 3, ia, 12 + 4 + 23);
	CHECK(run(&m) == 1 && !r.len);

	m = base;
	ia[15] = 40;					/* past the IA_NA */
	msg_opt(&m, 3, ia, 12 + 4 + 24);
	CHECK(run(&m) == 1 && !r.len);

	m = base;
	ia[15] = 24;
	msg_opt(&m, 3, ia, 12 + 3);			/* half a header */
	CHECK(run(&m) == 1 && !r.len);

	m = base;
	msg_opt(&m, 14, "x", 1);			/* rapid commit, data */
	CHECK(run(&m) == 1 && !r.len);

	m = base;
	msg_opt(&m, 8, "x", 1);				/* elapsed time */
	CHECK(run(&m) == 1 && !r.len);

	m = base;
	msg_opt(&m, 6, "x", 1);				/* odd ORO */
	CHECK(run(&m) == 1 && !r.len);

	msg_init(&m, SOLICIT);
	msg_opt(&m, 1, "x", 1);				/* 1-byte client ID */
	CHECK(run(&m) == 1 && !r.len);

	msg_init(&m, SOLICIT);
	msg_opt(&m, 1, client_duid, sizeof(client_duid));
	m.b[m.len++] = 0;				/* half an option */
	m.b[m.len++] = 3;
	CHECK(run(&m) == 1 && !r.len);

	m = base;
	m.b[7] = 200;					/* client ID overlong */
	CHECK(run(&m) == 1 && !r.len);

	m = base;
	msg_opt(&m, 39, NULL, 0);			/* empty FQDN */
	CHECK(run(&m) == 1 && !r.len);

	/* Replies, relay messages and unknown types from the guest */
	m = base;
	m.b[0] = ADVERTISE;
	CHECK(run(&m) == 1 && !r.len);
	m.b[0] = REPLY;
	CHECK(run(&m) == 1 && !r.len);
	m.b[0] = 12;
	CHECK(run(&m) == 1 && !r.len);
	m.b[0] = 0;
	CHECK(run(&m) == 1 && !r.len);
	m.b[0] = 255;
	CHECK(run(&m) == 1 && !r.len);

	/* From the unspecified address: nowhere to answer */
	{
		uint8_t buf[FRAME_BUF];
		struct frame_info fi;
		struct iovec iov;
		size_t n;

		n = udp6_frame(buf, "::", "ff02::1:2", 546, 547, base.b,
			       base.len, &fi);
		iov = guarded(buf, n);
		CHECK(dhcpv6_process(&c, &iov, &fi, &r) == 1 && !r.len);

		/* UDP length below its header, frame shorter than told */
		n = udp6_frame(buf, "fe80::2", "ff02::1:2", 546, 547, base.b,
			       base.len, &fi);
		buf[fi.l4_off + 4] = 0;
		buf[fi.l4_off + 5] = 7;
		iov = guarded(buf, n);
		CHECK(dhcpv6_process(&c, &iov, &fi, &r) == 1 && !r.len);
		n = udp6_frame(buf, "fe80::2", "ff02::1:2", 546, 547, base.b,
			       base.len, &fi);
		iov = guarded(buf, n - 1);
		CHECK(dhcpv6_process(&c, &iov, &fi, &r) == 1 && !r.len);
	}
}

static void dhcpv6_through_tap(void)
{
	uint8_t buf[FRAME_BUF], out[FRAME_BUF];
	struct frame_info fi;
	struct iovec iov;
	struct msg m;
	size_t len;
	ssize_t n;
	int peer;

	test_ctx(&c);
	peer = tap_pair(&c);
	msg_std(&m, SOLICIT, false);
	msg_ia_na(&m, NULL);
	len = udp6_frame(buf, "fe80::5054:ff:fe12:3456", "ff02::1:2", 546, 547,
			 m.b, m.len, &fi);
	CHECK(tap_frame_in(&c, buf, len, &iov, &fi) == 0);
	CHECK(dhcpv6(&c, &iov, &fi) == 1);
	n = recv(peer, out, sizeof(out), 0);
	dhcpv6_process(&c, &iov, &fi, &r);

	CHECK(n == (ssize_t)(ETH_HLEN + 40 + 8 + r.len));
	CHECK(!memcmp(out, guest_mac, 6) && !memcmp(out + 6, our_mac, 6));
	CHECK(out[12] == 0x86 && out[13] == 0xdd);
	CHECK(out[ETH_HLEN + 6] == IPPROTO_UDP);
	CHECK(!memcmp(out + ETH_HLEN + 40, "\x02\x23\x02\x22", 4));
	CHECK(n > 0 && l4_csum_ok(out, n));
	CHECK(n > 62 && !memcmp(out + 62, r.msg, r.len) &&
	      out[62] == ADVERTISE);
	CHECK(recv(peer, out, sizeof(out), 0) < 0);

	len = udp6_frame(buf, "2001:db8::2", "2001:db8::53", 40000, 53,
			 m.b, m.len, &fi);
	CHECK(tap_frame_in(&c, buf, len, &iov, &fi) == 0);
	CHECK(dhcpv6(&c, &iov, &fi) == 0);
	CHECK(recv(peer, out, sizeof(out), 0) < 0);

	tap_pair_close(&c, peer);
}

static void dhcpv6_fuzz(void)
{
	uint8_t buf[FRAME_BUF], mb[FRAME_BUF];
	unsigned replies = 0, i;
	struct frame_info fi, f;
	uint32_t seed = 3;
	struct msg m;
	size_t len;

	test_ctx(&c);
	msg_std(&m, REQUEST, true);
	msg_ia_na(&m, "2001:db8::2");
	msg_opt(&m, 39, "\x01\x01x\x00", 4);
	len = udp6_frame(buf, "fe80::2", "ff02::1:2", 546, 547, m.b, m.len,
			 &fi);

	for (i = 0; i < 200000; i++) {
		size_t n = mutate(mb, buf, len, fi.l4_off, &seed);
		struct iovec iov = guarded(mb, n);

		f = fi;
		if (i % 2)
			f.l4_len = n >= f.l4_off ? n - f.l4_off : 0;
		dhcpv6_process(&c, &iov, &f, &r);
		if (r.len) {
			replies++;
			CHECK(r.len <= DHCPV6_MSG_MAX);
		}
	}
	CHECK_MSG(replies > 1000, "only %u replies", replies);
	printf("  %u replies to 200000 mutated requests\n", replies);
}

int main(void)
{
	RUN(dhcpv6_advertise);
	RUN(dhcpv6_request_reply);
	RUN(dhcpv6_confirm_info);
	RUN(dhcpv6_flags);
	RUN(dhcpv6_hostile);
	RUN(dhcpv6_through_tap);
	RUN(dhcpv6_fuzz);
	UNIT_EXIT();
}
