// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for checksum.c: known answers, compared byte by byte as they
 * go on the wire, so that a host of either byte order must get them right:
 * the example of RFC 1071, an odd length, an IPv4 header, UDP over IPv4 and
 * IPv6 with their pseudo-headers; and sums over buffer lists split at odd
 * places matching the sum of the same bytes in one piece.
 */

#include <stdbool.h>
#include <string.h>
#include <arpa/inet.h>

#include "unit.h"
#include "checksum.h"

/**
 * wire() - Does a checksum, stored as is, read as two given bytes?
 * @sum:	Checksum as returned, to be stored without conversion
 * @hi:		First byte expected on the wire
 * @lo:		Second byte
 *
 * Return: true if it matches
 */
static bool wire(uint16_t sum, uint8_t hi, uint8_t lo)
{
	uint8_t b[2];

	memcpy(b, &sum, sizeof(b));
	return b[0] == hi && b[1] == lo;
}

static void test_known(void)
{
	/* RFC 1071, 3: words 0001 f203 f4f5 f6f7 sum to ddf2 */
	static const uint8_t rfc[] = { 0x00, 0x01, 0xf2, 0x03,
				       0xf4, 0xf5, 0xf6, 0xf7 };
	static const uint8_t odd[] = { 0x01, 0x02, 0x03 };
	uint8_t ip4[] = {
		0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00,
		0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01,
		0xc0, 0xa8, 0x00, 0xc7,
	};
	uint16_t sum;

	CHECK(wire(csum(rfc, sizeof(rfc), 0), 0x22, 0x0d));
	CHECK(wire(csum(odd, sizeof(odd), 0), 0xfb, 0xfd));

	sum = csum_ip4_header(ip4, sizeof(ip4));
	CHECK(wire(sum, 0xb8, 0x61));
	memcpy(ip4 + 10, &sum, sizeof(sum));	/* and it verifies */
	CHECK(csum(ip4, sizeof(ip4), 0) == 0);
}

static void test_pseudo(void)
{
	/* Ports 1234 to 5678, length 12, payload "abcd" */
	static const uint8_t udp[] = { 0x04, 0xd2, 0x16, 0x2e, 0x00, 0x0c,
				       0x00, 0x00, 'a', 'b', 'c', 'd' };
	struct in6_addr s6, d6;
	struct in_addr s4, d4;
	uint32_t sum;

	CHECK(inet_pton(AF_INET, "192.0.2.1", &s4) == 1);
	CHECK(inet_pton(AF_INET, "192.0.2.2", &d4) == 1);
	sum = csum_pseudo4(sizeof(udp), IPPROTO_UDP, s4, d4);
	CHECK(wire(csum(udp, sizeof(udp), sum), 0x9c, 0x0b));

	CHECK(inet_pton(AF_INET6, "2001:db8::1", &s6) == 1);
	CHECK(inet_pton(AF_INET6, "2001:db8::2", &d6) == 1);
	sum = csum_pseudo6(sizeof(udp), IPPROTO_UDP, &s6, &d6);
	CHECK(wire(csum(udp, sizeof(udp), sum), 0xc4, 0x9a));
}

static void test_iov(void)
{
	uint8_t buf[61];
	struct iovec iov[4] = {
		{ buf, 3 }, { buf + 3, 10 }, { buf + 13, 1 }, { buf + 14, 47 },
	};
	unsigned i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 37 + 11);

	CHECK(csum_fold(csum_iov(iov, 4, 0, 0)) == csum(buf, sizeof(buf), 0));
	CHECK(csum_fold(csum_iov(iov, 4, 5, 0)) ==
	      csum(buf + 5, sizeof(buf) - 5, 0));
	CHECK(csum_fold(csum_iov(iov, 4, 13, 0)) ==
	      csum(buf + 13, sizeof(buf) - 13, 0));
}

int main(void)
{
	RUN(test_known);
	RUN(test_pseudo);
	RUN(test_iov);
	UNIT_EXIT();
}
