// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for checksum.c against published and independently verified
 * vectors: the example of RFC 1071 section 3, odd lengths, the IPv4 header
 * worked through in many references (checksum b861), and a UDP over IPv4
 * and a TCP over IPv6 segment whose checksums tcpdump -vv reports correct
 * ("udp sum ok", "cksum 0xe3f9 (correct)"); partial sums chained across
 * even splits must give the same as one flat buffer.
 */

#include <string.h>
#include <arpa/inet.h>

#include "unit.h"
#include "checksum.h"

/* RFC 1071, section 3: sum ddf2, checksum 220d */
static const uint8_t rfc1071[] = {
	0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7,
};

/* IPv4 header, 192.168.0.1 to 192.168.0.199, UDP, checksum b861 */
static const uint8_t ip4_hdr[] = {
	0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00,
	0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01,
	0xc0, 0xa8, 0x00, 0xc7,
};

/* 192.0.2.1:53 to 192.0.2.2:40000, UDP, "hello, world!" (13 bytes, odd):
 * IPv4 header checksum a48c, UDP checksum 7dfe (tcpdump: "udp sum ok")
 */
static const uint8_t udp4_ip[] = {
	0x45, 0x00, 0x00, 0x29, 0x12, 0x34, 0x40, 0x00,
	0x40, 0x11, 0xa4, 0x8c, 0xc0, 0x00, 0x02, 0x01,
	0xc0, 0x00, 0x02, 0x02,
};
static const uint8_t udp4_seg[] = {
	0x00, 0x35, 0x9c, 0x40, 0x00, 0x15, 0x7d, 0xfe,
	'h', 'e', 'l', 'l', 'o', ',', ' ', 'w', 'o', 'r', 'l', 'd', '!',
};

/* [2001:db8::1]:443 to [2001:db8::2]:50000, TCP, PSH ACK, "abcdefg"
 * (7 bytes, odd): checksum e3f9 (tcpdump: "cksum 0xe3f9 (correct)")
 */
static const uint8_t tcp6_seg[] = {
	0x01, 0xbb, 0xc3, 0x50, 0x01, 0x02, 0x03, 0x04,
	0x0a, 0x0b, 0x0c, 0x0d, 0x50, 0x18, 0xff, 0xff,
	0xe3, 0xf9, 0x00, 0x00,
	'a', 'b', 'c', 'd', 'e', 'f', 'g',
};

/**
 * be16() - Read the two bytes at @p as a number, network order
 * @p:		Where, as checksum.c leaves a checksum in memory
 *
 * Return: the value, as written in the vectors above
 */
static uint16_t be16(const void *p)
{
	const uint8_t *b = p;

	return (uint16_t)(b[0] << 8 | b[1]);
}

/**
 * cs() - A checksum from checksum.c as the number written in references
 * @c:		Checksum, as stored into a header
 *
 * Return: @c in host order
 */
static uint16_t cs(uint16_t c)
{
	return be16(&c);
}

/* RFC 1071, section 3: the sum folds to ddf2, the checksum is 220d */
static void csum_rfc1071_example(void)
{
	uint32_t sum = csum_unfolded(rfc1071, sizeof(rfc1071), 0);

	CHECK(cs((uint16_t)~csum_fold(sum)) == 0xddf2);
	CHECK(cs(csum_fold(sum)) == 0x220d);
	CHECK(cs(csum(rfc1071, sizeof(rfc1071), 0)) == 0x220d);
	/* Byte order independence (RFC 1071, 2 (B)): swapped words, swapped
	 * sum
	 */
	{
		uint8_t sw[sizeof(rfc1071)];
		unsigned i;

		for (i = 0; i < sizeof(sw); i += 2) {
			sw[i] = rfc1071[i + 1];
			sw[i + 1] = rfc1071[i];
		}
		CHECK(cs(csum(sw, sizeof(sw), 0)) == 0x0d22);
	}
}

/* Odd lengths: the last byte counts as the high byte of a zero-padded word */
static void csum_odd_lengths(void)
{
	static const uint8_t one[] = { 0xab };

	/* ab00 -> 54ff */
	CHECK(cs(csum(one, 1, 0)) == 0x54ff);
	/* 0001 + f200 = f201 -> 0dfe */
	CHECK(cs(csum(rfc1071, 3, 0)) == 0x0dfe);
	/* 0001 + f203 + f4f5 + f600 = 2dcf9 -> dcf9 + 2 = dcfb -> 2304 */
	CHECK(cs(csum(rfc1071, 7, 0)) == 0x2304);
	/* Nothing at all: sum 0, checksum ffff */
	CHECK(cs(csum(rfc1071, 0, 0)) == 0xffff);
}

/* The well-known IPv4 header: b861 with the field zeroed, 0 over it all */
static void csum_ip4_header_vector(void)
{
	uint8_t h[sizeof(ip4_hdr)];

	memcpy(h, ip4_hdr, sizeof(h));
	CHECK(csum_ip4_header(h, sizeof(h)) == 0);
	h[10] = h[11] = 0;
	CHECK(cs(csum_ip4_header(h, sizeof(h))) == 0xb861);

	memcpy(h, udp4_ip, sizeof(h));
	h[10] = h[11] = 0;
	CHECK(cs(csum_ip4_header(h, sizeof(h))) == 0xa48c);
}

/* UDP over IPv4, pseudo-header from csum_pseudo4() */
static void csum_udp4_vector(void)
{
	struct in_addr s, d;
	uint8_t seg[sizeof(udp4_seg)];
	uint32_t ph;

	memcpy(&s, udp4_ip + 12, 4);
	memcpy(&d, udp4_ip + 16, 4);
	ph = csum_pseudo4(sizeof(seg), IPPROTO_UDP, s, d);

	memcpy(seg, udp4_seg, sizeof(seg));
	CHECK(csum(seg, sizeof(seg), ph) == 0);
	seg[6] = seg[7] = 0;
	CHECK(cs(csum(seg, sizeof(seg), ph)) == 0x7dfe);
}

/* TCP over IPv6, pseudo-header from csum_pseudo6() */
static void csum_tcp6_vector(void)
{
	struct in6_addr s, d;
	uint8_t seg[sizeof(tcp6_seg)];
	uint32_t ph;

	inet_pton(AF_INET6, "2001:db8::1", &s);
	inet_pton(AF_INET6, "2001:db8::2", &d);
	ph = csum_pseudo6(sizeof(seg), IPPROTO_TCP, &s, &d);

	memcpy(seg, tcp6_seg, sizeof(seg));
	CHECK(csum(seg, sizeof(seg), ph) == 0);
	seg[16] = seg[17] = 0;
	CHECK(cs(csum(seg, sizeof(seg), ph)) == 0xe3f9);

	/* Pseudo-header and segment summed in pieces, as tcp.c does */
	CHECK(cs(csum_fold(csum_unfolded(seg + 20, 7,
					 csum_unfolded(seg, 20, ph)))) ==
	      0xe3f9);
}

/* A sum carried across pieces split at even offsets (as the program chains
 * pseudo-header, header and payload) is the sum of the whole: the TCP over
 * IPv6 vector, split at every even offset
 */
static void csum_chained_splits(void)
{
	uint8_t seg[sizeof(tcp6_seg)];
	size_t a, n = sizeof(seg);
	struct in6_addr s, d;
	uint32_t ph, sum;

	inet_pton(AF_INET6, "2001:db8::1", &s);
	inet_pton(AF_INET6, "2001:db8::2", &d);
	ph = csum_pseudo6(n, IPPROTO_TCP, &s, &d);
	memcpy(seg, tcp6_seg, n);
	seg[16] = seg[17] = 0;

	for (a = 0; a <= n; a += 2) {
		sum = csum_unfolded(seg, a, ph);
		sum = csum_unfolded(seg + a, n - a, sum);
		CHECK_MSG(cs(csum_fold(sum)) == 0xe3f9, "split at %zu", a);
	}
}

int main(void)
{
	RUN(csum_rfc1071_example);
	RUN(csum_odd_lengths);
	RUN(csum_ip4_header_vector);
	RUN(csum_udp4_vector);
	RUN(csum_tcp6_vector);
	RUN(csum_chained_splits);
	UNIT_EXIT();
}
