/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The port forwarding tables themselves: rules as the command line gives
 * them and the per-port lookup map built from them. Plain data, so that
 * the execution context (ctx.h) can hold them without depending on the
 * code in fwd.c that parses and applies them.
 */
#ifndef FWD_RULE_H
#define FWD_RULE_H

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

#endif /* FWD_RULE_H */
