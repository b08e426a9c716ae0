// SPDX-License-Identifier: GPL-2.0-or-later
/* fwd_auto.c - pasta's automatic port forwarding: "auto" for -t, -u, -T
 * and -U, the default in pasta mode.
 *
 * Every second at most we learn the listening TCP sockets and the bound,
 * unconnected UDP sockets of the host and of the namespace from the kernel:
 * through sock_diag (sock_diag.c), filtered by the kernel to those states,
 * or, where sock_diag isn't available, from /proc/net/{tcp,tcp6,udp,udp6},
 * which list every socket. Ports bound in the namespace get listeners on
 * the host (-t/-u auto), ports bound on the host get listeners in the
 * namespace (-T/-U auto); listeners go away once their port is not bound
 * any more. Both sock_diag sockets and /proc/net files follow the network
 * namespace they were opened in, so the namespace's ones are opened once
 * from inside it, and used from here without switching namespace again.
 *
 * At rest this is the only periodic work: the forwarding table is only
 * rebuilt if the ports found differ from the previous scan's, and the
 * scans, quick after a change, slow down to one a second while nothing
 * changes; the main loop sleeps until the next one is due (see
 * fwd_auto_timeout_ms()).
 *
 * A UDP dump is the costly part: the kernel keeps one UDP hash table for
 * all network namespaces, and walks all of it, every socket of the host,
 * for each dump (and /proc/net/udp{,6} list them all). So a UDP scan of a
 * side first reads the counts of bound UDP sockets of its namespace from
 * /proc/net/sockstat and sockstat6 ("inuse": the kernel moves them when a
 * socket is bound, explicitly or by connect() or sendto(), and closed),
 * and walks only if they differ from those before its last walk, if one
 * of our flows (with its socket) came or went since, or if that walk is
 * old enough: FWD_AUTO_UDP_WALK_MS after activity there, then twice as
 * long after each walk that found nothing new, up to
 * FWD_AUTO_UDP_WALK_MAX_MS. A change that keeps the counts (a port closed
 * and another bound between two scans, a bound socket connected or
 * disconnected) is seen by that next walk.
 *
 * Ports never bounce back: the ports where we listen on a side, and the
 * ports explicitly forwarded from a side, are left out of that side's scan.
 * IPv6 sockets forward IPv4 too: our listeners take both IP versions, on
 * every address on the host, on loopback only in the namespace (see
 * fwd_listen_addrs()). Bound UDP
 * sockets in the ephemeral port range are left out: those are clients.
 */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include "util.h"
#include "log.h"
#include "json.h"
#include "ctx.h"
#include "flow.h"
#include "fwd.h"
#include "pasta.h"
#include "tcp_splice.h"
#include "udp_splice.h"
#include "sock_diag.h"
#include "fwd_auto.h"

/* Bytes read from a /proc/net file per call */
#define FWD_AUTO_BUF_BYTES	65536
/* Longest line we expect in /proc/net/{tcp,udp}{,6}, with slack */
#define FWD_AUTO_LINE_MAX	512

/* TCP states in /proc/net: include/net/tcp_states.h */
#define FWD_AUTO_TCP_LISTEN	0x0a
#define FWD_AUTO_UDP_UNCONN	0x07

/* Scan interval right after a change: doubles up to FWD_AUTO_INTERVAL_MS */
#define FWD_AUTO_FAST_MS	250

/* Age from which the last walk of a side's UDP sockets is redone even if
 * the counts didn't change, after activity on that side (counts moved, a
 * flow of ours came or went, the walk found other ports): with scans at
 * most FWD_AUTO_INTERVAL_MS apart, a change that keeps the counts is seen
 * within FWD_AUTO_UDP_WALK_MS + FWD_AUTO_INTERVAL_MS (3.5 s: passt.1
 * promises 5, leaving time for late timers on a loaded host). Each such
 * walk that finds nothing new doubles the age, up to
 * FWD_AUTO_UDP_WALK_MAX_MS (a change seen within 21 s on a side at rest):
 * a walk reads every slot of the kernel's UDP hash table, 0.8-1 ms with
 * 16,384 of them and 5,000-10,000 sockets on the host, where the sockstat
 * reads of a scan cost a few microseconds, and walking one scan in three
 * was about 60% of an idle pasta's CPU time on such a host.
 */
#define FWD_AUTO_UDP_WALK_MS	2500
#define FWD_AUTO_UDP_WALK_MAX_MS	20000

/* IP versions to scan, as bits: index 0 and 1 of the [IPv4, IPv6] arrays */
#define FWD_AUTO_IPV4		(1U << 0)
#define FWD_AUTO_IPV6		(1U << 1)
#define FWD_AUTO_IPV_ALL	(FWD_AUTO_IPV4 | FWD_AUTO_IPV6)

/* Bytes read from /proc/net/sockstat{,6}: the UDP lines are near the top */
#define FWD_AUTO_SOCKSTAT_BYTES	1024

enum fwd_auto_side {
	FWD_AUTO_HOST = 0,
	FWD_AUTO_NS = 1,
};

enum fwd_auto_proto {
	FWD_AUTO_TCP = 0,
	FWD_AUTO_UDP = 1,
};

static const char *const fwd_auto_proc_path[2][2] = {
	{ "/proc/net/tcp", "/proc/net/tcp6" },
	{ "/proc/net/udp", "/proc/net/udp6" },
};

/* Open /proc/net files: [side][proto][IPv4, IPv6], -1 if not used */
static int fwd_auto_proc[2][2][2] = {
	{ { -1, -1 }, { -1, -1 } }, { { -1, -1 }, { -1, -1 } },
};
/* sock_diag sockets: [side], -1 if unavailable; whether they answer for
 * [side][proto] (if not, that protocol's /proc/net files are read)
 */
static int fwd_auto_diag[2] = { -1, -1 };
static bool fwd_auto_diag_ok[2][2];

/* /proc/net/sockstat and sockstat6, and the line counting bound UDP sockets
 * in each
 */
static const char *const fwd_auto_sockstat_path[2] = {
	"/proc/net/sockstat", "/proc/net/sockstat6",
};
static const char *const fwd_auto_sockstat_key[2] = {
	"UDP: inuse ", "UDP6: inuse ",
};
/* Open sockstat files: [side][IPv4, IPv6], -1 if not used */
static int fwd_auto_sockstat[2][2] = { { -1, -1 }, { -1, -1 } };
/* Bound UDP sockets of [side] [IPv4, IPv6] before its last walk, whether
 * they're known, flow_changes() and the time at that walk, and the age
 * from which a walk is redone anyway
 */
static long fwd_auto_udp_count[2][2];
static bool fwd_auto_udp_count_ok[2];
static unsigned long fwd_auto_udp_flows[2];
static struct timespec fwd_auto_udp_walked[2];
static long fwd_auto_udp_redo_ms[2] = { FWD_AUTO_UDP_WALK_MS,
					FWD_AUTO_UDP_WALK_MS };

/* Our listeners: [side they're on][proto][port][socket], descriptor + 1 */
static uint32_t fwd_auto_fd[2][2][NUM_PORTS][FWD_LISTEN_MAX];
/* Same, as bitmaps, and ports whose listener couldn't be opened */
static unsigned long fwd_auto_ours[2][2][BITMAP_WORDS(NUM_PORTS)];
static unsigned long fwd_auto_failed[2][2][BITMAP_WORDS(NUM_PORTS)];

/* Scratch: ports seen bound, ports to open in the namespace */
static unsigned long fwd_auto_seen[BITMAP_WORDS(NUM_PORTS)];
static in_port_t fwd_auto_add[NUM_PORTS];
static unsigned fwd_auto_add_n;

/* What the last update of [side the listeners are on][proto] acted on */
static unsigned long fwd_auto_prev[2][2][BITMAP_WORDS(NUM_PORTS)];
static bool fwd_auto_prev_ok[2][2];

static char fwd_auto_buf[FWD_AUTO_BUF_BYTES + FWD_AUTO_LINE_MAX];

/* Scans: any due at all, when the next one is, the current interval */
static bool fwd_auto_active;
static struct timespec fwd_auto_due;
static long fwd_auto_interval_ms = FWD_AUTO_FAST_MS;

/* --stats: rounds of scans, time spent in them, rounds that changed
 * something
 */
static unsigned long fwd_auto_stat_scans;
static unsigned long long fwd_auto_stat_ns;
static unsigned long fwd_auto_stat_changes;
/* UDP walks of a side done, and skipped as the counts hadn't changed */
static unsigned long fwd_auto_stat_udp_walks;
static unsigned long fwd_auto_stat_udp_skips;

/**
 * fwd_auto_fwd() - Forwarding table for listeners on a side
 * @c:		Execution context
 * @side:	Side the listeners are on: host for -t/-u, namespace for -T/-U
 * @proto:	FWD_AUTO_TCP or FWD_AUTO_UDP
 *
 * Return: forwarding table
 */
static const struct fwd_ports *fwd_auto_fwd(const struct ctx *c, int side,
					    int proto)
{
	if (side == FWD_AUTO_HOST)
		return proto == FWD_AUTO_TCP ? &c->run->tcp_fwd_in
					     : &c->run->udp_fwd_in;
	return proto == FWD_AUTO_TCP ? &c->run->tcp_fwd_out
				     : &c->run->udp_fwd_out;
}

/**
 * fwd_auto_hex() - Parse a hexadecimal field
 * @p:		Start, advanced past the digits
 * @end:	End of the line
 * @val:	Value, set on success
 *
 * Return: 0 on success, -1 if there are no digits or too many
 */
static int fwd_auto_hex(const char **p, const char *end, unsigned long *val)
{
	const char *s = *p;
	unsigned long v = 0;
	int n = 0;

	for (; s < end && n <= 8; s++, n++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else
			break;
		v = (v << 4) | (unsigned long)d;
	}
	if (!n || n > 8)
		return -1;
	*p = s;
	*val = v;
	return 0;
}

/**
 * fwd_auto_line() - Parse one line of /proc/net/{tcp,udp}{,6}
 * @l:		Start of the line
 * @end:	End of the line (newline excluded)
 * @tcp:	TCP file (listening sockets) rather than UDP (unconnected)
 * @map:	Bitmap of ports, the local port is set if the state matches
 *
 * Format (proc(5)): "sl: local_addr:port rem_addr:port st ...", addresses
 * and ports in hexadecimal. The header line doesn't parse, and is skipped.
 */
static void fwd_auto_line(const char *l, const char *end, bool tcp,
			  unsigned long *map)
{
	const char *p = l, *tok;
	unsigned long port, st, lport = 0;
	int field;

	while (p < end && *p == ' ')
		p++;
	if (fwd_auto_hex(&p, end, &port) || p >= end || *p != ':')
		return;
	p++;

	/* local address:port, then remote address:port */
	for (field = 0; field < 2; field++) {
		while (p < end && *p == ' ')
			p++;
		tok = p;
		while (p < end && isxdigit((unsigned char)*p))
			p++;
		/* IPv4 or IPv6 address: 8 or 32 hexadecimal digits */
		if ((p - tok != 8 && p - tok != 32) || p >= end || *p != ':')
			return;
		p++;
		if (fwd_auto_hex(&p, end, &port))
			return;
		if (!field)
			lport = port;
	}
	while (p < end && *p == ' ')
		p++;
	if (fwd_auto_hex(&p, end, &st))
		return;

	if (st == (tcp ? FWD_AUTO_TCP_LISTEN : FWD_AUTO_UDP_UNCONN) &&
	    lport && lport < NUM_PORTS)
		bitmap_set(map, (unsigned)lport);
}

/**
 * fwd_auto_scan() - Add the bound ports listed in a /proc/net file to a map
 * @fd:		Open /proc/net/{tcp,tcp6,udp,udp6}, read from offset zero
 * @tcp:	TCP (listening sockets) rather than UDP (unconnected sockets)
 * @map:	Bitmap of ports to add to
 *
 * Return: 0 on success, -errno if the file can't be read
 */
int fwd_auto_scan(int fd, bool tcp, unsigned long *map)
{
	size_t carry = 0;
	off_t off = 0;

	for (;;) {
		char *l = fwd_auto_buf, *end, *nl;
		ssize_t n;

		/* #syscalls:pasta pread64 */
		n = pread(fd, fwd_auto_buf + carry, FWD_AUTO_BUF_BYTES, off);
		if (n < 0)
			return -errno;
		if (!n)
			break;
		off += n;
		end = fwd_auto_buf + carry + n;

		while ((nl = memchr(l, '\n', (size_t)(end - l)))) {
			fwd_auto_line(l, nl, tcp, map);
			l = nl + 1;
		}
		carry = (size_t)(end - l);
		if (carry > FWD_AUTO_LINE_MAX)
			carry = 0;	/* not a line we know: drop it */
		else
			memmove(fwd_auto_buf, l, carry);
	}
	if (carry)
		fwd_auto_line(fwd_auto_buf, fwd_auto_buf + carry, tcp, map);
	return 0;
}

/**
 * fwd_auto_sockstat_count() - Find a count in /proc/net/sockstat{,6} text
 * @buf:	File contents (not terminated)
 * @len:	Length of @buf
 * @key:	Start of the line, up to the number: "UDP: inuse "
 *
 * Return: the number after @key at the start of a line, -1 if there is
 *	   none, if it isn't followed by a space or a newline, or is huge
 */
long fwd_auto_sockstat_count(const char *buf, size_t len, const char *key)
{
	size_t klen = strlen(key), i = 0;

	while (i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - buf) : len, d;
		long v = 0;

		if (end - i <= klen || memcmp(buf + i, key, klen)) {
			i = end + 1;
			continue;
		}
		for (d = i + klen; d < end && isdigit((unsigned char)buf[d]);
		     d++) {
			if (v > (long)(INT32_MAX / 10))
				return -1;
			v = v * 10 + (buf[d] - '0');
		}
		/* A number cut short by the end of the buffer isn't one */
		if (d == i + klen || d >= len ||
		    (buf[d] != ' ' && buf[d] != '\n'))
			return -1;
		return v;
	}
	return -1;
}

/**
 * fwd_auto_udp_counts() - Read the counts of bound UDP sockets of a side
 * @side:	Side
 * @count:	Set to the IPv4 and IPv6 counts (IPv6: -1 without sockstat6)
 *
 * Return: 0 on success, -1 if they can't be read
 */
static int fwd_auto_udp_counts(int side, long *count)
{
	int v;

	for (v = 0; v < 2; v++) {
		int fd = fwd_auto_sockstat[side][v];
		ssize_t n;

		count[v] = -1;
		if (fd < 0) {
			if (!v)
				return -1;
			continue;	/* no IPv6 yet: it may come, dump it */
		}
		n = pread(fd, fwd_auto_buf, FWD_AUTO_SOCKSTAT_BYTES, 0);
		if (n <= 0)
			return -1;
		count[v] = fwd_auto_sockstat_count(fwd_auto_buf, (size_t)n,
						   fwd_auto_sockstat_key[v]);
		if (count[v] < 0)
			return -1;
	}
	return 0;
}

/**
 * fwd_auto_udp_active() - Something moved on a side: walk its UDP sockets
 *			   again soon, even if the counts don't change
 * @side:	Side scanned
 */
static void fwd_auto_udp_active(int side)
{
	fwd_auto_udp_redo_ms[side] = FWD_AUTO_UDP_WALK_MS;
}

/**
 * fwd_auto_udp_skip() - Tell if a UDP walk of a side can be skipped
 * @side:	Side to scan
 * @now:	Current timestamp
 * @walk:	Walk anyway (the previous one wasn't acted on)
 *
 * Our own sockets move the counts too: the socket of a new flow, bound
 * while a server's socket closes, leaves them as they were. So the walk is
 * skipped only if no flow came or went since (and fwd_auto_udp_recheck()
 * wasn't called, for our listeners). If it can't be skipped, the counts
 * read are the reference for the next scans, and @now the time of the walk.
 * A walk for its age alone doubles the age for the next one (see
 * FWD_AUTO_UDP_WALK_MAX_MS); any other one, and fwd_auto_udp_active() if
 * a walk finds other ports, bring it back to FWD_AUTO_UDP_WALK_MS.
 *
 * Return: true if the counts of bound sockets haven't changed since the
 *	   last walk, no flow came or went, and that walk isn't old enough
 *	   to be redone
 */
static bool fwd_auto_udp_skip(int side, const struct timespec *now,
			      bool walk)
{
	unsigned long flows = flow_changes();
	bool moved;
	long count[2];

	if (fwd_auto_udp_counts(side, count)) {
		fwd_auto_udp_count_ok[side] = false;
		fwd_auto_udp_active(side);
		return false;
	}
	moved = walk || !fwd_auto_udp_count_ok[side] ||
		memcmp(count, fwd_auto_udp_count[side], sizeof(count)) ||
		flows != fwd_auto_udp_flows[side];
	if (!moved && timespec_diff_ms(now, &fwd_auto_udp_walked[side]) <
		      fwd_auto_udp_redo_ms[side])
		return true;

	if (moved) {
		fwd_auto_udp_active(side);
	} else {
		long *redo = &fwd_auto_udp_redo_ms[side];

		if ((*redo *= 2) > FWD_AUTO_UDP_WALK_MAX_MS)
			*redo = FWD_AUTO_UDP_WALK_MAX_MS;
		debug("auto: UDP sockets of the %s walked for their age, "
		      "again in %ld ms unless something changes",
		      side == FWD_AUTO_HOST ? "host" : "namespace",
		      *redo);
	}
	memcpy(fwd_auto_udp_count[side], count, sizeof(count));
	fwd_auto_udp_count_ok[side] = true;
	fwd_auto_udp_flows[side] = flows;
	fwd_auto_udp_walked[side] = *now;
	return false;
}

/**
 * fwd_auto_udp_recheck() - Walk UDP sockets at the next scan, both sides
 *
 * For UDP sockets we open or close other than those of flows: they move
 * the counts fwd_auto_udp_skip() compares, and could hide a change
 */
void fwd_auto_udp_recheck(void)
{
	fwd_auto_udp_count_ok[FWD_AUTO_HOST] = false;
	fwd_auto_udp_count_ok[FWD_AUTO_NS] = false;
}

/**
 * fwd_auto_ipv() - IP versions a scan of a side needs to read
 * @side:	Side to scan
 * @proto:	FWD_AUTO_TCP or FWD_AUTO_UDP
 *
 * A count of bound UDP sockets of zero, just read, is exact: the dump of
 * that IP version, a walk of every UDP socket of the host, would find none.
 *
 * Return: FWD_AUTO_IPV4, FWD_AUTO_IPV6 bits, FWD_AUTO_IPV_ALL for TCP
 */
static unsigned fwd_auto_ipv(int side, int proto)
{
	unsigned ipv = 0, v;

	if (proto == FWD_AUTO_TCP || !fwd_auto_udp_count_ok[side])
		return FWD_AUTO_IPV_ALL;
	for (v = 0; v < 2; v++) {
		if (fwd_auto_udp_count[side][v])
			ipv |= 1U << v;
	}
	return ipv;
}

/**
 * fwd_auto_diag_read() - Bound ports of one protocol through sock_diag
 * @s:		sock_diag socket of the side to scan
 * @proto:	FWD_AUTO_TCP or FWD_AUTO_UDP
 * @ipv:	IP versions to dump: bit 0 for IPv4, bit 1 for IPv6
 * @map:	Bitmap of ports to add to
 *
 * Return: 0 on success, -errno on failure
 */
static int fwd_auto_diag_read(int s, int proto, unsigned ipv,
			      unsigned long *map)
{
	uint8_t ipproto = proto == FWD_AUTO_TCP ? IPPROTO_TCP : IPPROTO_UDP;
	uint32_t states = 1U << (proto == FWD_AUTO_TCP ? SOCK_DIAG_LISTEN :
							 SOCK_DIAG_CLOSE);
	int rc = 0;

	if (ipv & FWD_AUTO_IPV4)
		rc = sock_diag_ports(s, AF_INET, ipproto, states, map);
	if (!rc && (ipv & FWD_AUTO_IPV6))
		rc = sock_diag_ports(s, AF_INET6, ipproto, states, map);
	return rc;
}

/**
 * fwd_auto_open() - Open what scans of the current namespace need
 * @side:	Side we're on: the sock_diag socket, tried once for each
 *		protocol, the /proc/net files of the protocols it can't
 *		dump (missing inet_diag, tcp_diag or udp_diag support), and
 *		/proc/net/sockstat{,6}, counting bound UDP sockets
 */
static void fwd_auto_open(int side)
{
	int s = sock_diag_open(), proto, v;

	for (v = 0; v < 2; v++)
		fwd_auto_sockstat[side][v] = open(fwd_auto_sockstat_path[v],
						  O_RDONLY | O_CLOEXEC);
	for (proto = 0; proto < 2; proto++) {
		memset(fwd_auto_seen, 0, sizeof(fwd_auto_seen));
		fwd_auto_diag_ok[side][proto] =
			s >= 0 && !fwd_auto_diag_read(s, proto, FWD_AUTO_IPV_ALL,
						      fwd_auto_seen);
		if (fwd_auto_diag_ok[side][proto])
			continue;
		for (v = 0; v < 2; v++)
			fwd_auto_proc[side][proto][v] =
				open(fwd_auto_proc_path[proto][v],
				     O_RDONLY | O_CLOEXEC);
	}
	if (s >= 0 && !fwd_auto_diag_ok[side][FWD_AUTO_TCP] &&
	    !fwd_auto_diag_ok[side][FWD_AUTO_UDP]) {
		close(s);
		s = -1;
	}
	fwd_auto_diag[side] = s;
}

/**
 * fwd_auto_open_ns() - Open what scans of the namespace need (in it)
 * @arg:	Unused
 *
 * Return: 0
 */
static int fwd_auto_open_ns(void *arg)
{
	(void)arg;
	fwd_auto_open(FWD_AUTO_NS);
	return 0;
}

/**
 * fwd_auto_read() - Ports bound on a side, for one protocol
 * @side:	Side to scan
 * @proto:	FWD_AUTO_TCP or FWD_AUTO_UDP
 * @ipv:	IP versions to read: bit 0 for IPv4, bit 1 for IPv6
 * @map:	Bitmap of ports to add to
 *
 * Return: 0 on success, -errno on failure
 */
static int fwd_auto_read(int side, int proto, unsigned ipv,
			 unsigned long *map)
{
	int v, rc = 0;

	if (fwd_auto_diag_ok[side][proto])
		return fwd_auto_diag_read(fwd_auto_diag[side], proto, ipv, map);

	for (v = 0; v < 2 && !rc; v++) {
		int fd = fwd_auto_proc[side][proto][v];

		if (fd >= 0 && (ipv & (1U << v)))
			rc = fwd_auto_scan(fd, proto == FWD_AUTO_TCP, map);
	}
	return rc;
}

/**
 * fwd_auto_listen() - Open the listeners for a port on the current side
 * @c:		Execution context
 * @side:	Side we're on
 * @proto:	FWD_AUTO_TCP or FWD_AUTO_UDP
 * @port:	Port
 * @fds:	Set to the sockets, FWD_LISTEN_MAX, -1 for unused ones
 *
 * Return: number of sockets, or -errno
 */
static int fwd_auto_listen(const struct ctx *c, int side, int proto,
			   in_port_t port, int *fds)
{
	bool ns = side == FWD_AUTO_NS;

	if (proto == FWD_AUTO_TCP)
		return tcp_splice_listen(c, NULL, port, ns, fds);
	return udp_splice_listen(c, NULL, port, ns, fds);
}

/**
 * fwd_auto_close() - Close the listeners of a port
 * @side:	Side they're on
 * @proto:	FWD_AUTO_TCP or FWD_AUTO_UDP
 * @port:	Port
 */
static void fwd_auto_close(int side, int proto, unsigned port)
{
	uint32_t *fd = fwd_auto_fd[side][proto][port];
	unsigned i;

	for (i = 0; i < FWD_LISTEN_MAX; i++) {
		if (!fd[i])
			continue;
		if (proto == FWD_AUTO_UDP)
			udp_splice_unlisten((int)fd[i] - 1);
		else
			close((int)fd[i] - 1);
		fd[i] = 0;
	}
}

/**
 * fwd_auto_open_one() - Open a listener and record it
 * @c:		Execution context
 * @side:	Side we're on
 * @proto:	FWD_AUTO_TCP or FWD_AUTO_UDP
 * @port:	Port
 */
static void fwd_auto_open_one(const struct ctx *c, int side, int proto,
			      in_port_t port)
{
	int fds[FWD_LISTEN_MAX], i;
	int s = fwd_auto_listen(c, side, proto, port, fds);

	if (s < 0) {
		debug("auto: can't forward %s port %u %s: %s",
		      proto == FWD_AUTO_TCP ? "TCP" : "UDP", port,
		      side == FWD_AUTO_NS ? "from the host" :
					    "to the namespace",
		      strerror(-s));
		bitmap_set(fwd_auto_failed[side][proto], port);
		return;
	}
	for (i = 0; i < FWD_LISTEN_MAX; i++)
		fwd_auto_fd[side][proto][port][i] = (uint32_t)(fds[i] + 1);
	bitmap_set(fwd_auto_ours[side][proto], port);
	debug("auto: forwarding %s port %u %s",
	      proto == FWD_AUTO_TCP ? "TCP" : "UDP", port,
	      side == FWD_AUTO_NS ? "from the namespace to the host" :
			      "from the host to the namespace");
}

/**
 * fwd_auto_ns_batch_arg - Listeners to open in the namespace
 * @c:		Execution context
 * @proto:	FWD_AUTO_TCP or FWD_AUTO_UDP
 */
struct fwd_auto_ns_batch_arg {
	const struct ctx *c;
	int proto;
};

/**
 * fwd_auto_open_ns_batch() - Open listeners in fwd_auto_add[] (in the ns)
 * @arg:	struct fwd_auto_ns_batch_arg
 *
 * Return: 0
 */
static int fwd_auto_open_ns_batch(void *arg)
{
	const struct fwd_auto_ns_batch_arg *a = arg;
	unsigned i;

	for (i = 0; i < fwd_auto_add_n; i++)
		fwd_auto_open_one(a->c, FWD_AUTO_NS, a->proto, fwd_auto_add[i]);
	return 0;
}

/**
 * fwd_auto_update() - Scan one side, update the other's listeners
 * @c:		Execution context
 * @side:	Side the listeners are on (the scan is of the other side)
 * @proto:	FWD_AUTO_TCP or FWD_AUTO_UDP
 *
 * The listeners only depend on the ports found, and on what earlier
 * updates of the same side and protocol did: if the ports found are the
 * ones of the previous update, there's nothing to do. For UDP, the walk
 * itself is skipped while the counts of bound sockets stay the same, up to
 * FWD_AUTO_UDP_WALK_MS (see fwd_auto_udp_skip()).
 *
 * Return: true if the ports found changed since the previous update
 */
static bool fwd_auto_update(const struct ctx *c, int side, int proto,
			    const struct timespec *now)
{
	const struct fwd_ports *fwd = fwd_auto_fwd(c, side, proto);
	const struct fwd_ports *back = fwd_auto_fwd(c, !side, proto);
	uint16_t eph_first, eph_last;
	int scanned = !side, rc;
	unsigned w, p;

	if (fwd->mode != FWD_AUTO)
		return false;

	if (proto == FWD_AUTO_UDP) {
		if (fwd_auto_udp_skip(scanned, now,
				      !fwd_auto_prev_ok[side][proto])) {
			fwd_auto_stat_udp_skips++;
			return false;
		}
		fwd_auto_stat_udp_walks++;
	}

	memset(fwd_auto_seen, 0, sizeof(fwd_auto_seen));
	rc = fwd_auto_read(scanned, proto, fwd_auto_ipv(scanned, proto),
			   fwd_auto_seen);
	if (rc) {
		debug("auto: can't read bound ports: %s", strerror(-rc));
		if (proto == FWD_AUTO_UDP)
			fwd_auto_udp_count_ok[scanned] = false;
		return false;	/* keep what we have, don't drop it all */
	}

	/* Never forward back what we, or the opposite rules, bind there */
	for (w = 0; w < ARRAY_SIZE(fwd_auto_seen); w++)
		fwd_auto_seen[w] &= ~(fwd_auto_ours[scanned][proto][w] |
				      back->map[w]);
	if (proto == FWD_AUTO_UDP) {
		fwd_ephemeral_range(&eph_first, &eph_last);
		for (p = eph_first; p <= eph_last; p++)
			bitmap_clear(fwd_auto_seen, p);
	}

	if (fwd_auto_prev_ok[side][proto] &&
	    !memcmp(fwd_auto_seen, fwd_auto_prev[side][proto],
		    sizeof(fwd_auto_seen)))
		return false;
	if (proto == FWD_AUTO_UDP)
		fwd_auto_udp_active(scanned);
	memcpy(fwd_auto_prev[side][proto], fwd_auto_seen,
	       sizeof(fwd_auto_seen));
	fwd_auto_prev_ok[side][proto] = true;

	fwd_auto_add_n = 0;
	for (p = 1; p < NUM_PORTS; p++) {
		bool seen = bitmap_isset(fwd_auto_seen, p);

		if (!seen) {
			bitmap_clear(fwd_auto_failed[side][proto], p);
			if (!bitmap_isset(fwd_auto_ours[side][proto], p))
				continue;
			fwd_auto_close(side, proto, p);
			bitmap_clear(fwd_auto_ours[side][proto], p);
			debug("auto: %s port %u not bound any more",
			      proto == FWD_AUTO_TCP ? "TCP" : "UDP", p);
			continue;
		}
		if (bitmap_isset(fwd_auto_ours[side][proto], p) ||
		    bitmap_isset(fwd_auto_failed[side][proto], p))
			continue;
		if (side == FWD_AUTO_HOST)
			fwd_auto_open_one(c, side, proto, (in_port_t)p);
		else
			fwd_auto_add[fwd_auto_add_n++] = (in_port_t)p;
	}

	/* Our listeners come and go here: walk this side next time */
	if (proto == FWD_AUTO_UDP)
		fwd_auto_udp_count_ok[side] = false;

	if (fwd_auto_add_n) {
		struct fwd_auto_ns_batch_arg a = { .c = c, .proto = proto };

		if (pasta_ns_call(c, fwd_auto_open_ns_batch, &a) < 0) {
			debug("auto: can't open listeners in the namespace");
			fwd_auto_prev_ok[side][proto] = false;	/* retry */
		}
	}
	return true;
}

/**
 * fwd_auto_scan_all() - One round of scans, both sides and protocols
 * @c:		Execution context
 *
 * Return: true if the ports found changed on any side
 */
static bool fwd_auto_scan_all(const struct ctx *c)
{
	struct timespec start, end;
	bool changed = false;
	int side, proto;

	/* clock_gettime() through the vDSO: not a system call */
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (proto = 0; proto < 2; proto++) {
		for (side = 0; side < 2; side++)
			changed |= fwd_auto_update(c, side, proto, &start);
	}
	clock_gettime(CLOCK_MONOTONIC, &end);

	fwd_auto_stat_scans++;
	fwd_auto_stat_changes += changed;
	fwd_auto_stat_ns += (unsigned long long)
		((end.tv_sec - start.tv_sec) * NS_PER_SEC +
		 (end.tv_nsec - start.tv_nsec));
	return changed;
}

/**
 * fwd_auto_schedule() - Set when the next scan is due
 * @now:	Time of the scan just done
 * @changed:	Whether it found a change: if so scan again soon, if not
 *		wait twice as long as last time, up to FWD_AUTO_INTERVAL_MS
 */
static void fwd_auto_schedule(const struct timespec *now, bool changed)
{
	long long ns;

	if (changed)
		fwd_auto_interval_ms = FWD_AUTO_FAST_MS;
	else if ((fwd_auto_interval_ms *= 2) > FWD_AUTO_INTERVAL_MS)
		fwd_auto_interval_ms = FWD_AUTO_INTERVAL_MS;

	ns = now->tv_nsec + fwd_auto_interval_ms * 1000000LL;
	fwd_auto_due.tv_sec = now->tv_sec + (time_t)(ns / NS_PER_SEC);
	fwd_auto_due.tv_nsec = (long)(ns % NS_PER_SEC);
}

/**
 * fwd_auto_init() - Open the /proc/net files, forward what's bound now
 * @c:		Execution context
 *
 * Return: 0 on success, -1 on failure
 */
int fwd_auto_init(const struct ctx *c)
{
	uint16_t eph_first, eph_last;
	struct timespec now;
	bool any = false;
	int side, proto;

	if (c->mode != MODE_PASTA)
		return 0;
	for (side = 0; side < 2; side++) {
		for (proto = 0; proto < 2; proto++)
			any |= fwd_auto_fwd(c, side, proto)->mode == FWD_AUTO;
	}
	if (!any)
		return 0;

	/* Scans exclude ephemeral ports: read their range while we can */
	fwd_ephemeral_range(&eph_first, &eph_last);

	fwd_auto_open(FWD_AUTO_HOST);
	if (pasta_ns_call(c, fwd_auto_open_ns, NULL) < 0) {
		err("auto: can't open sock_diag or /proc/net in the namespace");
		return -1;
	}
	for (side = 0; side < 2; side++) {
		for (proto = 0; proto < 2; proto++) {
			if (fwd_auto_diag_ok[side][proto])
				continue;
			info("auto: no sock_diag for %s%s, reading /proc/net",
			     fwd_auto_diag_ok[side][!proto] ?
			     (proto == FWD_AUTO_TCP ? "TCP " : "UDP ") : "",
			     side == FWD_AUTO_NS ? "in the namespace" :
						   "on the host");
			if (!fwd_auto_diag_ok[side][!proto])
				break;	/* said for both protocols */
		}
	}
	if (!fwd_auto_diag_ok[FWD_AUTO_NS][FWD_AUTO_TCP] &&
	    fwd_auto_proc[FWD_AUTO_NS][FWD_AUTO_TCP][0] < 0 &&
	    fwd_auto_proc[FWD_AUTO_NS][FWD_AUTO_TCP][1] < 0)
		warn("auto: no /proc/net/tcp in the namespace");

	clock_gettime(CLOCK_MONOTONIC, &now);
	fwd_auto_schedule(&now, fwd_auto_scan_all(c));
	fwd_auto_active = true;
	return 0;
}

/**
 * fwd_auto_timeout_ms() - Time until the next scan is due
 * @now:	Current timestamp
 *
 * Return: milliseconds, rounded up, 0 if due, -1 if there are no scans
 */
long fwd_auto_timeout_ms(const struct timespec *now)
{
	long long ns;

	if (!fwd_auto_active)
		return -1;
	ns = (fwd_auto_due.tv_sec - now->tv_sec) * NS_PER_SEC +
	     (fwd_auto_due.tv_nsec - now->tv_nsec);
	if (ns <= 0)
		return 0;
	return (long)((ns + 999999) / 1000000);
}

/**
 * fwd_auto_timer() - Rescan bound ports if a scan is due
 * @c:		Execution context
 * @now:	Current timestamp
 */
void fwd_auto_timer(const struct ctx *c, const struct timespec *now)
{
	if (c->mode != MODE_PASTA || fwd_auto_timeout_ms(now))
		return;
	fwd_auto_schedule(now, fwd_auto_scan_all(c));
}

/**
 * fwd_auto_scans() - Rounds of scans done so far, for --stats
 *
 * Return: count of fwd_auto_scan_all() calls
 */
unsigned long fwd_auto_scans(void)
{
	return fwd_auto_stat_scans;
}

/**
 * fwd_auto_stats() - Print how many scans we did, and what they cost
 */
void fwd_auto_stats(void)
{
	unsigned long long us = fwd_auto_stat_ns / 1000;

	if (!fwd_auto_active)
		return;
	info("Auto forwarding: %lu scans (%s), %llu.%03llu ms in total, "
	     "%llu us each, %lu with changes; UDP walks: %lu done, %lu "
	     "skipped (socket counts unchanged)",
	     fwd_auto_stat_scans,
	     fwd_auto_diag[FWD_AUTO_HOST] >= 0 || fwd_auto_diag[FWD_AUTO_NS] >= 0 ?
	     "sock_diag" : "/proc/net",
	     us / 1000, us % 1000,
	     fwd_auto_stat_scans ? us / fwd_auto_stat_scans : 0,
	     fwd_auto_stat_changes, fwd_auto_stat_udp_walks,
	     fwd_auto_stat_udp_skips);
}

/**
 * fwd_auto_stats_json() - Scan counters as the members of a JSON object
 * @j:		Writer
 */
void fwd_auto_stats_json(struct json *j)
{
	json_printf(j, "\"active\":%s,\"scans\":%lu,\"scan_us\":%llu,"
		    "\"changes\":%lu,\"udp_walks\":%lu,"
		    "\"udp_walks_skipped\":%lu",
		    fwd_auto_active ? "true" : "false", fwd_auto_stat_scans,
		    fwd_auto_stat_ns / 1000, fwd_auto_stat_changes,
		    fwd_auto_stat_udp_walks, fwd_auto_stat_udp_skips);
}
