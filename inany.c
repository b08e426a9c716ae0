// SPDX-License-Identifier: GPL-2.0-or-later
/* inany.c - Text and socket address conversions for union inany_addr, so
 * that no protocol handler writes its own.
 */

#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "inany.h"

/**
 * inany_pton() - Parse an IPv4 or IPv6 address into a union inany_addr
 * @src:	Address as text
 * @dst:	Parsed address, IPv4 as v4-mapped
 *
 * Return: AF_INET or AF_INET6 on success, 0 if @src is not an address
 */
int inany_pton(const char *src, union inany_addr *dst)
{
	struct in_addr a4;

	if (inet_pton(AF_INET, src, &a4) == 1) {
		inany_from_v4(dst, a4);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, src, &dst->a6) == 1)
		return AF_INET6;
	return 0;
}

/**
 * inany_ntop() - Print a union inany_addr, IPv4 in dotted form
 * @a:		Address
 * @buf:	Output buffer
 * @size:	Size of @buf, at least INANY_ADDRSTRLEN
 *
 * Return: @buf
 */
const char *inany_ntop(const union inany_addr *a, char *buf, size_t size)
{
	const struct in_addr *v4 = inany_v4(a);

	if (v4)
		return inet_ntop(AF_INET, v4, buf, size);
	return inet_ntop(AF_INET6, &a->a6, buf, size);
}

/**
 * sockaddr_from_inany() - Build a socket address from an address and port
 * @sa:		Socket address to fill
 * @a:		Address (IPv4 as v4-mapped gives an AF_INET address)
 * @port:	Port, host order
 *
 * Return: length of the socket address, for the system call taking it
 */
socklen_t sockaddr_from_inany(union sockaddr_inany *sa,
			      const union inany_addr *a, in_port_t port)
{
	const struct in_addr *v4 = inany_v4(a);

	memset(sa, 0, sizeof(*sa));
	if (v4) {
		sa->sa4.sin_family = AF_INET;
		sa->sa4.sin_addr = *v4;
		sa->sa4.sin_port = htons(port);
		return sizeof(sa->sa4);
	}
	sa->sa6.sin6_family = AF_INET6;
	sa->sa6.sin6_addr = a->a6;
	sa->sa6.sin6_port = htons(port);
	return sizeof(sa->sa6);
}

/**
 * inany_from_sockaddr() - Address and port of a socket address
 * @a:		Address to fill, IPv4 as v4-mapped
 * @port:	Port to fill, host order; may be NULL
 * @sa:		Socket address
 *
 * Return: 0 on success, -1 for a family other than AF_INET and AF_INET6
 */
int inany_from_sockaddr(union inany_addr *a, in_port_t *port,
			const union sockaddr_inany *sa)
{
	in_port_t p;

	if (sa->sa.sa_family == AF_INET) {
		inany_from_v4(a, sa->sa4.sin_addr);
		p = ntohs(sa->sa4.sin_port);
	} else if (sa->sa.sa_family == AF_INET6) {
		a->a6 = sa->sa6.sin6_addr;
		p = ntohs(sa->sa6.sin6_port);
	} else {
		return -1;
	}
	if (port)
		*port = p;
	return 0;
}
