// SPDX-License-Identifier: GPL-2.0-or-later
/* fwd_auto.c - pasta's automatic port forwarding: "auto" for -t, -u, -T
 * and -U, the default in pasta mode.
 *
 * Every FWD_AUTO_INTERVAL_MS we read the listening TCP sockets and the bound,
 * unconnected UDP sockets of the host and of the namespace from their
 * /proc/net/{tcp,tcp6,udp,udp6}. Ports bound in the namespace get
 * listeners on the host (-t/-u auto), ports bound on the host get listeners
 * in the namespace (-T/-U auto); listeners go away once their port is not
 * bound any more. /proc/net follows the network namespace of the task that
 * opens it, so the namespace's files are opened once from inside it and
 * re-read from offset zero, without switching namespace again.
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

#include "util.h"
#include "log.h"
#include "ctx.h"
#include "fwd.h"
#include "pasta.h"
#include "tcp_splice.h"
#include "udp_splice.h"
#include "fwd_auto.h"

/* Bytes read from a /proc/net file per call */
#define FWD_AUTO_BUF_BYTES	65536
/* Longest line we expect in /proc/net/{tcp,udp}{,6}, with slack */
#define FWD_AUTO_LINE_MAX	512

/* TCP states in /proc/net: include/net/tcp_states.h */
#define FWD_AUTO_TCP_LISTEN	0x0a
#define FWD_AUTO_UDP_UNCONN	0x07

enum fwd_auto_side {
	FA_HOST = 0,
	FA_NS = 1,
};

enum fwd_auto_proto {
	FA_TCP = 0,
	FA_UDP = 1,
};

static const char *const fa_proc_path[2][2] = {
	{ "/proc/net/tcp", "/proc/net/tcp6" },
	{ "/proc/net/udp", "/proc/net/udp6" },
};

/* Open /proc/net files: [side][proto][IPv4, IPv6], -1 if unavailable */
static int fa_proc[2][2][2] = {
	{ { -1, -1 }, { -1, -1 } }, { { -1, -1 }, { -1, -1 } },
};

/* Our listeners: [side they're on][proto][port][socket], descriptor + 1 */
static uint32_t fa_fd[2][2][NUM_PORTS][FWD_LISTEN_MAX];
/* Same, as bitmaps, and ports whose listener couldn't be opened */
static unsigned long fa_ours[2][2][BITMAP_WORDS(NUM_PORTS)];
static unsigned long fa_failed[2][2][BITMAP_WORDS(NUM_PORTS)];

/* Scratch: ports seen bound, ports to open in the namespace */
static unsigned long fa_seen[BITMAP_WORDS(NUM_PORTS)];
static in_port_t fa_add[NUM_PORTS];
static unsigned fa_add_n;

static char fa_buf[FWD_AUTO_BUF_BYTES + FWD_AUTO_LINE_MAX];
static struct timespec fa_last;

/**
 * fa_fwd() - Forwarding table for listeners on a side
 * @c:		Execution context
 * @side:	Side the listeners are on: host for -t/-u, namespace for -T/-U
 * @proto:	FA_TCP or FA_UDP
 *
 * Return: forwarding table
 */
static const struct fwd_ports *fa_fwd(const struct ctx *c, int side,
				      int proto)
{
	if (side == FA_HOST)
		return proto == FA_TCP ? &c->tcp_fwd_in : &c->udp_fwd_in;
	return proto == FA_TCP ? &c->tcp_fwd_out : &c->udp_fwd_out;
}

/**
 * fa_hex() - Parse a hexadecimal field
 * @p:		Start, advanced past the digits
 * @end:	End of the line
 * @val:	Value, set on success
 *
 * Return: 0 on success, -1 if there are no digits or too many
 */
static int fa_hex(const char **p, const char *end, unsigned long *val)
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
 * fa_line() - Parse one line of /proc/net/{tcp,udp}{,6}
 * @l:		Start of the line
 * @end:	End of the line (newline excluded)
 * @tcp:	TCP file (listening sockets) rather than UDP (unconnected)
 * @map:	Bitmap of ports, the local port is set if the state matches
 *
 * Format (proc(5)): "sl: local_addr:port rem_addr:port st ...", addresses
 * and ports in hexadecimal. The header line doesn't parse, and is skipped.
 */
static void fa_line(const char *l, const char *end, bool tcp,
		    unsigned long *map)
{
	const char *p = l, *tok;
	unsigned long port, st, lport = 0;
	int field;

	while (p < end && *p == ' ')
		p++;
	if (fa_hex(&p, end, &port) || p >= end || *p != ':')
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
		if (fa_hex(&p, end, &port))
			return;
		if (!field)
			lport = port;
	}
	while (p < end && *p == ' ')
		p++;
	if (fa_hex(&p, end, &st))
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
		char *l = fa_buf, *end, *nl;
		ssize_t n;

		/* #syscalls:pasta pread64 */
		n = pread(fd, fa_buf + carry, FWD_AUTO_BUF_BYTES, off);
		if (n < 0)
			return -errno;
		if (!n)
			break;
		off += n;
		end = fa_buf + carry + n;

		while ((nl = memchr(l, '\n', (size_t)(end - l)))) {
			fa_line(l, nl, tcp, map);
			l = nl + 1;
		}
		carry = (size_t)(end - l);
		if (carry > FWD_AUTO_LINE_MAX)
			carry = 0;	/* not a line we know: drop it */
		else
			memmove(fa_buf, l, carry);
	}
	if (carry)
		fa_line(fa_buf, fa_buf + carry, tcp, map);
	return 0;
}

/**
 * fa_proc_open_ns() - Open the namespace's /proc/net files (in it)
 * @arg:	Unused
 *
 * Return: 0
 */
static int fa_proc_open_ns(void *arg)
{
	int proto, v;

	(void)arg;
	for (proto = 0; proto < 2; proto++) {
		for (v = 0; v < 2; v++)
			fa_proc[FA_NS][proto][v] =
				open(fa_proc_path[proto][v],
				     O_RDONLY | O_CLOEXEC);
	}
	return 0;
}

/**
 * fa_listen() - Open the listeners for a port on the current side
 * @c:		Execution context
 * @side:	Side we're on
 * @proto:	FA_TCP or FA_UDP
 * @port:	Port
 * @fds:	Set to the sockets, FWD_LISTEN_MAX, -1 for unused ones
 *
 * Return: number of sockets, or -errno
 */
static int fa_listen(const struct ctx *c, int side, int proto,
		     in_port_t port, int *fds)
{
	if (proto == FA_TCP)
		return tcp_splice_listen(c, NULL, port, side == FA_NS, fds);
	return udp_splice_listen(c, NULL, port, side == FA_NS, fds);
}

/**
 * fa_close() - Close the listeners of a port
 * @side:	Side they're on
 * @proto:	FA_TCP or FA_UDP
 * @port:	Port
 */
static void fa_close(int side, int proto, unsigned port)
{
	uint32_t *fd = fa_fd[side][proto][port];
	unsigned i;

	for (i = 0; i < FWD_LISTEN_MAX; i++) {
		if (!fd[i])
			continue;
		if (proto == FA_UDP)
			udp_splice_unlisten((int)fd[i] - 1);
		else
			close((int)fd[i] - 1);
		fd[i] = 0;
	}
}

/**
 * fa_open_one() - Open a listener and record it
 * @c:		Execution context
 * @side:	Side we're on
 * @proto:	FA_TCP or FA_UDP
 * @port:	Port
 */
static void fa_open_one(const struct ctx *c, int side, int proto,
			in_port_t port)
{
	int fds[FWD_LISTEN_MAX], i;
	int s = fa_listen(c, side, proto, port, fds);

	if (s < 0) {
		debug("auto: can't forward %s port %u %s: %s",
		      proto == FA_TCP ? "TCP" : "UDP", port,
		      side == FA_NS ? "from the host" : "to the namespace",
		      strerror(-s));
		bitmap_set(fa_failed[side][proto], port);
		return;
	}
	for (i = 0; i < FWD_LISTEN_MAX; i++)
		fa_fd[side][proto][port][i] = (uint32_t)(fds[i] + 1);
	bitmap_set(fa_ours[side][proto], port);
	debug("auto: forwarding %s port %u %s",
	      proto == FA_TCP ? "TCP" : "UDP", port,
	      side == FA_NS ? "from the namespace to the host" :
			      "from the host to the namespace");
}

/**
 * fa_ns_batch_arg - Listeners to open in the namespace
 * @c:		Execution context
 * @proto:	FA_TCP or FA_UDP
 */
struct fa_ns_batch_arg {
	const struct ctx *c;
	int proto;
};

/**
 * fa_open_ns_batch() - Open the listeners in fa_add[] (in the namespace)
 * @arg:	struct fa_ns_batch_arg
 *
 * Return: 0
 */
static int fa_open_ns_batch(void *arg)
{
	const struct fa_ns_batch_arg *a = arg;
	unsigned i;

	for (i = 0; i < fa_add_n; i++)
		fa_open_one(a->c, FA_NS, a->proto, fa_add[i]);
	return 0;
}

/**
 * fa_update() - Scan one side for one protocol, update the other's listeners
 * @c:		Execution context
 * @side:	Side the listeners are on (the scan is of the other side)
 * @proto:	FA_TCP or FA_UDP
 */
static void fa_update(const struct ctx *c, int side, int proto)
{
	const struct fwd_ports *fwd = fa_fwd(c, side, proto);
	const struct fwd_ports *back = fa_fwd(c, !side, proto);
	int scanned = !side, v, rc = 0;
	uint16_t eph_first, eph_last;
	unsigned w, p;

	if (fwd->mode != FWD_AUTO)
		return;

	memset(fa_seen, 0, sizeof(fa_seen));
	for (v = 0; v < 2; v++) {
		int fd = fa_proc[scanned][proto][v];

		if (fd >= 0 && (rc = fwd_auto_scan(fd, proto == FA_TCP,
						   fa_seen)))
			break;
	}
	if (rc) {
		debug("auto: can't read bound ports: %s", strerror(-rc));
		return;	/* keep what we have rather than dropping it all */
	}

	/* Never forward back what we, or the opposite rules, bind there */
	for (w = 0; w < ARRAY_SIZE(fa_seen); w++)
		fa_seen[w] &= ~(fa_ours[scanned][proto][w] | back->map[w]);
	if (proto == FA_UDP) {
		fwd_ephemeral_range(&eph_first, &eph_last);
		for (p = eph_first; p <= eph_last; p++)
			bitmap_clear(fa_seen, p);
	}

	fa_add_n = 0;
	for (p = 1; p < NUM_PORTS; p++) {
		bool seen = bitmap_isset(fa_seen, p);

		if (!seen) {
			bitmap_clear(fa_failed[side][proto], p);
			if (!bitmap_isset(fa_ours[side][proto], p))
				continue;
			fa_close(side, proto, p);
			bitmap_clear(fa_ours[side][proto], p);
			debug("auto: %s port %u not bound any more",
			      proto == FA_TCP ? "TCP" : "UDP", p);
			continue;
		}
		if (bitmap_isset(fa_ours[side][proto], p) ||
		    bitmap_isset(fa_failed[side][proto], p))
			continue;
		if (side == FA_HOST)
			fa_open_one(c, side, proto, (in_port_t)p);
		else
			fa_add[fa_add_n++] = (in_port_t)p;
	}

	if (fa_add_n) {
		struct fa_ns_batch_arg a = { .c = c, .proto = proto };

		if (pasta_ns_call(c, fa_open_ns_batch, &a) < 0)
			debug("auto: can't open listeners in the namespace");
	}
}

/**
 * fa_scan_all() - One round of scans, both sides and protocols
 * @c:		Execution context
 */
static void fa_scan_all(const struct ctx *c)
{
	int side, proto;

	for (proto = 0; proto < 2; proto++) {
		for (side = 0; side < 2; side++)
			fa_update(c, side, proto);
	}
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
	bool any = false;
	int side, proto, v;

	if (c->mode != MODE_PASTA)
		return 0;
	for (side = 0; side < 2; side++) {
		for (proto = 0; proto < 2; proto++)
			any |= fa_fwd(c, side, proto)->mode == FWD_AUTO;
	}
	if (!any)
		return 0;

	/* Scans exclude ephemeral ports: read their range while we can */
	fwd_ephemeral_range(&eph_first, &eph_last);

	for (proto = 0; proto < 2; proto++) {
		for (v = 0; v < 2; v++)
			fa_proc[FA_HOST][proto][v] =
				open(fa_proc_path[proto][v],
				     O_RDONLY | O_CLOEXEC);
	}
	if (pasta_ns_call(c, fa_proc_open_ns, NULL) < 0) {
		err("auto: can't open /proc/net in the namespace");
		return -1;
	}
	if (fa_proc[FA_NS][FA_TCP][0] < 0 && fa_proc[FA_NS][FA_TCP][1] < 0)
		warn("auto: no /proc/net/tcp in the namespace");

	fa_scan_all(c);
	clock_gettime(CLOCK_MONOTONIC, &fa_last);
	return 0;
}

/**
 * fwd_auto_timer() - Rescan bound ports once per FWD_AUTO_INTERVAL_MS
 * @c:		Execution context
 * @now:	Current timestamp
 */
void fwd_auto_timer(const struct ctx *c, const struct timespec *now)
{
	if (c->mode != MODE_PASTA || !fa_last.tv_sec)
		return;
	/* Slack: the loop wakes up at least once a second, never late */
	if (timespec_diff_ms(now, &fa_last) < FWD_AUTO_INTERVAL_MS - 100)
		return;
	fa_last = *now;
	fa_scan_all(c);
}
