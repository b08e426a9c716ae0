/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Port forwarding tables (built from -t/-u/-T/-U specifications) and the
 * address translation decided once per flow (loopback mapping,
 * --map-guest-addr, DNS forwarding).
 */
#ifndef FWD_H
#define FWD_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>

#include "inany.h"
#include "util.h"

#define NUM_PORTS		(1U << 16)
/* Rules one forwarding table holds: each -t option adds at least one */
#define FWD_RULES_MAX		256

/**
 * enum fwd_mode - How ports are selected for one direction and protocol
 * @FWD_UNSET:	Not given on the command line, mode default applies
 * @FWD_NONE:	No forwarding
 * @FWD_SPEC:	Explicit list of rules
 * @FWD_ALL:	All non-ephemeral ports that can be bound (passt)
 * @FWD_AUTO:	Ports bound on the other side, scanned periodically (pasta)
 */
enum fwd_mode {
	FWD_UNSET = 0,
	FWD_NONE,
	FWD_SPEC,
	FWD_ALL,
	FWD_AUTO,
};

/* Rule flags */
#define FWD_RULE_WEAK		(1U << 0)	/* bind failures not fatal */
#define FWD_RULE_ADDR		(1U << 1)	/* @addr is set */

/**
 * struct fwd_rule - A contiguous range of forwarded ports
 * @addr:	Bound address (when FWD_RULE_ADDR), v4-mapped for IPv4
 * @ifname:	Bound interface, empty for none
 * @first:	First port of the range
 * @last:	Last port of the range (inclusive)
 * @to:		Target port for @first; @last maps to @to + @last - @first
 * @flags:	FWD_RULE_* flags
 */
struct fwd_rule {
	union inany_addr addr;
	char ifname[IFNAMSIZ];
	uint16_t first;
	uint16_t last;
	uint16_t to;
	uint8_t flags;
};

/**
 * struct fwd_ports - Forwarding for one protocol and direction
 * @mode:	Selection mode
 * @count:	Number of valid @rules
 * @rules:	Rules, in the order given
 * @map:	Ports currently forwarded (any rule), for fast lookups
 * @delta:	Target port minus forwarded port, modulo 2^16, per port
 */
struct fwd_ports {
	enum fwd_mode mode;
	unsigned int count;
	struct fwd_rule rules[FWD_RULES_MAX];
	unsigned long map[BITMAP_WORDS(NUM_PORTS)];
	uint16_t delta[NUM_PORTS];
};

/**
 * enum fwd_spec_err - Why a port specification was rejected
 */
enum fwd_spec_err {
	FWD_SPEC_OK = 0,
	FWD_SPEC_EMPTY,
	FWD_SPEC_BAD_PORT,
	FWD_SPEC_BAD_RANGE,
	FWD_SPEC_BAD_ADDR,
	FWD_SPEC_BAD_IFNAME,
	FWD_SPEC_BAD_TARGET,
	FWD_SPEC_TOO_MANY,
	FWD_SPEC_MODE,
	FWD_SPEC_SYNTAX,
};

/* Sockets a forwarded port listens with: IPv4 and IPv6 loopback (-T, -U) */
#define FWD_LISTEN_MAX		2

/**
 * struct fwd_listen_addr - Where one listening socket binds
 * @addr:	Address, v4-mapped for IPv4, :: for any
 * @v6only:	IPV6_V6ONLY for an IPv6 socket (false: dual-stack)
 */
struct fwd_listen_addr {
	union inany_addr addr;
	bool v6only;
};

struct ctx;

int fwd_listen_addrs(const struct ctx *c, const struct fwd_rule *r, bool ns,
		     struct fwd_listen_addr *la);
typedef int (*fwd_listen_one_fn)(const struct ctx *c,
				 const struct fwd_listen_addr *la,
				 const struct fwd_rule *r, in_port_t port,
				 bool ns);
int fwd_listen_open(const struct ctx *c, const struct fwd_rule *r,
		    in_port_t port, bool ns, int *fds, fwd_listen_one_fn open_one);

/**
 * struct fwd_listen_count - What fwd_listen_rules() could open
 * @bound:	Ports with their sockets open
 * @failed:	Ports of weak rules that could not be bound, @nofile apart
 * @nofile:	Ports skipped for want of descriptors (EMFILE)
 */
struct fwd_listen_count {
	unsigned int bound;
	unsigned int failed;
	unsigned int nofile;
};

int fwd_listen_rules(const struct ctx *c, const struct fwd_ports *fwd,
		     uint8_t proto, bool ns, fwd_listen_one_fn open_one,
		     struct fwd_listen_count *n);
int fwd_spec_parse(struct fwd_ports *fwd, const char *spec, bool allow_auto,
		   bool allow_all, const char **why);
void fwd_map_build(struct fwd_ports *fwd);
void fwd_ephemeral_range(uint16_t *first, uint16_t *last);

/**
 * fwd_port_is_forwarded() - Tell if a port is forwarded by a table
 * @fwd:	Forwarding table
 * @port:	Port number
 *
 * Return: true if forwarded
 */
static inline bool fwd_port_is_forwarded(const struct fwd_ports *fwd,
					 uint16_t port)
{
	return bitmap_isset(fwd->map, port);
}

/**
 * fwd_port_target() - Target port for a forwarded port
 * @fwd:	Forwarding table
 * @port:	Forwarded port
 *
 * Return: port on the other side
 */
static inline uint16_t fwd_port_target(const struct fwd_ports *fwd,
				       uint16_t port)
{
	return (uint16_t)(port + fwd->delta[port]);
}

/* Highest descriptor a listening socket for a forwarded port may take, set
 * at start-up from the open file limit: what is above is kept for flows and
 * for the rest of start-up (conf_nofile())
 */
extern int fwd_listen_fd_max;
/* The same for inbound TCP listeners, opened first: they take their share */
extern int fwd_tcp_listen_fd_max;

/* Ports --dns-forward applies to: DNS, DNS over TLS */
#define FWD_DNS_PORT		53
#define FWD_DNS_TLS_PORT	853

int fwd_nat_from_guest(const struct ctx *c, uint8_t proto,
		       const union inany_addr *dst, in_port_t port,
		       union inany_addr *out);
int fwd_nat_to_guest(const struct ctx *c, const union inany_addr *peer,
		     union inany_addr *faddr, union inany_addr *eaddr);

#endif /* FWD_H */
