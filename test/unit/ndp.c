// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for ndp.c: Router Advertisement contents (flags, prefix, MTU,
 * RDNSS, DNSSL, source link-layer address, checksum), Neighbour
 * Advertisements, what we must not answer (the guest's own addresses,
 * DAD), configuration flags, and malformed messages behind a guard page.
 */

#include <netinet/icmp6.h>

#include "unit.h"
#include "frames.h"
#include "ndp.h"

static struct ctx_run c_run;
static struct ctx c = { .run = &c_run };
static struct ndp_reply r;

static int run_l4(const char *src, const char *dst, uint8_t hop_limit,
		  const void *l4, size_t len)
{
	uint8_t buf[FRAME_BUF];
	struct frame_info fi;
	struct iovec iov;
	size_t n;

	n = ip6_frame(buf, src, dst, IPPROTO_ICMPV6, hop_limit, l4, len, &fi);
	iov = guarded(buf, n);
	return ndp_process(&c, &iov, &fi, &r);
}

static size_t rs(uint8_t *b, bool slla)
{
	memset(b, 0, 16);
	b[0] = ND_ROUTER_SOLICIT;
	if (!slla)
		return 8;
	b[8] = ND_OPT_SOURCE_LINKADDR;
	b[9] = 1;
	memcpy(b + 10, guest_mac, 6);
	return 16;
}

static size_t ns(uint8_t *b, const char *target, bool slla)
{
	memset(b, 0, 32);
	b[0] = ND_NEIGHBOR_SOLICIT;
	inet_pton(AF_INET6, target, b + 8);
	if (!slla)
		return 24;
	b[24] = ND_OPT_SOURCE_LINKADDR;
	b[25] = 1;
	memcpy(b + 26, guest_mac, 6);
	return 32;
}

static bool a6_is(const struct in6_addr *a, const char *s)
{
	struct in6_addr b;

	inet_pton(AF_INET6, s, &b);
	return IN6_ARE_ADDR_EQUAL(a, &b);
}

static bool bytes_are_a6(const uint8_t *p, const char *s)
{
	struct in6_addr b;

	inet_pton(AF_INET6, s, &b);
	return !memcmp(p, &b, 16);
}

/* Checksum over pseudo-header and message must fold to zero */
static bool csum_ok(void)
{
	uint32_t sum = csum_pseudo6(r.len, IPPROTO_ICMPV6, &r.src, &r.dst);

	return csum(r.msg, r.len, sum) == 0;
}

/**
 * ra_opt() - Find an option in our Router Advertisement
 * @type:	Option type
 * @len:	Set to the option length in bytes
 *
 * Return: pointer to the option, NULL if absent or if options are bad
 */
static const uint8_t *ra_opt(uint8_t type, size_t *len)
{
	size_t off = sizeof(struct nd_router_advert);

	while (off + 2 <= r.len) {
		size_t l = r.msg[off + 1] * 8;

		if (!l || off + l > r.len)
			return NULL;
		if (r.msg[off] == type) {
			*len = l;
			return r.msg + off;
		}
		off += l;
	}
	return NULL;
}

static void ndp_ra_contents(void)
{
	static const uint8_t dnssl[] = {
		31, 5, 0, 0, 0xff, 0xff, 0xff, 0xff,
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'o', 'r', 'g', 0,
		4, 't', 'e', 's', 't', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0,
		0, 0, 0, 0, 0,
	};
	const uint8_t *o;
	uint8_t b[64];
	size_t len;

	test_ctx(&c);
	CHECK(run_l4("fe80::5054:ff:fe12:3456", "ff02::2", 255, b,
		     rs(b, true)) == 1);
	CHECK(r.len > 16 && r.len <= NDP_MSG_MAX);
	CHECK(a6_is(&r.src, "fe80::1"));
	CHECK(a6_is(&r.dst, "fe80::5054:ff:fe12:3456"));
	CHECK(csum_ok());
	CHECK(r.msg[0] == ND_ROUTER_ADVERT && r.msg[1] == 0);
	CHECK(r.msg[4] == 64);					/* hop limit */
	CHECK(r.msg[5] == (ND_RA_FLAG_MANAGED | ND_RA_FLAG_OTHER));
	CHECK(r.msg[6] << 8 == (9000 & 0xff00) && r.msg[7] == (9000 & 0xff));
	CHECK(!memcmp(r.msg + 8, "\0\0\0\0\0\0\0\0", 8));

	o = ra_opt(ND_OPT_SOURCE_LINKADDR, &len);
	CHECK(o && len == 8 && !memcmp(o + 2, our_mac, 6));

	o = ra_opt(ND_OPT_MTU, &len);
	CHECK(o && len == 8 && !memcmp(o + 2, "\0\0\0\0\xff\xf0", 6));

	o = ra_opt(ND_OPT_PREFIX_INFORMATION, &len);
	CHECK(o && len == 32);
	if (o) {
		CHECK(o[2] == 64);
		CHECK(o[3] == (ND_OPT_PI_FLAG_ONLINK | ND_OPT_PI_FLAG_AUTO));
		CHECK(!memcmp(o + 4, "\xff\xff\xff\xff\xff\xff\xff\xff", 8));
		CHECK(!memcmp(o + 12, "\0\0\0\0", 4));
		CHECK(bytes_are_a6(o + 16, "2001:db8::"));
	}

	o = ra_opt(25, &len);
	CHECK(o && len == 24);
	if (o) {
		CHECK(!memcmp(o + 2, "\0\0\xff\xff\xff\xff", 6));
		CHECK(bytes_are_a6(o + 8, "2001:db8::53"));
	}

	o = ra_opt(31, &len);
	CHECK(o && len == sizeof(dnssl) && !memcmp(o, dnssl, sizeof(dnssl)));

	/* From ::, to all-nodes */
	CHECK(run_l4("::", "ff02::2", 255, b, rs(b, false)) == 1);
	CHECK(r.len && a6_is(&r.dst, "ff02::1") && csum_ok());

	/* Another configured link-local address (conf() chooses it: see
	 * test/unit/conf.c for a link-local gateway)
	 */
	inet_pton(AF_INET6, "fe80::abcd", &c.ip6.our_tap_ll);
	CHECK(run_l4("fe80::2", "ff02::2", 255, b, rs(b, true)) == 1);
	CHECK(r.len && a6_is(&r.src, "fe80::abcd") && csum_ok());
}

static void ndp_ra_flags(void)
{
	size_t len;
	uint8_t b[64];

	test_ctx(&c);
	c.no_dhcpv6 = true;
	c.no_dhcp_dns = true;
	c.mtu = 0;
	CHECK(run_l4("fe80::2", "ff02::2", 255, b, rs(b, true)) == 1);
	CHECK(r.len && r.msg[5] == 0);
	CHECK(!ra_opt(25, &len) && ra_opt(31, &len));
	CHECK(!ra_opt(ND_OPT_MTU, &len));
	CHECK(ra_opt(ND_OPT_PREFIX_INFORMATION, &len));

	test_ctx(&c);
	c.no_dhcp_dns_search = true;
	c.mtu = 1000;		/* below the IPv6 minimum: not advertised */
	memset(&c.ip6.addr, 0, 16);
	CHECK(run_l4("fe80::2", "ff02::2", 255, b, rs(b, true)) == 1);
	CHECK(r.len && r.msg[5] == ND_RA_FLAG_OTHER);
	CHECK(ra_opt(25, &len) && !ra_opt(31, &len));
	CHECK(!ra_opt(ND_OPT_MTU, &len));
	CHECK(!ra_opt(ND_OPT_PREFIX_INFORMATION, &len));

	test_ctx(&c);
	c.no_ra = true;
	CHECK(run_l4("fe80::2", "ff02::2", 255, b, rs(b, true)) == 1);
	CHECK(!r.len);
	CHECK(run_l4("fe80::2", "ff02::1:ff00:1", 255, b,
		     ns(b, "2001:db8::1", true)) == 1);
	CHECK(r.len && r.msg[0] == ND_NEIGHBOR_ADVERT);

	test_ctx(&c);
	c.no_ndp = true;
	CHECK(run_l4("fe80::2", "ff02::2", 255, b, rs(b, true)) == 1);
	CHECK(!r.len);
	CHECK(run_l4("fe80::2", "ff02::1:ff00:1", 255, b,
		     ns(b, "2001:db8::1", true)) == 1);
	CHECK(!r.len);

	/* Search list too long for one RA: domains that fit, whole */
	test_ctx(&c);
	for (len = 0; len < DNS_SEARCH_MAX; len++) {
		memset(c.dns_search[len], 'a' + len, 63);
		strcpy(c.dns_search[len] + 63, ".");
		memset(c.dns_search[len] + 64, 'b', 63);
		strcpy(c.dns_search[len] + 127, ".");
		memset(c.dns_search[len] + 128, 'c', 63);
		strcpy(c.dns_search[len] + 191, ".example.org");
	}
	CHECK(run_l4("fe80::2", "ff02::2", 255, b, rs(b, true)) == 1);
	CHECK(r.len && r.len <= NDP_MSG_MAX && csum_ok());
	{
		const uint8_t *o = ra_opt(31, &len);

		CHECK(o && len > 8 * 25 && (len - 8) / 205 == 5);
	}
}

static void ndp_na(void)
{
	uint8_t b[32];

	test_ctx(&c);
	CHECK(run_l4("fe80::2", "ff02::1:ff00:1", 255, b,
		     ns(b, "2001:db8::1", true)) == 1);
	CHECK(r.len == 32 && csum_ok());
	CHECK(r.msg[0] == ND_NEIGHBOR_ADVERT && r.msg[1] == 0);
	CHECK(r.msg[4] == 0xe0); /* Router, Solicited, Override */
	CHECK(bytes_are_a6(r.msg + 8, "2001:db8::1"));
	CHECK(r.msg[24] == ND_OPT_TARGET_LINKADDR && r.msg[25] == 1);
	CHECK(!memcmp(r.msg + 26, our_mac, 6));
	CHECK(a6_is(&r.src, "2001:db8::1") && a6_is(&r.dst, "fe80::2"));

	/* Without source link-layer address option: still fine */
	CHECK(run_l4("2001:db8::2", "2001:db8::77", 255, b,
		     ns(b, "2001:db8::77", false)) == 1);
	CHECK(r.len == 32 && a6_is(&r.dst, "2001:db8::2") && csum_ok());
	CHECK(a6_is(&r.src, "2001:db8::77"));

	/* Our own link-local address, as a neighbour */
	CHECK(run_l4("fe80::2", "ff02::1:ff00:1", 255, b,
		     ns(b, "fe80::1", true)) == 1);
	CHECK(r.len == 32);

	/* The guest's own addresses: never */
	inet_pton(AF_INET6, "fe80::2", &c.run->addr6_ll_seen);
	inet_pton(AF_INET6, "2001:db8::5", &c.run->addr6_seen);
	CHECK(run_l4("fe80::2", "ff02::1:ff00:2", 255, b,
		     ns(b, "2001:db8::2", true)) == 1 && !r.len);
	CHECK(run_l4("fe80::2", "ff02::1:ff00:5", 255, b,
		     ns(b, "2001:db8::5", true)) == 1 && !r.len);
	CHECK(run_l4("2001:db8::2", "ff02::1:ff00:2", 255, b,
		     ns(b, "fe80::2", true)) == 1 && !r.len);
	CHECK(run_l4("fe80::9", "ff02::1:ff00:9", 255, b,
		     ns(b, "fe80::9", true)) == 1 && !r.len);

	/* Duplicate Address Detection: only for our address, to all nodes */
	CHECK(run_l4("::", "ff02::1:ff12:3456", 255, b,
		     ns(b, "fe80::5054:ff:fe12:3456", false)) == 1 && !r.len);
	CHECK(run_l4("::", "ff02::1:ff00:1234", 255, b,
		     ns(b, "2001:db8::1234", false)) == 1 && !r.len);
	CHECK(run_l4("::", "ff02::1:ff00:1", 255, b,
		     ns(b, "fe80::1", false)) == 1);
	CHECK(r.len == 32 && r.msg[4] == 0xa0 && a6_is(&r.dst, "ff02::1"));
	CHECK(csum_ok());
}

static void ndp_not_ours(void)
{
	uint8_t b[64] = { ICMP6_ECHO_REQUEST, 0, 0, 0, 0, 1, 0, 1 };
	struct frame_info fi;
	struct iovec iov;
	size_t n;

	test_ctx(&c);
	CHECK(run_l4("2001:db8::2", "2001:db8::1", 64, b, 16) == 0 && !r.len);
	b[0] = ICMP6_DST_UNREACH;
	CHECK(run_l4("2001:db8::2", "2001:db8::1", 64, b, 16) == 0);
	b[0] = 138;
	CHECK(run_l4("2001:db8::2", "2001:db8::1", 255, b, 16) == 0);

	/* RA, NA and Redirect from the guest: ours, ignored */
	b[0] = ND_ROUTER_ADVERT;
	CHECK(run_l4("fe80::2", "ff02::1", 255, b, 16) == 1 && !r.len);
	b[0] = ND_NEIGHBOR_ADVERT;
	CHECK(run_l4("fe80::2", "ff02::1", 255, b, 24) == 1 && !r.len);
	b[0] = ND_REDIRECT;
	CHECK(run_l4("fe80::2", "ff02::1", 255, b, 40) == 1 && !r.len);

	/* UDP isn't NDP */
	n = udp6_frame(b, "fe80::2", "ff02::1", 1, 2, "", 0, &fi);
	iov = guarded(b, n);
	CHECK(ndp_process(&c, &iov, &fi, &r) == 0);
	CHECK(ndp(&c, &iov, &fi) == 0);
}

static void ndp_hostile(void)
{
	uint8_t b[64];
	size_t n;

	test_ctx(&c);

	/* Hop limit below 255: could come from off-link, RFC 4861 6.1 */
	CHECK(run_l4("fe80::2", "ff02::2", 254, b, rs(b, true)) == 1 &&
	      !r.len);
	CHECK(run_l4("fe80::2", "ff02::1:ff00:1", 64, b,
		     ns(b, "2001:db8::1", true)) == 1 && !r.len);

	/* Non-zero code */
	rs(b, true);
	b[1] = 1;
	CHECK(run_l4("fe80::2", "ff02::2", 255, b, 16) == 1 && !r.len);

	/* Option of length zero: an endless loop if not caught */
	rs(b, true);
	b[9] = 0;
	CHECK(run_l4("fe80::2", "ff02::2", 255, b, 16) == 1 && !r.len);
	ns(b, "2001:db8::1", true);
	b[25] = 0;
	CHECK(run_l4("fe80::2", "ff02::1:ff00:1", 255, b, 32) == 1 && !r.len);

	/* Option running past the end */
	rs(b, true);
	b[9] = 2;
	CHECK(run_l4("fe80::2", "ff02::2", 255, b, 16) == 1 && !r.len);
	ns(b, "2001:db8::1", true);
	CHECK(run_l4("fe80::2", "ff02::1:ff00:1", 255, b, 30) == 1 && !r.len);
	CHECK(run_l4("fe80::2", "ff02::1:ff00:1", 255, b, 25) == 1 && !r.len);

	/* Truncated messages */
	ns(b, "2001:db8::1", false);
	CHECK(run_l4("fe80::2", "ff02::1:ff00:1", 255, b, 23) == 1 && !r.len);
	CHECK(run_l4("fe80::2", "ff02::1:ff00:1", 255, b, 8) == 1 && !r.len);
	rs(b, false);
	CHECK(run_l4("fe80::2", "ff02::2", 255, b, 7) == 1 && !r.len);
	CHECK(run_l4("fe80::2", "ff02::2", 255, b, 1) == 0 && !r.len);
	CHECK(run_l4("fe80::2", "ff02::2", 255, b, 0) == 0 && !r.len);

	/* Multicast, unspecified or loopback target, multicast source;
	 * link-layer address option with unspecified source
	 */
	CHECK(run_l4("fe80::2", "ff02::1:ff00:1", 255, b,
		     ns(b, "ff02::1", true)) == 1 && !r.len);
	CHECK(run_l4("fe80::2", "ff02::1:ff00:0", 255, b,
		     ns(b, "::", true)) == 1 && !r.len);
	CHECK(run_l4("fe80::2", "ff02::1:ff00:1", 255, b,
		     ns(b, "::1", true)) == 1 && !r.len);
	CHECK(run_l4("ff02::1", "ff02::1:ff00:1", 255, b,
		     ns(b, "2001:db8::1", true)) == 1 && !r.len);
	CHECK(run_l4("ff02::1", "ff02::2", 255, b, rs(b, true)) == 1 &&
	      !r.len);
	CHECK(run_l4("::", "ff02::1:ff00:1", 255, b,
		     ns(b, "fe80::1", true)) == 1 && !r.len);
	CHECK(run_l4("::", "ff02::2", 255, b, rs(b, true)) == 1 && !r.len);

	/* Frame info claiming more than the frame holds */
	{
		uint8_t buf[FRAME_BUF];
		struct frame_info fi;
		struct iovec iov;

		n = ip6_frame(buf, "fe80::2", "ff02::2", IPPROTO_ICMPV6, 255,
			      b, rs(b, true), &fi);
		iov = guarded(buf, n - 1);
		CHECK(ndp_process(&c, &iov, &fi, &r) == 0 && !r.len);
	}
}

static void ndp_through_tap(void)
{
	uint8_t buf[FRAME_BUF], out[FRAME_BUF], l4[64];
	struct frame_info fi;
	struct iovec iov;
	size_t len;
	ssize_t n;
	int peer;

	test_ctx(&c);
	peer = tap_pair(&c);
	len = ip6_frame(buf, "fe80::5054:ff:fe12:3456", "ff02::2",
			IPPROTO_ICMPV6, 255, l4, rs(l4, true), &fi);
	CHECK(tap_frame_in(&c, buf, len, &iov, &fi) == 0);
	CHECK(ndp(&c, &iov, &fi) == 1);
	n = recv(peer, out, sizeof(out), 0);
	ndp_process(&c, &iov, &fi, &r);

	CHECK(n == (ssize_t)(ETH_HLEN + 40 + r.len));
	CHECK(!memcmp(out, guest_mac, 6) && !memcmp(out + 6, our_mac, 6));
	CHECK(out[12] == 0x86 && out[13] == 0xdd);
	CHECK(out[ETH_HLEN + 6] == IPPROTO_ICMPV6);
	CHECK(out[ETH_HLEN + 7] == 255);	/* RFC 4861, 6.1.2 */
	CHECK(bytes_are_a6(out + ETH_HLEN + 8, "fe80::1"));
	CHECK(bytes_are_a6(out + ETH_HLEN + 24, "fe80::5054:ff:fe12:3456"));
	CHECK(n > 0 && l4_csum_ok(out, n));
	CHECK(n > 54 && !memcmp(out + 54, r.msg, r.len));

	len = ip6_frame(buf, "fe80::5054:ff:fe12:3456", "ff02::1:ff00:1",
			IPPROTO_ICMPV6, 255, l4, ns(l4, "2001:db8::1", true),
			&fi);
	CHECK(tap_frame_in(&c, buf, len, &iov, &fi) == 0);
	CHECK(ndp(&c, &iov, &fi) == 1);
	n = recv(peer, out, sizeof(out), 0);
	CHECK(n == ETH_HLEN + 40 + 32 && out[ETH_HLEN + 7] == 255);
	CHECK(n > 0 && l4_csum_ok(out, n) && out[54] == ND_NEIGHBOR_ADVERT);
	CHECK(recv(peer, out, sizeof(out), 0) < 0);

	/* Echo requests go to icmp.c */
	l4[0] = ICMP6_ECHO_REQUEST;
	len = ip6_frame(buf, "2001:db8::2", "2001:db8::1", IPPROTO_ICMPV6, 64,
			l4, 16, &fi);
	CHECK(tap_frame_in(&c, buf, len, &iov, &fi) == 0);
	CHECK(ndp(&c, &iov, &fi) == 0);
	CHECK(recv(peer, out, sizeof(out), 0) < 0);

	tap_pair_close(&c, peer);
}

/* ra_sent() - An unsolicited RA to all nodes was sent, nothing else */
static bool ra_sent(int peer)
{
	uint8_t out[FRAME_BUF];
	ssize_t n = recv(peer, out, sizeof(out), 0);

	if (n < ETH_HLEN + 40 + 16 || recv(peer, out + n, 1, 0) >= 0)
		return false;
	return !memcmp(out, "\x33\x33\x00\x00\x00\x01", 6) &&
	       bytes_are_a6(out + ETH_HLEN + 24, "ff02::1") &&
	       out[ETH_HLEN + 7] == 255 && out[54] == ND_ROUTER_ADVERT &&
	       l4_csum_ok(out, n);
}

static bool nothing_sent(int peer)
{
	uint8_t out[FRAME_BUF];

	return recv(peer, out, sizeof(out), 0) < 0;
}

static void ndp_unsolicited(void)
{
	struct timespec now = { 1000, 500000000 };
	int peer, peer2, i, sent;

	test_ctx(&c);
	peer = tap_pair(&c);

	/* At once for a new guest, then every 10 to 30 s */
	ndp_timer(&c, &now);
	CHECK(ra_sent(peer));
	now.tv_sec += 1;
	ndp_timer(&c, &now);
	CHECK(nothing_sent(peer));
	for (i = 0, sent = 0; i < 30; i++) {
		now.tv_sec++;
		ndp_timer(&c, &now);
		if (ra_sent(peer)) {
			sent++;
			CHECK_MSG(i >= 8, "RA after %i s", i + 2);
		}
	}
	CHECK(sent == 1);

	/* Disabled, or no guest: nothing, however long */
	c.no_ra = true;
	now.tv_sec += 100;
	ndp_timer(&c, &now);
	CHECK(nothing_sent(peer));
	c.no_ra = false;
	c.no_ndp = true;
	ndp_timer(&c, &now);
	CHECK(nothing_sent(peer));
	c.no_ndp = false;

	/* A new guest gets one right away */
	peer2 = tap_pair(&c);
	ndp_timer(&c, &now);
	CHECK(ra_sent(peer2));
	now.tv_sec++;
	ndp_timer(&c, &now);
	CHECK(nothing_sent(peer2));

	close(peer);
	tap_pair_close(&c, peer2);
}

static void ndp_fuzz(void)
{
	uint8_t l4[64], buf[FRAME_BUF], m[FRAME_BUF];
	struct frame_info fi, f;
	unsigned replies = 0, i;
	uint32_t seed = 7;
	size_t len;

	test_ctx(&c);
	for (i = 0; i < 200000; i++) {
		size_t n;
		struct iovec iov;

		if (i % 2)
			len = ip6_frame(buf, "fe80::2", "ff02::2",
					IPPROTO_ICMPV6, 255, l4, rs(l4, true),
					&fi);
		else
			len = ip6_frame(buf, "fe80::2", "ff02::1:ff00:1",
					IPPROTO_ICMPV6, 255, l4,
					ns(l4, "2001:db8::1", true), &fi);

		n = mutate(m, buf, len, fi.l4_off, &seed);
		iov = guarded(m, n);
		f = fi;
		if (i % 4 < 2)
			f.l4_len = n >= f.l4_off ? n - f.l4_off : 0;
		ndp_process(&c, &iov, &f, &r);
		if (r.len) {
			replies++;
			CHECK(r.len <= NDP_MSG_MAX && csum_ok());
		}
	}
	CHECK_MSG(replies > 1000, "only %u replies", replies);
	printf("  %u replies to 200000 mutated solicitations\n", replies);
}

int main(void)
{
	RUN(ndp_ra_contents);
	RUN(ndp_ra_flags);
	RUN(ndp_na);
	RUN(ndp_not_ours);
	RUN(ndp_hostile);
	RUN(ndp_through_tap);
	RUN(ndp_unsolicited);
	RUN(ndp_fuzz);
	UNIT_EXIT();
}
