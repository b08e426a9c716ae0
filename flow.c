// SPDX-License-Identifier: GPL-2.0-or-later
/* flow.c - The flow table. Entries are allocated from a free list of a
 * static array (no dynamic memory), so a slot is recycled as soon as its
 * flow ends and a full table simply refuses new flows. Guest frames are
 * matched to flows through an open-addressing hash table (linear probing,
 * backward-shift deletion) keyed with a per-run random SipHash key, so a
 * guest can't choose tuples that collide. Host sockets need no lookup: the
 * flow index travels in their epoll reference.
 */

#include <string.h>

#include "flow.h"
#include "inany.h"
#include "siphash.h"
#include "log.h"

union flow flowtab[FLOW_MAX];

/* Guest-side lookup: flow index plus one, 0 for an empty bucket, so that
 * the table needs no initialisation and costs no memory until used
 */
static uint32_t flow_hashtab[FLOW_HASH_SIZE];
static uint8_t flow_hash_key[SIPHASH_KEY_BYTES];

/* Stack of freed indices: top of stack is the next slot handed out */
static uint32_t flow_free_stack[FLOW_MAX];
static unsigned flow_free_top;
/* One past the highest index ever handed out: slots from there on were
 * never used, and are handed out in order once the stack is empty. Scans
 * of the table stop there, and untouched slots cost no memory
 */
static unsigned flow_high;
/* Flows refused because the table was full */
static unsigned long flow_full_count;
/* Entries taken and returned since flow_init() */
static unsigned long flow_changes_count;

_Static_assert((FLOW_HASH_SIZE & (FLOW_HASH_SIZE - 1)) == 0,
	       "flow hash table size must be a power of two");
_Static_assert(FLOW_HASH_SIZE >= 2 * FLOW_MAX,
	       "flow hash table needs a load factor of at most 1/2");
_Static_assert(FLOW_MAX < UINT32_MAX, "flow indices plus one fit 32 bits");

/**
 * flow_init() - Empty the table, pick a new hash key
 *
 * Only what was used is cleared: the static tables start out zeroed, and
 * writing zeroes to untouched pages would make them resident.
 */
void flow_init(void)
{
	raw_random(flow_hash_key, sizeof(flow_hash_key));
	if (flow_high) {
		memset(flowtab, 0, flow_high * sizeof(flowtab[0]));
		memset(flow_hashtab, 0, sizeof(flow_hashtab));
	}
	flow_free_top = 0;
	flow_high = 0;
	flow_full_count = 0;
}

/**
 * flow_alloc() - Take a free entry
 *
 * Return: zeroed entry with type still FLOW_NONE (the caller sets it), or
 *	   NULL if the table is full (counted, see flow_full())
 */
union flow *flow_alloc(void)
{
	union flow *flow;
	uint32_t idx;

	if (flow_free_top) {
		idx = flow_free_stack[--flow_free_top];
	} else if (flow_high < FLOW_MAX) {
		idx = flow_high++;
	} else {
		flow_full_count++;
		return NULL;
	}
	flow = &flowtab[idx];
	memset(flow, 0, sizeof(*flow));
	flow_changes_count++;
	return flow;
}

/**
 * flow_free() - Return an entry to the free list, unhashing it if needed
 * @flow:	Entry, must be allocated
 */
void flow_free(union flow *flow)
{
	if (flow->f.hashed)
		flow_hash_remove(flow);
	memset(flow, 0, sizeof(*flow));
	flow_free_stack[flow_free_top++] = flow_idx(flow);
	flow_changes_count++;
}

/**
 * flow_full() - Number of flows refused because the table was full
 *
 * Return: count since flow_init()
 */
unsigned long flow_full(void)
{
	return flow_full_count;
}

/**
 * flow_changes() - Number of entries taken and returned
 *
 * Return: count since flow_init(): it moves whenever a flow, and so any
 *	   socket of a flow, comes or goes
 */
unsigned long flow_changes(void)
{
	return flow_changes_count;
}

/**
 * flow_idx() - Index of an entry in the table
 * @flow:	Entry
 *
 * Return: index
 */
unsigned flow_idx(const union flow *flow)
{
	return (unsigned)(flow - flowtab);
}

/**
 * flow_at() - Entry at an index, typically from an epoll reference
 * @idx:	Index
 *
 * Return: entry, NULL if @idx is out of range
 */
union flow *flow_at(uint32_t idx)
{
	if (idx >= FLOW_MAX)
		return NULL;
	return &flowtab[idx];
}

/**
 * flow_hash() - Hash of a guest-side 4-tuple
 * @proto:	IPPROTO_* number
 * @eaddr:	Guest address
 * @eport:	Guest port
 * @faddr:	Address the guest talks to
 * @fport:	Port the guest talks to
 *
 * Return: bucket index
 */
static unsigned flow_hash(uint8_t proto, const union inany_addr *eaddr,
			  in_port_t eport, const union inany_addr *faddr,
			  in_port_t fport)
{
	struct {
		union inany_addr eaddr;
		union inany_addr faddr;
		in_port_t eport;
		in_port_t fport;
		uint32_t proto;
	} __attribute__((packed)) in;

	memset(&in, 0, sizeof(in));
	in.eaddr = *eaddr;
	in.faddr = *faddr;
	in.eport = eport;
	in.fport = fport;
	in.proto = proto;

	return (unsigned)siphash_2_4(flow_hash_key, &in, sizeof(in)) &
	       (FLOW_HASH_SIZE - 1);
}

/**
 * flow_matches() - Tell if an entry has a given guest-side 4-tuple
 * @flow:	Entry
 * @proto:	IPPROTO_* number
 * @eaddr:	Guest address
 * @eport:	Guest port
 * @faddr:	Address the guest talks to
 * @fport:	Port the guest talks to
 *
 * Return: true on match
 */
static bool flow_matches(const union flow *flow, uint8_t proto,
			 const union inany_addr *eaddr, in_port_t eport,
			 const union inany_addr *faddr, in_port_t fport)
{
	const struct flowside *s = &flow->f.side[GUESTSIDE];

	return flow->f.proto == proto && s->eport == eport &&
	       s->fport == fport && inany_equals(&s->eaddr, eaddr) &&
	       inany_equals(&s->faddr, faddr);
}

/**
 * flow_bucket_of() - Home bucket of an entry's guest side
 * @flow:	Entry
 *
 * Return: bucket index
 */
static unsigned flow_bucket_of(const union flow *flow)
{
	const struct flowside *s = &flow->f.side[GUESTSIDE];

	return flow_hash(flow->f.proto, &s->eaddr, s->eport,
			 &s->faddr, s->fport);
}

/**
 * flow_hash_insert() - Make an entry findable by its guest-side 4-tuple
 * @flow:	Entry, with type, protocol and guest side set
 *
 * Return: 0 on success, -1 if the same 4-tuple is already hashed
 */
int flow_hash_insert(union flow *flow)
{
	const struct flowside *s = &flow->f.side[GUESTSIDE];
	unsigned b;

	if (flow->f.hashed)
		return 0;

	for (b = flow_bucket_of(flow); flow_hashtab[b];
	     b = (b + 1) & (FLOW_HASH_SIZE - 1)) {
		if (flow_matches(&flowtab[flow_hashtab[b] - 1], flow->f.proto,
				 &s->eaddr, s->eport, &s->faddr, s->fport))
			return -1;
	}

	flow_hashtab[b] = flow_idx(flow) + 1;
	flow->f.hashed = 1;
	return 0;
}

/**
 * flow_hash_remove() - Remove an entry from the hash table
 * @flow:	Entry
 *
 * Backward-shift deletion keeps every remaining entry reachable from its
 * home bucket without tombstones.
 */
void flow_hash_remove(union flow *flow)
{
	unsigned idx = flow_idx(flow), b, next, home;

	if (!flow->f.hashed)
		return;

	for (b = flow_bucket_of(flow); flow_hashtab[b] != idx + 1;
	     b = (b + 1) & (FLOW_HASH_SIZE - 1)) {
		if (!flow_hashtab[b]) {
			err("Flow %u marked hashed but not found", idx);
			flow->f.hashed = 0;
			return;
		}
	}

	for (next = (b + 1) & (FLOW_HASH_SIZE - 1); flow_hashtab[next];
	     next = (next + 1) & (FLOW_HASH_SIZE - 1)) {
		home = flow_bucket_of(&flowtab[flow_hashtab[next] - 1]);
		/* Move back unless home lies cyclically in (b, next] */
		if (((next - home) & (FLOW_HASH_SIZE - 1)) >=
		    ((next - b) & (FLOW_HASH_SIZE - 1))) {
			flow_hashtab[b] = flow_hashtab[next];
			b = next;
		}
	}
	flow_hashtab[b] = 0;
	flow->f.hashed = 0;
}

/**
 * flow_lookup() - Find a flow by its guest-side 4-tuple
 * @proto:	IPPROTO_* number
 * @eaddr:	Guest address
 * @eport:	Guest port
 * @faddr:	Address the guest talks to
 * @fport:	Port the guest talks to
 *
 * Return: entry, or NULL if none
 */
union flow *flow_lookup(uint8_t proto, const union inany_addr *eaddr,
			in_port_t eport, const union inany_addr *faddr,
			in_port_t fport)
{
	unsigned b;

	for (b = flow_hash(proto, eaddr, eport, faddr, fport);
	     flow_hashtab[b]; b = (b + 1) & (FLOW_HASH_SIZE - 1)) {
		union flow *flow = &flowtab[flow_hashtab[b] - 1];

		if (flow_matches(flow, proto, eaddr, eport, faddr, fport))
			return flow;
	}
	return NULL;
}

/**
 * flow_count() - Number of allocated entries
 *
 * Return: active flows, any type
 */
unsigned flow_count(void)
{
	return flow_high - flow_free_top;
}

/**
 * flow_count_type() - Number of active flows of one type
 * @type:	Flow type
 *
 * Return: count
 */
unsigned flow_count_type(enum flow_type type)
{
	unsigned i, n = 0;

	for (i = 0; i < flow_high; i++)
		n += flowtab[i].f.type == type;
	return n;
}

/**
 * flow_first_free_max() - Bound for scans over the table
 *
 * Return: one past the highest index ever allocated
 */
unsigned flow_first_free_max(void)
{
	return flow_high;
}
