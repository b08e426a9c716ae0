// SPDX-License-Identifier: GPL-2.0-or-later
/* conf_addr.c - The guest's addresses, gateways and nameservers, as far as
 * they come from the host: the addresses and default route of the host
 * interface conf() picked (via netlink), or the link-local ones of local
 * mode when there's none; nameservers and search list from
 * /etc/resolv.conf, unless options say otherwise; where the host's resolver
 * listens on loopback, an address the guest can reach instead, and the
 * resolv.conf a command spawned by pasta sees. Also the start-up summary
 * that shows the result. Runs once, from conf(), before anything else.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>

#include "util.h"
#include "inany.h"
#include "log.h"
#include "ctx.h"
#include "netlink.h"
#include "conf_addr.h"

/* Local mode (no usable host interface): the guest's address, prefix length
 * and gateway, and our IPv6 gateway; decided here only, in conf_ip4() and
 * conf_ip6(): the rest of the program reads @local_mode and the addresses
 */
#define IN4_LL_GUEST		"169.254.2.1"
#define IN4_LL_PREFIX_LEN	16
#define IN4_LL_GW		"169.254.2.2"
#define IN6_LL_GW		"fe80::1"

#define RESOLV_CONF		"/etc/resolv.conf"
/* Bytes of resolv.conf we look at: far more than any sane one has */
#define RESOLV_CONF_MAX		(64 * 1024)
/* Nameservers of one version read from resolv.conf, before filtering */
#define RESOLV_NS_MAX		16
#define DNS_LABEL_MAX		63

/**
 * struct resolv - What /etc/resolv.conf says
 * @ns4:	IPv4 nameservers, in order
 * @ns6:	IPv6 nameservers, in order
 * @ns4_n:	Number of @ns4
 * @ns6_n:	Number of @ns6
 * @search:	Search list (last "search" or "domain" line)
 * @search_n:	Number of @search
 */
struct resolv {
	struct in_addr ns4[RESOLV_NS_MAX];
	struct in6_addr ns6[RESOLV_NS_MAX];
	unsigned int ns4_n;
	unsigned int ns6_n;
	char search[DNS_SEARCH_MAX][DNS_NAME_MAX + 1];
	unsigned int search_n;
};

/* The host's resolv.conf as read, kept for conf_resolv_cmd() */
static char conf_resolv_text[RESOLV_CONF_MAX];
/* -D given with addresses: the command's nameservers are those */
static bool conf_resolv_dns_given;

/**
 * conf_domain_ok() - Check a domain name: labels of letters, digits, - _
 * @name:	Name, without trailing dot
 *
 * Return: true if valid
 */
bool conf_domain_ok(const char *name)
{
	size_t label = 0, len = strlen(name);
	const char *p;

	if (!len || len > DNS_NAME_MAX)
		return false;
	for (p = name; *p; p++) {
		if (*p == '.') {
			if (!label)
				return false;
			label = 0;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return false;
		if (++label > DNS_LABEL_MAX)
			return false;
	}
	return label > 0;
}

/**
 * conf_domain_copy() - Copy a domain name token, dropping one trailing dot
 * @dst:	Buffer of DNS_NAME_MAX + 1 bytes
 * @src:	Token
 * @len:	Length of @src
 *
 * Return: 0 if the name is valid, -1 otherwise
 */
int conf_domain_copy(char *dst, const char *src, size_t len)
{
	if (len && src[len - 1] == '.')
		len--;
	if (!len || len > DNS_NAME_MAX)
		return -1;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return conf_domain_ok(dst) ? 0 : -1;
}

/**
 * conf_resolv_read() - Read nameservers and search list of resolv.conf
 * @r:		Result: zeroed, then filled
 */
static void conf_resolv_read(struct resolv *r)
{
	static char buf[RESOLV_CONF_MAX];
	char *line, *save = NULL;

	memset(r, 0, sizeof(*r));
	if (read_file_str(RESOLV_CONF, buf, sizeof(buf)) < 0) {
		debug("Can't read %s: %s", RESOLV_CONF, strerror(errno));
		return;
	}
	memcpy(conf_resolv_text, buf, sizeof(conf_resolv_text));

	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *sep = " \t\r";
		char *tok, *lsave = NULL;

		tok = strtok_r(line, sep, &lsave);
		if (!tok || *tok == '#' || *tok == ';')
			continue;

		if (!strcmp(tok, "nameserver")) {
			struct in6_addr a6;
			struct in_addr a4;

			tok = strtok_r(NULL, sep, &lsave);
			if (!tok)
				continue;
			if (inet_pton(AF_INET, tok, &a4) == 1) {
				if (r->ns4_n < RESOLV_NS_MAX)
					r->ns4[r->ns4_n++] = a4;
			} else if (inet_pton(AF_INET6, tok, &a6) == 1) {
				if (r->ns6_n < RESOLV_NS_MAX)
					r->ns6[r->ns6_n++] = a6;
			} else {
				/* e.g. scoped link-local: useless to guests */
				debug("Skipping nameserver %s", tok);
			}
		} else if (!strcmp(tok, "search") || !strcmp(tok, "domain")) {
			r->search_n = 0;
			while ((tok = strtok_r(NULL, sep, &lsave))) {
				if (*tok == '#' || *tok == ';')
					break;
				if (r->search_n >= DNS_SEARCH_MAX)
					break;
				if (conf_domain_copy(r->search[r->search_n],
						     tok, strlen(tok)))
					debug("Skipping search domain %s", tok);
				else
					r->search_n++;
			}
		}
	}
}

/**
 * conf_dns_add4() - Add an IPv4 nameserver for the guest, once
 * @c:		Execution context
 * @a:		Address
 */
static void conf_dns_add4(struct ctx *c, struct in_addr a)
{
	unsigned int i;

	for (i = 0; i < DNS_MAX && c->ip4.dns[i].s_addr; i++) {
		if (c->ip4.dns[i].s_addr == a.s_addr)
			return;
	}
	if (i < DNS_MAX)
		c->ip4.dns[i] = a;
}

/**
 * conf_dns_add6() - Add an IPv6 nameserver for the guest, once
 * @c:		Execution context
 * @a:		Address
 */
static void conf_dns_add6(struct ctx *c, const struct in6_addr *a)
{
	unsigned int i;

	for (i = 0; i < DNS_MAX && !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[i]);
	     i++) {
		if (IN6_ARE_ADDR_EQUAL(&c->ip6.dns[i], a))
			return;
	}
	if (i < DNS_MAX)
		c->ip6.dns[i] = *a;
}

/**
 * conf_lo4() - Tell if an IPv4 address is a loopback one
 * @a:		Address
 *
 * Return: true for 127.0.0.0/8
 */
static bool conf_lo4(struct in_addr a)
{
	return (ntohl(a.s_addr) >> IN_CLASSA_NSHIFT) == IN_LOOPBACKNET;
}

/**
 * conf_dns_reach4() - Guest-side address of the host's loopback resolver
 * @c:		Execution context, DNS forwarding and loopback mapping set
 *
 * The --dns-forward address if given (and there's a host nameserver for
 * it), otherwise the --map-host-loopback one: the manual's NOTES send DNS
 * queries to it to the host's resolver.
 *
 * Return: address, 0 if the guest can't reach a resolver on host loopback
 */
static struct in_addr conf_dns_reach4(const struct ctx *c)
{
	struct in_addr none = { 0 };

	if (!c->ipv4_enabled)
		return none;
	if (c->ip4.dns_match.s_addr && c->ip4.dns_host.s_addr)
		return c->ip4.dns_match;
	return c->ip4.map_host_loopback;
}

/**
 * conf_dns_reach6() - Same as conf_dns_reach4(), for IPv6
 * @c:		Execution context, DNS forwarding and loopback mapping set
 *
 * Return: address, :: if the guest can't reach a resolver on host loopback
 */
static struct in6_addr conf_dns_reach6(const struct ctx *c)
{
	if (!c->ipv6_enabled)
		return in6addr_any;
	if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns_match) &&
	    !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns_host))
		return c->ip6.dns_match;
	return c->ip6.map_host_loopback;
}

/**
 * conf_dns_tell_attached() - Say which nameserver to use in a namespace
 * @c:		Execution context
 * @r:		What resolv.conf says
 *
 * pasta attached to an existing namespace changes no file of its users:
 * with a resolver on the host's loopback only, the namespace's resolv.conf
 * must name the reachable address, which only the caller can write.
 */
static void conf_dns_tell_attached(const struct ctx *c, const struct resolv *r)
{
	struct in6_addr a6 = conf_dns_reach6(c);
	struct in_addr a4 = conf_dns_reach4(c);
	char buf4[INET_ADDRSTRLEN] = "", buf6[INET6_ADDRSTRLEN] = "";
	bool lo4 = false, lo6 = false;
	unsigned int i;

	for (i = 0; i < r->ns4_n; i++) {
		if (!conf_lo4(r->ns4[i]))
			return;
		lo4 = true;
	}
	for (i = 0; i < r->ns6_n; i++) {
		if (!IN6_IS_ADDR_LOOPBACK(&r->ns6[i]))
			return;
		lo6 = true;
	}

	if (lo4 && a4.s_addr)
		inet_ntop(AF_INET, &a4, buf4, sizeof(buf4));
	if (lo6 && !IN6_IS_ADDR_UNSPECIFIED(&a6))
		inet_ntop(AF_INET6, &a6, buf6, sizeof(buf6));
	if (!lo4 && !lo6)
		return;

	if (!*buf4 && !*buf6)
		info("The host's resolver is on loopback, and the namespace "
		     "can't reach it: see --dns-forward");
	else
		info("The host's resolver is on loopback: use nameserver "
		     "%s%s%s in the namespace's resolv.conf", buf4,
		     *buf4 && *buf6 ? " or " : "", buf6);
}

/**
 * conf_dns_setup() - Nameservers and search list for the guest
 * @c:		Execution context, loopback mappings already set
 * @a:		Options seen on the command line
 *
 * -D addresses go to the guest as given. From resolv.conf, loopback
 * nameservers (a local resolver on the host) are replaced by an address
 * the guest reaches it at (conf_dns_reach4()), and skipped if there's none.
 * DNS queries to the --map-host-loopback address go to the host's first
 * loopback nameserver (@dns_host_lo), unless --dns-host says otherwise.
 */
void conf_dns_setup(struct ctx *c, const struct conf_args *a)
{
	struct in6_addr reach6;
	struct in_addr reach4;
	struct resolv r;
	unsigned int i;

	conf_resolv_read(&r);
	conf_resolv_dns_given = a->dns_given;

	if (!a->dns_host4_given && r.ns4_n)
		c->ip4.dns_host = r.ns4[0];
	if (!a->dns_host6_given && r.ns6_n)
		c->ip6.dns_host = r.ns6[0];

	for (i = 0; i < r.ns4_n && !c->ip4.dns_host_lo.s_addr; i++) {
		if (conf_lo4(r.ns4[i]))
			c->ip4.dns_host_lo = r.ns4[i];
	}
	for (i = 0; i < r.ns6_n && IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns_host_lo);
	     i++) {
		if (IN6_IS_ADDR_LOOPBACK(&r.ns6[i]))
			c->ip6.dns_host_lo = r.ns6[i];
	}

	reach4 = conf_dns_reach4(c);
	reach6 = conf_dns_reach6(c);

	if (c->no_dns) {
		/* nothing */
	} else if (a->dns_given) {
		for (i = 0; c->ipv4_enabled && i < a->dns4_n; i++)
			conf_dns_add4(c, a->dns4[i]);
		for (i = 0; c->ipv6_enabled && i < a->dns6_n; i++)
			conf_dns_add6(c, &a->dns6[i]);
	} else {
		for (i = 0; c->ipv4_enabled && i < r.ns4_n; i++) {
			struct in_addr ns = r.ns4[i];

			if (conf_lo4(ns)) {
				if (!reach4.s_addr)
					continue;
				ns = reach4;
			}
			conf_dns_add4(c, ns);
		}
		for (i = 0; c->ipv6_enabled && i < r.ns6_n; i++) {
			const struct in6_addr *ns = &r.ns6[i];

			if (IN6_IS_ADDR_LOOPBACK(ns)) {
				if (IN6_IS_ADDR_UNSPECIFIED(&reach6))
					continue;
				ns = &reach6;
			}
			conf_dns_add6(c, ns);
		}

		if (c->mode == MODE_PASTA &&
		    (c->pasta_pid || *c->netns_path))
			conf_dns_tell_attached(c, &r);
	}

	if (!a->search_given && !c->no_dns_search) {
		for (i = 0; i < r.search_n; i++)
			memcpy(c->dns_search[i], r.search[i],
			       sizeof(c->dns_search[i]));
	}
}

/**
 * conf_resolv_put() - Append to the command's resolv.conf
 * @out:	Buffer
 * @size:	Size of @out
 * @len:	Bytes used in @out, updated
 * @fmt:	Format string
 * @...:	Arguments
 *
 * Return: 0 on success, -1 if @out is too small
 */
static int __attribute__((format(printf, 4, 5)))
conf_resolv_put(char *out, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size - *len)
		return -1;
	*len += n;
	return 0;
}

/**
 * conf_resolv_put_ns() - Append a nameserver line, once per address
 * @c:		Execution context
 * @a:		Address, v4-mapped for IPv4
 * @done:	Addresses written so far, updated
 * @done_n:	Number of @done, updated
 * @out:	Buffer
 * @size:	Size of @out
 * @len:	Bytes used in @out, updated
 *
 * A link-local IPv6 address needs the namespace interface as its scope.
 *
 * Return: 0 on success, -1 if @out is too small
 */
static int conf_resolv_put_ns(const struct ctx *c, const union inany_addr *a,
			      union inany_addr *done, unsigned int *done_n,
			      char *out, size_t size, size_t *len)
{
	const struct in_addr *v4 = inany_v4(a);
	char buf[INET6_ADDRSTRLEN];
	unsigned int i;

	for (i = 0; i < *done_n; i++) {
		if (inany_equals(&done[i], a))
			return 0;
	}
	if (*done_n < RESOLV_NS_MAX)
		done[(*done_n)++] = *a;

	if (v4)
		inet_ntop(AF_INET, v4, buf, sizeof(buf));
	else
		inet_ntop(AF_INET6, &a->a6, buf, sizeof(buf));
	if (!v4 && IN6_IS_ADDR_LINKLOCAL(&a->a6))
		return conf_resolv_put(out, size, len, "nameserver %s%%%s\n",
				       buf, c->pasta_ifname);
	return conf_resolv_put(out, size, len, "nameserver %s\n", buf);
}

/**
 * conf_resolv_ns_line() - Parse a "nameserver ADDR" line of resolv.conf
 * @p:		Start of the line
 * @eol:	End of the line
 * @ns:		Address of the nameserver, set if the line has one
 *
 * Return: true if the line names a nameserver by an address we understand
 */
static bool conf_resolv_ns_line(const char *p, const char *eol,
				union inany_addr *ns)
{
	static const char key[] = "nameserver";
	size_t n = 0, keylen = sizeof(key) - 1;
	char tok[INET6_ADDRSTRLEN];
	struct in6_addr a6;
	struct in_addr a4;

	while (p < eol && (*p == ' ' || *p == '\t'))
		p++;
	if (eol - p <= (ptrdiff_t)keylen || memcmp(p, key, keylen))
		return false;
	p += keylen;
	if (*p != ' ' && *p != '\t')
		return false;
	while (p < eol && (*p == ' ' || *p == '\t'))
		p++;
	while (p + n < eol && p[n] != ' ' && p[n] != '\t' && p[n] != '\r') {
		if (n >= sizeof(tok) - 1)
			return false;
		tok[n] = p[n];
		n++;
	}
	tok[n] = '\0';

	if (inet_pton(AF_INET, tok, &a4) == 1) {
		inany_from_v4(ns, a4);
		return true;
	}
	if (inet_pton(AF_INET6, tok, &a6) == 1) {
		ns->a6 = a6;
		return true;
	}
	return false;
}

/**
 * conf_resolv_ns_lo() - Tell if a nameserver is on loopback
 * @ns:		Address, v4-mapped for IPv4
 *
 * Return: true for 127.0.0.0/8 and ::1
 */
static bool conf_resolv_ns_lo(const union inany_addr *ns)
{
	const struct in_addr *v4 = inany_v4(ns);

	return v4 ? conf_lo4(*v4) : IN6_IS_ADDR_LOOPBACK(&ns->a6);
}

/**
 * conf_resolv_put_dns() - Append nameserver lines for what the guest gets
 * @c:		Execution context
 * @done:	Addresses written so far, updated
 * @done_n:	Number of @done, updated
 * @out:	Buffer
 * @size:	Size of @out
 * @len:	Bytes used in @out, updated
 *
 * Return: 0 on success, -1 if @out is too small
 */
static int conf_resolv_put_dns(const struct ctx *c, union inany_addr *done,
			       unsigned int *done_n, char *out, size_t size,
			       size_t *len)
{
	union inany_addr a;
	unsigned int i;

	for (i = 0; i < DNS_MAX && c->ip4.dns[i].s_addr; i++) {
		inany_from_v4(&a, c->ip4.dns[i]);
		if (conf_resolv_put_ns(c, &a, done, done_n, out, size, len))
			return -1;
	}
	for (i = 0; i < DNS_MAX && !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[i]);
	     i++) {
		a.a6 = c->ip6.dns[i];
		if (conf_resolv_put_ns(c, &a, done, done_n, out, size, len))
			return -1;
	}
	return 0;
}

/**
 * conf_resolv_rewrite() - The command's resolv.conf, from the host's one
 * @c:		Execution context, after conf()
 * @host:	Text of the host's resolv.conf
 * @dns_given:	-D given with addresses
 * @out:	Buffer for the result, NUL-terminated
 * @size:	Size of @out
 *
 * Only needed if the host's file names a loopback nameserver, which the
 * command would take for its own loopback. Lines are kept in order, those
 * loopback nameservers replaced by the address the guest reaches the host's
 * resolver at, or left out if there's none. With -D, the nameservers are
 * the -D ones instead, where the first nameserver line was.
 *
 * Return: length of the result, 0 if no file is needed, -1 if too long
 */
ssize_t conf_resolv_rewrite(const struct ctx *c, const char *host,
			    bool dns_given, char *out, size_t size)
{
	union inany_addr done[RESOLV_NS_MAX], reach4, reach6;
	struct in_addr r4 = conf_dns_reach4(c);
	bool lo = false, ns_seen = false;
	unsigned int done_n = 0;
	const char *p, *eol;
	size_t len = 0;

	if (c->no_dns || !size)
		return 0;
	*out = '\0';
	inany_from_v4(&reach4, r4);
	reach6.a6 = conf_dns_reach6(c);

	for (p = host; *p; p = *eol ? eol + 1 : eol) {
		const union inany_addr *put = NULL;
		union inany_addr ns;

		eol = strchr(p, '\n');
		if (!eol)
			eol = p + strlen(p);

		if (!conf_resolv_ns_line(p, eol, &ns)) {
			if (conf_resolv_put(out, size, &len, "%.*s\n",
					    (int)(eol - p), p))
				return -1;
			continue;
		}

		if (conf_resolv_ns_lo(&ns))
			lo = true;

		if (dns_given) {
			if (!ns_seen &&
			    conf_resolv_put_dns(c, done, &done_n, out, size,
						&len))
				return -1;
			ns_seen = true;
			continue;
		}

		if (!conf_resolv_ns_lo(&ns)) {
			if (conf_resolv_put(out, size, &len, "%.*s\n",
					    (int)(eol - p), p))
				return -1;
			continue;
		}

		if (inany_v4(&ns) && r4.s_addr)
			put = &reach4;
		else if (!inany_v4(&ns) &&
			 !IN6_IS_ADDR_UNSPECIFIED(&reach6.a6))
			put = &reach6;
		if (put && conf_resolv_put_ns(c, put, done, &done_n, out, size,
					      &len))
			return -1;
	}

	return lo ? (ssize_t)len : 0;
}

/**
 * conf_resolv_cmd() - The resolv.conf a command spawned by pasta gets
 * @c:		Execution context, after conf()
 * @out:	Buffer for the result, NUL-terminated
 * @size:	Size of @out
 *
 * Return: length of the result, 0 if the host's file does, -1 if too long
 */
ssize_t conf_resolv_cmd(const struct ctx *c, char *out, size_t size)
{
	return conf_resolv_rewrite(c, conf_resolv_text, conf_resolv_dns_given,
				   out, size);
}

/**
 * conf_prefix_classful() - Default prefix length of an IPv4 address
 * @addr:	Address
 *
 * Return: 8, 16 or 24 for class A, B, C addresses, 24 otherwise
 */
static int conf_prefix_classful(struct in_addr addr)
{
	uint32_t h = ntohl(addr.s_addr);

	if (IN_CLASSA(h))
		return 8;
	if (IN_CLASSB(h))
		return 16;
	return 24;
}

/**
 * conf_ip4() - IPv4 addresses, prefix length and gateway
 * @c:		Execution context, @ifi4 set
 * @a:		Options seen on the command line
 *
 * Return: true if there's a gateway (given, or on the host's route)
 */
bool conf_ip4(struct ctx *c, const struct conf_args *a)
{
	struct in_addr host = { 0 }, gw = { 0 }, ll;
	int host_plen = 0;
	bool have_gw = c->ip4.gw_given;

	if (c->ifi4 && nl_addr_get(nl_sock, c->ifi4, AF_INET, &host,
				   &host_plen, NULL)) {
		debug("No IPv4 address on host interface %u: local mode",
		      c->ifi4);
		c->ifi4 = 0;
	}

	if (c->ifi4) {
		if (!c->ip4.addr_given) {
			c->ip4.addr = host;
			c->ip4.prefix_len = host_plen;
		} else if (c->ip4.addr.s_addr == host.s_addr) {
			c->ip4.prefix_len = host_plen;
		} else {
			c->ip4.prefix_len = conf_prefix_classful(c->ip4.addr);
		}

		if (!c->ip4.gw_given &&
		    !nl_route_get_def(nl_sock, c->ifi4, AF_INET, &gw) &&
		    gw.s_addr) {
			c->ip4.guest_gw = gw;
			have_gw = true;
		}
	} else {
		c->ip4.local_mode = true;
		if (!c->ip4.addr_given) {
			inet_pton(AF_INET, IN4_LL_GUEST, &c->ip4.addr);
			c->ip4.prefix_len = IN4_LL_PREFIX_LEN;
		} else {
			c->ip4.prefix_len = conf_prefix_classful(c->ip4.addr);
		}
		if (!c->ip4.gw_given) {
			inet_pton(AF_INET, IN4_LL_GW, &ll);
			c->ip4.guest_gw = ll;
		}
	}

	if (a->prefix_len >= 0)
		c->ip4.prefix_len = a->prefix_len;

	/* Manual: DHCP is implied off without a gateway on the selected
	 * default route (local mode has our own gateway)
	 */
	if (c->ifi4 && !have_gw)
		c->no_dhcp = true;

	return have_gw;
}

/**
 * conf_ip6() - IPv6 addresses and gateway, our link-local address
 * @c:		Execution context, @ifi6 set
 *
 * Return: true if there's a gateway (given, or on the host's route)
 */
bool conf_ip6(struct ctx *c)
{
	struct in6_addr host = IN6ADDR_ANY_INIT, gw = IN6ADDR_ANY_INIT;
	struct in6_addr ll = IN6ADDR_ANY_INIT;
	bool have_gw = c->ip6.gw_given;
	int host_plen = 0;

	if (c->ifi6 && nl_addr_get(nl_sock, c->ifi6, AF_INET6, &host,
				   &host_plen, &ll)) {
		debug("No global IPv6 address on host interface %u: "
		      "local mode", c->ifi6);
		c->ifi6 = 0;
	}

	if (c->ifi6) {
		if (!c->ip6.addr_given) {
			c->ip6.addr = host;
			c->ip6.prefix_len = host_plen;
		} else if (IN6_ARE_ADDR_EQUAL(&c->ip6.addr, &host)) {
			c->ip6.prefix_len = host_plen;
		} else {
			c->ip6.prefix_len = 64;
		}

		if (!c->ip6.gw_given &&
		    !nl_route_get_def(nl_sock, c->ifi6, AF_INET6, &gw) &&
		    !IN6_IS_ADDR_UNSPECIFIED(&gw)) {
			c->ip6.guest_gw = gw;
			have_gw = true;
		}
	} else {
		c->ip6.local_mode = true;
		if (c->ip6.addr_given)
			c->ip6.prefix_len = 64;
		if (!c->ip6.gw_given)
			inet_pton(AF_INET6, IN6_LL_GW, &c->ip6.guest_gw);
	}

	/* Router Advertisements must come from a link-local address */
	if (IN6_IS_ADDR_LINKLOCAL(&c->ip6.guest_gw))
		c->ip6.our_tap_ll = c->ip6.guest_gw;
	else if (IN6_IS_ADDR_LINKLOCAL(&ll))
		c->ip6.our_tap_ll = ll;
	else
		inet_pton(AF_INET6, IN6_LL_GW, &c->ip6.our_tap_ll);

	return have_gw;
}

/**
 * conf_print_dns() - Print nameservers and search list of a section
 * @c:		Execution context
 * @v4:		Print IPv4 nameservers
 * @v6:		Print IPv6 nameservers
 * @search:	Print the search list
 */
static void conf_print_dns(const struct ctx *c, bool v4, bool v6, bool search)
{
	char buf[INET6_ADDRSTRLEN];
	bool hdr = false;
	int i;

	for (i = 0; v4 && i < DNS_MAX && c->ip4.dns[i].s_addr; i++) {
		if (!hdr)
			info("    DNS:");
		hdr = true;
		info("        %s",
		     inet_ntop(AF_INET, &c->ip4.dns[i], buf, sizeof(buf)));
	}
	for (i = 0; v6 && i < DNS_MAX &&
		    !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[i]); i++) {
		if (!hdr)
			info("    DNS:");
		hdr = true;
		info("        %s",
		     inet_ntop(AF_INET6, &c->ip6.dns[i], buf, sizeof(buf)));
	}

	for (i = 0; search && i < DNS_SEARCH_MAX && *c->dns_search[i]; i++) {
		if (!i)
			info("    search:");
		info("        %s", c->dns_search[i]);
	}
}

/**
 * conf_print_ifname() - Name of a host interface for the summary
 * @ifi:	Interface index, 0 for none
 * @buf:	Buffer of IFNAMSIZ bytes
 *
 * Return: @buf
 */
static const char *conf_print_ifname(unsigned int ifi, char *buf)
{
	if (!ifi || !if_indextoname(ifi, buf))
		snprintf(buf, IFNAMSIZ, "%s", ifi ? "?" : "none");
	return buf;
}

/**
 * conf_print() - Print the start-up summary: interfaces, addresses, DNS
 * @c:		Execution context
 *
 * Sections for disabled services are left out.
 */
void conf_print(const struct ctx *c)
{
	char buf[INET6_ADDRSTRLEN], if4[IFNAMSIZ], if6[IFNAMSIZ];
	char mac[MAC_STRLEN], ns[IFNAMSIZ + 32] = "";
	bool local4 = c->ip4.local_mode, local6 = c->ip6.local_mode;

	if (c->mode == MODE_PASTA)
		snprintf(ns, sizeof(ns), ", namespace interface: %s",
			 c->pasta_ifname);

	conf_print_ifname(c->ifi4, if4);
	conf_print_ifname(c->ifi6, if6);
	if ((local4 || !c->ipv4_enabled) && (local6 || !c->ipv6_enabled))
		info("Outbound interface: none (local mode)%s", ns);
	else if (!c->ipv6_enabled || (!local4 && c->ifi4 == c->ifi6))
		info("Outbound interface: %s%s", if4, ns);
	else if (!c->ipv4_enabled)
		info("Outbound interface: %s%s", if6, ns);
	else
		info("Outbound interfaces: IPv4 %s%s, IPv6 %s%s%s",
		     if4, local4 ? " (local mode)" : "",
		     if6, local6 ? " (local mode)" : "", ns);

	if (c->ipv4_enabled) {
		struct in_addr mask;

		mask.s_addr = htonl(c->ip4.prefix_len ?
				    ~0U << (32 - c->ip4.prefix_len) : 0);
		info("ARP:");
		info("    address: %s",
		     mac_ntop(c->our_tap_mac, mac, sizeof(mac)));
		info("%s", c->no_dhcp ? "IPv4 (DHCP disabled):" : "DHCP:");
		info("    assign: %s",
		     inet_ntop(AF_INET, &c->ip4.addr, buf, sizeof(buf)));
		info("    mask: %s",
		     inet_ntop(AF_INET, &mask, buf, sizeof(buf)));
		if (c->ip4.guest_gw.s_addr)
			info("    router: %s", inet_ntop(AF_INET,
			     &c->ip4.guest_gw, buf, sizeof(buf)));
		if (!c->no_dhcp)
			conf_print_dns(c, !c->no_dhcp_dns, false,
				       !c->no_dhcp_dns_search);
	}

	if (c->ipv6_enabled) {
		bool ra = !c->no_ndp && !c->no_ra;

		if (ra && !c->no_dhcpv6)
			info("NDP/DHCPv6:");
		else if (ra)
			info("NDP:");
		else if (!c->no_dhcpv6)
			info("DHCPv6:");
		else
			info("IPv6 (NDP and DHCPv6 disabled):");

		if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr))
			info("    assign: %s", inet_ntop(AF_INET6, &c->ip6.addr,
							buf, sizeof(buf)));
		info("    router: %s",
		     inet_ntop(AF_INET6, &c->ip6.guest_gw, buf, sizeof(buf)));
		info("    our link-local: %s",
		     inet_ntop(AF_INET6, &c->ip6.our_tap_ll, buf, sizeof(buf)));
		if (ra || !c->no_dhcpv6)
			conf_print_dns(c, false, !c->no_dhcp_dns,
				       !c->no_dhcp_dns_search);
	}

	/* What the guest isn't told, but the host uses (and pasta shows) */
	if ((c->no_dhcp_dns && (c->ip4.dns[0].s_addr ||
				!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[0]))) ||
	    (c->no_dhcp_dns_search && *c->dns_search[0])) {
		info("DNS (not advertised to the guest):");
		conf_print_dns(c, c->no_dhcp_dns, c->no_dhcp_dns,
			       c->no_dhcp_dns_search);
	}
}
