/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Port forwarding: the -t/-u/-T/-U specification grammar that builds the
 * tables of fwd_rule.h, the listening sockets a rule asks for, and the
 * address translation decided once per flow (loopback mapping,
 * --map-guest-addr, DNS forwarding).
 */
#ifndef FWD_H
#define FWD_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>

#include "fwd_rule.h"
#include "inany.h"
#include "util.h"

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
unsigned int fwd_listen_flags(const struct ctx *c,
			      const struct fwd_listen_addr *la);
void fwd_listen_inbound(const struct ctx *c, const struct fwd_ports *fwd,
			uint8_t proto, fwd_listen_one_fn open_one);
int fwd_spec_parse(struct fwd_ports *fwd, const char *spec, bool allow_auto,
		   bool allow_all, const char **why);
int fwd_spec_remove(struct fwd_ports *fwd, const struct fwd_ports *del,
		    const char **why);
bool fwd_same_bind(const struct fwd_rule *a, const struct fwd_rule *b);
/* A rule as text: "ADDR%IFNAME/FIRST-LAST:TO-TOLAST" */
#define FWD_RULE_STRLEN		(INANY_ADDRSTRLEN + IFNAMSIZ + 24)
int fwd_rule_fmt(const struct fwd_rule *r, char *buf, size_t size);

/**
 * enum fwd_table - The four forwarding tables, by option
 * @FWD_TCP_IN:		-t
 * @FWD_UDP_IN:		-u
 * @FWD_TCP_OUT:	-T (pasta)
 * @FWD_UDP_OUT:	-U (pasta)
 * @FWD_TABLES:		Number of tables
 */
enum fwd_table {
	FWD_TCP_IN = 0,
	FWD_UDP_IN,
	FWD_TCP_OUT,
	FWD_UDP_OUT,
	FWD_TABLES,
};

struct fwd_ports *fwd_table(const struct ctx *c, enum fwd_table t);

/**
 * struct fwd_sock - A listening socket opened for a rule of a table
 * @addr:	Bound address of the rule (when FWD_RULE_ADDR in @flags)
 * @ifname:	Bound interface of the rule, empty for none
 * @fd:		The socket
 * @port:	Forwarded port
 * @table:	enum fwd_table
 * @flags:	FWD_RULE_ADDR of the rule, the part of the binding we compare
 */
struct fwd_sock {
	union inany_addr addr;
	char ifname[IFNAMSIZ];
	int fd;
	uint16_t port;
	uint8_t table;
	uint8_t flags;
};

/* Listening sockets of rules we keep track of, to close them on removal */
#define FWD_SOCKS_MAX		(NUM_PORTS * FWD_LISTEN_MAX)

int fwd_sock_track(enum fwd_table t, const struct fwd_rule *r,
		   in_port_t port, const int *fds);
unsigned int fwd_sock_count(void);
struct fwd_sock *fwd_sock_at(unsigned int i);
void fwd_sock_forget(unsigned int i);
unsigned int fwd_sock_count_table(enum fwd_table t);
fwd_listen_one_fn fwd_listen_fn(enum fwd_table t);
void fwd_map_build(struct fwd_ports *fwd);
void fwd_ephemeral_range(uint16_t *first, uint16_t *last);

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
