/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers with no dependencies on the rest of the program: array and
 * arithmetic macros, address helpers shared by every layer, the epoll
 * reference encoding and time arithmetic. Bottom of the dependency stack.
 */
#ifndef UTIL_H
#define UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <net/if.h>

#define VERSION			"0.1"

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#ifndef MIN
#define MIN(a, b)		((a) < (b) ? (a) : (b))
#endif
#ifndef MAX
#define MAX(a, b)		((a) > (b) ? (a) : (b))
#endif
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define ROUND_DOWN(x, y)	((x) & ~((y) - 1))
#define ROUND_UP(x, y)		(((x) + (y) - 1) & ~((y) - 1))

#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)

#define BITMAP_BIT(n)		(1UL << ((n) % (sizeof(long) * 8)))
#define BITMAP_WORD(n)		((n) / (sizeof(long) * 8))
#define BITMAP_WORDS(bits)	DIV_ROUND_UP((bits), sizeof(long) * 8)

/**
 * bitmap_set() - Set a bit in a bitmap
 * @map:	Bitmap
 * @bit:	Bit number
 */
static inline void bitmap_set(unsigned long *map, unsigned bit)
{
	map[BITMAP_WORD(bit)] |= BITMAP_BIT(bit);
}

/**
 * bitmap_clear() - Clear a bit in a bitmap
 * @map:	Bitmap
 * @bit:	Bit number
 */
static inline void bitmap_clear(unsigned long *map, unsigned bit)
{
	map[BITMAP_WORD(bit)] &= ~BITMAP_BIT(bit);
}

/**
 * bitmap_isset() - Test a bit in a bitmap
 * @map:	Bitmap
 * @bit:	Bit number
 *
 * Return: true if the bit is set
 */
static inline bool bitmap_isset(const unsigned long *map, unsigned bit)
{
	return !!(map[BITMAP_WORD(bit)] & BITMAP_BIT(bit));
}

#ifndef ETH_MAX_MTU
#define ETH_MAX_MTU		65535
#endif
/* Largest 802.3 MTU minus the Ethernet header, rounded down to 4 bytes */
#define MTU_DEFAULT		65520
#define MTU_MIN_IPV4		68
#define MTU_MIN_IPV6		1280

#define MAC_ADDR_LEN		6
#define MAC_OUR_DEFAULT		{ 0x9a, 0x55, 0x9a, 0x55, 0x9a, 0x55 }

#define IN4_LL_GUEST		"169.254.2.1"
#define IN4_LL_GW		"169.254.2.2"
#define IN6_LL_GW		"fe80::1"

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

int inany_pton(const char *src, union inany_addr *dst);
const char *inany_ntop(const union inany_addr *a, char *buf, size_t size);

#define INANY_ADDRSTRLEN	INET6_ADDRSTRLEN

/**
 * enum epoll_type - Kind of file descriptor registered with epoll
 */
enum epoll_type {
	EPOLL_TYPE_NONE = 0,
	EPOLL_TYPE_TAP_PASTA,		/* tap device fd (pasta) */
	EPOLL_TYPE_TAP_PASST,		/* connected qemu stream socket */
	EPOLL_TYPE_TAP_LISTEN,		/* listening UNIX socket (passt) */
	EPOLL_TYPE_NSQUIT_INOTIFY,	/* namespace gone watch (inotify) */
	EPOLL_TYPE_NSQUIT_TIMER,	/* namespace gone watch (timer) */
	EPOLL_TYPE_TCP,			/* connected TCP socket of a flow */
	EPOLL_TYPE_TCP_SPLICE,		/* spliced TCP socket of a flow */
	EPOLL_TYPE_TCP_LISTEN,		/* listening TCP socket */
	EPOLL_TYPE_TCP_TIMER,		/* per-flow TCP timerfd */
	EPOLL_TYPE_UDP_LISTEN,		/* bound UDP socket for forwarding */
	EPOLL_TYPE_UDP,			/* UDP flow socket */
	EPOLL_TYPE_PING,		/* ICMP/ICMPv6 ping socket */
	EPOLL_TYPE_VHOST_CMD,		/* vhost-user command socket */
	EPOLL_TYPE_VHOST_KICK,		/* vhost-user kick event fd */
	EPOLL_TYPE_UDP_SPLICE_LISTEN,	/* bound UDP socket, loopback bypass */
	EPOLL_TYPE_UDP_SPLICE,		/* UDP socket of a spliced flow */
	EPOLL_TYPE_MAX,
};

#define FD_REF_BITS		24
#define FD_REF_MAX		((1 << FD_REF_BITS) - 1)

/**
 * union epoll_ref - 64-bit reference carried by every epoll event
 * @type:	Kind of file descriptor (enum epoll_type)
 * @fd:		File descriptor number
 * @flow:	Flow table index, for flow sockets
 * @data:	Other per-type data (listening socket rule index, etc.)
 * @u64:	Opaque value for epoll_event.data
 */
union epoll_ref {
	struct {
		uint8_t type;
		int32_t fd:FD_REF_BITS;
		union {
			uint32_t flow;
			uint32_t data;
		};
	};
	uint64_t u64;
};

_Static_assert(sizeof(union epoll_ref) == sizeof(uint64_t),
	       "epoll reference must fit epoll_data");

int epoll_add_ref(int epollfd, int fd, uint32_t events, union epoll_ref ref);

/* Time helpers */
#define NS_PER_SEC		1000000000LL
#define MS_PER_SEC		1000LL

/**
 * timespec_diff_ms() - Milliseconds elapsed between two timestamps
 * @a:		Later time
 * @b:		Earlier time
 *
 * Return: @a - @b, in milliseconds
 */
static inline long long timespec_diff_ms(const struct timespec *a,
					 const struct timespec *b)
{
	return (a->tv_sec - b->tv_sec) * MS_PER_SEC +
	       (a->tv_nsec - b->tv_nsec) / 1000000LL;
}

int write_all(int fd, const void *buf, size_t len);
ssize_t sock_send(int s, const void *buf, size_t len, int flags);
ssize_t sock_recv(int s, void *buf, size_t len, int flags);
int read_file_str(const char *path, char *buf, size_t size);
int write_pidfile(int fd, pid_t pid);
long parse_long(const char *s, long min, long max, int *err);
int parse_mac(const char *s, uint8_t mac[MAC_ADDR_LEN]);
const char *mac_ntop(const uint8_t mac[MAC_ADDR_LEN], char *buf, size_t size);
void raw_random(void *buf, size_t len);

#define MAC_STRLEN		18

#endif /* UTIL_H */
