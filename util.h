/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers with no dependencies on the rest of the program: array,
 * bitmap and arithmetic macros, time arithmetic, whole writes and reads,
 * number and MAC address parsing. Bottom of the dependency stack.
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
#include <unistd.h>
#include <sys/syscall.h>

/* C libraries other than glibc may lack the close_range() wrapper (musl) */
#ifndef __GLIBC__
#define close_range(first, last, flags)					\
	syscall(SYS_close_range, (first), (last), (flags))
#endif

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


#define MAC_ADDR_LEN		6




/* Time helpers */
#define NS_PER_SEC		1000000000LL
#define MS_PER_SEC		1000LL
#define US_PER_SEC		1000000LL
#define NS_PER_MS		1000000LL
#define US_PER_MS		1000LL
#define NS_PER_US		1000LL

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
	       (a->tv_nsec - b->tv_nsec) / NS_PER_MS;
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
