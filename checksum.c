// SPDX-License-Identifier: GPL-2.0-or-later
/* checksum.c - The Internet checksum (RFC 1071), computed as 32-bit partial
 * sums that callers combine (pseudo-header, headers, payload) and
 * fold once at the end.
 */

#include <string.h>
#include <arpa/inet.h>

#include "checksum.h"

/**
 * csum_unfolded() - Add a buffer to a partial (unfolded) checksum
 * @buf:	Data, any alignment
 * @len:	Length of @buf; an odd length pads with a zero byte
 * @init:	Partial sum to add to
 *
 * Return: new partial sum, to be folded with csum_fold()
 */
uint32_t csum_unfolded(const void *buf, size_t len, uint32_t init)
{
	const uint8_t *p = buf;
	uint64_t sum = init;

	while (len >= 8) {
		uint32_t w[2];

		memcpy(w, p, sizeof(w));
		sum += (uint64_t)w[0] + w[1];
		p += 8;
		len -= 8;
	}
	while (len >= 2) {
		uint16_t w;

		memcpy(&w, p, sizeof(w));
		sum += w;
		p += 2;
		len -= 2;
	}
	if (len) {
		uint16_t w = 0;

		memcpy(&w, p, 1);
		sum += w;
	}

	while (sum >> 32)
		sum = (sum & 0xffffffff) + (sum >> 32);
	return (uint32_t)sum;
}

/**
 * csum_fold() - Fold a partial sum into a final (complemented) checksum
 * @sum:	Partial sum, in network byte order lanes
 *
 * Return: checksum, ready to be stored as is
 */
uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/**
 * csum() - Checksum of a buffer, with a starting partial sum
 * @buf:	Data
 * @len:	Length of @buf
 * @init:	Partial sum (e.g. pseudo-header) to start from
 *
 * Return: folded checksum
 */
uint16_t csum(const void *buf, size_t len, uint32_t init)
{
	return csum_fold(csum_unfolded(buf, len, init));
}

/**
 * csum_ip4_header() - Checksum of an IPv4 header, checksum field zeroed
 * @iph:	Header, with its checksum field set to zero
 * @hlen:	Header length in bytes
 *
 * Return: value to store in the checksum field
 */
uint16_t csum_ip4_header(const void *iph, size_t hlen)
{
	return csum(iph, hlen, 0);
}

/**
 * csum_pseudo4() - Partial sum of the IPv4 pseudo-header (RFC 768/9293)
 * @l4len:	L4 header plus payload length, host order
 * @proto:	L4 protocol number
 * @saddr:	Source address
 * @daddr:	Destination address
 *
 * Return: partial sum
 */
uint32_t csum_pseudo4(uint16_t l4len, uint8_t proto, struct in_addr saddr,
		      struct in_addr daddr)
{
	uint16_t tail[2] = { htons(proto), htons(l4len) };
	uint32_t sum = 0;

	sum = csum_unfolded(&saddr, sizeof(saddr), sum);
	sum = csum_unfolded(&daddr, sizeof(daddr), sum);
	return csum_unfolded(tail, sizeof(tail), sum);
}

/**
 * csum_pseudo6() - Partial sum of the IPv6 pseudo-header (RFC 8200, 8.1)
 * @l4len:	Upper-layer packet length, host order
 * @proto:	Next header value of the upper layer
 * @saddr:	Source address
 * @daddr:	Destination address
 *
 * Return: partial sum
 */
uint32_t csum_pseudo6(uint32_t l4len, uint8_t proto,
		      const struct in6_addr *saddr,
		      const struct in6_addr *daddr)
{
	uint16_t tail[3] = { htons(l4len >> 16), htons(l4len & 0xffff),
			     htons(proto) };
	uint32_t sum = 0;

	sum = csum_unfolded(saddr, sizeof(*saddr), sum);
	sum = csum_unfolded(daddr, sizeof(*daddr), sum);
	return csum_unfolded(tail, sizeof(tail), sum);
}
