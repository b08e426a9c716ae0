/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Domain names in DNS wire format (RFC 1035, 3.1), as carried by the
 * built-in services: DHCP options 15/81/119, DHCPv6 options 24/39 and the
 * NDP DNSSL option. Names come from our own configuration, never from the
 * guest, but are still checked: a bad name is skipped, not truncated.
 */
#ifndef DNS_NAME_H
#define DNS_NAME_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* RFC 1035, 2.3.4 */
#define DNS_LABEL_MAX		63
/* Encoded name: length octets, labels and the root label */
#define DNS_WIRE_NAME_MAX	255

ssize_t dns_name_encode(const char *name, uint8_t *buf, size_t size);

#endif /* DNS_NAME_H */
