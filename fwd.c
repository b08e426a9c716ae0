// SPDX-License-Identifier: GPL-2.0-or-later
/* fwd.c - Port forwarding tables: the -t/-u/-T/-U specification grammar,
 * expanded into non-overlapping port ranges (struct fwd_rule), and the
 * per-port lookup map built from them, which the socket code uses to decide
 * where a forwarded connection or datagram goes.
 *
 * Grammar of one specification (see the OPTIONS section of the manual):
 *
 *	SPEC	:= "none" | "all" | "auto" | [BIND "/"] ITEM ["," ITEM]...
 *	BIND	:= ADDR | ADDR "%" IFNAME | "%" IFNAME
 *	ITEM	:= RANGE [":" RANGE] | "~" RANGE
 *	RANGE	:= PORT | PORT "-" PORT
 *
 * ADDR is an IPv4 or IPv6 address, the latter optionally in brackets
 * ("::1/22" and "[::1]/22" are the same): the binding prefix ends at the
 * last '/', and ports never contain one. A target range must have the same
 * length as the forwarded range. Exclusions ("~") only remove ports; a
 * specification made of exclusions alone stands for every non-ephemeral
 * port but the excluded ones, like "all", and its rules are weak (failing
 * to bind one of its ports is not an error).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inany.h"
#include "sock_l4.h"
#include "util.h"
#include "epoll_ctl.h"
#include "fwd.h"
#include "ctx.h"
#include "log.h"

/* Used when /proc/sys/net/ipv4/ip_local_port_range can't be read */
#define FWD_EPHEMERAL_FIRST	32768
#define FWD_EPHEMERAL_LAST	60999

/* Longest accepted port number text: leading zeroes beyond this are silly */
#define FWD_PORT_DIGITS_MAX	5

int fwd_listen_fd_max = FD_REF_MAX;
int fwd_tcp_listen_fd_max = FD_REF_MAX;

/* Scratch state for one specification: ports included, their offsets */
static unsigned long spec_incl[BITMAP_WORDS(NUM_PORTS)];
static unsigned long spec_excl[BITMAP_WORDS(NUM_PORTS)];
static uint16_t spec_delta[NUM_PORTS];
/* The table being built, committed to the caller's only on success */
static struct fwd_rule spec_rules[FWD_RULES_MAX];

/* Listening sockets of rules, per table and port, for run-time removal */
static struct fwd_sock fwd_socks[FWD_SOCKS_MAX];
static unsigned int fwd_socks_n;
/* How each table opens a socket, as its set-up step told us */
static fwd_listen_one_fn fwd_open_fn[FWD_TABLES];

/**
 * fwd_ephemeral_range() - Read the kernel's ephemeral (local) port range
 * @first:	First ephemeral port, set on return
 * @last:	Last ephemeral port, set on return
 *
 * Falls back to the kernel default, 32768-60999, if the sysctl can't be
 * read or makes no sense. Read once, by the first call, which must come
 * before the sandbox closes (conf() and fwd_auto_init() see to it).
 */
void fwd_ephemeral_range(uint16_t *first, uint16_t *last)
{
	static uint16_t eph_first = FWD_EPHEMERAL_FIRST;
	static uint16_t eph_last = FWD_EPHEMERAL_LAST;
	static bool eph_read;
	unsigned int lo, hi;
	char buf[64];

	*first = eph_first;
	*last = eph_last;
	if (eph_read)
		return;
	eph_read = true;

	if (read_file_str("/proc/sys/net/ipv4/ip_local_port_range",
			  buf, sizeof(buf)) <= 0)
		return;
	if (sscanf(buf, "%u %u", &lo, &hi) != 2)
		return;
	if (!lo || lo > hi || hi >= NUM_PORTS)
		return;

	*first = eph_first = lo;
	*last = eph_last = hi;
}

/**
 * fwd_map_build() - Build the per-port map and target offsets from rules
 * @fwd:	Forwarding table
 *
 * If rules bound to different addresses cover the same port with different
 * targets, the later rule's target is the one the map reports.
 */
void fwd_map_build(struct fwd_ports *fwd)
{
	unsigned int i, p;

	memset(fwd->map, 0, sizeof(fwd->map));
	memset(fwd->delta, 0, sizeof(fwd->delta));

	for (i = 0; i < fwd->count; i++) {
		const struct fwd_rule *r = &fwd->rules[i];

		for (p = r->first; p <= r->last; p++) {
			bitmap_set(fwd->map, p);
			fwd->delta[p] = (uint16_t)(r->to - r->first);
		}
	}
}

/**
 * fwd_parse_port() - Parse a port number at the start of a string
 * @s:		String, advanced past the number on success
 * @port:	Parsed port, set on success
 * @why:	Reason of failure, set on failure
 *
 * Return: 0 on success, negative enum fwd_spec_err on failure
 */
static int fwd_parse_port(const char **s, uint16_t *port, const char **why)
{
	const char *p = *s;
	unsigned long v = 0;
	int n = 0;

	while (*p >= '0' && *p <= '9') {
		if (n++ < FWD_PORT_DIGITS_MAX + 1)
			v = v * 10 + (unsigned long)(*p - '0');
		p++;
	}

	if (!n) {
		*why = *p ? "invalid port" : "missing port";
		return -FWD_SPEC_SYNTAX;
	}
	if (n > FWD_PORT_DIGITS_MAX || !v || v >= NUM_PORTS) {
		*why = "port out of range";
		return -FWD_SPEC_BAD_PORT;
	}

	*port = (uint16_t)v;
	*s = p;
	return 0;
}

/**
 * fwd_parse_range() - Parse PORT or FIRST-LAST at the start of a string
 * @s:		String, advanced past the range on success
 * @first:	First port, set on success
 * @last:	Last port, set on success
 * @why:	Reason of failure, set on failure
 *
 * Return: 0 on success, negative enum fwd_spec_err on failure
 */
static int fwd_parse_range(const char **s, uint16_t *first, uint16_t *last,
			   const char **why)
{
	int rc;

	rc = fwd_parse_port(s, first, why);
	if (rc)
		return rc;

	*last = *first;
	if (**s != '-')
		return 0;

	(*s)++;
	rc = fwd_parse_port(s, last, why);
	if (rc)
		return rc;

	if (*last < *first) {
		*why = "range ends before it starts";
		return -FWD_SPEC_BAD_RANGE;
	}
	return 0;
}

/**
 * fwd_parse_item() - Parse one comma-separated item into the scratch maps
 * @item:	Item text, not including the comma
 * @len:	Length of @item
 * @excl_only:	Cleared if the item forwards ports (not an exclusion)
 * @why:	Reason of failure, set on failure
 *
 * Return: 0 on success, negative enum fwd_spec_err on failure
 */
static int fwd_parse_item(const char *item, size_t len, bool *excl_only,
			  const char **why)
{
	uint16_t first, last, tfirst, tlast, delta;
	char buf[sizeof("~65535-65535:65535-65535")];
	bool excl = false;
	const char *s;
	unsigned int p;
	int rc;

	if (!len) {
		*why = "empty item";
		return -FWD_SPEC_SYNTAX;
	}
	if (len >= sizeof(buf)) {
		*why = "invalid port range";
		return -FWD_SPEC_SYNTAX;
	}
	memcpy(buf, item, len);
	buf[len] = '\0';
	s = buf;

	if (*s == '~') {
		excl = true;
		s++;
	}

	rc = fwd_parse_range(&s, &first, &last, why);
	if (rc)
		return rc;
	tfirst = first;
	tlast = last;

	if (*s == ':') {
		if (excl) {
			*why = "excluded ports can't have a target";
			return -FWD_SPEC_SYNTAX;
		}
		s++;
		rc = fwd_parse_range(&s, &tfirst, &tlast, why);
		if (rc == -FWD_SPEC_SYNTAX && !*s)
			*why = "missing target port";
		if (rc)
			return rc == -FWD_SPEC_SYNTAX ? -FWD_SPEC_BAD_TARGET
						      : rc;
		if (tlast - tfirst != last - first) {
			*why = "target range size differs from forwarded range";
			return -FWD_SPEC_BAD_TARGET;
		}
	}

	if (*s) {
		*why = "unexpected characters after port";
		return -FWD_SPEC_SYNTAX;
	}

	if (excl) {
		for (p = first; p <= last; p++)
			bitmap_set(spec_excl, p);
		return 0;
	}

	*excl_only = false;
	delta = (uint16_t)(tfirst - first);
	for (p = first; p <= last; p++) {
		if (bitmap_isset(spec_incl, p) && spec_delta[p] != delta) {
			*why = "port given twice with different targets";
			return -FWD_SPEC_BAD_RANGE;
		}
		bitmap_set(spec_incl, p);
		spec_delta[p] = delta;
	}
	return 0;
}

/**
 * fwd_parse_bind() - Parse the binding prefix: ADDR, ADDR%IFNAME, %IFNAME
 * @bind:	Prefix text, without the trailing '/'
 * @len:	Length of @bind
 * @r:		Rule template: address, interface name and flags set here
 * @why:	Reason of failure, set on failure
 *
 * Return: 0 on success, negative enum fwd_spec_err on failure
 */
static int fwd_parse_bind(const char *bind, size_t len, struct fwd_rule *r,
			  const char **why)
{
	char addr[INET6_ADDRSTRLEN];
	const char *pct = memchr(bind, '%', len);
	size_t alen = pct ? (size_t)(pct - bind) : len;
	const struct in_addr *v4;
	bool bracket = false;

	if (pct) {
		size_t ilen = len - alen - 1;
		size_t i;

		if (!ilen || ilen >= IFNAMSIZ) {
			*why = ilen ? "interface name too long"
				    : "missing interface name";
			return -FWD_SPEC_BAD_IFNAME;
		}
		for (i = 0; i < ilen; i++) {
			unsigned char ch = pct[1 + i];

			if (ch <= ' ' || ch == '/' || ch == '%' || ch >= 0x7f) {
				*why = "invalid interface name";
				return -FWD_SPEC_BAD_IFNAME;
			}
		}
		memcpy(r->ifname, pct + 1, ilen);
		r->ifname[ilen] = '\0';
	}

	if (!alen) {
		if (pct)
			return 0;
		*why = "missing address before '/'";
		return -FWD_SPEC_BAD_ADDR;
	}
	if (bind[0] == '[') {
		if (alen < 2 || bind[alen - 1] != ']') {
			*why = "invalid address";
			return -FWD_SPEC_BAD_ADDR;
		}
		bracket = true;
		bind++;
		alen -= 2;
	}
	if (alen >= sizeof(addr)) {
		*why = "invalid address";
		return -FWD_SPEC_BAD_ADDR;
	}
	memcpy(addr, bind, alen);
	addr[alen] = '\0';

	if (bracket && !strchr(addr, ':')) {
		*why = "brackets around a non-IPv6 address";
		return -FWD_SPEC_BAD_ADDR;
	}

	if (!inany_pton(addr, &r->addr)) {
		*why = "invalid address";
		return -FWD_SPEC_BAD_ADDR;
	}
	v4 = inany_v4(&r->addr);
	if (v4 ? IN_MULTICAST(ntohl(v4->s_addr))
	       : IN6_IS_ADDR_MULTICAST(&r->addr.a6)) {
		*why = "multicast address can't be bound";
		return -FWD_SPEC_BAD_ADDR;
	}
	r->flags |= FWD_RULE_ADDR;
	return 0;
}

/**
 * fwd_same_bind() - Tell if two rules bind the same address and interface
 * @a:		First rule
 * @b:		Second rule
 *
 * Return: true if they do
 */
bool fwd_same_bind(const struct fwd_rule *a, const struct fwd_rule *b)
{
	if ((a->flags & FWD_RULE_ADDR) != (b->flags & FWD_RULE_ADDR))
		return false;
	if ((a->flags & FWD_RULE_ADDR) && !inany_equals(&a->addr, &b->addr))
		return false;
	return !strcmp(a->ifname, b->ifname);
}

/**
 * fwd_rule_emit() - Append rules for the ports of @map in [@first, @last]
 * @rules:	Rule array being built
 * @n:		Number of rules in @rules, updated
 * @tmpl:	Template: binding and flags
 * @map:	Ports to emit
 * @delta:	Target offset per port, NULL to use @d_fixed
 * @d_fixed:	Target offset for every port, if @delta is NULL
 * @first:	First port to consider
 * @last:	Last port to consider
 *
 * Consecutive ports with the same offset make one rule.
 *
 * Return: 0 on success, -FWD_SPEC_TOO_MANY if @rules is full
 */
static int fwd_rule_emit(struct fwd_rule *rules, unsigned int *n,
			 const struct fwd_rule *tmpl, const unsigned long *map,
			 const uint16_t *delta, uint16_t d_fixed,
			 unsigned int first, unsigned int last)
{
	unsigned int p = first;

	while (p <= last) {
		uint16_t d;
		unsigned int q;

		if (!bitmap_isset(map, p)) {
			p++;
			continue;
		}

		d = delta ? delta[p] : d_fixed;
		for (q = p; q < last; q++) {
			if (!bitmap_isset(map, q + 1))
				break;
			if (delta && delta[q + 1] != d)
				break;
		}

		if (*n >= FWD_RULES_MAX)
			return -FWD_SPEC_TOO_MANY;
		rules[*n] = *tmpl;
		rules[*n].first = (uint16_t)p;
		rules[*n].last = (uint16_t)q;
		rules[*n].to = (uint16_t)(p + d);
		(*n)++;
		p = q + 1;
	}
	return 0;
}

/**
 * fwd_merge() - Add the scratch spec to a table, resolving overlaps
 * @fwd:	Forwarding table, changed only on success
 * @tmpl:	Binding and flags of the new rules
 * @replace:	Drop the rules @fwd had ("all"), don't merge with them
 * @why:	Reason of failure, set on failure
 *
 * Overlaps are resolved per binding (address and interface): explicit
 * ports win over weak ones (from "all" or exclusions only), whichever came
 * first; ports given twice with the same target are merged, with different
 * targets they are an error.
 *
 * Return: 0 on success, negative enum fwd_spec_err on failure
 */
static int fwd_merge(struct fwd_ports *fwd, const struct fwd_rule *tmpl,
		     bool replace, const char **why)
{
	static unsigned long keep[BITMAP_WORDS(NUM_PORTS)];
	bool weak = tmpl->flags & FWD_RULE_WEAK;
	unsigned int i, p, n = 0;
	int rc;

	if (fwd->mode != FWD_SPEC || replace)
		fwd->count = 0;

	/* Ports already forwarded with this binding leave the new set, or
	 * make room in the old rules, whichever side is weak
	 */
	for (i = 0; i < fwd->count; i++) {
		const struct fwd_rule *r = &fwd->rules[i];
		bool old_weak = r->flags & FWD_RULE_WEAK;

		if (!fwd_same_bind(r, tmpl))
			continue;

		for (p = r->first; p <= r->last; p++) {
			uint16_t d = (uint16_t)(r->to - r->first);

			if (!bitmap_isset(spec_incl, p))
				continue;
			if (!weak && !old_weak && spec_delta[p] != d) {
				*why = "port already forwarded elsewhere";
				return -FWD_SPEC_BAD_RANGE;
			}
			if (weak || !old_weak)
				bitmap_clear(spec_incl, p);
		}
	}

	for (i = 0; i < fwd->count; i++) {
		const struct fwd_rule *r = &fwd->rules[i];

		if (weak || !(r->flags & FWD_RULE_WEAK) ||
		    !fwd_same_bind(r, tmpl)) {
			if (n >= FWD_RULES_MAX)
				goto too_many;
			spec_rules[n++] = *r;
			continue;
		}

		/* Weak rule of the same binding: split around new ports */
		for (p = 0; p < ARRAY_SIZE(keep); p++)
			keep[p] = ~spec_incl[p];
		rc = fwd_rule_emit(spec_rules, &n, r, keep, NULL,
				   (uint16_t)(r->to - r->first), r->first,
				   r->last);
		if (rc)
			goto too_many;
	}

	rc = fwd_rule_emit(spec_rules, &n, tmpl, spec_incl, spec_delta, 0, 1,
			   NUM_PORTS - 1);
	if (rc)
		goto too_many;

	memcpy(fwd->rules, spec_rules, n * sizeof(spec_rules[0]));
	fwd->count = n;
	fwd->mode = FWD_SPEC;
	return 0;

too_many:
	*why = "too many port ranges";
	return -FWD_SPEC_TOO_MANY;
}

/**
 * fwd_include_all() - Include every non-ephemeral port in the scratch map
 */
static void fwd_include_all(void)
{
	uint16_t eph_first, eph_last;
	unsigned int p;

	fwd_ephemeral_range(&eph_first, &eph_last);
	for (p = 1; p < NUM_PORTS; p++) {
		if (p < eph_first || p > eph_last)
			bitmap_set(spec_incl, p);
	}
}

/**
 * fwd_spec_parse() - Parse a port forwarding specification into a table
 * @fwd:	Forwarding table: "none", "all" and "auto" replace it, port
 *		lists add to earlier port lists
 * @spec:	Specification, see the grammar at the top of this file
 * @allow_auto:	Accept "auto" (pasta)
 * @allow_all:	Accept "all" (passt)
 * @why:	Short reason of failure, for an error message, set on failure
 *
 * On failure, @fwd is left as it was. The map is rebuilt on success.
 *
 * Return: 0 on success, negative enum fwd_spec_err on failure
 */
int fwd_spec_parse(struct fwd_ports *fwd, const char *spec, bool allow_auto,
		   bool allow_all, const char **why)
{
	struct fwd_rule tmpl = { 0 };
	const char *ports, *slash, *item;
	bool excl_only = true;
	unsigned long any = 0;
	size_t w;
	int rc;

	if (!spec || !*spec) {
		*why = "empty specification";
		return -FWD_SPEC_EMPTY;
	}

	if (!strcmp(spec, "none")) {
		fwd->mode = FWD_NONE;
		fwd->count = 0;
		fwd_map_build(fwd);
		return 0;
	}
	if (!strcmp(spec, "auto")) {
		if (!allow_auto) {
			*why = "'auto' is only valid in pasta mode";
			return -FWD_SPEC_MODE;
		}
		fwd->mode = FWD_AUTO;
		fwd->count = 0;
		fwd_map_build(fwd);
		return 0;
	}

	memset(spec_incl, 0, sizeof(spec_incl));
	memset(spec_excl, 0, sizeof(spec_excl));
	memset(spec_delta, 0, sizeof(spec_delta));

	if (!strcmp(spec, "all")) {
		if (!allow_all) {
			*why = "'all' is only valid in passt mode";
			return -FWD_SPEC_MODE;
		}
		fwd_include_all();
		tmpl.flags = FWD_RULE_WEAK;
		rc = fwd_merge(fwd, &tmpl, true, why);
		if (rc)
			return rc;
		fwd->mode = FWD_ALL;
		fwd_map_build(fwd);
		return 0;
	}

	ports = spec;
	slash = strrchr(spec, '/');
	if (slash) {
		rc = fwd_parse_bind(spec, (size_t)(slash - spec), &tmpl, why);
		if (rc)
			return rc;
		ports = slash + 1;
		if (!*ports) {
			*why = "no ports after '/'";
			return -FWD_SPEC_EMPTY;
		}
	}

	for (item = ports; ; ) {
		const char *end = strchrnul(item, ',');

		rc = fwd_parse_item(item, (size_t)(end - item), &excl_only,
				    why);
		if (rc)
			return rc;
		if (!*end)
			break;
		item = end + 1;
	}

	if (excl_only) {
		fwd_include_all();
		tmpl.flags |= FWD_RULE_WEAK;
	}

	for (w = 0; w < ARRAY_SIZE(spec_incl); w++) {
		spec_incl[w] &= ~spec_excl[w];
		any |= spec_incl[w];
	}
	if (!any) {
		*why = "every port is excluded";
		return -FWD_SPEC_BAD_RANGE;
	}

	rc = fwd_merge(fwd, &tmpl, false, why);
	if (rc)
		return rc;
	fwd_map_build(fwd);
	return 0;
}

/**
 * fwd_table() - One of the forwarding tables of the context
 * @c:		Execution context
 * @t:		Which table
 *
 * Return: the table, in the run-time state
 */
struct fwd_ports *fwd_table(const struct ctx *c, enum fwd_table t)
{
	switch (t) {
	case FWD_TCP_IN:
		return &c->run->tcp_fwd_in;
	case FWD_UDP_IN:
		return &c->run->udp_fwd_in;
	case FWD_TCP_OUT:
		return &c->run->tcp_fwd_out;
	default:
		return &c->run->udp_fwd_out;
	}
}

/**
 * fwd_table_id() - Which of the context's tables a table is
 * @c:		Execution context
 * @fwd:	Table
 *
 * Return: enum fwd_table, FWD_TABLES if it is none of them
 */
static enum fwd_table fwd_table_id(const struct ctx *c,
				   const struct fwd_ports *fwd)
{
	unsigned int t;

	if (!c->run)
		return FWD_TABLES;
	for (t = 0; t < FWD_TABLES; t++) {
		if (fwd == fwd_table(c, (enum fwd_table)t))
			return (enum fwd_table)t;
	}
	return FWD_TABLES;
}

/**
 * fwd_listen_fn() - How listening sockets of a table are opened
 * @t:		Table
 *
 * Return: the function its set-up step used, NULL if it never ran
 *	   (protocol disabled, or not this mode)
 */
fwd_listen_one_fn fwd_listen_fn(enum fwd_table t)
{
	return t < FWD_TABLES ? fwd_open_fn[t] : NULL;
}

/**
 * fwd_sock_track() - Remember the listening sockets of one port of a rule
 * @t:		Table of the rule
 * @r:		Rule: its binding is recorded, not the rule itself
 * @port:	Forwarded port
 * @fds:	FWD_LISTEN_MAX sockets, -1 for unused ones
 *
 * Return: 0 on success, -ENOSPC if the record is full (the sockets stay
 *	   open, but can't be closed by removing the rule)
 */
int fwd_sock_track(enum fwd_table t, const struct fwd_rule *r,
		   in_port_t port, const int *fds)
{
	int i;

	for (i = 0; i < FWD_LISTEN_MAX; i++) {
		struct fwd_sock *fs;

		if (fds[i] < 0)
			continue;
		if (fwd_socks_n >= FWD_SOCKS_MAX)
			return -ENOSPC;
		fs = &fwd_socks[fwd_socks_n++];
		memset(fs, 0, sizeof(*fs));
		fs->addr = r->addr;
		memcpy(fs->ifname, r->ifname, sizeof(fs->ifname));
		fs->fd = fds[i];
		fs->port = port;
		fs->table = (uint8_t)t;
		fs->flags = r->flags & FWD_RULE_ADDR;
	}
	return 0;
}

/**
 * fwd_sock_count() - Number of listening sockets recorded
 *
 * Return: count, for fwd_sock_at()
 */
unsigned int fwd_sock_count(void)
{
	return fwd_socks_n;
}

/**
 * fwd_sock_at() - A recorded listening socket
 * @i:		Index, below fwd_sock_count()
 *
 * Return: the record
 */
struct fwd_sock *fwd_sock_at(unsigned int i)
{
	return &fwd_socks[i];
}

/**
 * fwd_sock_forget() - Drop a record (the caller closed the socket)
 * @i:		Index: the last record takes its place
 */
void fwd_sock_forget(unsigned int i)
{
	if (i >= fwd_socks_n)
		return;
	fwd_socks[i] = fwd_socks[--fwd_socks_n];
}

/**
 * fwd_sock_count_table() - Number of listening sockets of one table
 * @t:		Table
 *
 * Return: count of recorded sockets
 */
unsigned int fwd_sock_count_table(enum fwd_table t)
{
	unsigned int i, n = 0;

	for (i = 0; i < fwd_socks_n; i++)
		n += fwd_socks[i].table == t;
	return n;
}

/**
 * fwd_rule_fmt() - Write a rule in the grammar of the -t/-u/-T/-U options
 * @r:		Rule
 * @buf:	Output buffer
 * @size:	Size of @buf
 *
 * Return: length written (as snprintf())
 */
int fwd_rule_fmt(const struct fwd_rule *r, char *buf, size_t size)
{
	char addr[INANY_ADDRSTRLEN] = "";
	char ports[sizeof("65535-65535:65535-65535")];
	int n;

	if (r->first == r->last)
		n = snprintf(ports, sizeof(ports), "%u", r->first);
	else
		n = snprintf(ports, sizeof(ports), "%u-%u", r->first,
			     r->last);
	if (r->to != r->first && r->first == r->last)
		snprintf(ports + n, sizeof(ports) - (size_t)n, ":%u", r->to);
	else if (r->to != r->first)
		snprintf(ports + n, sizeof(ports) - (size_t)n, ":%u-%u", r->to,
			 (unsigned int)(r->to + (r->last - r->first)));

	if (r->flags & FWD_RULE_ADDR)
		inany_ntop(&r->addr, addr, sizeof(addr));
	if (!*addr && !*r->ifname)
		return snprintf(buf, size, "%s", ports);
	return snprintf(buf, size, "%s%s%s/%s", addr, *r->ifname ? "%" : "",
			r->ifname, ports);
}

/**
 * fwd_spec_remove() - Remove the ports of some rules from a table
 * @fwd:	Forwarding table, changed only on success
 * @del:	Rules to remove: each of their ports must be forwarded by
 *		@fwd with the same binding and the same target
 * @why:	Reason of failure, set on failure
 *
 * Return: 0 on success, negative enum fwd_spec_err on failure
 */
int fwd_spec_remove(struct fwd_ports *fwd, const struct fwd_ports *del,
		    const char **why)
{
	unsigned int i, j, n = fwd->count;

	if (fwd->mode != FWD_SPEC) {
		*why = "no such forward";
		return -FWD_SPEC_BAD_RANGE;
	}
	memcpy(spec_rules, fwd->rules, n * sizeof(spec_rules[0]));

	for (j = 0; j < del->count; j++) {
		const struct fwd_rule *d = &del->rules[j];
		uint16_t dd = (uint16_t)(d->to - d->first);
		unsigned int covered = 0;

		for (i = 0; i < n; i++) {
			struct fwd_rule r = spec_rules[i];
			uint16_t rd = (uint16_t)(r.to - r.first);
			unsigned int lo, hi;

			if (!fwd_same_bind(&r, d) || r.last < d->first ||
			    r.first > d->last)
				continue;
			if (rd != dd) {
				*why = "port forwarded to another target";
				return -FWD_SPEC_BAD_TARGET;
			}
			lo = MAX(r.first, d->first);
			hi = MIN(r.last, d->last);
			covered += hi - lo + 1;

			/* Keep what is left on either side of [lo, hi] */
			spec_rules[i] = spec_rules[--n];
			if (d->first > r.first && n < FWD_RULES_MAX) {
				spec_rules[n] = r;
				spec_rules[n].last = (uint16_t)(lo - 1);
				n++;
			}
			if (d->last < r.last) {
				uint16_t first = (uint16_t)(hi + 1);

				if (n >= FWD_RULES_MAX) {
					*why = "too many port ranges";
					return -FWD_SPEC_TOO_MANY;
				}
				spec_rules[n] = r;
				spec_rules[n].first = first;
				spec_rules[n].to = (uint16_t)(first + rd);
				n++;
			}
			i--;	/* the slot holds another rule now */
		}
		if (covered != (unsigned int)(d->last - d->first + 1)) {
			*why = "no such forward";
			return -FWD_SPEC_BAD_RANGE;
		}
	}

	memcpy(fwd->rules, spec_rules, n * sizeof(spec_rules[0]));
	fwd->count = n;
	fwd_map_build(fwd);
	return 0;
}

/**
 * fwd_listen_addrs() - Addresses a forwarded port listens on, a socket each
 * @c:		Execution context
 * @r:		Rule with bind address and interface, NULL for none
 * @ns:		Listener in pasta's namespace (-T, -U), not on the host
 * @la:		Set to the addresses, FWD_LISTEN_MAX at most
 *
 * A rule's own address is bound as given. Otherwise, listeners on the host
 * (-t, -u) take every address: one dual-stack socket, or one for the only
 * enabled IP version. Listeners in the namespace exist to reach the host's
 * loopback from the namespace's loopback, and take 127.0.0.1 and ::1 only:
 * bound to every address, they would hand services the host keeps on
 * loopback to anything that can reach the namespace (a container behind a
 * bridge in it, another namespace routed through it).
 *
 * Return: number of addresses set in @la
 */
int fwd_listen_addrs(const struct ctx *c, const struct fwd_rule *r, bool ns,
		     struct fwd_listen_addr *la)
{
	struct in_addr any4 = { htonl(INADDR_ANY) };
	struct in_addr lo4 = { htonl(INADDR_LOOPBACK) };
	int n = 0;

	if (r && (r->flags & FWD_RULE_ADDR)) {
		la[0].addr = r->addr;
		la[0].v6only = true;
		return 1;
	}

	if (ns) {
		if (c->ipv4_enabled) {
			inany_from_v4(&la[n].addr, lo4);
			la[n++].v6only = false;
		}
		if (c->ipv6_enabled) {
			la[n].addr.a6 = in6addr_loopback;
			la[n++].v6only = true;
		}
		return n;
	}

	if (c->ipv6_enabled) {
		la[0].addr.a6 = in6addr_any;
		la[0].v6only = !c->ipv4_enabled;
	} else {
		inany_from_v4(&la[0].addr, any4);
		la[0].v6only = false;
	}
	return 1;
}

/**
 * fwd_listen_open() - Open the sockets a forwarded port listens on
 * @c:		Execution context
 * @r:		Forwarding rule, NULL for automatic forwarding
 * @port:	Port
 * @ns:		Listening in pasta's namespace, not on the host
 * @fds:	FWD_LISTEN_MAX sockets, set on return (-1 for none)
 * @open_one:	Opens one socket on an address, for @r, returns it or -errno
 *
 * One of several addresses missing (EADDRNOTAVAIL: no IPv6 in the
 * namespace, say) is skipped; any other failure closes what was opened.
 *
 * Return: number of sockets opened, or negative error code
 */
int fwd_listen_open(const struct ctx *c, const struct fwd_rule *r,
		    in_port_t port, bool ns, int *fds, fwd_listen_one_fn open_one)
{
	struct fwd_listen_addr la[FWD_LISTEN_MAX];
	int i, n, opened = 0, rc = -EAFNOSUPPORT;

	for (i = 0; i < FWD_LISTEN_MAX; i++)
		fds[i] = -1;
	if (!open_one)
		return -EAFNOSUPPORT;

	n = fwd_listen_addrs(c, r, ns, la);
	for (i = 0; i < n; i++) {
		int s = open_one(c, &la[i], r, port, ns);

		if (s >= 0) {
			fds[opened++] = s;
			continue;
		}
		rc = s;
		if (n > 1 && s == -EADDRNOTAVAIL)
			continue;
		while (opened) {
			close(fds[--opened]);
			fds[opened] = -1;
		}
		return rc;
	}
	return opened ? opened : rc;
}

/**
 * fwd_listen_rules() - Open the listening sockets of every rule of a table
 * @c:		Execution context
 * @fwd:	Forwarding table
 * @proto:	IPPROTO_TCP or IPPROTO_UDP, for messages
 * @ns:		Listening in pasta's namespace, not on the host
 * @open_one:	Opens one socket on an address, see fwd_listen_open()
 * @n:		Set to the count of ports bound, failed and skipped
 *
 * Every port of a rule that isn't FWD_RULE_WEAK must be bound: the first
 * that can't ends the loop, with an error message. What to do when ports
 * of weak rules fail is the caller's choice, from @n.
 *
 * Return: 0 on success, -errno of the first required port that failed
 */
int fwd_listen_rules(const struct ctx *c, const struct fwd_ports *fwd,
		     uint8_t proto, bool ns, fwd_listen_one_fn open_one,
		     struct fwd_listen_count *n)
{
	const char *name = proto == IPPROTO_TCP ? "TCP" : "UDP";
	const char *where = ns ? " in the namespace" : "";
	enum fwd_table t = fwd_table_id(c, fwd);
	unsigned int i, port;

	memset(n, 0, sizeof(*n));
	if (t < FWD_TABLES && !fwd_open_fn[t])
		fwd_open_fn[t] = open_one;
	for (i = 0; i < fwd->count; i++) {
		const struct fwd_rule *r = &fwd->rules[i];

		for (port = r->first; port <= r->last; port++) {
			int fds[FWD_LISTEN_MAX];
			int rc = fwd_listen_open(c, r, (in_port_t)port, ns, fds,
						 open_one);

			if (rc >= 0) {
				if (t < FWD_TABLES)
					fwd_sock_track(t, r, (in_port_t)port,
						       fds);
				n->bound++;
				continue;
			}
			if (!(r->flags & FWD_RULE_WEAK)) {
				err("Failed to bind %s port %u%s: %s", name,
				    port, where, strerror(-rc));
				return rc;
			}
			debug("%s: can't bind port %u%s: %s", name, port, where,
			      strerror(-rc));
			/* Out of descriptors: conf_nofile() told already */
			if (rc == -EMFILE)
				n->nofile++;
			else
				n->failed++;
		}
	}
	return 0;
}

/**
 * fwd_listen_flags() - sock_l4() flags every listening socket of a rule gets
 * @c:		Execution context (--freebind)
 * @la:		Address the socket binds, from fwd_listen_addrs()
 *
 * Return: SOCK_L4_* flags: address reuse, IPv6-only or dual-stack, and
 *	   freebind if asked for
 */
unsigned int fwd_listen_flags(const struct ctx *c,
			      const struct fwd_listen_addr *la)
{
	return SOCK_L4_REUSEADDR |
	       (la->v6only ? SOCK_L4_V6ONLY : SOCK_L4_DUALSTACK) |
	       (c->freebind ? SOCK_L4_FREEBIND : 0);
}

/**
 * fwd_listen_inbound() - Listening sockets for every rule of an inbound table
 * @c:		Execution context
 * @fwd:	Inbound table, -t or -u (auto mode: fwd_auto.c opens them as
 *		ports appear, nothing to do here)
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @open_one:	Opens one socket of one port
 *
 * Exits if a rule that must bind can't, or if no port at all could be
 * forwarded.
 */
void fwd_listen_inbound(const struct ctx *c, const struct fwd_ports *fwd,
			uint8_t proto, fwd_listen_one_fn open_one)
{
	const char *name = proto == IPPROTO_TCP ? "TCP" : "UDP";
	enum fwd_table t = fwd_table_id(c, fwd);
	struct fwd_listen_count n;

	/* Known even without rules now: the control socket may add some */
	if (t < FWD_TABLES)
		fwd_open_fn[t] = open_one;
	if (fwd->mode != FWD_SPEC && fwd->mode != FWD_ALL)
		return;

	if (fwd_listen_rules(c, fwd, proto, false, open_one, &n))
		exit(EXIT_FAILURE);

	if ((n.failed || n.nofile) && !n.bound)
		die("-%c: no port could be forwarded",
		    proto == IPPROTO_TCP ? 't' : 'u');
	if (n.failed)
		info("%s: %u ports forwarded, %u could not be bound", name,
		     n.bound, n.failed);
}

/* Address translation, decided once per flow (see NOTES in the manual):
 * shared by the protocol handlers so that TCP, UDP and ICMP agree.
 */

/**
 * fwd_is_dns_port() - Tell if a port is one --dns-forward applies to
 * @port:	Destination port, host order
 *
 * Return: true for DNS (53) and DNS over TLS (853)
 */
static bool fwd_is_dns_port(in_port_t port)
{
	return port == FWD_DNS_PORT || port == FWD_DNS_TLS_PORT;
}

/**
 * fwd_nat_from_guest4() - IPv4 part of fwd_nat_from_guest()
 * @c:		Execution context
 * @dst:	Destination the guest sends to
 * @dns:	Destination port is a DNS one
 * @out:	Host-side destination, v4-mapped
 *
 * Return: 0 on success, -1 if the destination can't be reached
 */
static int fwd_nat_from_guest4(const struct ctx *c, struct in_addr dst,
			       bool dns, union inany_addr *out)
{
	const struct ip4_ctx *ip4 = &c->ip4;
	struct in_addr lo = { .s_addr = htonl(INADDR_LOOPBACK) };

	inany_from_v4(out, dst);
	if (!c->ipv4_enabled)
		return -1;

	if (dns && ip4->dns_match.s_addr && ip4->dns_host.s_addr &&
	    dst.s_addr == ip4->dns_match.s_addr) {
		inany_from_v4(out, ip4->dns_host);
	} else if (ip4->map_host_loopback.s_addr &&
		   dst.s_addr == ip4->map_host_loopback.s_addr) {
		/* DNS exception: the gateway may be the resolver itself, or
		 * stand for a resolver on the host's loopback
		 */
		if (dns && !ip4->dns_match.s_addr && ip4->dns_host.s_addr &&
		    (ip4->dns_host.s_addr == dst.s_addr ||
		     (ntohl(ip4->dns_host.s_addr) >> IN_CLASSA_NSHIFT) ==
		     IN_LOOPBACKNET))
			inany_from_v4(out, ip4->dns_host);
		else if (dns && !ip4->dns_match.s_addr &&
			 ip4->dns_host_lo.s_addr)
			inany_from_v4(out, ip4->dns_host_lo);
		else
			inany_from_v4(out, lo);
	} else if (ip4->map_guest_addr.s_addr &&
		   dst.s_addr == ip4->map_guest_addr.s_addr) {
		inany_from_v4(out, ip4->addr);
	} else if (IN_MULTICAST(ntohl(dst.s_addr)) ||
		   dst.s_addr == htonl(INADDR_BROADCAST) ||
		   dst.s_addr == htonl(INADDR_ANY) ||
		   (ntohl(dst.s_addr) >> IN_CLASSA_NSHIFT) == IN_LOOPBACKNET) {
		return -1;
	}
	return 0;
}

/**
 * fwd_nat_from_guest6() - IPv6 part of fwd_nat_from_guest()
 * @c:		Execution context
 * @dst:	Destination the guest sends to, IPv6
 * @dns:	Destination port is a DNS one
 * @out:	Host-side destination
 *
 * Return: 0 on success, -1 if the destination can't be reached
 */
static int fwd_nat_from_guest6(const struct ctx *c,
			       const union inany_addr *dst, bool dns,
			       union inany_addr *out)
{
	const struct ip6_ctx *ip6 = &c->ip6;

	*out = *dst;
	if (!c->ipv6_enabled)
		return -1;

	if (dns && !IN6_IS_ADDR_UNSPECIFIED(&ip6->dns_match) &&
	    !IN6_IS_ADDR_UNSPECIFIED(&ip6->dns_host) &&
	    IN6_ARE_ADDR_EQUAL(&dst->a6, &ip6->dns_match)) {
		out->a6 = ip6->dns_host;
	} else if (!IN6_IS_ADDR_UNSPECIFIED(&ip6->map_host_loopback) &&
		   IN6_ARE_ADDR_EQUAL(&dst->a6, &ip6->map_host_loopback)) {
		if (dns && IN6_IS_ADDR_UNSPECIFIED(&ip6->dns_match) &&
		    !IN6_IS_ADDR_UNSPECIFIED(&ip6->dns_host) &&
		    (IN6_ARE_ADDR_EQUAL(&ip6->dns_host, &dst->a6) ||
		     IN6_IS_ADDR_LOOPBACK(&ip6->dns_host)))
			out->a6 = ip6->dns_host;
		else if (dns && IN6_IS_ADDR_UNSPECIFIED(&ip6->dns_match) &&
			 !IN6_IS_ADDR_UNSPECIFIED(&ip6->dns_host_lo))
			out->a6 = ip6->dns_host_lo;
		else
			out->a6 = in6addr_loopback;
	} else if (!IN6_IS_ADDR_UNSPECIFIED(&ip6->map_guest_addr) &&
		   IN6_ARE_ADDR_EQUAL(&dst->a6, &ip6->map_guest_addr)) {
		out->a6 = ip6->addr;
	} else if (IN6_IS_ADDR_MULTICAST(&dst->a6) ||
		   IN6_IS_ADDR_UNSPECIFIED(&dst->a6) ||
		   IN6_IS_ADDR_LINKLOCAL(&dst->a6) ||
		   IN6_IS_ADDR_LOOPBACK(&dst->a6)) {
		return -1;
	}
	return 0;
}

/**
 * fwd_nat_from_guest() - Host-side destination for a new flow from the guest
 * @c:		Execution context
 * @proto:	IPPROTO_TCP or IPPROTO_UDP (DNS mapping), other: no DNS
 * @dst:	Destination the guest sends to
 * @port:	Destination port, host order
 * @out:	Host-side destination
 *
 * --dns-forward matches first (DNS ports only), then --map-host-loopback
 * (host loopback, with the DNS exception described in the manual's NOTES:
 * DNS goes to the host's resolver, a loopback one listed after a remote one
 * included),
 * then --map-guest-addr (the host's own address). Multicast, broadcast,
 * unspecified, loopback and (unmapped) link-local destinations can't be
 * reached through host sockets.
 *
 * The host side of a flow has the family of its guest side (tap_parse()
 * already dropped IPv6 frames with v4-mapped addresses): the handlers build
 * replies and ICMP errors for the guest from either side. A mapping that
 * would change the family (an IPv6 nameserver written as ::ffff:a.b.c.d in
 * resolv.conf, say) leaves the destination unreachable instead.
 *
 * Return: 0 on success, -1 if the destination can't be reached
 */
int fwd_nat_from_guest(const struct ctx *c, uint8_t proto,
		       const union inany_addr *dst, in_port_t port,
		       union inany_addr *out)
{
	const struct in_addr *v4 = inany_v4(dst);
	bool dns = (proto == IPPROTO_TCP || proto == IPPROTO_UDP) &&
		   fwd_is_dns_port(port);
	int rc;

	if (v4)
		rc = fwd_nat_from_guest4(c, *v4, dns, out);
	else
		rc = fwd_nat_from_guest6(c, dst, dns, out);

	if (!rc && !inany_v4(out) != !v4)
		return -1;
	return rc;
}

/**
 * fwd_nat_to_guest() - Guest-side addresses for a new flow from the host
 * @c:		Execution context
 * @peer:	Address of the host-side peer
 * @faddr:	Set to the address the guest sees the flow coming from
 * @eaddr:	Set to the guest address the flow goes to
 *
 * Loopback sources appear as the --map-host-loopback address, sources equal
 * to the guest's own (host) address as the --map-guest-addr one, or the
 * --map-host-loopback one if that's not set. The destination is the address
 * last seen from the guest (link-local for link-local sources), or the
 * configured one if none was seen yet.
 *
 * Return: 0 on success, -1 if the flow can't be presented to the guest
 */
int fwd_nat_to_guest(const struct ctx *c, const union inany_addr *peer,
		     union inany_addr *faddr, union inany_addr *eaddr)
{
	const struct in_addr *v4 = inany_v4(peer);
	const struct ip6_ctx *ip6 = &c->ip6;

	*faddr = *peer;
	if (v4) {
		const struct ip4_ctx *ip4 = &c->ip4;
		struct in_addr dst = c->run->addr4_seen.s_addr ?
				     c->run->addr4_seen : ip4->addr;

		if (!c->ipv4_enabled || !dst.s_addr)
			return -1;
		if ((ntohl(v4->s_addr) >> IN_CLASSA_NSHIFT) == IN_LOOPBACKNET) {
			if (!ip4->map_host_loopback.s_addr)
				return -1;
			inany_from_v4(faddr, ip4->map_host_loopback);
		} else if (v4->s_addr == dst.s_addr ||
			   v4->s_addr == ip4->addr.s_addr) {
			if (ip4->map_guest_addr.s_addr)
				inany_from_v4(faddr, ip4->map_guest_addr);
			else if (ip4->map_host_loopback.s_addr)
				inany_from_v4(faddr, ip4->map_host_loopback);
			else
				return -1;
		}
		inany_from_v4(eaddr, dst);
		return 0;
	}

	if (!c->ipv6_enabled)
		return -1;
	if (IN6_IS_ADDR_LOOPBACK(&peer->a6)) {
		if (IN6_IS_ADDR_UNSPECIFIED(&ip6->map_host_loopback))
			return -1;
		faddr->a6 = ip6->map_host_loopback;
	} else if (IN6_ARE_ADDR_EQUAL(&peer->a6, &ip6->addr) ||
		   IN6_ARE_ADDR_EQUAL(&peer->a6, &c->run->addr6_seen)) {
		if (!IN6_IS_ADDR_UNSPECIFIED(&ip6->map_guest_addr))
			faddr->a6 = ip6->map_guest_addr;
		else if (!IN6_IS_ADDR_UNSPECIFIED(&ip6->map_host_loopback))
			faddr->a6 = ip6->map_host_loopback;
		else
			return -1;
	}

	if (IN6_IS_ADDR_LINKLOCAL(&faddr->a6))
		eaddr->a6 = c->run->addr6_ll_seen;
	else if (!IN6_IS_ADDR_UNSPECIFIED(&c->run->addr6_seen))
		eaddr->a6 = c->run->addr6_seen;
	else
		eaddr->a6 = ip6->addr;

	return IN6_IS_ADDR_UNSPECIFIED(&eaddr->a6) ? -1 : 0;
}
