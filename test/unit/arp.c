// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for arp.c: replies to requests, silence for the guest's own
 * address, probes and announcements, and malformed frames behind a guard
 * page.
 */

#include <net/if_arp.h>

#include "unit.h"
#include "frames.h"
#include "arp.h"

static struct ctx_run c_run;
static struct ctx c = { .run = &c_run };
static uint8_t reply[ARP_FRAME_LEN];
static size_t reply_len;

static size_t arp_req(uint8_t *b, const char *spa, const char *tpa,
		      struct frame_info *fi)
{
	size_t off = eth_put(b, ETH_P_ARP);
	uint8_t *a = b + off;

	a[0] = 0; a[1] = 1;			/* Ethernet */
	a[2] = 0x08; a[3] = 0x00;		/* IPv4 */
	a[4] = 6; a[5] = 4;
	a[6] = 0; a[7] = 1;			/* request */
	memcpy(a + 8, guest_mac, 6);
	inet_pton(AF_INET, spa, a + 14);
	memset(a + 18, 0, 6);
	inet_pton(AF_INET, tpa, a + 24);

	memset(fi, 0, sizeof(*fi));
	fi->ethertype = ETH_P_ARP;
	fi->l3_off = off;
	return off + 28;
}

static int run(const uint8_t *b, size_t len, const struct frame_info *fi)
{
	struct iovec iov = guarded(b, len);

	return arp_reply_build(&c, &iov, fi, reply, &reply_len);
}

static bool ip_at(size_t off, const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return !memcmp(reply + off, &a, 4);
}

static void arp_reply_contents(void)
{
	static const uint8_t hdr[] = { 0, 1, 8, 0, 6, 4, 0, 2 };
	struct frame_info fi;
	uint8_t b[64];
	size_t len;

	test_ctx(&c);
	len = arp_req(b, "192.0.2.2", "192.0.2.1", &fi);
	CHECK(run(b, len, &fi) == 1);
	CHECK(reply_len == ARP_FRAME_LEN);
	CHECK(!memcmp(reply, guest_mac, 6) && !memcmp(reply + 6, our_mac, 6));
	CHECK(reply[12] == 0x08 && reply[13] == 0x06);
	CHECK(!memcmp(reply + 14, hdr, sizeof(hdr)));
	CHECK(!memcmp(reply + 22, our_mac, 6) && ip_at(28, "192.0.2.1"));
	CHECK(!memcmp(reply + 32, guest_mac, 6) && ip_at(38, "192.0.2.2"));

	/* Any address, on or off the subnet */
	len = arp_req(b, "192.0.2.2", "203.0.113.9", &fi);
	CHECK(run(b, len, &fi) == 1 && reply_len && ip_at(28, "203.0.113.9"));

	/* Padded to the Ethernet minimum: fine */
	memset(b + len, 0, 60 - len);
	CHECK(run(b, 60, &fi) == 1 && reply_len == ARP_FRAME_LEN);

	CHECK(arp(&c, &(struct iovec){ b, len }, &fi) == 1);
}

static void arp_silence(void)
{
	struct frame_info fi;
	uint8_t b[64];
	size_t len;

	test_ctx(&c);

	/* The guest's own address */
	len = arp_req(b, "192.0.2.7", "192.0.2.2", &fi);
	CHECK(run(b, len, &fi) == 1 && !reply_len);

	/* RFC 5227 probe, announcement */
	len = arp_req(b, "0.0.0.0", "192.0.2.1", &fi);
	CHECK(run(b, len, &fi) == 1 && !reply_len);
	len = arp_req(b, "192.0.2.9", "192.0.2.9", &fi);
	CHECK(run(b, len, &fi) == 1 && !reply_len);

	/* Replies from the guest: nothing learnt, nothing sent */
	len = arp_req(b, "192.0.2.2", "192.0.2.1", &fi);
	b[21] = 2;
	CHECK(run(b, len, &fi) == 1 && !reply_len);

	/* IPv4 disabled */
	c.ipv4_enabled = false;
	len = arp_req(b, "192.0.2.2", "192.0.2.1", &fi);
	CHECK(run(b, len, &fi) == 1 && !reply_len);

	/* Not ARP */
	test_ctx(&c);
	fi.ethertype = ETH_P_IP;
	CHECK(run(b, len, &fi) == 0 && !reply_len);
}

static void arp_hostile(void)
{
	struct frame_info fi;
	uint8_t b[64];
	size_t len, i;

	test_ctx(&c);
	len = arp_req(b, "192.0.2.2", "192.0.2.1", &fi);

	for (i = 0; i < len; i++) {
		CHECK_MSG(run(b, i, &fi) == 1 && !reply_len,
			  "truncated to %zu bytes", i);
	}

	b[18] = 16;					/* hlen */
	CHECK(run(b, len, &fi) == 1 && !reply_len);
	b[18] = 6;
	b[19] = 16;					/* plen */
	CHECK(run(b, len, &fi) == 1 && !reply_len);
	b[19] = 4;
	b[15] = 6;					/* IEEE 802 */
	CHECK(run(b, len, &fi) == 1 && !reply_len);
	b[15] = 1;
	b[16] = 0x86;					/* IPv6 */
	b[17] = 0xdd;
	CHECK(run(b, len, &fi) == 1 && !reply_len);

	/* Header offset past the end */
	len = arp_req(b, "192.0.2.2", "192.0.2.1", &fi);
	fi.l3_off = 20;
	CHECK(run(b, len, &fi) == 1 && !reply_len);
	fi.l3_off = (size_t)-1;
	CHECK(run(b, len, &fi) == 1 && !reply_len);
}

static void arp_through_tap(void)
{
	uint8_t b[64], out[128];
	struct frame_info fi;
	struct iovec iov;
	size_t len;
	ssize_t n;
	int peer;

	test_ctx(&c);
	peer = tap_pair(&c);
	len = arp_req(b, "192.0.2.2", "192.0.2.1", &fi);
	CHECK(tap_frame_in(&c, b, len, &iov, &fi) == 0);
	CHECK(arp(&c, &iov, &fi) == 1);
	n = recv(peer, out, sizeof(out), 0);
	arp_reply_build(&c, &iov, &fi, reply, &reply_len);
	CHECK(n == ARP_FRAME_LEN && !memcmp(out, reply, ARP_FRAME_LEN));

	len = arp_req(b, "192.0.2.2", "192.0.2.2", &fi);
	CHECK(tap_frame_in(&c, b, len, &iov, &fi) == 0);
	CHECK(arp(&c, &iov, &fi) == 1);
	CHECK(recv(peer, out, sizeof(out), 0) < 0);

	tap_pair_close(&c, peer);
}

static void arp_fuzz(void)
{
	uint8_t b[64], m[64];
	struct frame_info fi;
	unsigned i, replies = 0;
	uint32_t seed = 11;
	size_t len;

	test_ctx(&c);
	len = arp_req(b, "192.0.2.2", "192.0.2.1", &fi);
	for (i = 0; i < 100000; i++) {
		size_t n = mutate(m, b, len, 14, &seed);

		run(m, n, &fi);
		if (reply_len) {
			replies++;
			CHECK(reply_len == ARP_FRAME_LEN);
			CHECK(!memcmp(reply + 22, our_mac, 6));
		}
	}
	CHECK(replies > 100);
}

int main(void)
{
	RUN(arp_reply_contents);
	RUN(arp_silence);
	RUN(arp_hostile);
	RUN(arp_through_tap);
	RUN(arp_fuzz);
	UNIT_EXIT();
}
