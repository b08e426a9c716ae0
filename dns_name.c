// SPDX-License-Identifier: GPL-2.0-or-later
/* dns_name.c - Encoding of dotted domain names from our configuration into
 * DNS wire format (RFC 1035, 3.1): a length octet before each label and a
 * zero-length root label at the end. Shared by the DHCP, DHCPv6 and NDP
 * services, which hand the guest search domains and FQDNs in this format.
 */

#include <string.h>
#include <strings.h>

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

/**
 * dns_name_equal_at() - Compare a dotted name with labels in a message
 * @msg:	Message holding uncompressed labels (no pointers followed)
 * @msg_len:	Length of @msg
 * @off:	Offset of the first label in @msg
 * @name:	Dotted name, without trailing dot, to compare with
 *
 * Used for RFC 1035, 4.1.4 compression: @off is where a suffix was already
 * written in full, so only plain labels up to the root label are expected.
 *
 * Return: true if the labels at @off spell @name, ignoring ASCII case
 */
bool dns_name_equal_at(const uint8_t *msg, size_t msg_len, size_t off,
		       const char *name)
{
	const char *p = name;

	while (off < msg_len) {
		size_t len = msg[off++];
		const char *dot;
		size_t nlen;

		if (!len)
			return !*p;
		if (len > DNS_LABEL_MAX || off + len > msg_len || !*p)
			return false;

		dot = strchr(p, '.');
		nlen = dot ? (size_t)(dot - p) : strlen(p);
		if (nlen != len || strncasecmp((const char *)msg + off, p, len))
			return false;

		off += len;
		p += nlen;
		if (*p == '.')
			p++;
	}

	return false;
}
