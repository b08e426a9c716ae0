// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for frag.c: reassembly of IPv4 and IPv6 fragments in order,
 * reversed and shuffled, the frame handed on (aligned, parsed as one
 * datagram, payload intact), hostile sequences (overlap, duplicate, past
 * 65535, too many pieces, TCP), eviction per flow and of the oldest, the
 * timeout, and fragmentation towards the guest read back and reassembled.
 */

#include <fcntl.h>
#include <stdio.h>

#include "unit.h"
#include "frames.h"
#include "frag.h"
#include "json.h"
#include "tap.h"

static struct ctx ctx;
/* Fragment frames are built here, 2 bytes past a 4-byte boundary */
static uint8_t fbuf[FRAME_ALIGN_SLACK + 2048] __attribute__((aligned(4)));
/* Datagram payload being cut into fragments */
static uint8_t dgram[FRAG_PAYLOAD_MAX + 1024];
static const struct timespec t0 = { .tv_sec = 1000 };

/**
 * frag_counter() - A counter from frag_stats_json()
 * @name:	Member name, quoted, with the colon: "\"overlap\":"
 *
 * Return: its value, -1 if not found
 */
static long frag_counter(const char *name)
{
	static char buf[2048];
	struct json j;
	const char *p;

	json_init(&j, buf, sizeof(buf));
	frag_stats_json(&j);
	p = strstr(buf, name);
	return p ? strtol(p + strlen(name), NULL, 10) : -1;
}

/**
 * feed() - Build one fragment from the guest, parse it, hand it to frag.c
 * @v6:		IPv6 (Fragment header), else IPv4
 * @id:		Identification
 * @proto:	Transport protocol
 * @off:	Offset of the piece in the payload
 * @len:	Bytes of the piece, taken from dgram at @off
 * @more:	More fragments follow
 * @whole:	Set to the reassembled frame, if complete
 *
 * Return: frag_input() result, -2 if tap_parse() didn't see a fragment
 */
static int feed(bool v6, uint32_t id, uint8_t proto, size_t off, size_t len,
		bool more, struct iovec *whole)
{
	uint8_t *f = fbuf + FRAME_ALIGN_OFF;
	struct ethhdr *eh = (struct ethhdr *)f;
	struct frame_info fi;
	struct iovec iov;
	size_t hl;

	memcpy(eh->h_dest, our_mac, ETH_ALEN);
	memcpy(eh->h_source, guest_mac, ETH_ALEN);
	if (!v6) {
		struct iphdr iph = { .version = 4, .ihl = 5, .ttl = 64 };

		eh->h_proto = htons(ETH_P_IP);
		iph.tot_len = htons(sizeof(iph) + len);
		iph.id = htons((uint16_t)id);
		iph.frag_off = htons((uint16_t)(off / 8) | (more ? IP_MF : 0));
		iph.protocol = proto;
		iph.saddr = htonl(0xc0000202);
		iph.daddr = htonl(0xc0000201);
		memcpy(f + ETH_HLEN, &iph, sizeof(iph));
		hl = sizeof(iph);
	} else {
		struct ip6_frag fh = { .ip6f_nxt = proto };
		struct ip6_hdr ip6h = { 0 };

		eh->h_proto = htons(ETH_P_IPV6);
		ip6h.ip6_flow = htonl(6U << 28);
		ip6h.ip6_plen = htons(sizeof(fh) + len);
		ip6h.ip6_nxt = IPPROTO_FRAGMENT;
		ip6h.ip6_hlim = 64;
		inet_pton(AF_INET6, "2001:db8::2", &ip6h.ip6_src);
		inet_pton(AF_INET6, "2001:db8::1", &ip6h.ip6_dst);
		fh.ip6f_offlg = htons((uint16_t)off) |
				(more ? IP6F_MORE_FRAG : 0);
		fh.ip6f_ident = htonl(id);
		memcpy(f + ETH_HLEN, &ip6h, sizeof(ip6h));
		memcpy(f + ETH_HLEN + sizeof(ip6h), &fh, sizeof(fh));
		hl = sizeof(ip6h) + sizeof(fh);
	}
	if (ETH_HLEN + hl + len > sizeof(fbuf) - FRAME_ALIGN_OFF)
		abort();
	memcpy(f + ETH_HLEN + hl, dgram + off, len);

	iov.iov_base = f;
	iov.iov_len = ETH_HLEN + hl + len;
	if (tap_parse(&ctx, &iov, &fi) != 1)
		return -2;
	return frag_input(&ctx, &iov, &fi, &t0, whole);
}

/**
 * udp_dgram() - Fill dgram with a UDP header and a patterned payload
 * @len:	Total length, header included
 * @seed:	Pattern
 */
static void udp_dgram(size_t len, unsigned int seed)
{
	struct udphdr uh = { .source = htons(40000), .dest = htons(20000) };
	size_t i;

	for (i = 0; i < len; i++)
		dgram[i] = (uint8_t)(i * 7 + seed);
	uh.len = htons((uint16_t)len);
	memcpy(dgram, &uh, sizeof(uh));
}

/**
 * whole_ok() - Check a reassembled frame
 * @whole:	Frame from frag_input()
 * @v6:		IPv6, else IPv4
 * @len:	Expected payload length
 *
 * Return: true if aligned, parsed as one UDP datagram, payload intact
 */
static bool whole_ok(const struct iovec *whole, bool v6, size_t len)
{
	struct frame_info fi;
	struct iovec iov = *whole;

	if (frame_misalign(iov.iov_base))
		return false;
	if (tap_parse(&ctx, &iov, &fi) || fi.l4proto != IPPROTO_UDP)
		return false;
	if (fi.ethertype != (v6 ? ETH_P_IPV6 : ETH_P_IP) || fi.l4_len != len)
		return false;
	return !memcmp((uint8_t *)iov.iov_base + fi.l4_off, dgram, len);
}

/**
 * frag_orders() - In order, reversed, shuffled; both families
 */
static void frag_orders(void)
{
	static const size_t order[] = { 3, 0, 5, 1, 4, 2 };
	struct iovec whole;
	int v6, i;

	for (v6 = 0; v6 < 2; v6++) {
		udp_dgram(6 * 1000 + 123, 1);

		/* In order */
		for (i = 0; i < 6; i++)
			CHECK(!feed(v6, 1, IPPROTO_UDP, i * 1000UL, 1000, true,
				    &whole));
		CHECK(feed(v6, 1, IPPROTO_UDP, 6000, 123, false, &whole) == 1);
		CHECK(whole_ok(&whole, v6, 6123));
		frag_release();

		/* Reversed: the last piece first */
		CHECK(!feed(v6, 2, IPPROTO_UDP, 6000, 123, false, &whole));
		for (i = 5; i > 0; i--)
			CHECK(!feed(v6, 2, IPPROTO_UDP, i * 1000UL, 1000, true,
				    &whole));
		CHECK(feed(v6, 2, IPPROTO_UDP, 0, 1000, true, &whole) == 1);
		CHECK(whole_ok(&whole, v6, 6123));
		frag_release();

		/* Shuffled */
		udp_dgram(6 * 1000, 9);
		for (i = 0; i < 5; i++)
			CHECK(!feed(v6, 3, IPPROTO_UDP, order[i] * 1000, 1000,
				    order[i] != 5, &whole));
		CHECK(feed(v6, 3, IPPROTO_UDP, order[5] * 1000, 1000, true,
			   &whole) == 1);
		CHECK(whole_ok(&whole, v6, 6000));
		frag_release();
	}

	/* IPv6 atomic fragment: complete at once (RFC 6946) */
	udp_dgram(100, 3);
	CHECK(feed(true, 4, IPPROTO_UDP, 0, 100, false, &whole) == 1);
	CHECK(whole_ok(&whole, true, 100));
	frag_release();

	/* Largest: 65535 bytes of IPv6 payload, 65515 of IPv4 */
	for (v6 = 0; v6 < 2; v6++) {
		size_t total = v6 ? 65535 : 65515, off;

		udp_dgram(total, 5);
		for (off = 0; off + 1280 < total; off += 1280)
			CHECK(!feed(v6, 5, IPPROTO_UDP, off, 1280, true,
				    &whole));
		CHECK(feed(v6, 5, IPPROTO_UDP, off, total - off, false,
			   &whole) == 1);
		frag_release();
	}
	CHECK(!frag_in_flight());
}

/**
 * frag_hostile() - Overlap, duplicate, too long, too many, TCP, bad length
 */
static void frag_hostile(void)
{
	long before;
	struct iovec whole;
	int v6, i;

	udp_dgram(3000, 2);
	for (v6 = 0; v6 < 2; v6++) {
		before = frag_counter("\"overlap\":");
		CHECK(!feed(v6, 10, IPPROTO_UDP, 0, 1000, true, &whole));
		CHECK(!feed(v6, 10, IPPROTO_UDP, 992, 1000, true, &whole));
		CHECK(frag_counter("\"overlap\":") == before + 1);
		CHECK(!frag_in_flight());
		/* The rest can't complete the dropped datagram */
		CHECK(!feed(v6, 10, IPPROTO_UDP, 1000, 1000, true, &whole));
		CHECK(!feed(v6, 10, IPPROTO_UDP, 2000, 1000, false, &whole));
		frag_guest_gone();

		before = frag_counter("\"duplicate\":");
		CHECK(!feed(v6, 11, IPPROTO_UDP, 1000, 1000, true, &whole));
		CHECK(!feed(v6, 11, IPPROTO_UDP, 1000, 1000, true, &whole));
		CHECK(frag_counter("\"duplicate\":") == before + 1);

		before = frag_counter("\"too_long\":");
		CHECK(!feed(v6, 12, IPPROTO_UDP, 0, 1000, true, &whole));
		CHECK(!feed(v6, 12, IPPROTO_UDP, 65528, 1000, false, &whole));
		CHECK(frag_counter("\"too_long\":") == before + 1);

		before = frag_counter("\"inconsistent_end\":");
		CHECK(!feed(v6, 13, IPPROTO_UDP, 2000, 1000, false, &whole));
		CHECK(!feed(v6, 13, IPPROTO_UDP, 3000, 8, true, &whole));
		CHECK(!feed(v6, 14, IPPROTO_UDP, 2000, 1000, true, &whole));
		CHECK(!feed(v6, 14, IPPROTO_UDP, 1000, 8, false, &whole));
		CHECK(frag_counter("\"inconsistent_end\":") == before + 2);

		before = frag_counter("\"too_many_fragments\":");
		for (i = 0; i <= FRAG_PIECES_MAX; i++)
			CHECK(!feed(v6, 15, IPPROTO_UDP, i * 8UL, 8, true,
				    &whole));
		CHECK(frag_counter("\"too_many_fragments\":") == before + 1);

		before = frag_counter("\"tcp\":");
		CHECK(!feed(v6, 16, IPPROTO_TCP, 0, 1000, true, &whole));
		CHECK(frag_counter("\"tcp\":") == before + 1);

		before = frag_counter("\"bad_length\":");
		CHECK(!feed(v6, 17, IPPROTO_UDP, 0, 999, true, &whole));
		CHECK(frag_counter("\"bad_length\":") == before + 1);
		CHECK(!frag_in_flight());
	}
}

/**
 * frag_limits() - Eviction per flow and of the oldest, timeout
 */
static void frag_limits(void)
{
	struct timespec later = t0;
	struct iovec whole;
	long before;
	uint32_t id;

	udp_dgram(2000, 4);
	before = frag_counter("\"evicted\":");
	/* One flow: its own oldest goes past FRAG_FLOW_SLOTS */
	for (id = 100; id < 100 + FRAG_FLOW_SLOTS + 1; id++)
		CHECK(!feed(false, id, IPPROTO_UDP, 0, 1000, true, &whole));
	CHECK(frag_in_flight() == FRAG_FLOW_SLOTS);
	CHECK(frag_counter("\"evicted\":") == before + 1);
	/* The newest still completes, the oldest doesn't */
	CHECK(feed(false, 100 + FRAG_FLOW_SLOTS, IPPROTO_UDP, 1000, 1000,
		   false, &whole) == 1);
	frag_release();
	CHECK(!feed(false, 100, IPPROTO_UDP, 1000, 1000, false, &whole));
	frag_guest_gone();
	CHECK(!frag_in_flight());

	/* Many flows (ICMP and UDP, both families): the table stays full */
	for (id = 0; id < FRAG_SLOTS * 2; id++)
		CHECK(!feed(id % 2, 200 + id, id % 4 < 2 ? IPPROTO_UDP :
			    (id % 2 ? IPPROTO_ICMPV6 : IPPROTO_ICMP),
			    0, 1000, true, &whole));
	CHECK(frag_in_flight() <= FRAG_SLOTS);

	/* Timeout */
	later.tv_sec += FRAG_TIMEOUT_SEC - 1;
	frag_timer(&ctx, &later);
	CHECK(frag_in_flight());
	before = frag_counter("\"timeout\":");
	later.tv_sec++;
	frag_timer(&ctx, &later);
	CHECK(!frag_in_flight());
	CHECK(frag_counter("\"timeout\":") > before);
}

/**
 * frag_round_trip() - Fragments towards the guest, reassembled again
 */
static void frag_round_trip(void)
{
	static uint8_t rbuf[TAP_FRAME_MAX];
	static uint8_t out[ETH_HLEN + 40 + FRAG_PAYLOAD_MAX];
	int v6, fds[2];

	/* Packet mode: a frame per read, as from a tap device */
	if (pipe2(fds, O_DIRECT | O_NONBLOCK) ||
	    fcntl(fds[1], F_SETPIPE_SZ, 1 << 20) < 0)
		abort();
	ctx.run->fd_tap = fds[1];
	ctx.mtu = 1500;

	for (v6 = 0; v6 < 2; v6++) {
		size_t hl = v6 ? 40 : 20, l4 = v6 ? 65535 : 65000, n = 0;
		size_t per = v6 ? (1500 - 48) & ~7UL : 1480;
		struct iovec iov[2], whole = { 0 };
		int done = 0;
		ssize_t r;

		udp_dgram(l4, 6);
		memset(out, 0, ETH_HLEN + hl);
		if (v6)
			tap_ip6_fill(out + ETH_HLEN, &ctx.ip6.addr,
				     &ctx.ip6.addr, IPPROTO_UDP, l4);
		else
			tap_ip4_fill(out + ETH_HLEN, ctx.ip4.addr,
				     ctx.ip4.addr, IPPROTO_UDP, l4);
		tap_eth_fill(&ctx, (struct ethhdr *)out,
			     v6 ? ETH_P_IPV6 : ETH_P_IP);
		iov[0].iov_base = out;
		iov[0].iov_len = ETH_HLEN + hl;
		iov[1].iov_base = dgram;
		iov[1].iov_len = l4;

		/* Fits: the caller sends it */
		ctx.mtu = 65520;
		CHECK(!frag_to_guest(&ctx, iov, 1, tap_send_frames));
		ctx.mtu = 1500;
		CHECK(frag_to_guest(&ctx, iov, 2, tap_send_frames) == 1);

		while ((r = read(fds[0], rbuf, sizeof(rbuf))) > 0) {
			struct iovec f = { fbuf + FRAME_ALIGN_OFF, (size_t)r };
			struct frame_info fi;

			n++;
			CHECK(r <= ETH_HLEN + 1500);
			memcpy(f.iov_base, rbuf, (size_t)r);
			if (tap_parse(&ctx, &f, &fi) != 1)
				continue;
			done += frag_input(&ctx, &f, &fi, &t0, &whole);
		}
		CHECK(n == (l4 + per - 1) / per);
		CHECK(done == 1);
		if (done)
			CHECK(whole_ok(&whole, v6, l4));
		frag_release();
	}

	/* An MTU too small for any payload: dropped, not looping */
	ctx.mtu = 20;
	{
		struct iovec iov = { out, ETH_HLEN + 20 + 100 };

		tap_ip4_fill(out + ETH_HLEN, ctx.ip4.addr, ctx.ip4.addr,
			     IPPROTO_UDP, 100);
		CHECK(frag_to_guest(&ctx, &iov, 1, tap_send_frames) == -1);
	}
	close(fds[0]);
	close(fds[1]);
	ctx.run->fd_tap = -1;
}

int main(void)
{
	test_ctx(&ctx);
	frag_init();
	RUN(frag_orders);
	RUN(frag_hostile);
	RUN(frag_limits);
	RUN(frag_round_trip);
	UNIT_EXIT();
}
