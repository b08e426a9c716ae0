// SPDX-License-Identifier: GPL-2.0-or-later
/* dns_name.c - Encoding of dotted domain names from our configuration into
 * DNS wire format (RFC 1035, 3.1): a length octet before each label and a
 * zero-length root label at the end. Shared by the DHCP, DHCPv6 and NDP
 * services, which hand the guest search domains and FQDNs in this format.
 */

#include <string.h>

#include "dns_name.h"

/**
 * dns_name_encode() - Encode a dotted domain name in DNS wire format
 * @name:	Name, with or without a trailing dot ("example.org.")
 * @buf:	Output buffer
 * @size:	Size of @buf
 *
 * Return: length of the encoding including the root label, or -1 if @name
 *	   is empty, has an empty or overlong label, or doesn't fit @size
 */
ssize_t dns_name_encode(const char *name, uint8_t *buf, size_t size)
{
	size_t out = 0;
	const char *p = name;

	if (!*name || !strcmp(name, "."))
		return -1;

	while (*p) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);

		if (!len || len > DNS_LABEL_MAX)
			return -1;
		if (out + 1 + len + 1 > size ||
		    out + 1 + len + 1 > DNS_WIRE_NAME_MAX)
			return -1;

		buf[out++] = (uint8_t)len;
		memcpy(buf + out, p, len);
		out += len;

		if (!dot)
			break;
		p = dot + 1;
	}

	buf[out++] = 0;
	return (ssize_t)out;
}
