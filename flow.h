/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The flow table: one static array of entries, each a connection (or
 * datagram flow) with its guest-facing and host-facing 4-tuples and room for
 * per-protocol state. Guest frames find their flow through a hash table
 * keyed with SipHash; host sockets carry the flow index in their epoll
 * reference.
 */
#ifndef FLOW_H
#define FLOW_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#include "inany.h"
#include "util.h"

/* Entries in the flow table: a compile-time bound on concurrent flows, for
 * 30,000 TCP connections and 60,000 UDP flows at once with room to spare.
 * Static cost: 24 MiB of entries, 1 MiB of hash table, 0.5 MiB of free
 * list (and tcp_deadline.c's heap, 2.5 MiB), resident only once used
 */
#define FLOW_MAX		131072
/* Bytes of one table entry, common part included */
#define FLOW_ENTRY_BYTES	192
/* Slots of the guest-side lookup hash table: load factor at most 1/2 */
#define FLOW_HASH_SIZE		(FLOW_MAX * 2)
#define FLOW_IDX_NONE		UINT32_MAX

/**
 * enum flow_type - What an entry of the flow table is
 * @FLOW_NONE:		Free slot
 * @FLOW_TCP:		TCP connection translated over the tap
 * @FLOW_TCP_SPLICE:	TCP connection spliced between loopback sockets
 * @FLOW_UDP:		UDP flow
 * @FLOW_PING:		ICMP/ICMPv6 echo flow
 * @FLOW_UDP_SPLICE:	UDP flow between loopback sockets (pasta bypass)
 */
enum flow_type {
	FLOW_NONE = 0,
	FLOW_TCP,
	FLOW_TCP_SPLICE,
	FLOW_UDP,
	FLOW_PING,
	FLOW_UDP_SPLICE,
	FLOW_TYPE_MAX,
};

/**
 * struct flowside - Addresses and ports of one side of a flow
 * @eaddr:	Endpoint address: the guest (guest side) or the socket's own
 *		local address (host side)
 * @faddr:	Forwarded (peer) address: what the guest talks to (guest
 *		side), or the remote peer of the socket (host side)
 * @eport:	Endpoint port
 * @fport:	Peer port
 */
struct flowside {
	union inany_addr eaddr;
	union inany_addr faddr;
	in_port_t eport;
	in_port_t fport;
};

enum flow_sidx {
	GUESTSIDE = 0,
	HOSTSIDE = 1,
};

/**
 * struct flow_common - Part common to every flow table entry
 * @type:	enum flow_type
 * @proto:	IPPROTO_* number, part of the guest-side hash key
 * @hashed:	Entry is in the guest-side hash table
 * @side:	Guest side and host side 4-tuples
 */
struct flow_common {
	uint8_t type;
	uint8_t proto;
	uint8_t hashed;
	struct flowside side[2];
};

/**
 * union flow - One entry of the flow table
 * @f:		Common part, first member of every protocol's entry
 * @bytes:	Room for per-protocol state
 */
union flow {
	struct flow_common f;
	uint64_t bytes[FLOW_ENTRY_BYTES / sizeof(uint64_t)];
};

extern union flow flowtab[FLOW_MAX];

void flow_init(void);
union flow *flow_alloc(void);
void flow_free(union flow *flow);
unsigned flow_idx(const union flow *flow);
union flow *flow_at(uint32_t idx);
int flow_hash_insert(union flow *flow);
void flow_hash_remove(union flow *flow);
union flow *flow_lookup(uint8_t proto, const union inany_addr *eaddr,
			in_port_t eport, const union inany_addr *faddr,
			in_port_t fport);
unsigned flow_count(void);
unsigned long flow_full(void);
unsigned long flow_changes(void);
unsigned flow_count_type(enum flow_type type);
unsigned flow_first_free_max(void);

/**
 * flow_foreach_limit() - Upper bound for loops over active flows
 *
 * Return: one past the highest index ever allocated
 */
#define flow_foreach_limit()	flow_first_free_max()

#endif /* FLOW_H */
