// SPDX-License-Identifier: GPL-2.0-or-later
/* conf.c - The command line, turned into struct ctx, plus the defaults taken
 * from the host: the outbound interface, and through conf_addr.c its
 * addresses and gateway (via netlink), nameservers and search list (from
 * /etc/resolv.conf). Runs once, from main(), before anything else is set up.
 * Each option is an entry of conf_opts[], which says what giving it does.
 *
 * Every invalid option or value ends the program with one line on standard
 * error, "OPTION VALUE: what is wrong", and exit status 1. Where an option
 * may be given once per IP version (-a, -g, -o, --dns-forward, --dns-host,
 * --map-host-loopback, --map-guest-addr), the last one of each version
 * wins, as for every other option the manual doesn't say otherwise of.
 *
 * Choices where the manual leaves room:
 * - An MTU below 1280 (IPv6 minimum) disables IPv6 with a warning, or is
 *   an error with -6.
 * - --dhcp-dns/--no-dhcp-dns and --dhcp-search/--no-dhcp-search are
 *   accepted in both modes; they only change the mode's default.
 * - The loopback mapping (--map-host-loopback default) is decided per IP
 *   version: a version whose host interface has no gateway maps nothing.
 *   @no_map_gw ends up set if no version maps anything.
 * - In pasta mode, without PID, command or --netns, @pasta_argv holds the
 *   user's shell ($SHELL, or /bin/sh).
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <net/if.h>

#include "util.h"
#include "log.h"
#include "ctx.h"
#include "epoll_ctl.h"
#include "fwd.h"
#include "netlink.h"
#include "isolation.h"
#include "conf.h"
#include "conf_addr.h"

/* Our MAC address towards the guest, unless -M says otherwise */
#define MAC_OUR_DEFAULT		{ 0x9a, 0x55, 0x9a, 0x55, 0x9a, 0x55 }

/* Set by the Makefile: see there for the format */
#ifndef PASST_VERSION
#define PASST_VERSION		"0000_00_00.unknown"
#endif
#define LICENCE_LINE		"Licence: GNU General Public License, " \
				"version 2 or later (GPL-2.0-or-later)"

/* Characters of an option value quoted back in an error message */
#define CONF_QUOTE_MAX		80
#define NETNS_RUN_DIR		"/run/netns"
#define REPAIR_SUFFIX		".repair"
#define PASTA_SHELL_DEFAULT	"/bin/sh"
#define PASTA_IFNAME_DEFAULT	"tap0"
#define STATS_DELAY_MAX		(24 * 60 * 60)
/* Descriptors kept out of reach of listening sockets for forwarded ports:
 * for connections, and for what start-up still opens after binding them
 * (namespace and /proc files of the sandbox steps). An eighth of the open
 * file limit, at least this many.
 */
#define NOFILE_RESERVE_MIN	512

#define STRINGIFY_(x)		#x
#define STRINGIFY(x)		STRINGIFY_(x)

/* Long-only options: values out of the range of short option characters */
enum {
	OPT_TRACE = 256,
	OPT_STATS,
	OPT_LOG_SIZE,
	OPT_RUNAS,
	OPT_VERSION,
	OPT_OUTBOUND_IF4,
	OPT_OUTBOUND_IF6,
	OPT_DNS_FORWARD,
	OPT_DNS_HOST,
	OPT_NO_DHCP_DNS,
	OPT_DHCP_DNS,
	OPT_NO_DHCP_SEARCH,
	OPT_DHCP_SEARCH,
	OPT_NO_TCP,
	OPT_NO_UDP,
	OPT_NO_ICMP,
	OPT_NO_DHCP,
	OPT_NO_NDP,
	OPT_NO_DHCPV6,
	OPT_NO_RA,
	OPT_FREEBIND,
	OPT_MAP_HOST_LOOPBACK,
	OPT_NO_MAP_GW,
	OPT_MAP_GUEST_ADDR,
	OPT_FQDN,
	OPT_VHOST_USER,
	OPT_PRINT_CAPS,
	OPT_REPAIR_PATH,
	OPT_MIGRATE_EXIT,
	OPT_MIGRATE_NO_LINGER,
	OPT_HOST_LO_TO_NS_LO,
	OPT_USERNS,
	OPT_NETNS,
	OPT_NETNS_ONLY,
	OPT_NO_NETNS_QUIT,
	OPT_CONFIG_NET,
	OPT_NO_COPY_ROUTES,
	OPT_NO_COPY_ADDRS,
	OPT_NS_MAC_ADDR,
	OPT_NO_SPLICE,
	OPT_CONTROL,
	OPT_STATS_JSON,
};

#define PASST			(1U << MODE_PASST)
#define PASTA			(1U << MODE_PASTA)
#define BOTH			(PASST | PASTA)

struct conf_args;

/**
 * enum conf_kind - What giving an option does, see conf_apply()
 * @CONF_NOP:		Nothing (deprecated option without effect)
 * @CONF_FLAG:		Set the bool at @off in struct ctx
 * @CONF_ARG_FLAG:	Set the bool at @off in struct conf_args
 * @CONF_ARG_INT:	Set the int at @off in struct conf_args to @num
 * @CONF_PATH:		Copy the value to the @size bytes at @off in the ctx
 * @CONF_IFNAME:	Copy an interface name to @off in the ctx
 * @CONF_PORTS:		Add to the forwarding table at @off in c->run, @num
 *			indexing the previous value in conf_args.fwd_prev
 * @CONF_FN:		Call @fn
 */
enum conf_kind {
	CONF_NOP,
	CONF_FLAG,
	CONF_ARG_FLAG,
	CONF_ARG_INT,
	CONF_PATH,
	CONF_IFNAME,
	CONF_PORTS,
	CONF_FN,
};

/**
 * struct conf_opt - One option: getopt entry, --help line and handling
 * @name:	Long name
 * @alias:	Second long name, or NULL
 * @val:	Short option character, or OPT_* for long-only options
 * @arg:	Name of the argument for --help, NULL if none is taken
 * @modes:	Modes the option is valid in (PASST, PASTA)
 * @help:	One-line description
 * @deprecated:	Deprecated: a warning is printed once if given
 * @kind:	What giving the option does
 * @off:	Offset of the field it sets, for kinds other than CONF_FN
 * @size:	Size of the field, for CONF_PATH
 * @num:	Value to set, or index, see enum conf_kind
 * @fn:		Handler for CONF_FN: options seen so far, and the value
 */
struct conf_opt {
	const char *name;
	const char *alias;
	int val;
	const char *arg;
	unsigned int modes;
	const char *help;
	bool deprecated;
	enum conf_kind kind;
	size_t off;
	size_t size;
	int num;
	void (*fn)(struct conf_args *a, const char *arg);
};

/* Name of the option being handled, as the user wrote it (-m or --mtu) */
static char conf_optname[sizeof("--") + 32];

/**
 * conf_quote() - Make an option value safe to print on one line
 * @s:		Value
 *
 * Control characters become '?', long values are cut short, and an empty
 * value is shown as ''. Two buffers alternate, so two values can be quoted
 * in one message.
 *
 * Return: printable string, valid until the call after the next
 */
static const char *conf_quote(const char *s)
{
	static char buf[2][CONF_QUOTE_MAX + sizeof("...")];
	static int which;
	char *b = buf[which ^= 1];
	size_t i;

	if (!*s)
		return "''";

	for (i = 0; i < CONF_QUOTE_MAX && s[i]; i++) {
		unsigned char ch = s[i];

		b[i] = (ch < ' ' || ch == 0x7f) ? '?' : (char)ch;
	}
	if (s[i])
		memcpy(b + i, "...", sizeof("..."));
	else
		b[i] = '\0';
	return b;
}

/**
 * conf_bad() - Report an invalid value of the current option and exit
 * @arg:	Value
 * @why:	What is wrong with it
 */
__attribute__((noreturn))
static void conf_bad(const char *arg, const char *why)
{
	die("%s %s: %s", conf_optname, conf_quote(arg), why);
}

/**
 * conf_parent_is_dir() - Is the directory part of a path a directory?
 * @path:	Path (of a socket to create)
 *
 * Return: true if it is, or if @path has no directory part
 */
static bool conf_parent_is_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (!slash)
		return true;
	if (slash == path)
		return true;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	return !stat(dir, &st) && S_ISDIR(st.st_mode);
}

/**
 * conf_copy() - Copy an option value into a fixed-size buffer
 * @dst:	Buffer
 * @size:	Size of @dst
 * @arg:	Value
 * @what:	What the value is, for the error message ("path")
 *
 * Exits on empty or too long values.
 */
static void conf_copy(char *dst, size_t size, const char *arg,
		      const char *what)
{
	char why[64];
	size_t len = strlen(arg);

	if (!len) {
		snprintf(why, sizeof(why), "empty %s", what);
		conf_bad(arg, why);
	}
	if (len >= size) {
		snprintf(why, sizeof(why), "%s too long (max %zu characters)",
			 what, size - 1);
		conf_bad(arg, why);
	}
	memcpy(dst, arg, len + 1);
}

/**
 * conf_ifname() - Check and copy an interface name
 * @dst:	Buffer of IFNAMSIZ bytes
 * @arg:	Name
 */
static void conf_ifname(char *dst, const char *arg)
{
	const char *p;

	conf_copy(dst, IFNAMSIZ, arg, "interface name");
	for (p = arg; *p; p++) {
		if (*p <= ' ' || *p == '/' || *p == 0x7f)
			conf_bad(arg, "invalid interface name");
	}
}

/**
 * conf_addr() - Parse an IPv4 or IPv6 address option value
 * @arg:	Value
 * @a4:		IPv4 address, set if @arg is one
 * @a6:		IPv6 address, set if @arg is one
 *
 * Return: AF_INET or AF_INET6; exits if @arg is no address
 */
static int conf_addr(const char *arg, struct in_addr *a4, struct in6_addr *a6)
{
	if (inet_pton(AF_INET, arg, a4) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, arg, a6) == 1) {
		if (IN6_IS_ADDR_V4MAPPED(a6))
			conf_bad(arg, "IPv4-mapped address, use IPv4 form");
		return AF_INET6;
	}
	conf_bad(arg, "invalid address");
}

/**
 * conf_addr_unicast() - Parse an address that must be a unicast one
 * @arg:	Value
 * @a4:		IPv4 address, set if @arg is one
 * @a6:		IPv6 address, set if @arg is one
 * @loopback:	Accept loopback addresses
 *
 * Return: AF_INET or AF_INET6; exits on other addresses
 */
static int conf_addr_unicast(const char *arg, struct in_addr *a4,
			     struct in6_addr *a6, bool loopback)
{
	int af = conf_addr(arg, a4, a6);

	if (af == AF_INET) {
		uint32_t h = ntohl(a4->s_addr);

		if (h == INADDR_ANY || h == INADDR_BROADCAST ||
		    IN_MULTICAST(h) || IN_BADCLASS(h))
			conf_bad(arg, "not a unicast address");
		if (!loopback && (h >> IN_CLASSA_NSHIFT) == IN_LOOPBACKNET)
			conf_bad(arg, "loopback address not allowed");
		return af;
	}

	if (IN6_IS_ADDR_UNSPECIFIED(a6) || IN6_IS_ADDR_MULTICAST(a6))
		conf_bad(arg, "not a unicast address");
	if (!loopback && IN6_IS_ADDR_LOOPBACK(a6))
		conf_bad(arg, "loopback address not allowed");
	return af;
}

/**
 * conf_number() - Parse a decimal option value in a range
 * @arg:	Value
 * @min:	Smallest accepted value
 * @max:	Largest accepted value
 * @what:	What the number is, for the error message
 *
 * Return: value; exits if @arg isn't a number in range
 */
static long conf_number(const char *arg, long min, long max, const char *what)
{
	char why[96];
	int err = 0;
	long v;

	v = parse_long(arg, LONG_MIN, LONG_MAX, &err);
	if (err) {
		snprintf(why, sizeof(why), "invalid %s", what);
		conf_bad(arg, why);
	}
	if (v < min || v > max) {
		/* An MTU of 0 is valid, but it's not what users look for */
		if (!strcmp(what, "MTU"))
			min = MTU_MIN_IPV4;
		snprintf(why, sizeof(why), "%s out of range (%li-%li)", what,
			 min, max);
		conf_bad(arg, why);
	}
	return v;
}

/**
 * conf_mac() - Parse a MAC address that we can use as a source
 * @arg:	Value
 * @mac:	Parsed address
 */
static void conf_mac(const char *arg, uint8_t mac[MAC_ADDR_LEN])
{
	static const uint8_t zero[MAC_ADDR_LEN];

	if (parse_mac(arg, mac))
		conf_bad(arg, "invalid MAC address");
	if ((mac[0] & 1) || !memcmp(mac, zero, MAC_ADDR_LEN))
		conf_bad(arg, "not a unicast MAC address");
}

/**
 * conf_opt_search() - -S: space-separated search list, or "none"
 * @a:		Options seen so far
 * @arg:	Value
 */
static void conf_opt_search(struct conf_args *a, const char *arg)
{
	struct ctx *c = a->c;
	const char *p = arg;
	unsigned int n = 0;

	a->search_given = true;

	memset(c->dns_search, 0, sizeof(c->dns_search));
	c->no_dns_search = false;

	if (!strcmp(arg, "none")) {
		c->no_dns_search = true;
		return;
	}

	for (;;) {
		size_t len;

		p += strspn(p, " \t");
		if (!*p)
			break;
		len = strcspn(p, " \t");
		if (n >= DNS_SEARCH_MAX) {
			char why[64];

			snprintf(why, sizeof(why),
				 "too many domains (max %i)", DNS_SEARCH_MAX);
			conf_bad(arg, why);
		}
		if (conf_domain_copy(c->dns_search[n], p, len))
			conf_bad(arg, "invalid domain name");
		n++;
		p += len;
	}

	if (!n)
		conf_bad(arg, "empty search list");
}

/**
 * conf_opt_dns() - One -D value
 * @a:		Options seen so far, nameserver lists updated
 * @arg:	Value: address or "none"
 */
static void conf_opt_dns(struct conf_args *a, const char *arg)
{
	struct ctx *c = a->c;
	struct in6_addr a6;
	struct in_addr a4;
	char why[64];
	unsigned int i;

	if (!strcmp(arg, "none")) {
		c->no_dns = true;
		a->dns_given = false;
		a->dns4_n = a->dns6_n = 0;
		return;
	}

	snprintf(why, sizeof(why),
		 "too many nameservers (max %i per IP version)", DNS_MAX);

	c->no_dns = false;
	a->dns_given = true;
	if (conf_addr_unicast(arg, &a4, &a6, true) == AF_INET) {
		for (i = 0; i < a->dns4_n; i++) {
			if (a->dns4[i].s_addr == a4.s_addr)
				return;
		}
		if (a->dns4_n >= DNS_MAX)
			conf_bad(arg, why);
		a->dns4[a->dns4_n++] = a4;
		return;
	}

	for (i = 0; i < a->dns6_n; i++) {
		if (IN6_ARE_ADDR_EQUAL(&a->dns6[i], &a6))
			return;
	}
	if (a->dns6_n >= DNS_MAX)
		conf_bad(arg, why);
	a->dns6[a->dns6_n++] = a6;
}

/**
 * conf_ports_mode() - Tell if a specification selects a mode (none, auto, all)
 * @c:		Execution context
 * @spec:	Specification
 *
 * Return: true for the keywords valid in the current mode: the others are
 *	   rejected by fwd_spec_parse() with a reason of their own
 */
static bool conf_ports_mode(const struct ctx *c, const char *spec)
{
	return !strcmp(spec, "none") ||
	       (c->mode == MODE_PASTA && !strcmp(spec, "auto")) ||
	       (c->mode == MODE_PASST && !strcmp(spec, "all"));
}

/**
 * conf_ports() - Parse -t, -u, -T or -U
 * @c:		Execution context
 * @fwd:	Table the option fills
 * @prev:	Previous specification for the same table (NULL if none),
 *		updated
 * @opt:	Option character: 't', 'u', 'T' or 'U'
 * @arg:	Specification
 *
 * Port lists add up, but a mode (none, auto, all) stands alone: given with
 * anything else for the same option, it's an error naming both, rather
 * than one silently replacing the other.
 */
static void conf_ports(const struct ctx *c, struct fwd_ports *fwd,
		       const char **prev, char opt, const char *arg)
{
	const char *why = "invalid specification";
	char conflict[CONF_QUOTE_MAX + 64];

	if (*prev && (conf_ports_mode(c, arg) || conf_ports_mode(c, *prev))) {
		snprintf(conflict, sizeof(conflict),
			 "conflicts with previous -%c %s", opt,
			 conf_quote(*prev));
		conf_bad(arg, conflict);
	}

	if (fwd_spec_parse(fwd, arg, c->mode == MODE_PASTA,
			   c->mode == MODE_PASST, &why))
		conf_bad(arg, why);
	*prev = arg;
}

/**
 * conf_opt_fd() - -F: an open socket, which implies --one-off
 * @a:		Options seen so far
 * @arg:	File descriptor number
 */
static void conf_opt_fd(struct conf_args *a, const char *arg)
{
	struct ctx *c = a->c;
	struct stat st;
	int fd;

	fd = (int)conf_number(arg, 0, INT_MAX, "file descriptor");
	if (fstat(fd, &st))
		conf_bad(arg, errno == EBADF ? "bad file descriptor"
					     : strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		conf_bad(arg, "not a socket");
	c->fd_from_parent = fd;
	c->one_off = true;
}

/**
 * conf_opt_netns() - --netns: a path, or a name under /run/netns
 * @a:		Options seen so far
 * @arg:	Path or name
 */
static void conf_opt_netns(struct conf_args *a, const char *arg)
{
	struct ctx *c = a->c;
	int n;

	a->netns_given = true;

	if (!*arg)
		conf_bad(arg, "empty namespace");
	if (strchr(arg, '/')) {
		conf_copy(c->netns_path, sizeof(c->netns_path), arg, "path");
		return;
	}
	if (!strcmp(arg, ".") || !strcmp(arg, ".."))
		conf_bad(arg, "invalid namespace name");

	n = snprintf(c->netns_path, sizeof(c->netns_path), "%s/%s",
		     NETNS_RUN_DIR, arg);
	if (n < 0 || (size_t)n >= sizeof(c->netns_path))
		conf_bad(arg, "name too long");
}

/* Handlers of the options that need more than setting a field: each gets
 * the options seen so far, with the context (@a->c), and the value
 */

/**
 * conf_opt_debug() - -d: debug messages
 * @a:		Options seen so far
 * @arg:	Unused
 */
static void conf_opt_debug(struct conf_args *a, const char *arg)
{
	(void)arg;
	a->c->debug = true;
	a->c->quiet = false;
	log_level = LOG_DEBUG;
}

/**
 * conf_opt_trace() - --trace: per-packet messages, debug ones too
 * @a:		Options seen so far
 * @arg:	Unused
 */
static void conf_opt_trace(struct conf_args *a, const char *arg)
{
	(void)arg;
	a->c->debug = a->c->trace = log_trace = true;
	a->c->quiet = false;
	log_level = LOG_DEBUG;
}

/**
 * conf_opt_quiet() - -q: warnings and errors only
 * @a:		Options seen so far
 * @arg:	Unused
 */
static void conf_opt_quiet(struct conf_args *a, const char *arg)
{
	(void)arg;
	a->c->quiet = true;
	a->c->debug = a->c->trace = log_trace = false;
	log_level = LOG_WARNING;
}

/**
 * conf_opt_stats() - --stats DELAY
 * @a:		Options seen so far
 * @arg:	Seconds
 */
static void conf_opt_stats(struct conf_args *a, const char *arg)
{
	a->c->stats_delay = (int)conf_number(arg, 0, STATS_DELAY_MAX, "delay");
	a->c->stats = true;
}

/**
 * conf_opt_log_size() - --log-size SIZE
 * @a:		Options seen so far
 * @arg:	Bytes
 */
static void conf_opt_log_size(struct conf_args *a, const char *arg)
{
	a->c->log_size = (size_t)conf_number(arg, 0, LONG_MAX, "log size");
	if (a->c->log_size < LOG_SIZE_MIN)
		conf_bad(arg, "log size too small (minimum "
			 STRINGIFY(LOG_SIZE_MIN) " bytes)");
}

/**
 * conf_opt_runas() - --runas USER[:GROUP]
 * @a:		Options seen so far
 * @arg:	User and group
 */
static void conf_opt_runas(struct conf_args *a, const char *arg)
{
	if (isolation_runas_parse(arg, &a->c->uid, &a->c->gid))
		conf_bad(arg, "unknown user or group");
	a->runas_given = true;
}

static void conf_usage(const struct ctx *c, FILE *f);

/**
 * conf_opt_help() - -h: print the options and exit
 * @a:		Options seen so far
 * @arg:	Unused
 */
__attribute__((noreturn))
static void conf_opt_help(struct conf_args *a, const char *arg)
{
	(void)arg;
	conf_usage(a->c, stdout);
	exit(EXIT_SUCCESS);
}

/**
 * conf_opt_version() - --version: print version and licence, exit
 * @a:		Options seen so far
 * @arg:	Unused
 */
__attribute__((noreturn))
static void conf_opt_version(struct conf_args *a, const char *arg)
{
	(void)arg;
	printf("%s %s\n%s\n", a->c->mode == MODE_PASTA ? "pasta" : "passt",
	       PASST_VERSION, LICENCE_LINE);
	exit(EXIT_SUCCESS);
}

/**
 * conf_opt_mtu() - -m MTU: 0, or at least the IPv4 minimum
 * @a:		Options seen so far
 * @arg:	MTU
 */
static void conf_opt_mtu(struct conf_args *a, const char *arg)
{
	a->c->mtu = (int)conf_number(arg, 0, MTU_DEFAULT, "MTU");
	if (a->c->mtu && a->c->mtu < MTU_MIN_IPV4)
		conf_bad(arg, "MTU out of range (68-65520)");
}

/**
 * conf_opt_address() - -a ADDR: the guest's address, per IP version
 * @a:		Options seen so far
 * @arg:	Address
 */
static void conf_opt_address(struct conf_args *a, const char *arg)
{
	struct ctx *c = a->c;
	struct in6_addr a6;
	struct in_addr a4;

	if (conf_addr_unicast(arg, &a4, &a6, false) == AF_INET) {
		c->ip4.addr = a4;
		c->ip4.addr_given = c->ip4.no_copy_addrs = true;
		return;
	}
	if (IN6_IS_ADDR_LINKLOCAL(&a6))
		conf_bad(arg, "link-local address can't be assigned");
	c->ip6.addr = a6;
	c->ip6.addr_given = c->ip6.no_copy_addrs = true;
}

/**
 * conf_opt_netmask() - -n MASK: dot-decimal mask or prefix length
 * @a:		Options seen so far
 * @arg:	Mask
 */
static void conf_opt_netmask(struct conf_args *a, const char *arg)
{
	struct in_addr mask;
	uint32_t h;

	if (inet_pton(AF_INET, arg, &mask) != 1) {
		a->prefix_len = (int)conf_number(arg, 0, 32, "prefix length");
		return;
	}

	/* Contiguous: the inverted mask is a run of low bits */
	h = ntohl(mask.s_addr);
	if ((~h + 1) & ~h)
		conf_bad(arg, "netmask bits not contiguous");
	a->prefix_len = __builtin_popcount(h);
}

/**
 * conf_opt_mac() - -M ADDR: our MAC address
 * @a:		Options seen so far
 * @arg:	MAC address
 */
static void conf_opt_mac(struct conf_args *a, const char *arg)
{
	conf_mac(arg, a->c->our_tap_mac);
}

/**
 * conf_opt_ns_mac() - --ns-mac-addr ADDR: MAC of the namespace's tap
 * @a:		Options seen so far
 * @arg:	MAC address
 */
static void conf_opt_ns_mac(struct conf_args *a, const char *arg)
{
	conf_mac(arg, a->c->ns_mac);
	a->c->ns_mac_set = true;
}

/**
 * conf_opt_gateway() - -g ADDR: the guest's gateway, per IP version
 * @a:		Options seen so far
 * @arg:	Address
 */
static void conf_opt_gateway(struct conf_args *a, const char *arg)
{
	struct ctx *c = a->c;
	struct in6_addr a6;
	struct in_addr a4;

	if (conf_addr_unicast(arg, &a4, &a6, false) == AF_INET) {
		c->ip4.guest_gw = a4;
		c->ip4.gw_given = c->ip4.no_copy_routes = true;
	} else {
		c->ip6.guest_gw = a6;
		c->ip6.gw_given = c->ip6.no_copy_routes = true;
	}
}

/**
 * conf_opt_interface() - -i NAME: host interface for addresses and routes
 * @a:		Options seen so far
 * @arg:	Interface name
 */
static void conf_opt_interface(struct conf_args *a, const char *arg)
{
	char ifname[IFNAMSIZ];

	conf_ifname(ifname, arg);
	a->ifname = arg;
	a->c->ifname_given = true;
}

/**
 * conf_opt_outbound() - -o ADDR: source of outbound sockets, per version
 * @a:		Options seen so far
 * @arg:	Address
 */
static void conf_opt_outbound(struct conf_args *a, const char *arg)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (conf_addr(arg, &a4, &a6) == AF_INET) {
		if (IN_MULTICAST(ntohl(a4.s_addr)))
			conf_bad(arg, "not a unicast address");
		a->c->ip4.addr_out = a4;
	} else {
		if (IN6_IS_ADDR_MULTICAST(&a6))
			conf_bad(arg, "not a unicast address");
		a->c->ip6.addr_out = a6;
	}
}

/**
 * conf_opt_dns_forward() - --dns-forward ADDR, per IP version
 * @a:		Options seen so far
 * @arg:	Address
 */
static void conf_opt_dns_forward(struct conf_args *a, const char *arg)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (conf_addr_unicast(arg, &a4, &a6, true) == AF_INET)
		a->c->ip4.dns_match = a4;
	else
		a->c->ip6.dns_match = a6;
}

/**
 * conf_opt_dns_host() - --dns-host ADDR, per IP version
 * @a:		Options seen so far
 * @arg:	Address
 */
static void conf_opt_dns_host(struct conf_args *a, const char *arg)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (conf_addr_unicast(arg, &a4, &a6, true) == AF_INET) {
		a->c->ip4.dns_host = a4;
		a->dns_host4_given = true;
	} else {
		a->c->ip6.dns_host = a6;
		a->dns_host6_given = true;
	}
}

/**
 * conf_opt_map_host_loopback() - --map-host-loopback ADDR or "none"
 * @a:		Options seen so far
 * @arg:	Address, or "none" for both IP versions
 */
static void conf_opt_map_host_loopback(struct conf_args *a, const char *arg)
{
	struct ctx *c = a->c;
	struct in6_addr a6;
	struct in_addr a4;

	if (!strcmp(arg, "none")) {
		c->ip4.map_host_loopback.s_addr = 0;
		c->ip6.map_host_loopback = in6addr_any;
		a->mhl4_given = a->mhl6_given = true;
		c->no_map_gw = true;
	} else if (conf_addr_unicast(arg, &a4, &a6, false) == AF_INET) {
		c->ip4.map_host_loopback = a4;
		a->mhl4_given = true;
	} else {
		c->ip6.map_host_loopback = a6;
		a->mhl6_given = true;
	}
}

/**
 * conf_opt_map_guest_addr() - --map-guest-addr ADDR or "none"
 * @a:		Options seen so far
 * @arg:	Address, or "none" for both IP versions
 */
static void conf_opt_map_guest_addr(struct conf_args *a, const char *arg)
{
	struct ctx *c = a->c;
	struct in6_addr a6;
	struct in_addr a4;

	if (!strcmp(arg, "none")) {
		c->ip4.map_guest_addr.s_addr = 0;
		c->ip6.map_guest_addr = in6addr_any;
	} else if (conf_addr_unicast(arg, &a4, &a6, false) == AF_INET) {
		c->ip4.map_guest_addr = a4;
	} else {
		c->ip6.map_guest_addr = a6;
	}
}

/**
 * conf_opt_hostname() - -H NAME: DHCP host name
 * @a:		Options seen so far
 * @arg:	Name
 */
static void conf_opt_hostname(struct conf_args *a, const char *arg)
{
	conf_copy(a->c->hostname, sizeof(a->c->hostname), arg, "hostname");
	if (!conf_domain_ok(arg))
		conf_bad(arg, "invalid hostname");
}

/**
 * conf_opt_fqdn() - --fqdn NAME
 * @a:		Options seen so far
 * @arg:	Name
 */
static void conf_opt_fqdn(struct conf_args *a, const char *arg)
{
	conf_copy(a->c->fqdn, sizeof(a->c->fqdn), arg, "name");
	if (!conf_domain_ok(arg))
		conf_bad(arg, "invalid domain name");
}

/**
 * conf_opt_socket() - -s PATH: UNIX socket, in an existing directory
 * @a:		Options seen so far
 * @arg:	Path
 */
static void conf_opt_socket(struct conf_args *a, const char *arg)
{
	conf_copy(a->c->sock_path, sizeof(a->c->sock_path), arg, "path");
	if (!conf_parent_is_dir(arg))
		conf_bad(arg, "no such directory");
}

/**
 * conf_opt_repair_path() - --repair-path PATH or "none"
 * @a:		Options seen so far
 * @arg:	Path
 */
static void conf_opt_repair_path(struct conf_args *a, const char *arg)
{
	struct ctx *c = a->c;

	a->repair_given = true;
	if (!strcmp(arg, "none"))
		memset(c->repair_path, 0, sizeof(c->repair_path));
	else
		conf_copy(c->repair_path, sizeof(c->repair_path), arg, "path");
}

/**
 * conf_opt_userns() - --userns PATH: an existing file
 * @a:		Options seen so far
 * @arg:	Path
 */
static void conf_opt_userns(struct conf_args *a, const char *arg)
{
	conf_copy(a->c->userns_path, sizeof(a->c->userns_path), arg, "path");
	if (access(arg, F_OK))
		conf_bad(arg, strerror(errno));
	a->userns_given = true;
}

/**
 * conf_opt_no_copy_routes() - --no-copy-routes, both IP versions
 * @a:		Options seen so far
 * @arg:	Unused
 */
static void conf_opt_no_copy_routes(struct conf_args *a, const char *arg)
{
	(void)arg;
	a->c->ip4.no_copy_routes = a->c->ip6.no_copy_routes = true;
}

/**
 * conf_opt_no_copy_addrs() - --no-copy-addrs, both IP versions
 * @a:		Options seen so far
 * @arg:	Unused
 */
static void conf_opt_no_copy_addrs(struct conf_args *a, const char *arg)
{
	(void)arg;
	a->c->ip4.no_copy_addrs = a->c->ip6.no_copy_addrs = true;
}

/* How an option is handled, for the table below */
#define FLAG(f)		.kind = CONF_FLAG, .off = offsetof(struct ctx, f)
#define ARG_FLAG(f)	.kind = CONF_ARG_FLAG, \
			.off = offsetof(struct conf_args, f)
#define ARG_INT(f, v)	.kind = CONF_ARG_INT, \
			.off = offsetof(struct conf_args, f), .num = (v)
#define PATH(f)		.kind = CONF_PATH, .off = offsetof(struct ctx, f), \
			.size = sizeof(((struct ctx *)0)->f)
#define IFNAME(f)	.kind = CONF_IFNAME, .off = offsetof(struct ctx, f)
#define PORTS(f, i)	.kind = CONF_PORTS, \
			.off = offsetof(struct ctx_run, f), .num = (i)
#define FN(f)		.kind = CONF_FN, .fn = (f)

static const struct conf_opt conf_opts[] = {
	{ "debug", NULL, 'd', NULL, BOTH, "Be verbose, don't log to syslog",
	  FN(conf_opt_debug) },
	{ "trace", NULL, OPT_TRACE, NULL, BOTH,
	  "Be extra verbose, show single packets (implies --debug)",
	  FN(conf_opt_trace) },
	{ "stats", NULL, OPT_STATS, "DELAY", BOTH,
	  "Event statistics every DELAY seconds at most, counters at exit",
	  FN(conf_opt_stats) },
	{ "stats-json", NULL, OPT_STATS_JSON, NULL, BOTH,
	  "Statistics as one JSON object a line (with --stats)",
	  FLAG(stats_json) },
	{ "control", NULL, OPT_CONTROL, "PATH", BOTH,
	  "Control socket at PATH: change forwarding, read state",
	  PATH(control_path) },
	{ "quiet", NULL, 'q', NULL, BOTH,
	  "Don't print informational messages", FN(conf_opt_quiet) },
	{ "foreground", NULL, 'f', NULL, BOTH, "Don't run in background",
	  FLAG(foreground) },
	{ "stderr", NULL, 'e', NULL, BOTH, "No effect (deprecated)", true,
	  .kind = CONF_NOP },
	{ "log-file", NULL, 'l', "PATH", BOTH, "Log to file PATH",
	  PATH(log_path) },
	{ "log-size", NULL, OPT_LOG_SIZE, "SIZE", BOTH,
	  "Limit log file to SIZE bytes (default: 1 MiB)",
	  FN(conf_opt_log_size) },
	{ "runas", NULL, OPT_RUNAS, "USER[:GROUP]", BOTH,
	  "Run as USER, UID or login (default: nobody if root)",
	  FN(conf_opt_runas) },
	{ "help", NULL, 'h', NULL, BOTH, "Display this help message and exit",
	  FN(conf_opt_help) },
	{ "version", NULL, OPT_VERSION, NULL, BOTH,
	  "Show version and exit", FN(conf_opt_version) },
	{ "pcap", NULL, 'p', "FILE", BOTH,
	  "Capture guest-side packets to FILE in pcap format", PATH(pcap) },
	{ "pid", NULL, 'P', "FILE", BOTH, "Write own PID to FILE",
	  PATH(pidfile) },
	{ "mtu", NULL, 'm', "MTU", BOTH,
	  "MTU advertised via DHCP/NDP, 0: none (default: 65520)",
	  FN(conf_opt_mtu) },
	{ "address", NULL, 'a', "ADDR", BOTH,
	  "Assign IPv4 or IPv6 ADDR to the guest (default: host's)",
	  FN(conf_opt_address) },
	{ "netmask", NULL, 'n', "MASK", BOTH,
	  "Assign IPv4 MASK, dot-decimal or prefix length",
	  FN(conf_opt_netmask) },
	{ "mac-addr", NULL, 'M', "ADDR", BOTH,
	  "Our MAC address towards the guest (default: 9a:55:9a:55:9a:55)",
	  FN(conf_opt_mac) },
	{ "gateway", NULL, 'g', "ADDR", BOTH,
	  "Assign IPv4 or IPv6 ADDR as gateway (default: host's)",
	  FN(conf_opt_gateway) },
	{ "interface", NULL, 'i', "NAME", BOTH,
	  "Host interface to take addresses and routes from",
	  FN(conf_opt_interface) },
	{ "outbound", NULL, 'o', "ADDR", BOTH,
	  "Source address of outbound IPv4 or IPv6 sockets",
	  FN(conf_opt_outbound) },
	{ "outbound-if4", NULL, OPT_OUTBOUND_IF4, "NAME", BOTH,
	  "Bind outbound IPv4 sockets to host interface NAME",
	  IFNAME(ip4.ifname_out) },
	{ "outbound-if6", NULL, OPT_OUTBOUND_IF6, "NAME", BOTH,
	  "Bind outbound IPv6 sockets to host interface NAME",
	  IFNAME(ip6.ifname_out) },
	{ "dns", NULL, 'D', "ADDR", BOTH,
	  "Nameserver for the guest, repeatable, 'none' for none",
	  FN(conf_opt_dns) },
	{ "dns-forward", NULL, OPT_DNS_FORWARD, "ADDR", BOTH,
	  "Forward DNS queries sent to ADDR to the --dns-host nameserver",
	  FN(conf_opt_dns_forward) },
	{ "dns-host", NULL, OPT_DNS_HOST, "ADDR", BOTH,
	  "Host nameserver for --dns-forward (default: resolv.conf's)",
	  FN(conf_opt_dns_host) },
	{ "search", NULL, 'S', "LIST", BOTH,
	  "Space-separated DNS search LIST, 'none' for none",
	  FN(conf_opt_search) },
	{ "no-dhcp-dns", NULL, OPT_NO_DHCP_DNS, NULL, BOTH,
	  "Don't give nameservers via DHCP/NDP/DHCPv6 (pasta default)",
	  ARG_INT(dhcp_dns, 0) },
	{ "dhcp-dns", NULL, OPT_DHCP_DNS, NULL, BOTH,
	  "Give nameservers via DHCP/NDP/DHCPv6 (passt default)",
	  ARG_INT(dhcp_dns, 1) },
	{ "no-dhcp-search", NULL, OPT_NO_DHCP_SEARCH, NULL, BOTH,
	  "Don't give the search list via DHCP/NDP/DHCPv6 (pasta default)",
	  ARG_INT(dhcp_search, 0) },
	{ "dhcp-search", NULL, OPT_DHCP_SEARCH, NULL, BOTH,
	  "Give the search list via DHCP/NDP/DHCPv6 (passt default)",
	  ARG_INT(dhcp_search, 1) },
	{ "no-tcp", NULL, OPT_NO_TCP, NULL, BOTH, "Disable TCP",
	  FLAG(no_tcp) },
	{ "no-udp", NULL, OPT_NO_UDP, NULL, BOTH, "Disable UDP",
	  FLAG(no_udp) },
	{ "no-icmp", NULL, OPT_NO_ICMP, NULL, BOTH,
	  "Disable ICMP/ICMPv6 (implies --no-ndp)", FLAG(no_icmp) },
	{ "no-dhcp", NULL, OPT_NO_DHCP, NULL, BOTH, "Disable the DHCP server",
	  FLAG(no_dhcp) },
	{ "no-ndp", NULL, OPT_NO_NDP, NULL, BOTH, "Disable NDP",
	  FLAG(no_ndp) },
	{ "no-dhcpv6", NULL, OPT_NO_DHCPV6, NULL, BOTH,
	  "Disable the DHCPv6 server", FLAG(no_dhcpv6) },
	{ "no-ra", NULL, OPT_NO_RA, NULL, BOTH,
	  "Disable Router Advertisements", FLAG(no_ra) },
	{ "freebind", NULL, OPT_FREEBIND, NULL, BOTH,
	  "Bind -t/-u addresses even if not configured on the host",
	  FLAG(freebind) },
	{ "map-host-loopback", NULL, OPT_MAP_HOST_LOOPBACK, "ADDR", BOTH,
	  "Guest address mapped to host loopback, or 'none'",
	  FN(conf_opt_map_host_loopback) },
	{ "no-map-gw", NULL, OPT_NO_MAP_GW, NULL, BOTH,
	  "Don't map the gateway address to the host", FLAG(no_map_gw) },
	{ "map-guest-addr", NULL, OPT_MAP_GUEST_ADDR, "ADDR", BOTH,
	  "Guest address mapped to the guest's address on the host",
	  FN(conf_opt_map_guest_addr) },
	{ "ipv4-only", NULL, '4', NULL, BOTH, "Enable IPv4 only",
	  ARG_FLAG(v4only) },
	{ "ipv6-only", NULL, '6', NULL, BOTH, "Enable IPv6 only",
	  ARG_FLAG(v6only) },
	{ "hostname", NULL, 'H', "NAME", BOTH,
	  "Hostname for the guest (DHCP option 12)", FN(conf_opt_hostname) },
	{ "fqdn", NULL, OPT_FQDN, "NAME", BOTH,
	  "FQDN for the guest (DHCP option 81, DHCPv6 option 39)",
	  FN(conf_opt_fqdn) },
	{ "socket-path", "socket", 's', "PATH", PASST,
	  "UNIX domain socket path (default: probe /tmp/passt_N.socket)",
	  FN(conf_opt_socket) },
	{ "vhost-user", NULL, OPT_VHOST_USER, NULL, PASST,
	  "Enable vhost-user on the --socket path", FLAG(vhost_user) },
	{ "print-capabilities", NULL, OPT_PRINT_CAPS, NULL, PASST,
	  "Print vhost-user back-end capabilities (JSON) and exit",
	  FLAG(print_capabilities) },
	{ "repair-path", NULL, OPT_REPAIR_PATH, "PATH", PASST,
	  "passt-repair socket (default with vhost-user: SOCKET.repair)",
	  FN(conf_opt_repair_path) },
	{ "migrate-exit", NULL, OPT_MIGRATE_EXIT, NULL, PASST,
	  "Exit after migration as source (deprecated)", true,
	  FLAG(migrate_exit) },
	{ "migrate-no-linger", NULL, OPT_MIGRATE_NO_LINGER, NULL, PASST,
	  "Close sockets after migration as source (deprecated)", true,
	  FLAG(migrate_no_linger) },
	{ "fd", NULL, 'F', "FD", PASST,
	  "Use pre-opened connected socket FD (implies --one-off)",
	  FN(conf_opt_fd) },
	{ "one-off", NULL, '1', NULL, PASST,
	  "Quit after handling a single client", FLAG(one_off) },
	{ "tcp-ports", NULL, 't', "SPEC", BOTH,
	  "Forward TCP ports inbound: none, all|auto, PORTS (see manual)",
	  PORTS(tcp_fwd_in, 0) },
	{ "udp-ports", NULL, 'u', "SPEC", BOTH,
	  "UDP ports forwarded to guest or namespace, as -t",
	  PORTS(udp_fwd_in, 1) },
	{ "ns-ifname", NULL, 'I', "NAME", PASTA,
	  "Tap interface name in the namespace (default: host's)",
	  IFNAME(pasta_ifname) },
	{ "tcp-ns", NULL, 'T', "SPEC", PASTA,
	  "TCP ports forwarded from namespace to host, as -t",
	  PORTS(tcp_fwd_out, 2) },
	{ "udp-ns", NULL, 'U', "SPEC", PASTA,
	  "UDP ports forwarded from namespace to host, as -t",
	  PORTS(udp_fwd_out, 3) },
	{ "host-lo-to-ns-lo", NULL, OPT_HOST_LO_TO_NS_LO, NULL, PASTA,
	  "Host loopback connections appear from namespace loopback",
	  FLAG(host_lo_to_ns_lo) },
	{ "userns", NULL, OPT_USERNS, "PATH", PASTA,
	  "Target user namespace to join", FN(conf_opt_userns) },
	{ "netns", NULL, OPT_NETNS, "PATH|NAME", PASTA,
	  "Target network namespace to join", FN(conf_opt_netns) },
	{ "netns-only", NULL, OPT_NETNS_ONLY, NULL, PASTA,
	  "Don't join or create a user namespace", FLAG(netns_only) },
	{ "no-netns-quit", NULL, OPT_NO_NETNS_QUIT, NULL, PASTA,
	  "Don't exit when the target namespace goes away",
	  FLAG(no_netns_quit) },
	{ "config-net", NULL, OPT_CONFIG_NET, NULL, PASTA,
	  "Configure tap interface, addresses and routes in the namespace",
	  FLAG(config_net) },
	{ "no-copy-routes", NULL, OPT_NO_COPY_ROUTES, NULL, PASTA,
	  "With --config-net, set only the default route (deprecated)", true,
	  FN(conf_opt_no_copy_routes) },
	{ "no-copy-addrs", NULL, OPT_NO_COPY_ADDRS, NULL, PASTA,
	  "With --config-net, set only one address (deprecated)", true,
	  FN(conf_opt_no_copy_addrs) },
	{ "ns-mac-addr", NULL, OPT_NS_MAC_ADDR, "ADDR", PASTA,
	  "MAC address of the tap interface in the namespace",
	  FN(conf_opt_ns_mac) },
	{ "no-splice", NULL, OPT_NO_SPLICE, NULL, PASTA,
	  "Disable the bypass path for local traffic", FLAG(no_splice) },
};

#undef FLAG
#undef ARG_FLAG
#undef ARG_INT
#undef PATH
#undef IFNAME
#undef PORTS
#undef FN

/* getopt_long() table: one entry per name and alias, plus terminator */
static struct option conf_longopts[ARRAY_SIZE(conf_opts) * 2 + 1];
/* Entry of conf_opts for each entry of conf_longopts */
static const struct conf_opt *conf_longopt_desc[ARRAY_SIZE(conf_opts) * 2];

/**
 * conf_apply() - Do what giving an option does, as its table entry says
 * @o:		Option
 * @a:		Options seen so far, with the context
 * @arg:	Value, NULL if the option takes none
 */
static void conf_apply(const struct conf_opt *o, struct conf_args *a,
		       const char *arg)
{
	char *base = (char *)a->c;

	switch (o->kind) {
	case CONF_NOP:
		break;
	case CONF_FLAG:
		*(bool *)(base + o->off) = true;
		break;
	case CONF_ARG_FLAG:
		*(bool *)((char *)a + o->off) = true;
		break;
	case CONF_ARG_INT:
		*(int *)((char *)a + o->off) = o->num;
		break;
	case CONF_PATH:
		conf_copy(base + o->off, o->size, arg, "path");
		break;
	case CONF_IFNAME:
		conf_ifname(base + o->off, arg);
		break;
	case CONF_PORTS:
		conf_ports(a->c, (struct fwd_ports *)((char *)a->c->run +
						      o->off),
			   &a->fwd_prev[o->num], (char)o->val, arg);
		break;
	case CONF_FN:
		o->fn(a, arg);
		break;
	}
}

/**
 * conf_usage() - Print the options of the current mode, one a line
 * @c:		Execution context
 * @f:		Output stream
 */
static void conf_usage(const struct ctx *c, FILE *f)
{
	unsigned int mode = 1U << c->mode;
	size_t i;

	if (c->mode == MODE_PASTA) {
		fprintf(f, "Usage: %s [OPTION]... [COMMAND [ARG]...]\n"
			   "       %s [OPTION]... PID\n"
			   "       %s [OPTION]... --netns [PATH|NAME]\n",
			c->argv0, c->argv0, c->argv0);
	} else {
		fprintf(f, "Usage: %s [OPTION]...\n", c->argv0);
	}
	fprintf(f, "\nOptions:\n");

	for (i = 0; i < ARRAY_SIZE(conf_opts); i++) {
		const struct conf_opt *o = &conf_opts[i];
		char names[96];
		int n;

		if (!(o->modes & mode))
			continue;

		if (o->val < 256)
			n = snprintf(names, sizeof(names), "-%c, --%s",
				     o->val, o->name);
		else
			n = snprintf(names, sizeof(names), "    --%s", o->name);
		if (o->alias && n > 0 && (size_t)n < sizeof(names))
			n += snprintf(names + n, sizeof(names) - n, ", --%s",
				      o->alias);
		if (o->arg && n > 0 && (size_t)n < sizeof(names))
			snprintf(names + n, sizeof(names) - n, " %s", o->arg);

		fprintf(f, "  %-34s %s\n", names, o->help);
	}
}

/**
 * conf_longopts_init() - Build the getopt_long() table and option string
 * @optstring:	Buffer for the short option string
 * @size:	Size of @optstring
 * @mode:	Current mode
 */
static void conf_longopts_init(char *optstring, size_t size,
			       enum passt_mode mode)
{
	size_t i, n = 0, len = 0;

	/* '+': stop at the first non-option, a command for pasta;
	 * ':': report missing arguments apart from unknown options
	 */
	if (mode == MODE_PASTA)
		optstring[len++] = '+';
	optstring[len++] = ':';

	for (i = 0; i < ARRAY_SIZE(conf_opts); i++) {
		const struct conf_opt *o = &conf_opts[i];
		int has_arg = o->arg ? required_argument : no_argument;

		conf_longopts[n] = (struct option){ o->name, has_arg, NULL,
						    o->val };
		conf_longopt_desc[n++] = o;
		if (o->alias) {
			conf_longopts[n] = (struct option){ o->alias, has_arg,
							    NULL, o->val };
			conf_longopt_desc[n++] = o;
		}

		if (o->val < 256 && len + 3 < size) {
			optstring[len++] = (char)o->val;
			if (o->arg)
				optstring[len++] = ':';
		}
	}
	conf_longopts[n] = (struct option){ 0 };
	optstring[len] = '\0';
}

/**
 * conf_opt_by_val() - Find the description of an option by its value
 * @val:	getopt_long() return value
 *
 * Return: description, NULL if unknown
 */
static const struct conf_opt *conf_opt_by_val(int val)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(conf_opts); i++) {
		if (conf_opts[i].val == val)
			return &conf_opts[i];
	}
	return NULL;
}

/**
 * conf_longopt_name() - Full name of a long option, as getopt would print it
 * @o:		Option
 * @written:	What was written, "--" and any "=VALUE" included
 *
 * Return: the alias if @written abbreviates it but not the name, else the
 *	   name
 */
static const char *conf_longopt_name(const struct conf_opt *o,
				     const char *written)
{
	size_t len = strcspn(written + 2, "=");

	if (o->alias && strncmp(o->name, written + 2, len) &&
	    !strncmp(o->alias, written + 2, len))
		return o->alias;
	return o->name;
}

/**
 * conf_ambiguous() - Tell if an abbreviation matches several long options
 * @prefix:	Abbreviation, without leading dashes, up to any '='
 * @list:	Filled with the matching names, "'--a' '--b'", if ambiguous
 * @size:	Size of @list
 *
 * Return: true if it's the start of names of two options or more
 */
static bool conf_ambiguous(const char *prefix, char *list, size_t size)
{
	size_t i, len = strcspn(prefix, "="), n = 0, used = 0;

	*list = '\0';
	for (i = 0; len && i < ARRAY_SIZE(conf_opts); i++) {
		const char *names[2] = { conf_opts[i].name,
					 conf_opts[i].alias };
		bool match = false;
		size_t j;

		for (j = 0; j < ARRAY_SIZE(names); j++) {
			int w;

			if (!names[j] || strncmp(names[j], prefix, len))
				continue;
			match = true;
			w = snprintf(list + used, size - used, "%s'--%s'",
				     used ? " " : "", names[j]);
			if (w > 0 && (size_t)w < size - used)
				used += (size_t)w;
		}
		n += match;
	}
	return n > 1;
}

/**
 * conf_getopt_die() - Print one line exactly as getopt would, and exit 1
 * @fmt:	Format string
 *
 * Not through the logging functions: with -d given before, they would add
 * a timestamp, and the line is matched by callers. No log file is open yet.
 */
__attribute__((format(printf, 1, 2), noreturn))
static void conf_getopt_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_FAILURE);
}

/**
 * conf_getopt_error() - Report an unknown option or a missing argument
 * @c:		Execution context
 * @last:	Argument getopt_long() was looking at: a long option, or a
 *		cluster of short ones
 * @ret:	getopt_long() return value, '?' or ':'
 *
 * The texts are the ones of the GNU C library's getopt() (which callers
 * such as podman look for to tell an option we don't know), prefixed by
 * the name we run as.
 */
__attribute__((noreturn))
static void conf_getopt_error(const struct ctx *c, const char *last, int ret)
{
	const struct conf_opt *o = optopt ? conf_opt_by_val(optopt) : NULL;
	const char *prog = c->argv0;
	char list[LOG_LINE_MAX / 2];

	if (strncmp(last, "--", 2)) {
		if (ret == ':')
			conf_getopt_die("%s: option requires an argument -- '%c'", prog,
			    optopt);
		conf_getopt_die("%s: invalid option -- '%c'", prog,
		    (optopt > ' ' && optopt < 0x7f) ? optopt : '?');
	}

	if (o && ret == ':')
		conf_getopt_die("%s: option '--%s' requires an argument", prog,
		    conf_longopt_name(o, last));
	if (o)
		conf_getopt_die("%s: option '--%s' doesn't allow an argument", prog,
		    conf_longopt_name(o, last));
	if (conf_ambiguous(last + 2, list, sizeof(list)))
		conf_getopt_die("%s: option '%s' is ambiguous; possibilities: %s", prog,
		    conf_quote(last), list);
	conf_getopt_die("%s: unrecognized option '%s'", prog, conf_quote(last));
}

/**
 * conf_ifi() - Pick the host interface for one IP version
 * @a:		Options seen on the command line
 * @outbound:	--outbound-if4/6 name, empty if not given
 * @af:		AF_INET or AF_INET6
 *
 * Return: interface index, 0 for none (local mode); exits on unknown names
 */
static unsigned int conf_ifi(const struct conf_args *a, const char *outbound,
			     sa_family_t af)
{
	unsigned int ifi;

	if (a->ifname) {
		ifi = if_nametoindex(a->ifname);
		if (!ifi)
			die("-i %s: no such interface", conf_quote(a->ifname));
		return ifi;
	}
	if (*outbound) {
		ifi = if_nametoindex(outbound);
		if (!ifi)
			die("--outbound-if%c %s: no such interface",
			    af == AF_INET ? '4' : '6', conf_quote(outbound));
		return ifi;
	}
	return nl_get_ext_if(nl_sock, af);
}

/**
 * conf_fwd_copy_udp() - Forward UDP ports matching TCP ones, untranslated
 * @udp:	UDP table, replaced
 * @tcp:	TCP table
 *
 * Manual: "unless overridden, UDP ports corresponding to forwarded TCP
 * ports are forwarded too, without port translation".
 */
static void conf_fwd_copy_udp(struct fwd_ports *udp,
			      const struct fwd_ports *tcp)
{
	unsigned int i;

	udp->mode = tcp->mode;
	udp->count = tcp->count;
	for (i = 0; i < tcp->count; i++) {
		udp->rules[i] = tcp->rules[i];
		udp->rules[i].to = udp->rules[i].first;
	}
	fwd_map_build(udp);
}

/**
 * conf_fwd_defaults() - Apply mode defaults to the forwarding tables
 * @c:		Execution context
 */
static void conf_fwd_defaults(struct ctx *c)
{
	enum fwd_mode def = c->mode == MODE_PASTA ? FWD_AUTO : FWD_NONE;

	if (c->run->udp_fwd_in.mode == FWD_UNSET &&
	    (c->run->tcp_fwd_in.mode == FWD_SPEC ||
	     c->run->tcp_fwd_in.mode == FWD_ALL))
		conf_fwd_copy_udp(&c->run->udp_fwd_in, &c->run->tcp_fwd_in);
	if (c->run->udp_fwd_out.mode == FWD_UNSET &&
	    c->run->tcp_fwd_out.mode == FWD_SPEC)
		conf_fwd_copy_udp(&c->run->udp_fwd_out, &c->run->tcp_fwd_out);

	if (c->no_tcp) {
		if (c->run->tcp_fwd_in.mode != FWD_UNSET &&
		    c->run->tcp_fwd_in.mode != FWD_NONE)
			die("-t: can't forward TCP ports with --no-tcp");
		if (c->run->tcp_fwd_out.mode != FWD_UNSET &&
		    c->run->tcp_fwd_out.mode != FWD_NONE)
			die("-T: can't forward TCP ports with --no-tcp");
		c->run->tcp_fwd_in.mode = c->run->tcp_fwd_out.mode = FWD_NONE;
	}
	if (c->no_udp) {
		c->run->udp_fwd_in.mode = c->run->udp_fwd_out.mode = FWD_NONE;
		c->run->udp_fwd_in.count = c->run->udp_fwd_out.count = 0;
		fwd_map_build(&c->run->udp_fwd_in);
		fwd_map_build(&c->run->udp_fwd_out);
	}

	if (c->run->tcp_fwd_in.mode == FWD_UNSET)
		c->run->tcp_fwd_in.mode = def;
	if (c->run->udp_fwd_in.mode == FWD_UNSET)
		c->run->udp_fwd_in.mode = def;
	if (c->run->tcp_fwd_out.mode == FWD_UNSET)
		c->run->tcp_fwd_out.mode = def;
	if (c->run->udp_fwd_out.mode == FWD_UNSET)
		c->run->udp_fwd_out.mode = def;
}

/**
 * conf_pasta_target() - Trailing arguments of pasta: PID or command
 * @c:		Execution context
 * @a:		Options seen on the command line
 * @argc:	Argument count
 * @argv:	Arguments, non-options from optind
 */
static void conf_pasta_target(struct ctx *c, struct conf_args *a, int argc,
			      char **argv)
{
	bool dashdash = optind > 1 && !strcmp(argv[optind - 1], "--");
	const char *slash;
	int i, n;

	if (optind < argc && !dashdash && argc - optind == 1 &&
	    strspn(argv[optind], "0123456789") == strlen(argv[optind])) {
		int err = 0;
		struct stat st;

		c->pasta_pid = (pid_t)parse_long(argv[optind], 1, INT_MAX,
						 &err);
		if (err)
			die("PID %s: invalid process ID",
			    conf_quote(argv[optind]));
		if (a->netns_given)
			die("--netns: can't be given together with a PID");

		snprintf(c->netns_path, sizeof(c->netns_path),
			 "/proc/%i/ns/net", (int)c->pasta_pid);
		if (stat(c->netns_path, &st))
			die("PID %i: no such process", (int)c->pasta_pid);
		if (!a->userns_given && !c->netns_only)
			snprintf(c->userns_path, sizeof(c->userns_path),
				 "/proc/%i/ns/user", (int)c->pasta_pid);
		snprintf(c->netns_dir, sizeof(c->netns_dir), "/proc");
		snprintf(c->netns_base, sizeof(c->netns_base), "%i",
			 (int)c->pasta_pid);
		return;
	}

	if (optind < argc) {
		if (a->netns_given)
			die("--netns: can't be given together with a command");
		if (argc - optind > PASTA_ARGS_MAX)
			die("%s: too many arguments for the command (max %i)",
			    conf_quote(argv[optind]), PASTA_ARGS_MAX);
		for (i = optind, n = 0; i < argc; i++, n++)
			c->pasta_argv[n] = argv[i];
		c->pasta_argv[n] = NULL;
	}

	if (a->netns_given) {
		struct stat st;

		if (stat(c->netns_path, &st))
			die("--netns %s: %s", conf_quote(c->netns_path),
			    strerror(errno));
		/* Manual: implied by a path or name without --userns */
		if (!a->userns_given)
			c->netns_only = true;

		slash = strrchr(c->netns_path, '/');
		if (slash == c->netns_path) {
			snprintf(c->netns_dir, sizeof(c->netns_dir), "/");
		} else {
			n = (int)(slash - c->netns_path);
			snprintf(c->netns_dir, sizeof(c->netns_dir), "%.*s", n,
				 c->netns_path);
		}
		if (strlen(slash + 1) >= sizeof(c->netns_base))
			die("--netns %s: name too long",
			    conf_quote(c->netns_path));
		snprintf(c->netns_base, sizeof(c->netns_base), "%s",
			 slash + 1);
		return;
	}

	if (a->userns_given)
		die("--userns: needs a PID or --netns to go with it");

	if (!c->pasta_argv[0]) {
		char *shell = getenv("SHELL");

		c->pasta_argv[0] = (shell && *shell) ? shell
						     : PASTA_SHELL_DEFAULT;
		c->pasta_argv[1] = NULL;
	}
}

/**
 * conf_init_ctx() - Defaults that don't depend on options or the host
 * @c:		Execution context
 */
static void conf_init_ctx(struct ctx *c)
{
	static const uint8_t mac[MAC_ADDR_LEN] = MAC_OUR_DEFAULT;

	c->run->fd_tap = c->run->fd_tap_listen = c->fd_from_parent = -1;
	c->run->pidfile_fd = c->pasta_netns_fd = c->pasta_userns_fd = -1;
	memcpy(c->our_tap_mac, mac, sizeof(mac));
	c->mtu = MTU_DEFAULT;
	c->log_size = LOG_SIZE_DEFAULT;
	c->uid = geteuid();
	c->gid = getegid();
}

/**
 * conf_nofile_raise() - Raise the open file limit to the hard limit
 *
 * Called first thing, before anything is opened: a socket per forwarded
 * port and per connection.
 */
void conf_nofile_raise(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = MIN(rl.rlim_max, (rlim_t)FD_REF_MAX + 1);
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/**
 * conf_fwd_sockets() - Listening sockets a forwarding table opens at start
 * @fwd:	Forwarding table
 * @per_port:	Sockets per port
 * @weak:	Cleared if a rule isn't weak (its ports must all be bound)
 *
 * Return: number of sockets
 */
static unsigned long conf_fwd_sockets(const struct fwd_ports *fwd,
				      unsigned per_port, bool *weak)
{
	unsigned long n = 0;
	unsigned r;

	if (fwd->mode != FWD_SPEC && fwd->mode != FWD_ALL)
		return 0;
	for (r = 0; r < fwd->count; r++) {
		n += (unsigned long)(fwd->rules[r].last - fwd->rules[r].first
				     + 1) * per_port;
		if (!(fwd->rules[r].flags & FWD_RULE_WEAK))
			*weak = false;
	}
	return n;
}

/**
 * conf_nofile() - Check the open file limit against the ports to forward
 * @c:		Execution context
 *
 * Listening sockets take descriptors up to the limit minus a reserve, so
 * that connections and the rest of start-up always have some. If they need
 * more: with "all" or exclusions only (ports that can't be bound are
 * skipped anyway), one warning says how many won't be forwarded, and each
 * protocol gets a share of the room in proportion to what it asked for,
 * lowest ports first; with ports given explicitly, it's an error.
 */
static void conf_nofile(const struct ctx *c)
{
	unsigned long tcp = 0, udp = 0, need, room, reserve;
	unsigned ns = c->mode == MODE_PASTA ? FWD_LISTEN_MAX : 0;
	bool weak = true;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	if (!c->no_tcp) {
		tcp = conf_fwd_sockets(&c->run->tcp_fwd_in, 1, &weak);
		tcp += conf_fwd_sockets(&c->run->tcp_fwd_out, ns, &weak);
	}
	if (!c->no_udp) {
		udp = conf_fwd_sockets(&c->run->udp_fwd_in, 1, &weak);
		udp += conf_fwd_sockets(&c->run->udp_fwd_out, ns, &weak);
	}
	need = tcp + udp;

	/* Root may go past the hard limit: try, up to what we'd use */
	reserve = MAX(need / 4, (unsigned long)NOFILE_RESERVE_MIN);
	if (rl.rlim_cur < need + reserve && need + reserve <= FD_REF_MAX) {
		struct rlimit more = { need + reserve, need + reserve };

		if (!setrlimit(RLIMIT_NOFILE, &more))
			rl = more;
	}

	reserve = MAX(rl.rlim_cur / 8, (rlim_t)NOFILE_RESERVE_MIN);
	room = rl.rlim_cur > reserve ? rl.rlim_cur - reserve : 0;
	fwd_listen_fd_max = (int)MIN(room, (unsigned long)FD_REF_MAX);
	fwd_tcp_listen_fd_max = fwd_listen_fd_max;
	if (need <= room)
		return;

	/* Inbound TCP listeners come first: leave the others their share */
	if (need)
		fwd_tcp_listen_fd_max = (int)MIN(room * tcp / need +
						 NOFILE_RESERVE_MIN / 8,
						 (unsigned long)FD_REF_MAX);

	if (!weak)
		die("%lu TCP and %lu UDP listening sockets needed for the "
		    "ports to forward, but the open file limit of %lu leaves "
		    "room for %lu: raise the hard limit (ulimit -Hn) or "
		    "forward fewer ports", tcp, udp, (unsigned long)rl.rlim_cur,
		    room);
	warn("%lu TCP and %lu UDP listening sockets needed for the ports to "
	     "forward, but the open file limit of %lu leaves room for %lu: "
	     "%lu ports not forwarded (raise the hard limit, ulimit -Hn, to "
	     "forward them)", tcp, udp, (unsigned long)rl.rlim_cur, room,
	     need - room);
}

/**
 * conf_pidfile() - Open (create) the PID file, written once we're set up
 * @c:		Execution context
 *
 * Opened last, so that a command line with errors leaves no file behind.
 */
static void conf_pidfile(struct ctx *c)
{
	if (*c->pidfile) {
		c->run->pidfile_fd = open(c->pidfile,
				     O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC,
				     0644);
		if (c->run->pidfile_fd < 0)
			die_perror("-P %s: can't open PID file",
				   conf_quote(c->pidfile));
	}
}

/**
 * conf_addresses() - Addresses, gateways and mappings from host and options
 * @c:		Execution context
 * @a:		Options seen on the command line
 */
static void conf_addresses(struct ctx *c, const struct conf_args *a)
{
	bool gw4 = false, gw6 = false;
	int rc;

	rc = nl_sock_init(false);
	if (rc < 0)
		die("Can't open netlink socket: %s", strerror(-rc));

	if (c->ipv4_enabled) {
		c->ifi4 = conf_ifi(a, c->ip4.ifname_out, AF_INET);
		gw4 = conf_ip4(c, a);
	}
	if (c->ipv6_enabled) {
		c->ifi6 = conf_ifi(a, c->ip6.ifname_out, AF_INET6);
		gw6 = conf_ip6(c);
	}

	/* Default loopback mapping: the gateway, for versions having one */
	if (!a->mhl4_given && !c->no_map_gw && gw4 && c->ifi4)
		c->ip4.map_host_loopback = c->ip4.guest_gw;
	if (!a->mhl4_given && !c->no_map_gw && c->ip4.gw_given)
		c->ip4.map_host_loopback = c->ip4.guest_gw;
	if (!a->mhl6_given && !c->no_map_gw && gw6 && c->ifi6)
		c->ip6.map_host_loopback = c->ip6.guest_gw;
	if (!a->mhl6_given && !c->no_map_gw && c->ip6.gw_given)
		c->ip6.map_host_loopback = c->ip6.guest_gw;

	if (!c->ipv4_enabled)
		c->ip4.map_host_loopback.s_addr = 0;
	if (!c->ipv6_enabled)
		c->ip6.map_host_loopback = in6addr_any;
	if (!c->ip4.map_host_loopback.s_addr &&
	    IN6_IS_ADDR_UNSPECIFIED(&c->ip6.map_host_loopback))
		c->no_map_gw = true;
}

/**
 * conf() - Parse the command line, set up defaults from the host
 * @c:		Execution context, @mode and @argv0 already set
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Exits with status 1 and one line on standard error on invalid input;
 * with status 0 after --help, --version and --print-capabilities.
 */
void conf(struct ctx *c, int argc, char **argv)
{
	struct conf_args a = { .c = c, .prefix_len = -1, .dhcp_dns = -1,
			       .dhcp_search = -1 };
	char optstring[ARRAY_SIZE(conf_opts) * 2 + 3];
	bool deprecated_told[ARRAY_SIZE(conf_opts)] = { false };
	int ret;

	conf_init_ctx(c);
	conf_longopts_init(optstring, sizeof(optstring), c->mode);

	opterr = 0;
	optind = 0;	/* full re-initialisation, for repeated calls */
	for (;;) {
		/* The argument this call looks at, even inside a cluster of
		 * short options, where getopt_long() doesn't move optind on
		 */
		int cur = optind ? optind : 1;
		const struct conf_opt *o;
		int longindex = -1;

		optopt = 0;
		ret = getopt_long(argc, argv, optstring, conf_longopts,
				  &longindex);
		if (ret == -1)
			break;
		if (ret == '?' || ret == ':')
			conf_getopt_error(c, argv[cur], ret);

		if (longindex >= 0) {
			snprintf(conf_optname, sizeof(conf_optname), "--%s",
				 conf_longopts[longindex].name);
			o = conf_longopt_desc[longindex];
		} else {
			snprintf(conf_optname, sizeof(conf_optname), "-%c",
				 ret);
			o = conf_opt_by_val(ret);
		}

		if (o && !(o->modes & (1U << c->mode)))
			die("%s: %s-only option", conf_optname,
			    c->mode == MODE_PASTA ? "passt" : "pasta");
		if (o && o->deprecated && !deprecated_told[o - conf_opts]) {
			warn("%s: deprecated option, to be removed in a future "
			     "version%s", conf_optname,
			     o->val == 'e' ? " (it has no effect)" : "");
			deprecated_told[o - conf_opts] = true;
		}

		if (o)
			conf_apply(o, &a, optarg);
	}

	if (c->mode == MODE_PASTA)
		conf_pasta_target(c, &a, argc, argv);
	else if (optind < argc)
		die("%s: unexpected argument (passt takes no operands)",
		    conf_quote(argv[optind]));

	if (a.v4only && a.v6only)
		die("-4 and -6: can't be given together");

	if (c->print_capabilities) {
		printf("{\n  \"type\": \"net\"\n}\n");
		exit(EXIT_SUCCESS);
	}

	if (*c->log_path && log_file_open(c->log_path, c->log_size))
		die_perror("-l %s: can't open log file",
			   conf_quote(c->log_path));
	if (!a.runas_given)
		isolation_default_user(c);

	c->ipv4_enabled = !a.v6only;
	c->ipv6_enabled = !a.v4only;
	if (c->ipv6_enabled && c->mtu && c->mtu < MTU_MIN_IPV6) {
		if (a.v6only)
			die("-m %i: IPv6 needs an MTU of at least %i", c->mtu,
			    MTU_MIN_IPV6);
		warn("MTU %i is below the IPv6 minimum (%i): IPv6 disabled",
		     c->mtu, MTU_MIN_IPV6);
		c->ipv6_enabled = false;
	}

	conf_addresses(c, &a);
	conf_dns_setup(c, &a);

	if (c->mode == MODE_PASTA) {
		c->no_dhcp_dns = a.dhcp_dns != 1;
		c->no_dhcp_dns_search = a.dhcp_search != 1;
	} else {
		c->no_dhcp_dns = a.dhcp_dns == 0;
		c->no_dhcp_dns_search = a.dhcp_search == 0;
	}

	if (c->no_icmp)
		c->no_ndp = true;
	if (!c->ipv4_enabled)
		c->no_dhcp = true;
	if (!c->ipv6_enabled)
		c->no_ndp = c->no_dhcpv6 = c->no_ra = true;

	conf_fwd_defaults(c);
	conf_nofile(c);

	if (c->mode == MODE_PASTA && !*c->pasta_ifname) {
		unsigned int ifi = c->ifi4 ? c->ifi4 : c->ifi6;

		if (!ifi || !if_indextoname(ifi, c->pasta_ifname))
			snprintf(c->pasta_ifname, sizeof(c->pasta_ifname),
				 "%s", PASTA_IFNAME_DEFAULT);
	}

	if (c->vhost_user && !a.repair_given && *c->sock_path) {
		int n = snprintf(c->repair_path, sizeof(c->repair_path),
				 "%s%s", c->sock_path, REPAIR_SUFFIX);

		if (n < 0 || (size_t)n >= sizeof(c->repair_path))
			die("-s %s: too long to append %s for --repair-path",
			    conf_quote(c->sock_path), REPAIR_SUFFIX);
	}

	conf_pidfile(c);
}

