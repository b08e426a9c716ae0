/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One type for an IPv4 or IPv6 address (IPv4 held v4-mapped), and the
 * conversions between it, socket addresses and text that every protocol
 * handler needs. Depends on nothing of the program's own.
 */
#ifndef INANY_H
#define INANY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

/**
 * union inany_addr - IPv4 or IPv6 address, IPv4 stored as v4-mapped IPv6
 * @a6:		IPv6 (or v4-mapped) view
 * @v4mapped:	Structured view of a v4-mapped address
 * @u32:	32-bit words, for hashing
 */
union inany_addr {
	struct in6_addr a6;
	struct {
		uint8_t zero[10];
		uint8_t one[2];
		struct in_addr a4;
	} v4mapped;
	uint32_t u32[4];
};

/**
 * inany_v4() - IPv4 address of a v4-mapped union inany_addr
 * @a:		Address
 *
 * Return: pointer to the IPv4 part, NULL if @a is not v4-mapped
 */
static inline const struct in_addr *inany_v4(const union inany_addr *a)
{
	if (!IN6_IS_ADDR_V4MAPPED(&a->a6))
		return NULL;
	return &a->v4mapped.a4;
}

/**
 * inany_from_v4() - Set union inany_addr from an IPv4 address
 * @a:		Address to set
 * @v4:		IPv4 address
 */
static inline void inany_from_v4(union inany_addr *a, struct in_addr v4)
{
	memset(a->v4mapped.zero, 0, sizeof(a->v4mapped.zero));
	a->v4mapped.one[0] = a->v4mapped.one[1] = 0xff;
	a->v4mapped.a4 = v4;
}

/**
 * inany_equals() - Compare two union inany_addr
 * @a:		First address
 * @b:		Second address
 *
 * Return: true if equal
 */
static inline bool inany_equals(const union inany_addr *a,
				const union inany_addr *b)
{
	return IN6_ARE_ADDR_EQUAL(&a->a6, &b->a6);
}

/**
 * inany_is_unspecified() - Test for 0.0.0.0 (mapped) or ::
 * @a:		Address
 *
 * Return: true if unspecified
 */
static inline bool inany_is_unspecified(const union inany_addr *a)
{
	const struct in_addr *v4 = inany_v4(a);

	if (v4)
		return v4->s_addr == htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(&a->a6);
}

/**
 * inany_is_loopback() - Test for 127.0.0.0/8 (mapped) or ::1
 * @a:		Address
 *
 * Return: true if loopback
 */
static inline bool inany_is_loopback(const union inany_addr *a)
{
	const struct in_addr *v4 = inany_v4(a);

	if (v4)
		return (ntohl(v4->s_addr) >> 24) == IN_LOOPBACKNET;
	return IN6_IS_ADDR_LOOPBACK(&a->a6);
}


#define INANY_ADDRSTRLEN	INET6_ADDRSTRLEN

/**
 * union sockaddr_inany - Socket address of either family
 * @sa:		Generic view, for system calls
 * @sa4:	IPv4 socket address
 * @sa6:	IPv6 socket address
 */
union sockaddr_inany {
	struct sockaddr sa;
	struct sockaddr_in sa4;
	struct sockaddr_in6 sa6;
};

int inany_pton(const char *src, union inany_addr *dst);
const char *inany_ntop(const union inany_addr *a, char *buf, size_t size);
socklen_t sockaddr_from_inany(union sockaddr_inany *sa,
			      const union inany_addr *a, in_port_t port);
int inany_from_sockaddr(union inany_addr *a, in_port_t *port,
			const union sockaddr_inany *sa);

#endif /* INANY_H */
