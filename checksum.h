/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internet checksum (RFC 1071) helpers: partial sums, folding, IPv4 header
 * checksums and L4 pseudo-header sums for IPv4 and IPv6.
 */
#ifndef CHECKSUM_H
#define CHECKSUM_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

uint32_t csum_unfolded(const void *buf, size_t len, uint32_t init);
uint16_t csum_fold(uint32_t sum);
uint16_t csum(const void *buf, size_t len, uint32_t init);
uint16_t csum_ip4_header(const void *iph, size_t hlen);
uint32_t csum_pseudo4(uint16_t l4len, uint8_t proto, struct in_addr saddr,
		      struct in_addr daddr);
uint32_t csum_pseudo6(uint32_t l4len, uint8_t proto,
		      const struct in6_addr *saddr,
		      const struct in6_addr *daddr);

#endif /* CHECKSUM_H */
