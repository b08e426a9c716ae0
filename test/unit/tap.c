// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for tap.c: frame parsing (good and hostile frames, each one
 * followed by a guard page), frames built for the guest (checksums checked
 * independently), and sending on a qemu-style socket that fills up: the
 * byte stream must keep its framing.
 */

#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>

#include "unit.h"
#include "frames.h"
#include "epoll_ctl.h"
#include "tap.h"

static struct ctx_run ctx_run;
static struct ctx ctx = { .run = &ctx_run };
static uint8_t frame[TAP_FRAME_MAX];

/**
 * g4_frame() - Build an Ethernet + IPv4 frame from the guest
 * @ihl:	IHL field (header words)
 * @totlen:	Total length field
 * @frag:	Fragment offset and flags field, host order
 * @pad:	Ethernet padding after the IP packet
 *
 * Return: frame length
 */
static size_t g4_frame(int ihl, size_t totlen, uint16_t frag, size_t pad)
{
	struct ethhdr *eh = (struct ethhdr *)frame;
	size_t hlen = (size_t)ihl * 4;
	size_t len = ETH_HLEN + (totlen > hlen ? totlen : hlen);
	struct iphdr iph = { 0 };

	memset(frame, 0, sizeof(frame));
	memcpy(eh->h_dest, our_mac, ETH_ALEN);
	memcpy(eh->h_source, guest_mac, ETH_ALEN);
	eh->h_proto = htons(ETH_P_IP);
	/* Built aside: the header sits at offset 14, as on the wire */
	iph.version = 4;
	iph.ihl = ihl;
	iph.tot_len = htons(totlen);
	iph.frag_off = htons(frag);
	iph.ttl = 64;
	iph.protocol = IPPROTO_UDP;
	iph.saddr = htonl(0xc0000202);		/* 192.0.2.2 */
	iph.daddr = htonl(0xc0000201);		/* 192.0.2.1 */
	memcpy(eh + 1, &iph, sizeof(iph));
	return len + pad;
}

static void tap_parse_ip4_good(void)
{
	struct frame_info fi;
	struct iovec iov;
	size_t len = g4_frame(6, 24 + 8 + 10, 0x4000, 12);

	test_ctx(&ctx);
	iov = guarded(frame, len);
	CHECK(!tap_parse(&ctx, &iov, &fi));
	CHECK(fi.ethertype == ETH_P_IP && fi.l4proto == IPPROTO_UDP);
	CHECK(fi.l3_off == ETH_HLEN && fi.l4_off == ETH_HLEN + 24);
	CHECK(fi.l4_len == 18 && fi.ttl == 64);
	CHECK(iov.iov_len == ETH_HLEN + 42);	/* padding trimmed */
	CHECK(inany_v4(&fi.saddr) &&
	      inany_v4(&fi.saddr)->s_addr == htonl(0xc0000202));
	CHECK(inany_v4(&fi.daddr) &&
	      inany_v4(&fi.daddr)->s_addr == htonl(0xc0000201));
	CHECK(!memcmp(ctx.run->guest_mac, guest_mac, ETH_ALEN));
	CHECK(ctx.run->addr4_seen.s_addr == htonl(0xc0000202));
}

static void tap_parse_ip4_bad(void)
{
	struct frame_info fi;
	struct iovec iov;
	size_t len;

	test_ctx(&ctx);

	len = g4_frame(4, 40, 0, 0);		/* IHL below 5 */
	iov = guarded(frame, len);
	CHECK(tap_parse(&ctx, &iov, &fi) < 0);

	(void)g4_frame(15, 40, 0, 0);		/* options past the end */
	iov = guarded(frame, ETH_HLEN + 40);
	CHECK(tap_parse(&ctx, &iov, &fi) < 0);

	(void)g4_frame(5, 100, 0, 0);		/* longer than the frame */
	iov = guarded(frame, ETH_HLEN + 60);
	CHECK(tap_parse(&ctx, &iov, &fi) < 0);

	len = g4_frame(5, 16, 0, 0);		/* shorter than header */
	iov = guarded(frame, len);
	CHECK(tap_parse(&ctx, &iov, &fi) < 0);

	len = g4_frame(5, 40, 0x2000, 0);	/* more fragments */
	iov = guarded(frame, len);
	CHECK(tap_parse(&ctx, &iov, &fi) == 1);	/* frag.c's */

	len = g4_frame(5, 40, 0x0010, 0);	/* later fragment */
	iov = guarded(frame, len);
	CHECK(tap_parse(&ctx, &iov, &fi) == 1);	/* frag.c's */

	len = g4_frame(5, 40, 0, 0);		/* version 6 in IPv4 */
	frame[ETH_HLEN] = 0x65;
	iov = guarded(frame, len);
	CHECK(tap_parse(&ctx, &iov, &fi) < 0);

	(void)g4_frame(5, 40, 0, 0);		/* every truncation */
	for (len = 0; len < ETH_HLEN + 40; len++) {
		iov = guarded(frame, len);
		CHECK(tap_parse(&ctx, &iov, &fi) < 0);
	}
	CHECK(!ctx.run->addr4_seen.s_addr);
}

/**
 * g6_frame() - Build an Ethernet + IPv6 frame with extension headers
 * @src:	Source address
 * @exts:	Next header values of the extension headers, then L4
 * @n:		Number of extension headers (@exts has @n + 1 entries)
 * @l4len:	L4 bytes after the extension headers
 *
 * Return: frame length; each extension header is 16 bytes
 */
static size_t g6_frame(const char *src, const uint8_t *exts, int n,
			size_t l4len)
{
	struct ethhdr *eh = (struct ethhdr *)frame;
	uint8_t *p = frame + ETH_HLEN + sizeof(struct ip6_hdr);
	struct ip6_hdr ip6h = { 0 };
	int i;

	memset(frame, 0, sizeof(frame));
	memcpy(eh->h_source, guest_mac, ETH_ALEN);
	eh->h_proto = htons(ETH_P_IPV6);
	ip6h.ip6_vfc = 0x60;
	ip6h.ip6_plen = htons(n * 16 + l4len);
	ip6h.ip6_nxt = exts[0];
	ip6h.ip6_hlim = 255;
	inet_pton(AF_INET6, src, &ip6h.ip6_src);
	inet_pton(AF_INET6, "2001:db8::1", &ip6h.ip6_dst);
	memcpy(eh + 1, &ip6h, sizeof(ip6h));
	for (i = 0; i < n; i++, p += 16) {
		p[0] = exts[i + 1];
		p[1] = 1;			/* 16 bytes */
	}
	return ETH_HLEN + sizeof(ip6h) + n * 16 + l4len;
}

static void tap_parse_ip6(void)
{
	static const uint8_t exts[] = { IPPROTO_HOPOPTS, IPPROTO_DSTOPTS,
					IPPROTO_ROUTING, IPPROTO_UDP };
	static const uint8_t frag[] = { IPPROTO_HOPOPTS, IPPROTO_FRAGMENT,
					IPPROTO_UDP };
	struct in6_addr a;
	struct frame_info fi;
	struct iovec iov;
	size_t len;

	test_ctx(&ctx);

	len = g6_frame("2001:db8::2", exts, 3, 20);
	iov = guarded(frame, len + 6);		/* with padding */
	CHECK(!tap_parse(&ctx, &iov, &fi));
	CHECK(fi.ethertype == ETH_P_IPV6 && fi.l4proto == IPPROTO_UDP);
	CHECK(fi.l4_off == ETH_HLEN + 40 + 48 && fi.l4_len == 20);
	CHECK(iov.iov_len == len && fi.ttl == 255);
	inet_pton(AF_INET6, "2001:db8::2", &a);
	CHECK(IN6_ARE_ADDR_EQUAL(&ctx.run->addr6_seen, &a));

	len = g6_frame("fe80::2", exts + 3, 0, 8);
	iov = guarded(frame, len);
	CHECK(!tap_parse(&ctx, &iov, &fi));
	inet_pton(AF_INET6, "fe80::2", &a);
	CHECK(IN6_ARE_ADDR_EQUAL(&ctx.run->addr6_ll_seen, &a));
	inet_pton(AF_INET6, "2001:db8::2", &a);
	CHECK(IN6_ARE_ADDR_EQUAL(&ctx.run->addr6_seen, &a));

	len = g6_frame("::", exts + 3, 0, 8);	/* DAD: nothing learnt */
	iov = guarded(frame, len);
	CHECK(!tap_parse(&ctx, &iov, &fi));
	CHECK(IN6_ARE_ADDR_EQUAL(&ctx.run->addr6_seen, &a));

	len = g6_frame("2001:db8::3", frag, 2, 8);
	iov = guarded(frame, len);
	CHECK(tap_parse(&ctx, &iov, &fi) == 1);	/* frag.c's */

	/* Extension header claiming more than the payload */
	len = g6_frame("2001:db8::3", exts, 3, 0);
	frame[ETH_HLEN + 40 + 32 + 1] = 2;
	iov = guarded(frame, len);
	CHECK(tap_parse(&ctx, &iov, &fi) < 0);

	/* Payload length beyond the frame, and zero (jumbogram) */
	len = g6_frame("2001:db8::3", exts + 3, 0, 8);
	iov = guarded(frame, len - 1);
	CHECK(tap_parse(&ctx, &iov, &fi) < 0);
	frame[ETH_HLEN + 4] = frame[ETH_HLEN + 5] = 0;
	iov = guarded(frame, len);
	CHECK(tap_parse(&ctx, &iov, &fi) < 0);

	/* Every truncation of a frame with extension headers */
	len = g6_frame("2001:db8::3", exts, 3, 0);
	for (len--; len > 0; len--) {
		iov = guarded(frame, len);
		CHECK(tap_parse(&ctx, &iov, &fi) < 0);
	}
	CHECK(IN6_ARE_ADDR_EQUAL(&ctx.run->addr6_seen, &a));
}

static void tap_parse_other(void)
{
	struct ethhdr *eh = (struct ethhdr *)frame;
	struct frame_info fi;
	struct iovec iov;

	test_ctx(&ctx);
	memset(frame, 0, sizeof(frame));
	memset(eh->h_source, 0xff, ETH_ALEN);	/* group address */
	eh->h_proto = htons(ETH_P_ARP);
	iov = guarded(frame, 42);
	CHECK(!tap_parse(&ctx, &iov, &fi));
	CHECK(fi.ethertype == ETH_P_ARP && fi.l3_off == ETH_HLEN);
	CHECK(fi.l4_len == 42 - ETH_HLEN);
	CHECK(!ctx.run->guest_mac[0]);		/* not learnt */

	eh->h_proto = htons(0x88cc);		/* LLDP */
	iov = guarded(frame, 60);
	CHECK(tap_parse(&ctx, &iov, &fi) < 0);

	iov = guarded(frame, ETH_HLEN - 1);
	CHECK(tap_parse(&ctx, &iov, &fi) < 0);
}

#define FUZZ_ROUNDS	200000
#define FUZZ_LEN_MAX	160

static void tap_parse_random(void)
{
	static const uint16_t types[] = { ETH_P_ARP, ETH_P_IP, ETH_P_IPV6 };
	struct frame_info fi;
	struct iovec iov;
	int i, good = 0, bad = 0;
	size_t len, j;

	test_ctx(&ctx);
	srandom(1);
	for (i = 0; i < FUZZ_ROUNDS; i++) {
		len = random() % FUZZ_LEN_MAX;
		for (j = 0; j < len; j++)
			frame[j] = random();
		/* Mostly plausible headers, so the deep paths get exercised */
		if (len > 15 && random() % 8) {
			uint16_t t = types[random() % 3];

			frame[12] = t >> 8;
			frame[13] = t & 0xff;
			frame[14] = (t == ETH_P_IPV6 ? 0x60 : 0x45) |
				    (random() % 4 ? 0 : frame[14] & 0x0f);
			if (t == ETH_P_IPV6 && len > 20) {
				frame[18] = 0;
				frame[19] = random() % (len - 20 + 8);
				frame[20] = random() % 2 ? IPPROTO_HOPOPTS :
							   IPPROTO_DSTOPTS;
			} else if (t == ETH_P_IP && len > 24) {
				frame[16] = 0;
				frame[17] = random() % (len - 14 + 8);
				frame[20] = frame[21] = 0;
			}
		}

		iov = guarded(frame, len);
		if (tap_parse(&ctx, &iov, &fi)) {
			bad++;
			continue;
		}
		good++;
		CHECK(iov.iov_len <= len && fi.l3_off == ETH_HLEN);
		CHECK(fi.l4_off <= iov.iov_len);
		CHECK(fi.l4_off + fi.l4_len == iov.iov_len);
	}
	CHECK_MSG(good > 1000 && bad > 1000, "%i accepted, %i dropped",
		  good, bad);
}

/**
 * passt_ctx() - Context for passt mode on one end of a socket pair
 * @c:		Context
 * @peer:	Set to the other end, the "qemu" side
 */
static void passt_ctx(struct ctx *c, int *peer)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_TAP_PASST };
	int sv[2];

	test_ctx(c);
	c->mode = MODE_PASST;
	c->run->epollfd = epoll_create1(0);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		abort();
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	c->run->fd_tap = sv[0];
	ref.fd = sv[0];
	epoll_add_ref(c->run->epollfd, sv[0], EPOLLIN, ref);
	*peer = sv[1];
}

/**
 * passt_done() - Close the socket pair and epoll of passt_ctx()
 * @c:		Context
 * @peer:	Other end
 */
static void passt_done(struct ctx *c, int peer)
{
	close(c->run->fd_tap);
	close(peer);
	close(c->run->epollfd);
	c->run->fd_tap = -1;
}

/**
 * recv_frame() - Read one length-prefixed frame from the "qemu" side
 * @fd:		Socket
 * @buf:	Buffer, TAP_FRAME_MAX bytes
 *
 * Return: frame length, -1 if none is there
 */
static ssize_t recv_frame(int fd, uint8_t *buf)
{
	uint32_t len;
	size_t got = 0;

	if (recv(fd, &len, 4, MSG_WAITALL) != 4)
		return -1;
	len = ntohl(len);
	if (len > TAP_FRAME_MAX)
		return -1;
	while (got < len) {
		ssize_t n = recv(fd, buf + got, len - got, 0);

		if (n <= 0)
			return -1;
		got += n;
	}
	return len;
}

/**
 * ref_sum() - Reference Internet checksum sum, apart from checksum.c: the
 * plain RFC 1071 loop over big-endian 16-bit words, the odd byte padded
 * with zero, carries folded back in
 * @p:		Bytes
 * @len:	Number of bytes
 * @sum:	Sum so far (of an even number of bytes)
 *
 * Return: folded 16-bit sum, 0xffff if a checksum field in @p is right
 */
static uint32_t ref_sum(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/**
 * ref_ip4_ok() - Reference check of an IPv4 header and its L4 checksum
 * @ip:		IPv4 header, 20 bytes, followed by the L4 header and data
 * @l4len:	L4 length
 * @pseudo:	Include the pseudo-header (UDP, TCP), not for ICMP
 *
 * Return: true if both checksums are right
 */
static bool ref_ip4_ok(const uint8_t *ip, size_t l4len, bool pseudo)
{
	uint32_t sum = 0;

	if (ref_sum(ip, 20, 0) != 0xffff)
		return false;
	if (pseudo) {
		sum = ref_sum(ip + 12, 8, 0);		/* source, destination */
		sum += ip[9];				/* zero, protocol */
		sum += (uint32_t)l4len;
	}
	return ref_sum(ip + 20, l4len, sum) == 0xffff;
}

/**
 * ref_ip6_ok() - Reference check of an L4 checksum over IPv6
 * @ip:		IPv6 header, 40 bytes, followed by the L4 header and data
 * @l4len:	L4 length
 *
 * Return: true if the checksum, pseudo-header included, is right
 */
static bool ref_ip6_ok(const uint8_t *ip, size_t l4len)
{
	uint32_t sum = ref_sum(ip + 8, 32, 0);		/* source, destination */

	sum += (uint32_t)(l4len >> 16) + (uint32_t)(l4len & 0xffff);
	sum += ip[6];					/* next header */
	return ref_sum(ip + 40, l4len, sum) == 0xffff;
}

static void tap_send_udp_icmp(void)
{
	static uint8_t buf[TAP_FRAME_MAX];
	struct in6_addr s6, d6;
	struct in_addr s4, d4;
	struct icmp6_hdr ih6 = { .icmp6_type = ICMP6_ECHO_REPLY };
	struct icmphdr ih = { .type = ICMP_ECHOREPLY };
	ssize_t n;
	int peer;

	passt_ctx(&ctx, &peer);
	s4.s_addr = htonl(0xc0000201);
	d4.s_addr = htonl(0xc0000202);
	inet_pton(AF_INET6, "2001:db8::1", &s6);
	inet_pton(AF_INET6, "2001:db8::2", &d6);

	/* Guest MAC not known yet: broadcast */
	tap_udp4_send(&ctx, s4, 67, d4, 68, "hello", 5);
	n = recv_frame(peer, buf);
	CHECK(n == ETH_HLEN + 20 + 8 + 5);
	CHECK(!memcmp(buf, "\xff\xff\xff\xff\xff\xff", 6));
	CHECK(!memcmp(buf + 6, our_mac, 6));
	CHECK(buf[12] == 0x08 && buf[13] == 0x00);
	CHECK(buf[ETH_HLEN + 8] == TAP_TTL);
	CHECK(buf[ETH_HLEN + 6] == 0x40);		/* DF */
	CHECK(ref_ip4_ok(buf + ETH_HLEN, 13, true));
	CHECK(!memcmp(buf + n - 5, "hello", 5));

	memcpy(ctx.run->guest_mac, guest_mac, ETH_ALEN);
	tap_udp6_send(&ctx, &s6, 547, &d6, 546, "hi", 2);
	n = recv_frame(peer, buf);
	CHECK(n == ETH_HLEN + 40 + 8 + 2);
	CHECK(!memcmp(buf, guest_mac, 6));
	CHECK(buf[ETH_HLEN] >> 4 == 6 && buf[ETH_HLEN + 7] == TAP_TTL);
	CHECK(buf[ETH_HLEN + 6] == IPPROTO_UDP);
	CHECK(ref_ip6_ok(buf + ETH_HLEN, 10));

	ih.un.echo.id = htons(7);
	tap_icmp4_send(&ctx, s4, d4, &ih, sizeof(ih));
	n = recv_frame(peer, buf);
	CHECK(n == ETH_HLEN + 20 + 8);
	CHECK(buf[ETH_HLEN + 9] == IPPROTO_ICMP);
	CHECK(ref_ip4_ok(buf + ETH_HLEN, 8, false));

	/* Multicast destination: 33:33 + last four bytes (RFC 2464) */
	inet_pton(AF_INET6, "ff02::1", &d6);
	tap_icmp6_send(&ctx, &s6, &d6, &ih6, sizeof(ih6));
	n = recv_frame(peer, buf);
	CHECK(n == ETH_HLEN + 40 + 8);
	CHECK(!memcmp(buf, "\x33\x33\x00\x00\x00\x01", 6));
	CHECK(buf[ETH_HLEN + 6] == IPPROTO_ICMPV6);
	CHECK(ref_ip6_ok(buf + ETH_HLEN, 8));

	passt_done(&ctx, peer);
}

/**
 * tap_icmp_error_quotes() - ICMP errors: quote limits, lengths, checksums
 */
static void tap_icmp_error_quotes(void)
{
	static uint8_t buf[TAP_FRAME_MAX], data[2000];
	union inany_addr g4, p4, g6, p6;
	uint8_t hdr[20] = { 0x12, 0x34, 0x00, 0x50, 1, 2, 3, 4, 5, 6 };
	struct in_addr a;
	const uint8_t *q;
	ssize_t n;
	int peer;

	passt_ctx(&ctx, &peer);
	memcpy(ctx.run->guest_mac, guest_mac, ETH_ALEN);
	memset(data, 0xa5, sizeof(data));
	a.s_addr = htonl(0xc0000202);
	inany_from_v4(&g4, a);
	a.s_addr = htonl(0xc0000201);
	inany_from_v4(&p4, a);
	inet_pton(AF_INET6, "2001:db8::2", &g6.a6);
	inet_pton(AF_INET6, "2001:db8::1", &p6.a6);

	/* RFC 792: IP header and the first eight bytes of a 20-byte header */
	tap_icmp_error(&ctx, &p4, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0,
		       &(struct tap_icmp_quote){
			.src = &g4, .dst = &p4, .proto = IPPROTO_TCP,
			.l4len = sizeof(hdr), .hdr = hdr,
			.hlen = TAP_ICMP_QUOTE_L4_MIN });
	n = recv_frame(peer, buf);
	q = buf + ETH_HLEN + 20;
	CHECK(n == ETH_HLEN + 20 + 8 + 20 + 8);
	CHECK(!memcmp(buf + ETH_HLEN + 12, "\xc0\x00\x02\x01", 4));
	CHECK(q[0] == ICMP_DEST_UNREACH && q[1] == ICMP_HOST_UNREACH);
	CHECK(csum(q, 36, 0) == 0);
	CHECK(csum(q + 8, 20, 0) == 0);		/* quoted header's own */
	CHECK(q[8 + 2] == 0 && q[8 + 3] == 40);	/* its total length */
	CHECK(q[8 + 9] == IPPROTO_TCP);
	CHECK(!memcmp(q + 28, hdr, 8));

	/* Over IPv4, 576 bytes in all; next-hop MTU for fragmentation */
	tap_icmp_error(&ctx, &p4, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 1400,
		       &(struct tap_icmp_quote){
			.src = &g4, .dst = &p4, .proto = IPPROTO_UDP,
			.l4len = 8 + sizeof(data), .hdr = hdr,
			.hlen = 8, .data = data, .dlen = sizeof(data) });
	n = recv_frame(peer, buf);
	q = buf + ETH_HLEN + 20;
	CHECK(n == ETH_HLEN + 576);
	CHECK(((q[6] << 8) | q[7]) == 1400);
	CHECK(csum(q, 556, 0) == 0);
	CHECK(q[n - ETH_HLEN - 20 - 1] == 0xa5);

	/* Over IPv6, the minimum MTU of 1280 bytes in all */
	tap_icmp_error(&ctx, &p6, ICMP6_PACKET_TOO_BIG, 0, 1280,
		       &(struct tap_icmp_quote){
			.src = &g6, .dst = &p6, .proto = IPPROTO_UDP,
			.l4len = 8 + sizeof(data), .hdr = hdr, .hlen = 8,
			.data = data, .dlen = sizeof(data) });
	n = recv_frame(peer, buf);
	q = buf + ETH_HLEN + 40;
	CHECK(n == ETH_HLEN + 1280);
	CHECK(q[0] == ICMP6_PACKET_TOO_BIG);
	CHECK(((q[6] << 8) | q[7]) == 1280);
	CHECK(!memcmp(buf + ETH_HLEN + 24, &g6.a6, 16));	/* to guest */
	CHECK(csum(q, 1240, csum_pseudo6(1240, IPPROTO_ICMPV6, &p6.a6,
					 &g6.a6)) == 0);
	CHECK(!memcmp(q + 8 + 8, &g6.a6, 16));	/* quoted source */

	passt_done(&ctx, peer);
}

#define BIG_FRAMES	64
#define STREAM_BYTES	(BIG_FRAMES * (TAP_LEN_BYTES + TAP_FRAME_MAX))

/**
 * drain() - Read everything passt sends, flushing its pending bytes
 * @c:		Context
 * @peer:	"qemu" side of the socket pair
 * @buf:	Stream buffer, STREAM_BYTES
 *
 * Return: bytes read
 */
static size_t drain(struct ctx *c, int peer, uint8_t *buf)
{
	size_t have = 0;
	int idle = 0;

	while (idle < 2 && have < STREAM_BYTES) {
		ssize_t n;

		tap_handler_passt(c, EPOLLOUT);
		n = recv(peer, buf + have, STREAM_BYTES - have, MSG_DONTWAIT);
		if (n > 0) {
			have += n;
			idle = 0;
		} else {
			idle++;
		}
	}
	return have;
}

static void tap_send_full_socket(void)
{
	static uint8_t frames[BIG_FRAMES][TAP_FRAME_MAX];
	static uint8_t stream[STREAM_BYTES];
	struct iovec iov[BIG_FRAMES * 2];
	size_t sent, have, off, i;
	int peer, round;

	passt_ctx(&ctx, &peer);
	for (i = 0; i < BIG_FRAMES; i++) {
		memset(frames[i], (int)i + 1, sizeof(frames[i]));
		/* Two buffers a frame: header part and payload part */
		iov[i * 2].iov_base = frames[i];
		iov[i * 2].iov_len = ETH_HLEN;
		iov[i * 2 + 1].iov_base = frames[i] + ETH_HLEN;
		iov[i * 2 + 1].iov_len = 40001 + i * 301;
	}

	/* The socket fills up each round: frames that went out (perhaps
	 * finished later, on EPOLLOUT) arrive whole and in order
	 */
	for (round = 0; round < 4; round++) {
		sent = tap_send_frames(&ctx, iov, 2, BIG_FRAMES);
		CHECK(sent > 0 && sent < BIG_FRAMES);

		have = drain(&ctx, peer, stream);
		for (i = 0, off = 0; off + TAP_LEN_BYTES <= have; i++) {
			size_t want = ETH_HLEN + 40001 + i * 301;
			uint32_t len;

			memcpy(&len, stream + off, sizeof(len));
			len = ntohl(len);
			off += TAP_LEN_BYTES;
			CHECK_MSG(len == want, "round %i frame %zu: %u != %zu",
				  round, i, len, want);
			if (len != want || off + len > have)
				break;
			CHECK(stream[off] == i + 1 &&
			      stream[off + len - 1] == i + 1);
			off += len;
		}
		CHECK_MSG(i == sent && off == have,
			  "round %i: %zu of %zu frames, %zu of %zu bytes",
			  round, i, sent, off, have);
	}

	passt_done(&ctx, peer);
}

#define PASTA_FRAMES	12

static void tap_pasta_batches(void)
{
	static uint8_t buf[TAP_FRAME_MAX];
	const struct pool *p;
	struct iovec iov[2];
	int rd[2], wr[2], ok = 1;
	size_t i, seen = 0;

	/* A packet-mode pipe reads like a tap device: a frame per read */
	test_ctx(&ctx);
	if (pipe2(rd, O_DIRECT | O_NONBLOCK) || pipe2(wr, O_DIRECT))
		abort();
	ctx.run->fd_tap = rd[0];

	for (i = 0; i < PASTA_FRAMES; i++) {
		size_t len = i == 7 ? ETH_HLEN - 1 : 60 + i * 7;

		memset(buf, (int)i, len);
		if (write(rd[1], buf, len) != (ssize_t)len)
			abort();
	}

	/* Every frame on its own, whatever the length; the short one gone.
	 * Short frames that aren't pure TCP ACKs come one per call
	 */
	p = tap_handler_pasta(&ctx, EPOLLIN);
	CHECK(p->count == 1);
	while (p->count) {
		for (i = 0; i < p->count; i++, seen++) {
			const uint8_t *f = p->pkt[i].iov_base;
			size_t n = seen + (seen >= 7), len = p->pkt[i].iov_len;

			if (len != 60 + n * 7 || f[0] != n || f[len - 1] != n)
				ok = 0;
		}
		p = tap_handler_pasta(&ctx, EPOLLIN);
	}
	CHECK(ok);
	CHECK(seen == PASTA_FRAMES - 1);

	/* Pure TCP ACKs come together; a short segment with data alone */
	for (i = 0; i < 4; i++) {
		size_t len = ETH_HLEN + 40 + (i == 0);

		memset(buf, 0, len);
		buf[12] = 0x08;			/* IPv4 */
		buf[ETH_HLEN] = 0x45;		/* version 4, 20 bytes */
		buf[ETH_HLEN + 3] = (uint8_t)(len - ETH_HLEN);
		buf[ETH_HLEN + 9] = IPPROTO_TCP;
		buf[ETH_HLEN + 20 + 12] = 0x50;	/* TCP header: 20 bytes */
		if (write(rd[1], buf, len) != (ssize_t)len)
			abort();
	}
	CHECK(tap_handler_pasta(&ctx, EPOLLIN)->count == 1);
	CHECK(tap_handler_pasta(&ctx, EPOLLIN)->count == 3);
	CHECK(!tap_handler_pasta(&ctx, EPOLLIN)->count);

	/* Sending: one write per frame, buffers of a frame joined */
	ctx.run->fd_tap = wr[1];
	memset(buf, 0xab, 100);
	iov[0].iov_base = buf;
	iov[0].iov_len = ETH_HLEN;
	iov[1].iov_base = buf + ETH_HLEN;
	iov[1].iov_len = 100 - ETH_HLEN;
	CHECK(tap_send_frames(&ctx, iov, 2, 1) == 1);
	CHECK(tap_send_frames(&ctx, iov, 2, 1) == 1);
	CHECK(read(wr[0], buf, sizeof(buf)) == 100);
	CHECK(read(wr[0], buf, sizeof(buf)) == 100);

	close(rd[0]);
	close(rd[1]);
	close(wr[0]);
	close(wr[1]);
	ctx.run->fd_tap = -1;
}

int main(void)
{
	RUN(tap_parse_ip4_good);
	RUN(tap_parse_ip4_bad);
	RUN(tap_parse_ip6);
	RUN(tap_parse_other);
	RUN(tap_parse_random);
	RUN(tap_send_udp_icmp);
	RUN(tap_icmp_error_quotes);
	RUN(tap_send_full_socket);
	RUN(tap_pasta_batches);
	UNIT_EXIT();
}
